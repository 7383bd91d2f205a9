// elegy-bench: benchmarks for Elegy, one per subcommand. Build with `swift build -c release --product elegy-bench`.
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

let arguments = Array(CommandLine.arguments.dropFirst())

switch arguments.first {
case "resolver":
    ResolverBenchmark.run(Array(arguments.dropFirst()))
default:
    print("usage: elegy-bench <benchmark> [arguments...]")
    print("  resolver [library-size]   resolve ~200 curated songs against a synthetic library (default 100000)")
    exit(arguments.isEmpty ? 0 : 64)
}

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
case "engine":
    EngineBenchmark.run(Array(arguments.dropFirst()))
case "engine-play" where arguments.count == 2:
    exit(await EngineBenchmark.playWithEngine(arguments[1]))
case "loop-play" where arguments.count == 2:
    exit(EngineBenchmark.playWithLoop(arguments[1]))
case "make-audio":
    for file in EngineBenchmark.prepareAudio() { print("\(file.long)\t\(file.short)") }
case "roundtrips":
    RoundTripBenchmark.run(Array(arguments.dropFirst()))
default:
    print("usage: elegy-bench <benchmark> [arguments...]")
    print("  resolver [library-size]   resolve ~200 curated songs against a synthetic library (default 100000)")
    print("  engine [--reps N]         engine vs. a bare libsndfile → snd_pcm_writei loop, 20-minute FLAC and MP3")
    print("  engine-play FILE          (child) play FILE through the Elegy engine to ALSA $ELEGY_BENCH_DEVICE (null)")
    print("  loop-play FILE            (child) play FILE through the bare loop")
    print("  make-audio                create the test audio (cached) and print its paths")
    print("  roundtrips SOCKET [CLIENTS] [SECONDS]   MPD `status` round-trips per second, no pipelining")
    exit(arguments.isEmpty ? 0 : 64)
}

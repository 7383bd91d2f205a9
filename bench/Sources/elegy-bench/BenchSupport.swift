// Process helpers shared by the benchmarks: run a shell command, spawn this binary as a measured child.
#if canImport(Glibc)
    import Glibc
#endif

/// What one child process cost, from `wait4`'s rusage.
struct ChildCost {
    /// User + system CPU seconds of the whole process (all threads).
    var cpuSeconds: Double
    /// Peak resident set size in MiB (`ru_maxrss`).
    var peakRSSMiB: Double
    var wallSeconds: Double
    var status: Int32
}

enum BenchSupport {
    /// This executable's absolute path.
    static var executablePath: String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return CommandLine.arguments[0] }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Writes `text` to standard error.
    static func err(_ text: String) {
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
    }

    static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// Runs `/bin/sh -c command`; returns its exit status.
    @discardableResult
    static func shell(_ command: String) -> Int32 {
        spawn(["/bin/sh", "-c", command], environment: nil).status
    }

    /// Spawns `argv` (argv[0] an absolute path), waits for it and returns what it cost.
    /// `environment` adds or replaces variables of this process's environment.
    static func spawn(_ argv: [String], environment: [String: String]?) -> ChildCost {
        var env: [String] = []
        var index = 0
        while let entry = environ[index] {
            let text = String(cString: entry)
            let key = String(text.prefix { $0 != "=" })
            if environment?[key] == nil { env.append(text) }
            index += 1
        }
        for (key, value) in environment ?? [:] { env.append("\(key)=\(value)") }

        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = env.map { strdup($0) } + [nil]
        defer {
            cArgs.forEach { free($0) }
            cEnv.forEach { free($0) }
        }
        var pid: pid_t = 0
        let start = now()
        let rc = cArgs.withUnsafeBufferPointer { args in
            cEnv.withUnsafeBufferPointer { envs in
                posix_spawn(&pid, argv[0], nil, nil, UnsafeMutablePointer(mutating: args.baseAddress!),
                    UnsafeMutablePointer(mutating: envs.baseAddress!))
            }
        }
        guard rc == 0 else {
            BenchSupport.err("elegy-bench: cannot spawn \(argv[0]): \(String(cString: strerror(rc)))\n")
            return ChildCost(cpuSeconds: 0, peakRSSMiB: 0, wallSeconds: 0, status: 127)
        }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let wall = now() - start
        let cpu = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        let exitStatus: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return ChildCost(
            cpuSeconds: cpu, peakRSSMiB: Double(usage.ru_maxrss) / 1024, wallSeconds: wall, status: exitStatus)
    }

    static func fileExists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }

    static func format(_ value: Double, _ decimals: Int) -> String {
        guard value.isFinite else { return "n/a" }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        var text = "\(rounded)"
        if let dot = text.firstIndex(of: ".") {
            let have = text.distance(from: dot, to: text.endIndex) - 1
            if have < decimals { text += String(repeating: "0", count: decimals - have) }
        } else if decimals > 0 {
            text += "." + String(repeating: "0", count: decimals)
        }
        return text
    }

    static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return right ? fill + text : text + fill
    }
}

import CLinuxFS
import ElegyCore
import ElegySystem
import FoundationEssentials
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// A scan that reads the whole library (the first one, and `rescan`) runs in a second process, `elegyd
/// --scan-worker`, which writes the new cache file and prints its report; the daemon then loads that file as it
/// does at startup.
///
/// Why: reading 100,000 files leaves the daemon's heap scattered. TagLib's, FFmpeg's and libsndfile's short-lived
/// buffers were freed between the songs kept, and glibc cannot hand back a page that still holds one song: after
/// a first scan elegyd kept ~80 MiB, after a restart on the same index ~58 MiB. The worker's heap goes with the
/// worker. And a decoder that crashes on a damaged file takes down the worker, not the daemon and its queue.
/// Scans of a part of the library, and `update`s that find few changes, stay in the daemon: they read few files,
/// and starting a process and loading the index twice would cost more than they do.
public enum ScanWorker {
    /// The flags `MusicLibrary` passes: `--scan-worker CACHE_FILE --music-dir ROOT [--scan-fresh] [--scan-reread]`.
    public static let flag = "--scan-worker"
    public static let freshFlag = "--scan-fresh"
    public static let rereadFlag = "--scan-reread"

    /// The worker's side (elegyd's `main` calls it for `--scan-worker`): scans `root` against the index in
    /// `cacheFile` (none with `fresh`), writes the new cache and prints the report as JSON on standard output.
    /// Returns the exit status.
    public static func run(root: String, cacheFile: String, fresh: Bool, rereadAll: Bool, logger: Logger) -> Int32 {
        // Nothing of the daemon's: not its listening socket, nor its inotify descriptor.
        elegy_close_from(3)
        // Ends with the daemon's scan thread (which waits for it); a daemon already gone has reparented it.
        if elegy_end_with_parent() != 0 || getppid() == 1 { return 70 }
        let library = MusicLibrary(root: root, cacheFile: cacheFile, logger: logger)
        let old = fresh ? LibraryIndex.empty : (library.readCache()?.index ?? LibraryIndex.empty)
        let report = library.performScan(scope: "", path: nil, old: old, rereadAll: rereadAll)
        guard let json = try? JSONEncoder().encode(report) else { return 70 }
        var bytes = [UInt8](json)
        bytes.append(UInt8(ascii: "\n"))
        return bytes.withUnsafeBytes { Files.writeAll($0, to: 1) } == 0 ? 0 : 74
    }
}

extension MusicLibrary {
    /// Runs the scan in `worker` and installs the index it wrote. Nil when the worker could not be started (the
    /// caller then scans here); otherwise the worker's report, or one failure saying why there is none (it
    /// crashed, or its index did not read back), with the index left as it was.
    func scanInWorker(
        _ worker: [String], cacheFile: String, path: String?, old: LibraryIndex, rereadAll: Bool
    ) -> ScanReport? {
        let began = MonotonicTime.now
        var arguments = worker + [ScanWorker.flag, cacheFile, "--music-dir", root]
        if old.songs.isEmpty { arguments.append(ScanWorker.freshFlag) }
        if rereadAll { arguments.append(ScanWorker.rereadFlag) }
        guard let (output, status) = Subprocess.run(arguments) else {
            logger.warning("cannot start the scan worker; scanning in the daemon", metadata: ["worker": "\(worker)"])
            return nil
        }
        func failed(_ reason: String) -> ScanReport {
            logger.error("library scan failed: \(reason)")
            var report = ScanReport(path: path)
            report.failed = [ScanFailure(uri: path ?? "", reason: reason)]
            report.total = old.songs.count
            report.seconds = began.secondsSince
            return report
        }
        guard status.exitCode == 0, var report = try? JSONDecoder().decode(ScanReport.self, from: Data(output))
        else {
            return failed("the scanner process \(status); the library is unchanged")
        }
        report.path = path
        if let loaded = readCache() {
            state.withLock { $0.install(loaded) }
        } else if report.changedIndex {
            return failed("the index the scanner wrote did not read back; the library is unchanged")
        }
        report.seconds = began.secondsSince
        return report
    }
}

/// Starting a program and collecting what it prints (blocking: call on a thread of one's own).
enum Subprocess {
    /// How a process ended.
    struct Status: CustomStringConvertible {
        let raw: Int32

        /// The exit status, or nil when a signal ended it.
        var exitCode: Int32? { raw & 0x7f == 0 ? (raw >> 8) & 0xff : nil }
        var signal: Int32? { exitCode == nil ? raw & 0x7f : nil }

        var description: String {
            if let signal { return "was killed by signal \(signal)" }
            return "exited with status \(exitCode ?? -1)"
        }
    }

    /// Runs `arguments` (the first is the program's path), standard input from /dev/null, standard error shared,
    /// until it exits; its standard output and how it ended. Nil when it could not be started.
    static func run(_ arguments: [String]) -> (output: [UInt8], status: Status)? {
        guard let program = arguments.first else { return nil }
        var pipeEnds: [Int32] = [-1, -1]
        guard pipe2(&pipeEnds, O_CLOEXEC) == 0 else { return nil }
        let (readEnd, writeEnd) = (pipeEnds[0], pipeEnds[1])
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 1)
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var pid: pid_t = 0
        let started = posix_spawn(&pid, program, &actions, nil, argv, Glibc.environ)
        close(writeEnd)
        guard started == 0 else {
            close(readEnd)
            return nil
        }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
            if count > 0 {
                output += chunk[..<count]
            } else if count == 0 || errno != EINTR {
                break
            }
        }
        close(readEnd)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (output, Status(raw: status))
    }
}

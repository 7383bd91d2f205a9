import ElegyAudio
import ElegyCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Dedicated POSIX threads for the scanner. `sf_open` and `readdir` block, so none of this work may run on the
/// Swift concurrency pool or a NIO event loop.
enum ScanThreads {
    private final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    /// Starts a joinable thread running `body`; nil when `pthread_create` fails.
    static func start(_ body: @escaping @Sendable () -> Void) -> pthread_t? {
        let box = Unmanaged.passRetained(Body(body))
        var thread = pthread_t()
        let rc = pthread_create(
            &thread, nil,
            { raw in
                guard let raw else { return nil }
                Unmanaged<Body>.fromOpaque(raw).takeRetainedValue().run()
                return nil
            }, box.toOpaque())
        guard rc == 0 else {
            box.release()
            return nil
        }
        return thread
    }

    /// Online processors (at least 1).
    static var processorCount: Int { max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
}

/// The outcome of reading one candidate file.
enum ReadOutcome: Sendable {
    case song(Song)
    case failure(ScanFailure)
}

/// A shared work list of files to read, drained by N worker threads: each takes the next index atomically,
/// reads the file through `TagReader`, and keeps its results locally until it finishes.
final class TagReadJob: Sendable {
    private let candidates: [LibraryWalker.Candidate]
    private let next = Atomic<Int>(0)
    private let outcomes = Mutex<[ReadOutcome]>([])

    init(candidates: [LibraryWalker.Candidate]) {
        self.candidates = candidates
    }

    /// Reads every candidate on up to `threads` threads and returns when all are done. Call from a dedicated
    /// thread (it joins the workers); with no thread available it reads on the calling thread.
    func run(threads: Int) -> [ReadOutcome] {
        let count = min(max(1, threads), candidates.count)
        var workers: [pthread_t] = []
        for _ in 0..<count {
            guard let thread = ScanThreads.start({ [self] in work() }) else { break }
            workers.append(thread)
        }
        if workers.isEmpty { work() }
        for thread in workers { pthread_join(thread, nil) }
        return outcomes.withLock { $0 }
    }

    private func work() {
        var local: [ReadOutcome] = []
        while true {
            let index = next.add(1, ordering: .relaxed).oldValue
            guard index < candidates.count else { break }
            local.append(TagReadJob.read(candidates[index]))
        }
        outcomes.withLock { $0.append(contentsOf: local) }
    }

    /// Re-checks the file through a non-blocking descriptor (a FIFO swapped in since the walk must not block the
    /// reader), then reads its tags from that descriptor (FLAC) or through libsndfile, and applies the path fallback.
    static func read(_ candidate: LibraryWalker.Candidate) -> ReadOutcome {
        let fd = open(candidate.path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return .failure(ScanFailure(uri: candidate.uri, reason: FileSystem.message(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            return .failure(ScanFailure(uri: candidate.uri, reason: FileSystem.message(errno)))
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            return .failure(ScanFailure(uri: candidate.uri, reason: "not a regular file"))
        }
        do {
            let song = try TagReader.song(
                fileDescriptor: fd, path: candidate.path, uri: candidate.uri, size: Int64(info.st_size),
                modified: Int64(info.st_mtim.tv_sec))
            return .song(PathFallback.apply(to: song))
        } catch {
            return .failure(ScanFailure(uri: candidate.uri, reason: error.message))
        }
    }
}

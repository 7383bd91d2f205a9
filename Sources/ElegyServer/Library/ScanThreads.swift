import ElegyAudio
import ElegyCore
import ElegySystem

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

/// The outcome of one candidate file.
enum ReadOutcome: Sendable {
    /// Unchanged since the old index: its entry (at this position of the old index's songs) is kept, the file was
    /// not opened. A position, not a copy of the song: an `update` that finds nothing changed handles 100,000 of
    /// these, and copying each song's fields was a fifth of its time (perf, 2026-12-07).
    case kept(position: Int)
    /// Read (new or changed).
    case song(Song)
    /// Could not be read (counts as a file read).
    case failure(ScanFailure)
    /// Could not be stat'ed, or is no longer a regular file (a walk failure: not a file read).
    case walkFailure(ScanFailure)
}

/// A queue of the walk's candidates, filled while the walk runs: worker threads, started at the first batch, stat
/// each file the walk only listed, keep the old index's entry for unchanged files and read the others; the
/// coordinator joins them once the walk is done. Everything per file runs on every core at once; the walk itself
/// only lists directories.
///
/// Use from one coordinator thread: `submit` batches, then `finish` once (it processes what is left, then joins the
/// workers). A permit count under the queue's lock (one per queued batch, plus one wake-up per worker at the end)
/// lets idle workers sleep on its condition instead of polling.
final class TagReadJob: Sendable {
    private struct Queue {
        var batches: [ArraySlice<LibraryWalker.Candidate>] = []
        var next = 0
        var outcomes: [ReadOutcome] = []
        var workers: [pthread_t] = []
        var started = false
        /// Wake-ups owed to the workers: one per queued batch, one per worker from `finish`.
        var permits = 0
    }

    /// Files per queued batch: one semaphore post and one lock per batch, small enough to share a large directory.
    static let batchSize = 16

    private let old: LibraryIndex
    /// Read every file, even those whose size and mtime match `old` (`rescan`).
    private let rereadAll: Bool
    private let workerCount: Int
    private let queue = Lock(Queue())

    /// A job with `threads` worker threads (at least one) that compares files with `old` (or, with `rereadAll`,
    /// reads them all).
    init(threads: Int, old: LibraryIndex, rereadAll: Bool = false) {
        self.old = old
        self.rereadAll = rereadAll
        workerCount = max(1, threads)
    }

    /// Queues `candidates`; starts the workers on the first call.
    func submit(_ candidates: [LibraryWalker.Candidate]) {
        var batches: [ArraySlice<LibraryWalker.Candidate>] = []
        var start = 0
        while start < candidates.count {
            let end = min(start + TagReadJob.batchSize, candidates.count)
            batches.append(candidates[start..<end])
            start = end
        }
        let first = queue.withLock { queue -> Bool in
            queue.batches += batches
            defer { queue.started = true }
            return !queue.started
        }
        if first {
            var workers: [pthread_t] = []
            for _ in 0..<workerCount {
                guard let thread = ScanThreads.start({ [self] in work() }) else { break }
                workers.append(thread)
            }
            queue.withLock { $0.workers = workers }
        }
        release(batches.count)
    }

    /// Closes the queue, processes the batches still queued alongside the workers, waits for them, and returns the
    /// outcomes (in no particular order). Without worker threads (`pthread_create` failed) it processes them all.
    func finish() -> [ReadOutcome] {
        let workers = queue.withLock { $0.workers }
        release(workers.count)
        var local: [ReadOutcome] = []
        while let batch = take() { process(batch, into: &local) }
        for thread in workers { pthread_join(thread, nil) }
        return queue.withLock { queue in
            defer { queue.outcomes = [] }
            return queue.outcomes + local
        }
    }

    /// The next queued batch, nil when all are taken.
    private func take() -> ArraySlice<LibraryWalker.Candidate>? {
        queue.withLock { queue in
            guard queue.next < queue.batches.count else { return nil }
            defer { queue.next += 1 }
            return queue.batches[queue.next]
        }
    }

    /// Adds `count` wake-ups and wakes the workers.
    private func release(_ count: Int) {
        queue.withLock { state in
            state.permits += count
            queue.broadcast()
        }
    }

    /// Waits for a wake-up and takes it.
    private func acquire() {
        queue.withLock(waitingUntil: { $0.permits > 0 }) { state in state.permits -= 1 }
    }

    /// A worker: one wake-up per batch, then one per worker from `finish`. Batches are taken in order and
    /// each count is posted after its batch was queued, so a wake-up that finds nothing means the walk is over and
    /// every batch taken (by a worker or by the coordinator in `finish`).
    private func work() {
        var local: [ReadOutcome] = []
        while true {
            acquire()
            guard let batch = take() else { break }
            process(batch, into: &local)
        }
        queue.withLock { $0.outcomes.append(contentsOf: local) }
    }

    private func process(_ batch: ArraySlice<LibraryWalker.Candidate>, into outcomes: inout [ReadOutcome]) {
        for candidate in batch {
            if let outcome = outcome(of: candidate) { outcomes.append(outcome) }
        }
    }

    /// Stats the candidate if the walk did not, keeps the old entry when size and mtime match, else reads the file.
    private func outcome(of candidate: LibraryWalker.Candidate) -> ReadOutcome? {
        let stamp: LibraryWalker.Stamp
        if let known = candidate.stamp {
            stamp = known
        } else {
            switch LibraryWalker.stamp(ofListed: candidate) {
            case .file(let found): stamp = found
            case .directory: return nil
            case .failure(let failure): return .walkFailure(failure)
            }
        }
        if !rereadAll, let position = old.position(ofURI: candidate.uri) {
            if old.songs[position].size == stamp.size && old.songs[position].modified == stamp.modified {
                return .kept(position: position)
            }
        }
        return TagReadJob.read(candidate, stamp: stamp)
    }

    /// Opens the file without blocking (a FIFO swapped in since it was stat'ed must not block the reader: the FLAC
    /// reader's `pread` then fails and libsndfile's own check refuses it), reads its tags from that descriptor
    /// (FLAC) or through libsndfile. Size and mtime are `stamp`'s, taken just before.
    static func read(_ candidate: LibraryWalker.Candidate, stamp: LibraryWalker.Stamp) -> ReadOutcome {
        let path = candidate.path
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return .failure(ScanFailure(uri: candidate.uri, reason: SystemCallError.message(errno))) }
        defer { close(fd) }
        do {
            let song = try TagReader.song(
                fileDescriptor: fd, path: path, uri: candidate.uri, size: stamp.size,
                modified: stamp.modified)
            return .song(song)
        } catch {
            return .failure(ScanFailure(uri: candidate.uri, reason: error.message))
        }
    }
}

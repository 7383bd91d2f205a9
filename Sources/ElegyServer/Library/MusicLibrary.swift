import ElegyCore
import ElegyAudio
import Logging
import ElegySystem

#if canImport(Glibc)
    import Glibc
#endif

/// The music library: an index of the audio files under `music_directory`, kept in memory for queries,
/// refreshed by `scan`, and saved to a cache file so that a restart does not rescan.
///
/// Threads: every query and `isScanning` may be called from any thread or task and never blocks on I/O (they
/// read an immutable snapshot taken under a mutex). `scan` walks and reads files on dedicated POSIX threads
/// (one per core for tag reading), never on the Swift concurrency pool or an event loop. `loadCache` reads one
/// file synchronously: call it at startup, before serving.
public final class MusicLibrary: Sendable {
    /// The music directory, without a trailing slash.
    public let root: String
    public let cacheFile: String?
    let logger: Logger
    let state = Lock(State())
    /// The command that runs `ScanWorker` (elegyd's own executable and flag), or nil to scan in this process.
    let scanWorker: [String]?

    struct State {
        var index = LibraryIndex.empty
        var lastUpdate: Int64 = 0
        /// The scope of the scan in progress ("" for everything), nil when idle.
        var running: String?
        /// Callers that joined the running scan; resumed with its report.
        var waiters: [CheckedContinuation<ScanReport?, Never>] = []
        var lastReport = ScanReport()

        /// Makes `loaded` (what `readCache` read) the index.
        mutating func install(_ loaded: (index: LibraryIndex, updated: Int64)) {
            index = loaded.index
            lastUpdate = loaded.updated
        }
    }

    /// With `scanWorker` (and a cache file), scans that read the whole library (the first, and `rescan`) run in
    /// that process: see `ScanWorker`.
    public init(root: String, cacheFile: String?, logger: Logger, scanWorker: [String]? = nil) {
        var trimmed = Substring(root)
        while trimmed.count > 1, trimmed.last == "/" { trimmed = trimmed.dropLast() }
        self.root = String(trimmed)
        self.cacheFile = cacheFile
        self.logger = logger
        self.scanWorker = scanWorker
    }

    // MARK: Queries

    private var index: LibraryIndex { state.withLock { $0.index } }

    /// Every song, sorted by URI.
    public var songs: [Song] { index.songs }

    /// The song whose URI is `uri`, if indexed.
    public func song(uri: String) -> Song? {
        let index = self.index
        return index.position(ofURI: uri).map { index.songs[$0] }
    }

    /// The immediate children of directory `path` ("" or "/" for the root), for MPD's `lsinfo`: subdirectories
    /// as full relative paths ("Artist/Album"), sorted, and songs sorted by URI. Only directories that hold
    /// songs exist; an unknown path gives two empty lists.
    public func directoryListing(_ path: String) -> (directories: [String], songs: [Song]) {
        index.listing(path)
    }

    /// Every song under directory `path`, recursively, sorted by URI (for `add DIR` and `listall`); the song
    /// itself when `path` is a song's URI; empty when nothing matches.
    public func allSongs(under path: String) -> [Song] {
        index.songs(under: path)
    }

    /// Visits `path`'s subtree in MPD's `listall` order (see `LibraryIndex.walk`).
    /// `song` gets a pointer to each song, valid only during the call.
    public func walk(_ path: String, directory: (String) -> Void, song: (UnsafePointer<Song>) -> Void) {
        index.walk(path, directory: directory, song: song)
    }

    /// A directory's modification time (Unix seconds), if a scan walked it.
    public func modified(ofDirectory path: String) -> Int64? {
        index.directoryTimes[path]
    }

    /// Whether `path` ("" for the root) is a directory of the index.
    public func isDirectory(_ path: String) -> Bool {
        index.directory(LibraryIndex.normalized(path)) != nil
    }

    /// Counts for MPD's `stats`: distinct artist and album tags, songs, and their summed duration.
    public var stats: (artists: Int, albums: Int, songs: Int, totalSeconds: Double) {
        let index = self.index
        return (index.artistCount, index.albumCount, index.songs.count, index.totalSeconds)
    }

    /// Unix time (seconds) at which the last scan finished (as loaded from the cache before any scan); 0 if never.
    public var lastUpdate: Int64 { state.withLock { $0.lastUpdate } }

    /// Whether a scan is running (MPD's `updating_db` in `status`).
    public var isScanning: Bool { state.withLock { $0.running != nil } }

    /// The file behind `uri`; nil for URIs that could leave the music directory (a `..` component, a leading
    /// `/`, a NUL byte) or are empty. Does not check that the file exists.
    public func absolutePath(of uri: String) -> String? {
        guard MusicLibrary.isSafeRelativePath(uri), !uri.isEmpty else { return nil }
        return root == "/" ? "/" + uri : root + "/" + uri
    }

    /// Whether `path` is relative and free of `..` components and NUL bytes ("" is the root itself).
    static func isSafeRelativePath(_ path: String) -> Bool {
        if path.hasPrefix("/") || path.utf8.contains(0) { return false }
        return !path.split(separator: "/", omittingEmptySubsequences: false).contains("..")
    }

    // MARK: Cache

    /// Replaces the index with the cache file's content. False (index unchanged) when there is no cache file,
    /// it is absent, corrupt, truncated, of another version or of another music directory, or a scan is
    /// running. Blocking file read: call at startup, not from an event loop.
    public func loadCache() -> Bool {
        guard let loaded = readCache() else { return false }
        return state.withLock { state in
            guard state.running == nil else { return false }
            state.install(loaded)
            return true
        }
    }

    /// The index the cache file holds and its last-update time; nil (logged) when there is no cache file or it
    /// is absent or unusable. Blocking file read.
    func readCache() -> (index: LibraryIndex, updated: Int64)? {
        guard let cacheFile else { return nil }
        let started = MonotonicTime.now
        let bytes: [UInt8]
        do {
            bytes = try Files.read(cacheFile)
        } catch {
            logger.debug("no library cache: \(error)", metadata: ["library.cache": "\(cacheFile)"])
            return nil
        }
        let read = started.secondsSince
        guard let contents = LibraryCache.decode(bytes, root: root) else {
            logger.warning(
                "library cache is unusable (corrupt, old or of another music directory); a scan will rebuild it",
                metadata: ["library.cache": "\(cacheFile)"])
            return nil
        }
        let decoded = started.secondsSince
        let index = LibraryIndex(
            sortedSongs: contents.songs, directoryTimes: contents.directoryTimes,
            counts: (contents.artists, contents.albums))
        let indexed = started.secondsSince
        logger.info(
            "library cache loaded",
            metadata: [
                "songs": "\(index.songs.count)", "read_ms": "\(Int(read * 1000))",
                "decode_ms": "\(Int((decoded - read) * 1000))", "index_ms": "\(Int((indexed - decoded) * 1000))",
            ])
        return (index, contents.updated)
    }

    // MARK: Scanning

    private enum ScanStart {
        case start(LibraryIndex)
        case join
        case waitThenStart
    }

    /// Scans the library (or the sub-path `path`, an MPD `update` URI: a directory or a file), re-reading only
    /// new files and files whose size or mtime changed, dropping vanished ones, then saves the cache.
    ///
    /// One scan at a time: a call made while a scan runs whose scope covers `path` joins it and returns its
    /// report; otherwise it waits for the running scan to finish and then runs its own. Leading and trailing
    /// slashes are ignored; a `path` with `..` components returns at once with one failure. Cancellation is not
    /// observed: a started scan always finishes. With `rereadAll` (MPD's `rescan`) every file is read again,
    /// changed or not, and a running scan is waited for rather than joined.
    public func scan(path: String? = nil, rereadAll: Bool = false) async -> ScanReport {
        let scope = LibraryIndex.normalized(path ?? "")
        guard MusicLibrary.isSafeRelativePath(scope) else {
            var report = ScanReport(path: path)
            report.failed = [ScanFailure(uri: path ?? "", reason: "path leaves the music directory")]
            report.total = index.songs.count
            return report
        }
        while true {
            let start: ScanStart = state.withLock { state in
                guard let running = state.running else {
                    state.running = scope
                    return .start(state.index)
                }
                return !rereadAll && LibraryIndex.contains(scope: running, scope) ? .join : .waitThenStart
            }
            switch start {
            case .start(let index):
                let report = await runOnThread(scope: scope, path: path, index: index, rereadAll: rereadAll)
                let waiters = state.withLock { state in
                    state.running = nil
                    state.lastReport = report
                    defer { state.waiters = [] }
                    return state.waiters
                }
                for waiter in waiters { waiter.resume(returning: report) }
                return report
            case .join:
                if let report = await waitForRunningScan() { return report }
                return state.withLock { $0.lastReport }
            case .waitThenStart:
                _ = await waitForRunningScan()
            }
        }
    }

    /// Waits for the running scan's report; nil at once when no scan is running any more.
    private func waitForRunningScan() async -> ScanReport? {
        await withCheckedContinuation { (continuation: CheckedContinuation<ScanReport?, Never>) in
            let registered = state.withLock { state in
                guard state.running != nil else { return false }
                state.waiters.append(continuation)
                return true
            }
            if !registered { continuation.resume(returning: nil) }
        }
    }

    /// Runs `performScan` on a dedicated thread and resumes when it is done.
    private func runOnThread(scope: String, path: String?, index: LibraryIndex, rereadAll: Bool) async -> ScanReport {
        await withCheckedContinuation { (continuation: CheckedContinuation<ScanReport, Never>) in
            let started = ScanThreads.start { [self] in
                let report = performScan(scope: scope, path: path, old: index, rereadAll: rereadAll)
                // Only now, with every list the scan made gone: a trim inside `performScan` ran while they were
                // alive, and a walk of 100,000 songs that changed nothing left 17 MB in the heap.
                MusicLibrary.releaseScanMemory()
                continuation.resume(returning: report)
            }
            if let started {
                pthread_detach(started)
            } else {
                var report = ScanReport(path: path)
                report.failed = [ScanFailure(uri: scope, reason: "cannot start the scanner thread")]
                report.total = index.songs.count
                continuation.resume(returning: report)
            }
        }
    }

    /// The scan itself; runs on the coordinator thread. Publishes the new index and writes the cache (on a second
    /// thread, at the same time), and returns when both are done.
    func performScan(scope: String, path: String?, old: LibraryIndex, rereadAll: Bool) -> ScanReport {
        let began = MonotonicTime.now
        if let scanWorker, let cacheFile, scope.isEmpty, old.songs.isEmpty || rereadAll,
            let report = scanInWorker(scanWorker, cacheFile: cacheFile, path: path, old: old, rereadAll: rereadAll)
        {
            return report
        }
        var report = ScanReport(path: path)
        // The walk lists directories; reader threads stat the files it found, keep the entries of files whose size
        // and mtime match the old index and read the others, while the walk goes on.
        let job = TagReadJob(threads: ScanThreads.processorCount, old: old, rereadAll: rereadAll)
        var walker = LibraryWalker(root: root) { job.submit($0) }
        walker.walk(scope: scope)
        report.failed = walker.failures
        let outcomes = job.finish()

        // Songs are copied out of the old index only once something changed.
        var kept: [Int] = []
        kept.reserveCapacity(outcomes.count)
        var read: [Song] = []
        var failed: [ScanFailure] = []
        for outcome in outcomes {
            switch outcome {
            case .kept(let position):
                kept.append(position)
            case .song(let song):
                report.filesRead += 1
                if old.position(ofURI: song.uri) == nil { report.added += 1 } else { report.updated += 1 }
                read.append(song)
            case .failure(let failure):
                report.filesRead += 1
                failed.append(failure)
            case .walkFailure(let failure):
                failed.append(failure)
            }
        }
        report.failed += failed.sorted { $0.uri < $1.uri }
        // Every URI found is unique and inside the scope: what the scope held before and was not found is gone.
        var inScope = 0
        if scope.isEmpty {
            inScope = old.songs.count
        } else {
            for position in old.songs.indices where LibraryIndex.contains(scope: scope, old.songs[position].uri) {
                inScope += 1
            }
        }
        report.removed = inScope - kept.count - report.updated

        var walkedTimes = walker.directoryTimes
        for (path, modified) in old.directoryTimes where !LibraryIndex.contains(scope: scope, path) {
            walkedTimes[path] = modified
        }
        if !report.changedIndex, walkedTimes == old.directoryTimes {
            // Nothing changed: no new index, no cache rewrite (a second copy of every song, and 15 MB written).
            report.total = old.songs.count
            report.seconds = began.secondsSince
            logger.info("library scan found no change", metadata: ["library.seconds": "\(report.seconds)"])
            return report
        }
        var found: [Song] = []
        found.reserveCapacity(old.songs.count - inScope + kept.count + read.count)
        if !scope.isEmpty {
            for position in old.songs.indices where !LibraryIndex.contains(scope: scope, old.songs[position].uri) {
                found.append(old.songs[position])
            }
        }
        for position in kept { found.append(old.songs[position]) }
        found += read
        let songs = StringInterner.sharingTagValues(LibraryIndex.sortedByURI(found))
        report.total = songs.count
        let directoryTimes = walkedTimes
        let finished = Int64(time(nil))
        // Counted once, for the index and for the cache file, which stores them.
        let counts = LibraryIndex.distinctArtistsAndAlbums(songs)
        // The cache is encoded and written on a second thread while this one builds the index.
        let writer = cacheFile.flatMap { file in
            ScanThreads.start { [root, logger] in
                MusicLibrary.saveCache(
                    songs, directoryTimes, counts: counts, root: root, updated: finished, to: file, logger: logger)
            }
        }
        let index = LibraryIndex(sortedSongs: songs, directoryTimes: directoryTimes, counts: counts)
        state.withLock { state in
            state.index = index
            state.lastUpdate = finished
        }
        if let writer {
            pthread_join(writer, nil)
        } else if let cacheFile {
            MusicLibrary.saveCache(
                songs, directoryTimes, counts: counts, root: root, updated: finished, to: cacheFile, logger: logger)
        }
        report.seconds = began.secondsSince
        logger.info(
            "library scan finished",
            metadata: [
                "library.path": "\(scope.isEmpty ? "/" : scope)", "library.added": "\(report.added)",
                "library.updated": "\(report.updated)", "library.removed": "\(report.removed)",
                "library.failed": "\(report.failed.count)", "library.total": "\(report.total)",
                "library.seconds": "\(report.seconds)",
            ])
        return report
    }

    /// After a scan, once `performScan` has returned: the walk and the cache bytes are gone, so their pages go back
    /// to the kernel, and FFmpeg's libraries, which reading M4A files loaded, are unloaded unless a stream plays
    /// through them.
    static func releaseScanMemory() {
        DecoderPlugin.unloadUnusedLibraries()
        MemoryTuning.releaseFreeMemory()
    }

    /// Writes the cache file for `songs` (sorted by URI); logs a failure (the next start then rescans).
    private static func saveCache(
        _ songs: [Song], _ directoryTimes: [String: Int64], counts: (artists: Int, albums: Int), root: String,
        updated: Int64, to file: String, logger: Logger
    ) {
        do {
            try Files.writeAtomically(
                LibraryCache.encode(
                    root: root, updated: updated, songs: songs, directoryTimes: directoryTimes, counts: counts),
                to: file)
        } catch {
            logger.error("cannot save the library cache: \(error)")
        }
    }
}

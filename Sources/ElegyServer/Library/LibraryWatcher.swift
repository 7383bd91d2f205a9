import CLinuxFS
import ElegyCore
import ElegySystem
import Glibc
import Logging

/// `auto_update`: inotify watches on every directory under the music directory, so that a file added, changed,
/// renamed or removed reaches the index without an `update`.
///
/// One thread of its own blocks in `poll` on the inotify descriptor (no timer while nothing happens). Events are
/// coalesced: the changed directories are gathered until the disk has been quiet for `quiet`, or `longest` after
/// the first event, then `onChange` is told that they are due and takes them (`takePending`) when it acts on them,
/// so that copying an album is one update, and an `update` that takes them first leaves none to be done twice. When the kernel's
/// watch limit (`fs.inotify.max_user_watches`) is reached, the directories past it are not followed: that is said
/// once in the log and kept in `limitReached` for `status`; manual `update` keeps working.
///
/// `followsEverything` says whether the watches see every change the scan would find: every directory is watched,
/// none is a symbolic link or on a network file system (whose changes made elsewhere inotify never reports). Then an
/// `update` only needs to look at the directories events named since the last walk (`takePending`).
final class LibraryWatcher: Sendable {
    /// How long the disk must be quiet before the gathered changes are handed on.
    static let quiet: Duration = .milliseconds(400)
    /// The longest a change waits while events keep coming (a long copy still shows up as it goes).
    static let longest: Duration = .milliseconds(1500)

    private let root: String
    private let logger: Logger
    private let onChange: @Sendable (LibraryWatcher) -> Void
    private let descriptor: Int32
    private let state = Lock(WatchState())
    /// Held while events are read from the descriptor and handled, by the watcher's thread or by
    /// `readQueuedEvents`: one reader at a time, so that watches are added in the order the events came.
    private let reading = Lock(())

    private struct WatchState {
        /// Watch descriptor → directory path relative to the root ("" is the root).
        var directories: [Int32: String] = [:]
        var limitReached = false
        var stopped = false
        /// The first walk over every directory has put its watches.
        var treeWatched = false
        /// A symbolic link or a network file system was met under the root: its changes may come without events.
        var unfollowable = false
        /// Directories named by events and not handed on yet.
        var pending = Set<String>()
    }

    /// Whether some directories are not watched because the kernel's limit was reached.
    var limitReached: Bool { state.withLock { $0.limitReached } }

    /// Whether every change under the root reaches the watches: the whole tree is watched, no watch was refused,
    /// and no directory is reached through a symbolic link or lies on a network file system.
    var followsEverything: Bool {
        state.withLock { $0.treeWatched && !$0.limitReached && !$0.unfollowable }
    }

    /// Whether events named directories that no one has taken yet.
    var hasPending: Bool { state.withLock { !$0.pending.isEmpty } }

    /// The directories events named since they were last taken, sorted; taken, so that no one acts on them twice.
    func takePending() -> [String] {
        state.withLock { state in
            defer { state.pending.removeAll() }
            return state.pending.sorted()
        }
    }

    /// Reads and handles the events already queued on the descriptor, so that the next `takePending` has them: a
    /// change made just before an `update` is in the kernel's queue before the update begins, but the watcher's
    /// thread may not have read it yet (an update right after `rm -r` found nothing to do: 8 of 300 in a loop). Blocking file work (new
    /// directories get their watches): never call it under the core lock.
    func readQueuedEvents() {
        reading.withLock { _ in
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: LibraryWatcher.readBytes, alignment: 8)
            defer { buffer.deallocate() }
            // The descriptor is non-blocking: the loop ends when the queue is empty.
            while true {
                let count = read(descriptor, buffer.baseAddress, buffer.count)
                guard count > 0 else { break }
                record(handle(UnsafeRawBufferPointer(rebasing: buffer[0..<count])))
            }
        }
    }

    /// How many bytes of events one `read` takes.
    private static let readBytes = 64 * 1024

    private func record(_ changed: Set<String>) {
        if !changed.isEmpty { state.withLock { $0.pending.formUnion(changed) } }
    }

    /// Watched directories now.
    var watchedCount: Int { state.withLock { $0.directories.count } }

    /// Starts watching `root` and its subdirectories on a thread of its own; nil (and a logged reason) when
    /// inotify is not available.
    static func start(root: String, logger: Logger, onChange: @escaping @Sendable (LibraryWatcher) -> Void)
        -> LibraryWatcher?
    {
        let descriptor = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        guard descriptor >= 0 else {
            logger.warning(
                "auto_update: inotify is not available; the library follows the disk on `update` only",
                metadata: ["reason": "\(String(cString: strerror(errno)))"])
            return nil
        }
        let watcher = LibraryWatcher(root: root, descriptor: descriptor, logger: logger, onChange: onChange)
        guard let thread = ScanThreads.start({ watcher.run() }) else {
            close(descriptor)
            logger.warning("auto_update: cannot start the watcher thread")
            return nil
        }
        pthread_detach(thread)
        return watcher
    }

    private init(
        root: String, descriptor: Int32, logger: Logger, onChange: @escaping @Sendable (LibraryWatcher) -> Void
    ) {
        self.root = root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root
        self.descriptor = descriptor
        self.logger = logger
        self.onChange = onChange
    }

    /// Stops watching: the thread ends at its next wake-up, which closing the descriptor's watches causes.
    func stop() {
        let watches = state.withLock { state -> [Int32] in
            state.stopped = true
            return Array(state.directories.keys)
        }
        for watch in watches { inotify_rm_watch(descriptor, watch) }
    }

    /// The inotify events a directory's watch asks for: everything that changes which files it holds or what they
    /// contain, and its own removal.
    private static let mask = UInt32(
        IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF
            | IN_ONLYDIR | IN_ATTRIB)

    /// Linux's `SCHED_IDLE` (sched.h), which Swift's Glibc module does not export.
    private static let schedIdle: Int32 = 5

    private func run() {
        // The first walk over every directory runs only when the CPU is otherwise idle: at startup it would compete
        // with the first scan and the index load on a small machine. Events are handled at normal priority.
        var idle = sched_param(sched_priority: 0)
        let lowered = pthread_setschedparam(pthread_self(), LibraryWatcher.schedIdle, &idle) == 0
        watchTree("")
        state.withLock { $0.treeWatched = true }
        let follows = followsEverything
        logger.info(
            "auto_update: watching the music directory",
            metadata: ["directories": "\(watchedCount)", "follows_everything": "\(follows)"])
        if lowered {
            var normal = sched_param(sched_priority: 0)
            _ = pthread_setschedparam(pthread_self(), SCHED_OTHER, &normal)
        }
        let clock = ContinuousClock()
        var firstEvent: ContinuousClock.Instant?
        var lastEvent: ContinuousClock.Instant?
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: LibraryWatcher.readBytes, alignment: 8)
        defer {
            buffer.deallocate()
            close(descriptor)
        }
        while !state.withLock({ $0.stopped }) {
            var timeout: Int32 = -1
            if let firstEvent, let lastEvent {
                let due = min(lastEvent + LibraryWatcher.quiet, firstEvent + LibraryWatcher.longest)
                let wait = clock.now.duration(to: due)
                let (seconds, attoseconds) = wait.components
                timeout = wait <= .zero ? 0 : Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1)
            }
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, timeout)
            if ready < 0 && errno != EINTR { break }
            if ready > 0 {
                // `takePending` may have read the events since `poll` saw them: then `read` finds none.
                let changed = reading.withLock { _ -> Set<String> in
                    let count = read(descriptor, buffer.baseAddress, buffer.count)
                    guard count > 0 else { return [] }
                    let changed = handle(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                    record(changed)
                    return changed
                }
                if !changed.isEmpty {
                    lastEvent = clock.now
                    if firstEvent == nil { firstEvent = lastEvent }
                }
                continue
            }
            if ready == 0, firstEvent != nil {
                onChange(self)
                firstEvent = nil
                lastEvent = nil
            }
        }
    }

    /// The directories (relative) whose contents the events in `bytes` changed; new directories get watches.
    private func handle(_ bytes: UnsafeRawBufferPointer) -> Set<String> {
        var changed = Set<String>()
        var offset = 0
        let header = MemoryLayout<inotify_event>.size
        while offset + header <= bytes.count {
            let watch = bytes.loadUnaligned(fromByteOffset: offset, as: Int32.self)
            let mask = bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
            let nameLength = Int(bytes.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
            guard offset + header + nameLength <= bytes.count else { break }
            let nameBytes = UnsafeRawBufferPointer(rebasing: bytes[(offset + header)..<(offset + header + nameLength)])
            let name = String(decoding: nameBytes.prefix { $0 != 0 }, as: UTF8.self)
            offset += header + nameLength
            if mask & UInt32(IN_Q_OVERFLOW) != 0 {
                changed.insert("")  // events were lost: look at everything
                continue
            }
            let directory = state.withLock { $0.directories[watch] }
            if mask & UInt32(IN_IGNORED) != 0 {
                state.withLock { _ = $0.directories.removeValue(forKey: watch) }
                continue
            }
            guard let directory else { continue }
            if mask & UInt32(IN_DELETE_SELF | IN_MOVE_SELF) != 0 {
                changed.insert(LibraryIndex.parent(of: directory))
                continue
            }
            if name.isEmpty || name.hasPrefix(".") { continue }  // hidden files are not indexed
            let path = directory.isEmpty ? name : directory + "/" + name
            if mask & UInt32(IN_ISDIR) != 0 {
                if mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0 { watchTree(path) }
                changed.insert(directory)
            } else {
                changed.insert(directory)
            }
        }
        return changed
    }

    /// Adds watches on `relative` and every directory under it (hidden ones skipped, symlinks not followed).
    private func watchTree(_ relative: String) {
        var stack = [relative]
        while let current = stack.popLast() {
            let absolute = current.isEmpty ? root : root + "/" + current
            let watch = inotify_add_watch(descriptor, absolute, LibraryWatcher.mask | UInt32(IN_DONT_FOLLOW))
            if watch < 0 {
                if errno == ENOSPC {
                    if setForTheFirstTime(\.limitReached) {
                        logger.warning(
                            "auto_update: the inotify watch limit is reached; directories past it follow the disk on `update` only (raise fs.inotify.max_user_watches)",
                            metadata: ["watched": "\(watchedCount)"])
                    }
                    return
                }
                continue  // vanished or unreadable meanwhile: the scan reports it
            }
            state.withLock { $0.directories[watch] = current }
            if LibraryWatcher.isNetworkFileSystem(absolute) { markUnfollowable(current, "on a network file system") }
            guard let entries = try? Files.entries(absolute) else { continue }
            for entry in entries where !entry.name.hasPrefix(".") {
                let path = current.isEmpty ? entry.name : current + "/" + entry.name
                if entry.isDirectory {
                    stack.append(path)
                } else if entry.isSymlink,
                    LibraryWalker.hasAudioExtension(entry.name) || Files.isDirectory(root + "/" + path)
                {
                    // The scan follows it (to a file or a tree elsewhere); a change at its target sends no event here.
                    markUnfollowable(path, "a symbolic link")
                }
            }
        }
    }

    /// Sets the flag at `flag`; true when it was not set before (whoever sets it first logs why).
    private func setForTheFirstTime(_ flag: WritableKeyPath<WatchState, Bool>) -> Bool {
        state.withLock { state in
            defer { state[keyPath: flag] = true }
            return !state[keyPath: flag]
        }
    }

    /// Notes (and logs, the first time) that changes under `path` may come without events: `update` then walks the
    /// whole scope again instead of trusting the watches.
    private func markUnfollowable(_ path: String, _ why: String) {
        if setForTheFirstTime(\.unfollowable) {
            logger.info(
                "auto_update: part of the music directory is \(why); `update` walks the whole tree to find its changes",
                metadata: ["path": "\(path)"])
        }
    }

    /// `statfs` magic numbers of file systems whose files other machines change: NFS, SMB/CIFS, FUSE (sshfs,
    /// rclone), Ceph, 9p, AFS, Coda, Lustre.
    private static let networkFileSystems: Set<Int> = [
        0x6969, 0x517B, 0xFF53_4D42, 0xFE53_4D42, 0x6573_5546, 0x00C3_6400, 0x0102_1997, 0x5346_414F, 0x7375_7245,
        0x0BD0_0BD0,
    ]

    /// Whether `path` lies on a network file system (false when `statfs` fails: the scan reports such paths).
    static func isNetworkFileSystem(_ path: String) -> Bool {
        var info = statfs()
        guard statfs(path, &info) == 0 else { return false }
        return networkFileSystems.contains(Int(UInt32(truncatingIfNeeded: info.f_type)))
    }

    /// The deepest directory holding all of `paths` ("" when they share none).
    static func commonDirectory(_ paths: [String]) -> String {
        guard var common = paths.first?.split(separator: "/", omittingEmptySubsequences: true) else { return "" }
        for path in paths.dropFirst() {
            let parts = path.split(separator: "/", omittingEmptySubsequences: true)
            var shared = 0
            while shared < min(common.count, parts.count), common[shared] == parts[shared] { shared += 1 }
            common = Array(common[..<shared])
        }
        return common.joined(separator: "/")
    }
}

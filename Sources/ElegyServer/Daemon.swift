import ElegyAudio
import ElegyCore
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// Everything `elegyd` needs to run, resolved from flags, config and environment.
public struct DaemonOptions: Sendable {
    public var socketPath: String
    /// A listening socket passed by systemd (`LISTEN_FDS`), used instead of binding `socketPath`.
    public var adoptedDescriptor: Int32?
    public var musicDirectory: String
    public var outputDevice: String
    /// How much audio ALSA holds (`output.buffer_time`, ms).
    public var bufferMilliseconds = PlaybackEngine.defaultBufferMilliseconds
    /// Curated playlist directories, in override order (later ones win).
    public var curatedDirectories: [String]
    public var storedPlaylistDirectory: String
    public var cacheFile: String?
    public var pins: [String: String]
    public var softwareMixer: Bool
    public var maxConnections: Int
    /// Seconds of silence before a client (not in `idle`) is disconnected.
    public var connectionTimeout: Int = 60
    /// Moods from the user's config, merged over the curated ones (same name: the user's wins).
    public var userMoods: [Mood]
    /// Most bytes one answer may hold (`max_output_buffer_size`).
    public var maxOutputBytes = ElegyConfig.defaultMaxOutputBytes
    /// `auto_update`: follow the music directory with inotify (MPD's option; on by default here).
    public var autoUpdate = true
    /// The program that runs `ScanWorker` for whole-library scans (elegyd itself); nil scans in this process.
    public var scanWorker: [String]?

    public init(
        socketPath: String, adoptedDescriptor: Int32? = nil, musicDirectory: String, outputDevice: String,
        curatedDirectories: [String], storedPlaylistDirectory: String, cacheFile: String?,
        pins: [String: String] = [:], softwareMixer: Bool = true, maxConnections: Int = 256,
        connectionTimeout: Int = 60, userMoods: [Mood] = []
    ) {
        self.connectionTimeout = connectionTimeout
        self.userMoods = userMoods
        self.socketPath = socketPath
        self.adoptedDescriptor = adoptedDescriptor
        self.musicDirectory = musicDirectory
        self.outputDevice = outputDevice
        self.curatedDirectories = curatedDirectories
        self.storedPlaylistDirectory = storedPlaylistDirectory
        self.cacheFile = cacheFile
        self.pins = pins
        self.softwareMixer = softwareMixer
        self.maxConnections = maxConnections
    }
}

/// The running daemon: wires library, engine, core and socket, and shuts them down in reverse order.
public final class Daemon: Sendable {
    public let core: DaemonCore
    public let server: SocketServer
    let engine: PlaybackEngine
    let logger: Logger

    private init(core: DaemonCore, server: SocketServer, engine: PlaybackEngine, logger: Logger) {
        self.core = core
        self.server = server
        self.engine = engine
        self.logger = logger
    }

    /// Starts everything and returns once the socket serves (blocking: call it from the main thread, not from an
    /// event loop or a task). The index cache is loaded, and then `restore` runs
    /// (under the core's lock), on the core's queue while the socket already accepts: commands sent meanwhile wait
    /// for both, so the first client never sees an empty library or queue.
    public static func start(
        _ options: DaemonOptions, logger: Logger, restore: @escaping @Sendable (DaemonCore) -> Void = { _ in }
    ) throws -> Daemon {
        // From here on SIGTERM is caught and kept for `waitForTerminationSignal`, before any client can connect.
        TerminationSignals.install()
        let directories = options.curatedDirectories
        let loaded = Result { () throws(CatalogError) in try CuratedCatalog.load(directories: directories) }
        var catalog: CuratedCatalog
        switch loaded {
        case .success(let read): catalog = read
        case .failure(let error):
            logger.error("curated playlists not loaded", metadata: ["error": "\(error)"])
            catalog = CuratedCatalog(playlists: [], moods: [])
        }
        if !options.userMoods.isEmpty {
            let userNames = Set(options.userMoods.map(\.name))
            catalog.moods = (catalog.moods.filter { !userNames.contains($0.name) } + options.userMoods)
                .sorted { $0.name < $1.name }
        }
        let library = MusicLibrary(
            root: options.musicDirectory, cacheFile: options.cacheFile, logger: logger, scanWorker: options.scanWorker)
        let inbox = EngineEventInbox()
        let engine = PlaybackEngine(
            device: options.outputDevice, bufferMilliseconds: options.bufferMilliseconds, eventHandler: inbox.post)
        let registry = ClientRegistry(limit: options.maxConnections)
        let settings = DaemonSettings(
            musicDirectory: options.musicDirectory, storedPlaylistDirectory: options.storedPlaylistDirectory,
            softwareMixer: options.softwareMixer, pins: options.pins, outputDevice: options.outputDevice,
            bufferMilliseconds: options.bufferMilliseconds, maxOutputBytes: options.maxOutputBytes)
        let core = DaemonCore(
            settings: settings, engine: engine, inbox: inbox, library: library, catalog: catalog,
            registry: registry, logger: logger)
        let curatedCount = catalog.playlists.count
        let autoUpdate = options.autoUpdate
        core.prepare { core in
            if !core.library.loadCache() { _ = core.startUpdate(path: nil) }
            if autoUpdate {
                core.watcher = LibraryWatcher.start(root: options.musicDirectory, logger: logger) { [weak core] watcher in
                    guard let core else { return }
                    // Taken under the core's lock: an `update` taking them first leaves an empty list here.
                    core.queue.async { core.locked { core in
                        let directories = watcher.takePending()
                        if !directories.isEmpty { core.autoUpdate(directories) }
                    } }
                }
            }
            restore(core)
            logger.info(
                "library ready",
                metadata: [
                    "music_directory": "\(options.musicDirectory)", "songs": "\(core.library.songs.count)",
                    "curated_playlists": "\(curatedCount)", "queue": "\(core.player.queue.count)",
                ])
        }
        let server = try SocketServer.start(
            path: options.socketPath, adoptedDescriptor: options.adoptedDescriptor, core: core, registry: registry,
            silenceTimeout: .seconds(Int64(options.connectionTimeout)), logger: logger)
        logger.info(
            "serving",
            metadata: [
                "socket": "\(options.adoptedDescriptor.map { "fd \($0)" } ?? options.socketPath)",
                "output": "\(options.outputDevice)",
            ])
        return Daemon(core: core, server: server, engine: engine, logger: logger)
    }

    /// Stops in an order that loses nothing a client was told succeeded (blocking, main thread): stop accepting;
    /// stop reading and close the connections (after writing the answers already made); `save`, which runs on the
    /// core queue behind every batch handed to it before; then stop the engine and the event loop.
    public func shutdown(save: () -> Void = {}) {
        // Removing ten thousand watches is as many system calls: not under the lock the event loop needs.
        let watcher = core.locked { $0.watcher }
        watcher?.stop()
        server.stopAccepting()
        server.closeConnections()
        save()
        engine.shutdown()
        server.shutdown()
    }
}

/// Blocks the calling thread (the main thread: no polling, no CPU while waiting) until SIGTERM or SIGINT, and
/// returns its number. A signal that arrived since `Daemon.start` (which catches them before the socket serves) is
/// returned at once.
public func waitForTerminationSignal() -> Int32 {
    TerminationSignals.install()
    return TerminationSignals.next()
}

/// SIGTERM and SIGINT caught by a handler that writes the signal number into a pipe (the only async-signal-safe
/// way to hand it on). Installed synchronously: a dispatch signal source registers asynchronously, and a signal
/// that came between `SIG_IGN` and that registration was lost (the daemon then ignored `systemctl stop`).
enum TerminationSignals {
    nonisolated(unsafe) private static var readEnd: Int32 = -1
    nonisolated(unsafe) private static var writeEnd: Int32 = -1
    private static let once: Void = {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        _ = fcntl(ends[1], F_SETFL, fcntl(ends[1], F_GETFL) | O_NONBLOCK)  // the handler must never block
        readEnd = ends[0]
        writeEnd = ends[1]
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { number in
            var byte = UInt8(truncatingIfNeeded: number)
            _ = write(TerminationSignals.writeEnd, &byte, 1)
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        sigaction(SIGTERM, &action, nil)
        sigaction(SIGINT, &action, nil)
        signal(SIGPIPE, SIG_IGN)
    }()

    /// Catches SIGTERM and SIGINT from now on (idempotent).
    static func install() { _ = once }

    /// Blocks until a termination signal has arrived; returns its number.
    static func next() -> Int32 {
        var byte: UInt8 = 0
        while true {
            let count = read(readEnd, &byte, 1)
            if count == 1 { return Int32(byte) }
            if count < 0 && errno == EINTR { continue }
            return SIGTERM  // the pipe is gone: nothing will ever arrive, so stop as if asked to
        }
    }
}

import Dispatch
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
    /// Curated playlist directories, in override order (later ones win).
    public var curatedDirectories: [String]
    public var storedPlaylistDirectory: String
    public var cacheFile: String?
    public var pins: [String: String]
    public var softwareMixer: Bool
    public var maxConnections: Int
    /// Moods from the user's config, merged over the curated ones (same name: the user's wins).
    public var userMoods: [Mood]

    public init(
        socketPath: String, adoptedDescriptor: Int32? = nil, musicDirectory: String, outputDevice: String,
        curatedDirectories: [String], storedPlaylistDirectory: String, cacheFile: String?,
        pins: [String: String] = [:], softwareMixer: Bool = true, maxConnections: Int = 256, userMoods: [Mood] = []
    ) {
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

    /// Starts everything and returns once the socket serves.
    public static func start(_ options: DaemonOptions, logger: Logger) async throws -> Daemon {
        var catalog: CuratedCatalog
        do {
            catalog = try CuratedCatalog.load(directories: options.curatedDirectories)
        } catch {
            logger.error("curated playlists not loaded", metadata: ["error": "\(error)"])
            catalog = CuratedCatalog(playlists: [], moods: [])
        }
        if !options.userMoods.isEmpty {
            let userNames = Set(options.userMoods.map(\.name))
            catalog.moods = (catalog.moods.filter { !userNames.contains($0.name) } + options.userMoods)
                .sorted { $0.name < $1.name }
        }
        let library = MusicLibrary(root: options.musicDirectory, cacheFile: options.cacheFile, logger: logger)
        let cached = library.loadCache()
        let engine = PlaybackEngine(device: options.outputDevice)
        let registry = ClientRegistry(limit: options.maxConnections)
        let settings = DaemonSettings(
            musicDirectory: options.musicDirectory, storedPlaylistDirectory: options.storedPlaylistDirectory,
            softwareMixer: options.softwareMixer, pins: options.pins, outputDevice: options.outputDevice)
        let core = DaemonCore(
            settings: settings, engine: engine, library: library, catalog: catalog, registry: registry,
            logger: logger)
        Task { await core.followEngine() }
        let server = try await SocketServer.start(
            path: options.socketPath, adoptedDescriptor: options.adoptedDescriptor, core: core, registry: registry,
            logger: logger)
        if !cached {
            _ = await core.perform { $0.startUpdate(path: nil) }
        }
        logger.info(
            "serving",
            metadata: [
                "socket": "\(options.adoptedDescriptor.map { "fd \($0)" } ?? options.socketPath)",
                "music_directory": "\(options.musicDirectory)", "output": "\(options.outputDevice)",
                "songs": "\(library.songs.count)", "curated_playlists": "\(catalog.playlists.count)",
            ])
        return Daemon(core: core, server: server, engine: engine, logger: logger)
    }

    /// Stops accepting clients, stops the engine and closes the device.
    public func shutdown() async {
        await server.shutdown()
        engine.shutdown()
    }
}

/// Waits for SIGTERM or SIGINT (without a polling loop: a dispatch signal source) and returns its number.
public func waitForTerminationSignal() async -> Int32 {
    signal(SIGTERM, SIG_IGN)
    signal(SIGINT, SIG_IGN)
    signal(SIGPIPE, SIG_IGN)
    let queue = DispatchQueue(label: "elegy.signals")
    return await withCheckedContinuation { continuation in
        queue.async {
            let latch = SignalLatch(continuation)
            for number in [SIGTERM, SIGINT] {
                let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
                source.setEventHandler { latch.fire(number) }
                latch.keep(source)
                source.resume()
            }
        }
    }
}

/// Resumes a continuation once, and keeps the signal sources alive. Used only on the signal queue.
private final class SignalLatch: @unchecked Sendable {
    private var continuation: CheckedContinuation<Int32, Never>?
    private var sources: [any DispatchSourceSignal] = []

    init(_ continuation: CheckedContinuation<Int32, Never>) { self.continuation = continuation }

    func keep(_ source: any DispatchSourceSignal) { sources.append(source) }

    func fire(_ number: Int32) {
        continuation?.resume(returning: number)
        continuation = nil
    }
}

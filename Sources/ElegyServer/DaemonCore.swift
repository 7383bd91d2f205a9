import Dispatch
import Synchronization
#if canImport(Glibc)
    import Glibc
#endif
import ElegyAudio
import ElegyCore
import Logging

/// Where the daemon finds and keeps things; assembled by `elegyd` from flags, config and environment.
public struct DaemonSettings: Sendable {
    public var musicDirectory: String
    /// Directory of the user's stored playlists (M3U8), `$XDG_DATA_HOME/elegy/playlists`.
    public var storedPlaylistDirectory: String
    /// Whether `setvol` works (software mixer) or volume is absent from status (`mixer = "none"`).
    public var softwareMixer: Bool
    /// Pins: curated title (or "Artist - Title") → library URI.
    public var pins: [String: String]
    public var outputDevice: String

    public init(
        musicDirectory: String, storedPlaylistDirectory: String, softwareMixer: Bool = true,
        pins: [String: String] = [:], outputDevice: String
    ) {
        self.musicDirectory = musicDirectory
        self.storedPlaylistDirectory = storedPlaylistDirectory
        self.softwareMixer = softwareMixer
        self.pins = pins
        self.outputDevice = outputDevice
    }
}

/// The daemon's state and every command handler: queue, player glue, library, playlists, moods.
///
/// Threads: all mutable state is guarded by `stateLock` (see `locked`). Quick in-memory commands run under it
/// directly on the connection's event loop (no thread hop per request); commands that touch files or build the
/// resolver (`blockingCommands`), state snapshots and `performAndWait` run on `queue`, a serial dispatch queue of the
/// core's own (neither the Swift concurrency pool nor an event loop). Engine events wait in `inbox` and are handled
/// at the start of whatever next takes the lock (a wake-up on `queue` makes sure something does), so every command
/// sees the effect of each event emitted before it started. The audio thread never takes the lock.
public final class DaemonCore: @unchecked Sendable {
    let queue = DispatchQueue(label: "elegy.core")
    /// Where the core's tasks run (see `QueueTaskExecutor`): never the Swift concurrency pool.
    let taskExecutor = QueueTaskExecutor(label: "elegy.tasks")
    private let stateLock = PthreadMutex()
    /// Set once the startup job (index cache, saved state) has run; until then every batch waits on `queue`.
    private let ready = Atomic<Bool>(false)
    let settings: DaemonSettings
    let engine: PlaybackEngine
    let inbox: EngineEventInbox
    let library: MusicLibrary
    var catalog: CuratedCatalog
    let logger: Logger
    let registry: ClientRegistry
    let storedPlaylists: StoredPlaylists
    let startTime = MonotonicTime.now
    /// Wall-clock start (Unix seconds), shown as the curated playlists' `Last-Modified`.
    let startUnixTime = Int64(time(nil))

    // Guarded by `stateLock`:
    var playQueue = PlayQueue()
    /// The engine events being handled; swapped with the inbox's buffer (see `EngineEventInbox.take`).
    private var takenEvents: [EngineEvent] = {
        var buffer: [EngineEvent] = []
        buffer.reserveCapacity(EngineEventInbox.capacity)
        return buffer
    }()
    /// Subsystems changed by the command or event being handled; broadcast when it is done.
    var pendingChanges = IdleEvents()
    var lastLoadedPlaylist: String?
    var currentMood: String?
    /// An error that is the daemon's, not the engine's (a curated playlist with nothing found, ...).
    var daemonError: String?
    var updateJobID = 0
    var runningUpdate: Int?
    /// The queue id last handed to `engine.play` whose `trackStarted` has not arrived yet. Engine events are
    /// delivered late: until that one arrives, another track's `trackStarted` or an `endOfQueue` predates the
    /// start and must not move the queue.
    var requestedStart: Int?
    var resolverCache: (libraryVersion: Int, resolver: Resolver)?
    var libraryVersion = 0
    /// Entries the engine could not open since it last started a track, and the last of them: when the engine
    /// runs out of tracks because all it was given failed, playback goes on after them.
    var failedSinceTrackStarted: Set<Int> = []
    var lastFailedID: Int?
    /// Called (on `queue`) after anything that belongs in the saved state changed.
    var onStateChange: (@Sendable () -> Void)?
    let commands: [String: CommandSpec]

    init(
        settings: DaemonSettings, engine: PlaybackEngine, inbox: EngineEventInbox, library: MusicLibrary,
        catalog: CuratedCatalog, registry: ClientRegistry, logger: Logger
    ) {
        self.settings = settings
        self.engine = engine
        self.inbox = inbox
        self.library = library
        self.catalog = catalog
        self.registry = registry
        self.logger = logger
        self.storedPlaylists = StoredPlaylists(directory: settings.storedPlaylistDirectory)
        self.commands = DaemonCore.commandTable()
        inbox.setWake { [unowned self] in
            queue.async { self.locked { _ in } }
        }
    }

    /// Commands that read or write files (stored playlists) or may build the resolver: they never run on an event
    /// loop, but on `queue`.
    static let blockingCommands: Set<String> = [
        "save", "rm", "rename", "playlistadd", "searchaddpl", "albumart", "readpicture", "listfiles", "playlistclear", "playlistdelete", "playlistmove", "load",
        "listplaylist", "listplaylistinfo", "listplaylists", "lsinfo", "mood", "resolve",
    ]

    /// Runs `body` with the core's state locked, after handling the engine events waiting in `inbox`, and then
    /// tells clients what changed. Every access to the core's mutable state goes through here.
    func locked<T>(_ body: (DaemonCore) -> T) -> T {
        stateLock.withLock {
            inbox.take(into: &takenEvents)
            for event in takenEvents { handle(engineEvent: event) }
            let result = body(self)
            flushChanges()
            return result
        }
    }

    /// Event loop: runs a batch of quick, in-memory commands at once, on the calling thread, and returns its
    /// answer; nil when the batch needs `execute` (a command touches files or builds the resolver).
    func executeInline(_ batch: CommandBatch, client: inout ClientContext) -> BatchOutcome? {
        guard ready.load(ordering: .acquiring) else { return nil }
        guard !batch.requests.contains(where: { DaemonCore.blockingCommands.contains($0.command) }) else { return nil }
        return run(batch, client: &client)
    }

    /// Queues the startup job (loading the index cache, restoring the saved state) ahead of every command: the
    /// socket can serve at once, and commands sent meanwhile wait for the job on `queue` and then see its result.
    func prepare(_ startup: @escaping @Sendable (DaemonCore) -> Void) {
        queue.async {
            self.locked(startup)
            self.ready.store(true, ordering: .releasing)
        }
    }

    /// Runs a batch on the core queue, then hands the answer to `completion` (on the core queue).
    func execute(
        _ batch: CommandBatch, client: ClientContext,
        completion: @escaping @Sendable (BatchOutcome, ClientContext) -> Void
    ) {
        queue.async {
            if batch.requests.contains(where: { DaemonCore.resolverCommands.contains($0.command) }) {
                self.buildResolverOutsideTheLock()
            }
            var context = client
            let outcome = self.run(batch, client: &context)
            completion(outcome, context)
        }
    }

    /// Commands that resolve curated songs against the library (see `resolver()`).
    static let resolverCommands: Set<String> = ["mood", "resolve", "load", "listplaylist", "listplaylistinfo"]

    /// Core queue: builds the resolver for the current library without holding the lock (a 100,000-file library
    /// takes a quarter of a second), so that commands answered on the event loop meanwhile never wait for it.
    private func buildResolverOutsideTheLock() {
        let stale: Int? = locked { core in
            core.resolverCache?.libraryVersion == core.libraryVersion ? nil : core.libraryVersion
        }
        guard let version = stale else { return }
        let built = Resolver(library: library.songs, pins: settings.pins)
        locked { core in
            if core.libraryVersion == version { core.resolverCache = (version, built) }
        }
    }

    private func run(_ batch: CommandBatch, client: inout ClientContext) -> BatchOutcome {
        var context = client
        let outcome = locked { core in
            let outcome = batch.run { (request, response) throws(ProtocolError) in
                try core.dispatch(request, client: &context, response: &response)
            }
            return outcome
        }
        client = context
        return outcome
    }

    /// Looks a request up in the command table, checks its argument count and runs it.
    func dispatch(_ request: Request, client: inout ClientContext, response: inout ResponseBuilder)
        throws(ProtocolError)
    {
        guard let spec = commands[request.command] else { throw .unknownCommand(request.command) }
        guard spec.arguments.contains(request.arguments.count) else { throw .wrongArgumentCount(request.command) }
        try spec.handler(self, request.arguments, &client, &response)
    }

    /// Marks subsystems as changed; clients hear about them when the current command or event is done.
    func changed(_ subsystems: IdleSubsystem...) {
        pendingChanges.formUnion(subsystems)
        if subsystems.contains(where: { [.playlist, .player, .mixer, .options].contains($0) }) {
            onStateChange?()
        }
    }

    /// Sends what changed to every client (under the core lock).
    func flushChanges() {
        guard !pendingChanges.isEmpty else { return }
        let changes = pendingChanges.pending
        pendingChanges = IdleEvents()
        registry.broadcast(changes)
    }

    /// Runs `body` on the core queue, under the lock, and returns its result. Blocks the calling thread: never call
    /// it from the core queue or an event loop (startup and shutdown on the main thread only).
    public func performAndWait<T: Sendable>(_ body: @Sendable (DaemonCore) -> T) -> T {
        queue.sync { locked(body) }
    }
}

/// One command of the table: how many arguments it takes and what it does.
struct CommandSpec: Sendable {
    typealias Handler = @Sendable (DaemonCore, [String], inout ClientContext, inout ResponseBuilder)
        throws(ProtocolError) -> Void
    var arguments: ClosedRange<Int>
    var handler: Handler
}

/// Seconds since an arbitrary start, from the monotonic clock.
struct MonotonicTime: Sendable {
    let instant: ContinuousClock.Instant
    static var now: MonotonicTime { MonotonicTime(instant: .now) }
    var secondsSince: Double {
        let elapsed = ContinuousClock.now - instant
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}

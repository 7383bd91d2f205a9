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
    /// How much audio ALSA holds (`output.buffer_time`, ms).
    public var bufferMilliseconds: Int
    /// Most bytes one answer may hold (`max_output_buffer_size`); a command past it gets an ACK.
    public var maxOutputBytes: Int

    public init(
        musicDirectory: String, storedPlaylistDirectory: String, softwareMixer: Bool = true,
        pins: [String: String] = [:], outputDevice: String,
        bufferMilliseconds: Int = PlaybackEngine.defaultBufferMilliseconds,
        maxOutputBytes: Int = ElegyConfig.defaultMaxOutputBytes
    ) {
        self.bufferMilliseconds = bufferMilliseconds
        self.maxOutputBytes = maxOutputBytes
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
/// directly on the connection's event loop (no thread hop per request); commands whose table entry says they touch
/// files or need the resolver, state snapshots and `performAndWait` run on `queue`, a serial dispatch queue of the
/// core's own (neither the Swift concurrency pool nor an event loop). File work never holds the lock: a handler
/// reads what it needs under it, does its I/O without it, and commits under it (docs/ARCHITECTURE.md). Engine events wait in `inbox` and are handled
/// at the start of whatever next takes the lock (a wake-up on `queue` makes sure something does), so every command
/// sees the effect of each event emitted before it started. The audio thread never takes the lock.
public final class DaemonCore: @unchecked Sendable {
    let queue = DispatchQueue(label: "elegy.core")
    /// Where the core's tasks run (see `QueueTaskExecutor`): never the Swift concurrency pool.
    let taskExecutor = QueueTaskExecutor(label: "elegy.tasks")
    private let stateLock = Lock()
    /// Set once the startup job (index cache, saved state) has run; until then every batch waits on `queue`.
    private let ready = Atomic<Bool>(false)
    let settings: DaemonSettings
    let engine: PlaybackEngine
    let inbox: EngineEventInbox
    /// Runs the core once on `queue` when the audio thread posts events; made once, so that a post allocates
    /// nothing (a `queue.async` block per wake-up would allocate on the audio thread).
    private let engineWake: any DispatchSourceUserDataAdd
    let library: MusicLibrary
    let logger: Logger
    let registry: ClientRegistry
    let storedPlaylists: StoredPlaylists
    let startTime = MonotonicTime.now
    /// Wall-clock start (Unix seconds), shown as the curated playlists' `Last-Modified`.
    let startUnixTime = Int64(time(nil))

    // Guarded by `stateLock`:
    /// The queue, the engine glue and playback recovery (see `Player`).
    let player: Player
    /// The engine events being handled; swapped with the inbox's buffer (see `EngineEventInbox.take`).
    private var takenEvents: [EngineEvent] = {
        var buffer: [EngineEvent] = []
        buffer.reserveCapacity(EngineEventInbox.capacity)
        return buffer
    }()
    /// Subsystems changed by the command or event being handled; broadcast when it is done.
    var pendingChanges = IdleEvents()
    var lastLoadedPlaylist: String?
    /// The catalog, the resolver kept for the library, the current mood (see `Curation`).
    var curation: Curation
    /// Update jobs and the library's version (see `LibraryUpdates`).
    var updates = LibraryUpdates()
    /// `auto_update`'s watcher, when it runs.
    var watcher: LibraryWatcher?
    /// Directories the watcher reported while an update ran: updated when it ends.
    var pendingAutoUpdate: [String] = []
    /// A walk of the whole tree finished after the watcher followed everything: since then the watches have seen
    /// every change, and an `update` needs to look only at the directories they named (`updateScope`).
    var watchesVerified = false
    /// Called (on `queue`) after anything that belongs in the saved state changed.
    var onStateChange: (@Sendable () -> Void)?
    /// The command table (see `DaemonCore+Commands.swift`).
    static let commands = DaemonCore.commandTable()

    init(
        settings: DaemonSettings, engine: PlaybackEngine, inbox: EngineEventInbox, library: MusicLibrary,
        catalog: CuratedCatalog, registry: ClientRegistry, logger: Logger
    ) {
        self.settings = settings
        self.engine = engine
        self.inbox = inbox
        self.library = library
        self.curation = Curation(catalog: catalog)
        self.registry = registry
        self.logger = logger
        self.player = Player(engine: engine, library: library, logger: logger, outputDevice: settings.outputDevice)
        self.storedPlaylists = StoredPlaylists(directory: settings.storedPlaylistDirectory)
        let wake = DispatchSource.makeUserDataAddSource(queue: queue)
        engineWake = wake
        wake.setEventHandler { [unowned self] in self.locked { _ in } }
        wake.activate()
        inbox.setWake { [unowned self] in engineWake.add(data: 1) }
    }

    /// Runs `body` with the core's state locked, after handling the engine events waiting in `inbox`, and then
    /// tells clients what changed. Every access to the core's mutable state goes through here.
    func locked<T>(_ body: (DaemonCore) -> T) -> T {
        stateLock.withLock {
            inbox.take(into: &takenEvents)
            for event in takenEvents { player.handle(engineEvent: event) }
            let result = body(self)
            changed(player.takeChanges())
            flushChanges()
            return result
        }
    }

    /// `locked` for a body that fails with a protocol error.
    func lockedThrowing<T>(_ body: (DaemonCore) throws(ProtocolError) -> T) throws(ProtocolError) -> T {
        let result: Result<T, ProtocolError> = locked { core in Result { () throws(ProtocolError) in try body(core) } }
        return try result.get()
    }

    /// Event loop: runs a batch of quick, in-memory commands at once, on the calling thread, under the lock, and
    /// returns its answer; nil when the batch needs `execute` (the table says a command of it touches files or
    /// needs the resolver).
    func executeInline(_ batch: CommandBatch, client: inout ClientContext) -> BatchOutcome? {
        guard ready.load(ordering: .acquiring) else { return nil }
        for request in batch.requests {
            if let command = DaemonCore.commands[request.command], !command.execution.runsOnEventLoop { return nil }
        }
        var context = client
        let outcome = locked { core in
            batch.run(outputLimit: settings.maxOutputBytes) { (request, response) throws(ProtocolError) in
                try core.dispatch(request, client: &context, response: &response)
            }
        }
        client = context
        logOversized(outcome)
        return outcome
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
            var context = client
            let outcome = batch.run(outputLimit: self.settings.maxOutputBytes) { (request, response) throws(ProtocolError) in
                try self.dispatchOnQueue(request, client: &context, response: &response)
            }
            self.logOversized(outcome)
            completion(outcome, context)
        }
    }

    /// Says in the log which command was refused for the size of its answer, and how to allow it.
    private func logOversized(_ outcome: BatchOutcome) {
        guard let command = outcome.oversizedCommand else { return }
        logger.warning(
            "an answer passed max_output_buffer_size and was refused with an ACK; raise it in elegy.toml",
            metadata: ["command": "\(command)", "max_output_buffer_size": "\(settings.maxOutputBytes / 1024) KiB"])
    }

    /// Core queue: runs one request where its table entry says: a file command without the lock (it takes it
    /// itself), a resolver command under the lock once the resolver is built, any other command under the lock.
    private func dispatchOnQueue(_ request: Request, client: inout ClientContext, response: inout ResponseBuilder)
        throws(ProtocolError)
    {
        let command = try DaemonCore.command(for: request)
        switch command.execution {
        case .files(let handler):
            var context = FileCommandContext(
                core: self, arguments: request.arguments, client: client, response: ResponseBuilder(reservingCapacity: 0))
            // Swapped, not copied: a copy would duplicate the answer's bytes on the handler's first write.
            swap(&context.response, &response)
            defer {
                swap(&context.response, &response)
                client = context.client
            }
            try handler(&context)
        case .resolver:
            _ = resolverOutsideTheLock()
            try lockedThrowing { core throws(ProtocolError) in try core.dispatch(request, client: &client, response: &response) }
        case .memory, .session:
            try lockedThrowing { core throws(ProtocolError) in try core.dispatch(request, client: &client, response: &response) }
        }
    }

    /// Core queue, outside the lock: the resolver for the current library, built without holding the lock when the
    /// library changed (a 100,000-file library takes a quarter of a second), so that commands answered on the
    /// event loop meanwhile never wait for it.
    func resolverOutsideTheLock() -> Resolver {
        let cached: (version: Int, resolver: Resolver?) = locked { core in
            let version = core.updates.libraryVersion
            return (version, core.curation.resolver(for: version))
        }
        if let resolver = cached.resolver { return resolver }
        let built = Resolver(library: library.songs, pins: settings.pins)
        locked { core in
            if core.updates.libraryVersion == cached.version { core.curation.keep(built, for: cached.version) }
        }
        return built
    }

    /// The table entry for a request whose argument count it accepts.
    private static func command(for request: Request) throws(ProtocolError) -> Command {
        guard let command = commands[request.command] else { throw .unknownCommand(request.command) }
        guard command.arguments.contains(request.arguments.count) else { throw .wrongArgumentCount(request.command) }
        return command
    }

    /// Under the lock: runs an in-memory or resolver command (a file command here is a bug in the caller).
    func dispatch(_ request: Request, client: inout ClientContext, response: inout ResponseBuilder)
        throws(ProtocolError)
    {
        let handler: CommandExecution.Handler
        switch try DaemonCore.command(for: request).execution {
        case .memory(let found), .resolver(let found): handler = found
        // `idle` inside a command list, as MPD: the session commands are not commands there.
        case .session: throw .unknownCommand(request.command)
        case .files: preconditionFailure("\(request.command) touches files: it runs through dispatchOnQueue")
        }
        var context = CommandContext(
            core: self, arguments: request.arguments, client: client, response: ResponseBuilder(reservingCapacity: 0))
        swap(&context.response, &response)
        defer {
            swap(&context.response, &response)
            client = context.client
        }
        try handler(&context)
    }

    /// Marks subsystems as changed; clients hear about them when the current command or event is done.
    func changed(_ subsystems: IdleSubsystem...) { changed(subsystems) }

    /// `changed` for a list (the player's, taken after each command).
    func changed(_ subsystems: [IdleSubsystem]) {
        guard !subsystems.isEmpty else { return }
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

/// Seconds since an arbitrary start, from the monotonic clock.
struct MonotonicTime: Sendable {
    let instant: ContinuousClock.Instant
    static var now: MonotonicTime { MonotonicTime(instant: .now) }
    var secondsSince: Double {
        let elapsed = ContinuousClock.now - instant
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}

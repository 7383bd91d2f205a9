import ElegyCore
import Logging

/// What a handler that runs under the core lock gets: the core, the request's arguments, this client's session
/// state and the answer being built.
struct CommandContext {
    let core: DaemonCore
    let arguments: [String]
    var client: ClientContext
    var response: ResponseBuilder
}

/// What a file-touching handler gets. It runs on the core queue without the core lock, so it reaches the core's
/// state only through `locked` (read what it needs, later commit what it did); what it may use outside the lock is
/// here: the library (its own snapshot lock), the stored playlists' directory and the settings.
struct FileCommandContext {
    private let core: DaemonCore
    let arguments: [String]
    var client: ClientContext
    var response: ResponseBuilder

    init(core: DaemonCore, arguments: [String], client: ClientContext, response: ResponseBuilder) {
        self.core = core
        self.arguments = arguments
        self.client = client
        self.response = response
    }

    var library: MusicLibrary { core.library }
    var storedPlaylists: StoredPlaylists { core.storedPlaylists }
    var settings: DaemonSettings { core.settings }
    var logger: Logger { core.logger }

    /// Runs `body` under the core lock (engine events first, idle changes after, as for every command).
    func locked<T>(_ body: (DaemonCore) throws(ProtocolError) -> T) throws(ProtocolError) -> T {
        try core.lockedThrowing(body)
    }

    /// The resolver for the current library, built outside the lock when the library changed.
    func resolver() -> Resolver { core.resolverOutsideTheLock() }
}

/// Where a command runs, and so what may wait for it.
enum CommandExecution: Sendable {
    typealias Handler = @Sendable (inout CommandContext) throws(ProtocolError) -> Void
    typealias FileHandler = @Sendable (inout FileCommandContext) throws(ProtocolError) -> Void

    /// In memory, under the core lock, on the connection's event loop: no file I/O, nothing that can block.
    case memory(Handler)
    /// Needs the resolver: on the core queue, which builds it outside the lock first, then under the lock.
    case resolver(Handler)
    /// Touches files, or reads the whole library: on the core queue, without the core lock (see
    /// `FileCommandContext`).
    case files(FileHandler)
    /// Answered by `ConnectionSession` itself (idle, close, command lists); in the table so `commands` lists it.
    case session

    /// Whether a batch holding this command can be answered on the event loop.
    var runsOnEventLoop: Bool {
        if case .memory = self { return true }
        return false
    }
}

/// One command: MPD's name, how many arguments it takes, and where and how it runs.
struct Command: Sendable {
    let name: String
    let arguments: ClosedRange<Int>
    let execution: CommandExecution
}

/// Every command the daemon knows, sorted by name: the single source for dispatch, for where each command runs
/// and for `commands`. Built once from the domain files' `add…Commands` (see `DaemonCore+Commands.swift`).
struct CommandTable: Sendable {
    let entries: [Command]
    private let positions: [String: Int]

    init(_ commands: [Command]) {
        entries = commands.sorted { $0.name < $1.name }
        var positions: [String: Int] = [:]
        for (position, command) in entries.enumerated() {
            precondition(positions.updateValue(position, forKey: command.name) == nil, "\(command.name) twice")
        }
        self.positions = positions
    }

    subscript(name: String) -> Command? { positions[name].map { entries[$0] } }
}

/// Collects the table's entries; the domain files call it as `add(name, arguments) { … }` for in-memory commands,
/// `add.resolver(…)` and `add.files(…)` for the others.
final class CommandTableBuilder {
    private(set) var commands: [Command] = []

    /// An in-memory command (runs on the event loop under the core lock).
    func callAsFunction(
        _ name: String, _ arguments: ClosedRange<Int>, _ handler: @escaping CommandExecution.Handler
    ) {
        commands.append(Command(name: name, arguments: arguments, execution: .memory(handler)))
    }

    /// A command that resolves curated songs (runs on the core queue once the resolver is built).
    func resolver(_ name: String, _ arguments: ClosedRange<Int>, _ handler: @escaping CommandExecution.Handler) {
        commands.append(Command(name: name, arguments: arguments, execution: .resolver(handler)))
    }

    /// A command that reads or writes files (runs on the core queue, taking the lock only around state).
    func files(_ name: String, _ arguments: ClosedRange<Int>, _ handler: @escaping CommandExecution.FileHandler) {
        commands.append(Command(name: name, arguments: arguments, execution: .files(handler)))
    }

    /// A command that reads the whole library index (an immutable snapshot), as `find` or `listallinfo` do: it runs
    /// as a file command, so that 100 ms over 100,000 songs holds up neither the event loop nor the core lock.
    func library(_ name: String, _ arguments: ClosedRange<Int>, _ handler: @escaping CommandExecution.FileHandler) {
        files(name, arguments, handler)
    }

    /// A command `ConnectionSession` answers.
    func session(_ name: String) {
        commands.append(Command(name: name, arguments: 0...Int.max, execution: .session))
    }
}

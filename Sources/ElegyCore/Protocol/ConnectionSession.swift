/// How the commands of a batch were sent: alone, in `command_list_begin`, or in `command_list_ok_begin`.
public enum ListMode: Sendable, Hashable {
    case none
    case plain
    case ok
}

/// What the server must do after handing a line to `ConnectionSession`.
public enum SessionAction: Sendable, Hashable {
    /// Nothing to write (a command was added to a list, or `noidle` arrived while not idling).
    case nothing
    /// Write these bytes (an ACK for an unreadable line, or an `idle` answered at once).
    case reply([UInt8])
    /// Run the batch with `CommandBatch.run` and write its bytes.
    case execute(CommandBatch)
    /// The client now waits: call `ConnectionSession.notify` on changes; no connection timeout while idling.
    case startIdle(Set<IdleSubsystem>)
    /// `noidle` ended the wait: write these bytes (normally just `OK`).
    case endIdle(reply: [UInt8])
    /// Write these bytes (possibly none), then close the connection.
    case close(reply: [UInt8])
}

/// The result of running a batch: the exact bytes to write and whether to close afterwards.
public struct BatchOutcome: Sendable, Hashable {
    public var bytes: [UInt8]
    public var closesConnection: Bool
    /// The command whose answer passed the output limit and was refused, for the daemon's log.
    public var oversizedCommand: String?

    public init(bytes: [UInt8], closesConnection: Bool, oversizedCommand: String? = nil) {
        self.bytes = bytes
        self.closesConnection = closesConnection
        self.oversizedCommand = oversizedCommand
    }
}

/// One command or one command list, ready to run.
public struct CommandBatch: Sendable, Hashable {
    /// A request, or a line inside a list that could not be parsed (MPD reports it when the list reaches it).
    public enum Entry: Sendable, Hashable {
        case request(Request)
        case invalid(ProtocolError)
    }

    public var listMode: ListMode
    public var entries: [Entry]

    public init(listMode: ListMode, entries: [Entry]) {
        self.listMode = listMode
        self.entries = entries
    }

    /// A single command outside any list.
    public init(_ request: Request) {
        self.init(listMode: .none, entries: [.request(request)])
    }

    /// A list of well-formed requests.
    public init(listMode: ListMode, requests: [Request]) {
        self.init(listMode: listMode, entries: requests.map { .request($0) })
    }

    /// The parsed requests, in order (unparsable lines left out).
    public var requests: [Request] {
        entries.compactMap {
            if case .request(let request) = $0 { return request }
            return nil
        }
    }

    /// Runs every command through `handler` and builds the exact response.
    ///
    /// Each command writes its lines into the shared builder; in `.ok` mode `list_OK` follows each one; `OK` ends
    /// a batch that fully succeeded. The first failure stops the batch with `ACK [code@index] {command} message`
    /// where index is the position in the list (0 outside lists); whatever the failing command wrote before
    /// throwing stays, as in MPD. `close` stops the batch and asks to close; the list commands themselves are
    /// not commands inside a list and get MPD's `unknown command`. A command whose lines would take the answer
    /// past `outputLimit` bytes is answered with `outputTooLarge` instead of its lines.
    public func run(
        outputLimit: Int = .max, _ handler: (Request, inout ResponseBuilder) throws(ProtocolError) -> Void
    ) -> BatchOutcome {
        var response = ResponseBuilder()
        response.limit = outputLimit
        for (position, entry) in entries.enumerated() {
            let index = listMode == .none ? 0 : position
            switch step(entry, response: &response, index: index) {
            case .stop(let outcome): return outcome
            case .run(let request):
                response.beginCommand()
                var failure: ProtocolError?
                do {
                    try handler(request, &response)
                } catch {
                    failure = error
                }
                response.endCommand()
                if response.overflowed { failure = .outputTooLarge(limit: outputLimit) }
                if let failure {
                    response.ack(failure, index: index, command: request.command)
                    return BatchOutcome(
                        bytes: response.bytes, closesConnection: failure.closesConnection,
                        oversizedCommand: response.overflowed ? request.command : nil)
                }
                if listMode == .ok { response.listOK() }
            }
        }
        response.ok()
        return BatchOutcome(bytes: response.bytes, closesConnection: false)
    }

    private enum Step {
        case run(Request)
        case stop(BatchOutcome)
    }

    /// The part of running one entry that does not depend on the handler.
    private func step(_ entry: Entry, response: inout ResponseBuilder, index: Int) -> Step {
        switch entry {
        case .invalid(let error):
            response.ack(error, index: index, command: "")
            return .stop(BatchOutcome(bytes: response.bytes, closesConnection: error.closesConnection))
        case .request(let request):
            switch request.command {
            case "close":
                return .stop(BatchOutcome(bytes: response.bytes, closesConnection: true))
            case "command_list_begin", "command_list_ok_begin", "command_list_end":
                response.ack(.unknownCommand(request.command), index: index, command: "")
                return .stop(BatchOutcome(bytes: response.bytes, closesConnection: false))
            default:
                return .run(request)
            }
        }
    }
}

/// The protocol state of one client connection: command lists, idle, close. Pure; the server feeds it lines and
/// performs the returned actions in order, one at a time.
public struct ConnectionSession: Sendable {
    /// MPD limits lists by bytes (2 MiB); Elegy limits them by count.
    public static let defaultMaxCommandListLength = 4096

    /// The commands this session answers itself, never handed to the server's command table to run (the table
    /// lists them, so that `commands` names them).
    public static let sessionCommands = [
        "close", "command_list_begin", "command_list_end", "command_list_ok_begin", "idle", "noidle",
    ]

    /// Where the connection is in the protocol.
    public enum State: Sendable, Hashable {
        case ready
        /// Inside `command_list_begin` / `command_list_ok_begin`.
        case collecting(ListMode)
        /// A list grew past the limit and was refused; its remaining lines are skipped up to `command_list_end`.
        case discarding
        case idle(Set<IdleSubsystem>)
        case closed
    }

    public private(set) var state: State = .ready
    /// Changes this client has not been told about.
    public var events = IdleEvents()
    /// The tags this client wants in song records (`tagtypes`).
    public var tagTypes = TagTypeSet.all
    public let maxCommandListLength: Int
    private var collected: [CommandBatch.Entry] = []

    public init(maxCommandListLength: Int = ConnectionSession.defaultMaxCommandListLength) {
        self.maxCommandListLength = maxCommandListLength
    }

    /// Pulls the next line out of `framer` and handles it; `nil` when no complete line is buffered (or the
    /// session is closed). A line that is too long yields `.close(reply: ACK…)`.
    public mutating func next(from framer: inout RequestFramer) -> SessionAction? {
        guard state != .closed else { return nil }
        do {
            guard let line = try framer.nextLine() else { return nil }
            return receive(line: line)
        } catch {
            state = .closed
            return .close(reply: error.ackLine())
        }
    }

    /// Handles one raw line (without terminator).
    public mutating func receive(line: [UInt8]) -> SessionAction {
        guard state != .closed else { return .close(reply: []) }
        guard let first = line.first else {
            state = .closed
            return .close(reply: ProtocolError(.unknown, "No command given", command: "").ackLine())
        }
        guard Request.isLowerASCII(first) else {
            // MPD: not a command at all (perhaps a stray HTTP request); drop the connection without a word.
            state = .closed
            return .close(reply: [])
        }
        do {
            return receive(entry: .request(try Request.parse(line: line)))
        } catch {
            return receive(entry: .invalid(error))
        }
    }

    /// Handles one parsed request.
    public mutating func receive(_ request: Request) -> SessionAction {
        receive(entry: .request(request))
    }

    /// Records changes; if the client is idling on one of them, returns the bytes to send (and leaves idle).
    public mutating func notify(_ subsystems: some Sequence<IdleSubsystem>) -> [UInt8]? {
        events.formUnion(subsystems)
        guard case .idle(let subscription) = state, events.hasChanges(matching: subscription) else { return nil }
        state = .ready
        return events.changes(matching: subscription)
    }

    private mutating func receive(entry: CommandBatch.Entry) -> SessionAction {
        let request: Request?
        if case .request(let parsed) = entry { request = parsed } else { request = nil }
        let isNoIdle = request.map { $0.command == "noidle" && $0.arguments.isEmpty } ?? false
        let bare = request.flatMap { $0.arguments.isEmpty ? $0.command : nil }

        switch state {
        case .closed:
            return .close(reply: [])

        case .idle(let subscription):
            guard isNoIdle else {
                // While idling only `noidle` is allowed.
                state = .closed
                return .close(reply: [])
            }
            state = .ready
            // Matching changes were already sent by `notify`; the others stay pending for the next `idle`.
            guard events.hasChanges(matching: subscription) else { return .endIdle(reply: Array("OK\n".utf8)) }
            return .endIdle(reply: events.changes(matching: subscription))

        case .discarding:
            if bare == "command_list_end" { state = .ready }
            return .nothing

        case .collecting(let mode):
            if isNoIdle { return .nothing }
            if bare == "command_list_end" {
                state = .ready
                let batch = CommandBatch(listMode: mode, entries: collected)
                collected = []
                return .execute(batch)
            }
            if request?.command == "idle" {
                state = .closed
                collected = []
                return .close(reply: [])
            }
            guard collected.count < maxCommandListLength else {
                state = .discarding
                collected = []
                let error = ProtocolError(
                    .arg, "command list too long (limit \(maxCommandListLength) commands)", command: "")
                return .reply(error.ackLine(index: maxCommandListLength))
            }
            collected.append(entry)
            return .nothing

        case .ready:
            if isNoIdle { return .nothing }
            guard let request else {
                guard case .invalid(let error) = entry else { return .nothing }
                if error.closesConnection {
                    state = .closed
                    return .close(reply: error.ackLine())
                }
                return .reply(error.ackLine())
            }
            switch bare {
            case "command_list_begin":
                state = .collecting(.plain)
                return .nothing
            case "command_list_ok_begin":
                state = .collecting(.ok)
                return .nothing
            default:
                break
            }
            if request.command == "close" {
                state = .closed
                return .close(reply: [])
            }
            if request.command == "idle" {
                do {
                    let subscription = try IdleSubsystem.parse(request.arguments)
                    if events.hasChanges(matching: subscription) {
                        return .reply(events.changes(matching: subscription))
                    }
                    state = .idle(subscription)
                    return .startIdle(subscription)
                } catch {
                    return .reply(error.ackLine(command: "idle"))
                }
            }
            return .execute(CommandBatch(request))
        }
    }
}

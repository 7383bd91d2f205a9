import ArgumentParser

/// An MPD `ACK [code@index] {command} message` error line, parsed.
struct ACK: Equatable, Sendable {
    var code: Int
    var index: Int
    var command: String
    var message: String

    /// Parses `ACK [50@0] {load} No such playlist`; nil when the line is not an ACK.
    init?(line: String) {
        guard line.hasPrefix("ACK [") else { return nil }
        var rest = line.dropFirst(5)
        guard let at = rest.firstIndex(of: "@"), let close = rest.firstIndex(of: "]"), at < close,
            let code = Int(rest[rest.startIndex..<at]), let index = Int(rest[rest.index(after: at)..<close])
        else { return nil }
        rest = rest[rest.index(after: close)...].drop(while: { $0 == " " })
        var command = ""
        if rest.first == "{", let end = rest.firstIndex(of: "}") {
            command = String(rest[rest.index(after: rest.startIndex)..<end])
            rest = rest[rest.index(after: end)...].drop(while: { $0 == " " })
        }
        self.init(code: code, index: index, command: command, message: String(rest))
    }

    init(code: Int, index: Int, command: String, message: String) {
        self.code = code
        self.index = index
        self.command = command
        self.message = message
    }
}

/// Everything that can go wrong talking to the daemon, each with its exit status.
enum ClientError: Error, Equatable, CustomStringConvertible {
    /// The socket could not be reached (absent, refused, not a socket...).
    case unreachable(path: String, source: String, reason: String)
    /// The daemon answered with an ACK.
    case ack(ACK)
    /// The daemon closed the connection or sent something that is not MPD protocol.
    case connectionLost(String)
    case protocolViolation(String)
    /// An argument that cannot travel in the protocol (a newline in it).
    case badArgument(String)

    /// 1 for an ACK, 2 for an unusable argument, 69 (EX_UNAVAILABLE) when the daemon is unreachable or went
    /// away, 76 (EX_PROTOCOL) when the answer made no sense.
    var exitCode: Int32 {
        switch self {
        case .ack: 1
        case .badArgument: 2
        case .unreachable, .connectionLost: 69
        case .protocolViolation: 76
        }
    }

    var description: String {
        switch self {
        case .unreachable(let path, let source, let reason):
            "cannot connect to \(path) (\(source)): \(reason)\n"
                + "elegy: is the daemon running? Try: systemctl --user start elegyd.socket"
        case .ack(let ack): ack.message
        case .connectionLost(let why): "connection to the daemon lost: \(why)"
        case .protocolViolation(let why): "unexpected answer from the daemon: \(why)"
        case .badArgument(let why): why
        }
    }
}

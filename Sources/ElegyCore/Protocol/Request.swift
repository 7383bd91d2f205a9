/// One command line from a client: `command arg "quoted arg" …`.
public struct Request: Sendable, Hashable, CustomStringConvertible {
    /// The most arguments one request may carry (MPD's `COMMAND_ARGV_MAX`).
    public static let maxArguments = 4096

    public var command: String
    public var arguments: [String]

    public init(command: String, arguments: [String] = []) {
        self.command = command
        self.arguments = arguments
    }

    public var description: String {
        ([command] + arguments.map { "\"\($0)\"" }).joined(separator: " ")
    }

    /// Parses a line as a string (no line terminator).
    public static func parse(line: String) throws(ProtocolError) -> Request {
        try parse(line: Array(line.utf8))
    }

    /// Tokenizes one line (without its terminator) the way MPD does.
    ///
    /// The command is a word of ASCII letters, digits and `_` that must start with a lower-case letter. Arguments
    /// are separated by blanks; an argument is either a run of printable non-blank bytes without `"`, or a
    /// `"…"` string in which a backslash takes the next byte literally (`\"`, `\\`). Every argument must be UTF-8.
    ///
    /// Throws a `ProtocolError`; when its `closesConnection` is set the server must close after sending it (MPD
    /// closes silently when the line does not start with a lower-case letter — `ConnectionSession` does that —
    /// and after the ACK when the command word is malformed).
    public static func parse(line: [UInt8]) throws(ProtocolError) -> Request {
        var index = 0
        let count = line.count
        guard count > 0, isLowerASCII(line[0]) else {
            throw ProtocolError(.unknown, "No command given", command: "", closesConnection: true)
        }
        while index < count, !isBlank(line[index]) {
            guard isWordByte(line[index]) else {
                throw ProtocolError(.unknown, "Invalid word character", command: "", closesConnection: true)
            }
            index += 1
        }
        // The command word is ASCII, so this cannot fail.
        let command = String(decoding: line[0..<index], as: UTF8.self)
        var arguments: [String] = []
        skipBlanks(line, &index)
        while index < count {
            guard arguments.count < maxArguments else {
                throw ProtocolError(.arg, "Too many arguments", command: command)
            }
            var token: [UInt8] = []
            if line[index] == 0x22 {  // "
                index += 1
                var closed = false
                while index < count {
                    var byte = line[index]
                    if byte == 0x22 {
                        closed = true
                        index += 1
                        break
                    }
                    if byte == 0x5C {  // backslash: take the next byte as it is
                        index += 1
                        guard index < count else { break }
                        byte = line[index]
                    }
                    token.append(byte)
                    index += 1
                }
                guard closed else {
                    throw ProtocolError(.arg, "Missing closing '\"'", command: command)
                }
                guard index == count || isBlank(line[index]) else {
                    throw ProtocolError(.arg, "Space expected after closing '\"'", command: command)
                }
            } else {
                while index < count, !isBlank(line[index]) {
                    guard line[index] != 0x22 else {
                        throw ProtocolError(.arg, "Invalid unquoted character", command: command)
                    }
                    token.append(line[index])
                    index += 1
                }
            }
            guard let argument = String(validating: token, as: UTF8.self) else {
                throw ProtocolError(.arg, "Invalid UTF-8 in argument \(arguments.count + 1)", command: command)
            }
            arguments.append(argument)
            skipBlanks(line, &index)
        }
        return Request(command: command, arguments: arguments)
    }

    /// MPD counts every byte up to and including the space as a separator (space, tab, control bytes).
    @inline(__always) static func isBlank(_ byte: UInt8) -> Bool { byte <= 0x20 }

    @inline(__always) static func isLowerASCII(_ byte: UInt8) -> Bool { byte >= 0x61 && byte <= 0x7A }

    @inline(__always) private static func isWordByte(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39)
            || byte == 0x5F
    }

    private static func skipBlanks(_ line: [UInt8], _ index: inout Int) {
        while index < line.count, isBlank(line[index]) {
            index += 1
        }
    }
}

import Glibc

/// A blocking MPD protocol connection over a Unix-domain socket. One per process; not thread-safe.
final class Connection {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var start = 0

    /// Connects to `path` (an absolute path, or `@name` for an abstract socket) and reads the greeting.
    /// `source` says where the path came from, for the error message.
    init(path: String, source: String) throws(ClientError) {
        let unreachable = { (reason: String) in ClientError.unreachable(path: path, source: source, reason: reason) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        let abstract = bytes.first == UInt8(ascii: "@")
        if abstract { bytes[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard !bytes.isEmpty, bytes.count < capacity else { throw unreachable("socket path too long or empty") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let length = MemoryLayout<sockaddr_un>.offset(of: \.sun_path).map { $0 + bytes.count + (abstract ? 0 : 1) }
            ?? MemoryLayout<sockaddr_un>.size
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw unreachable(Connection.errnoText()) }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(length)) }
        }
        guard result == 0 else {
            let reason = Connection.errnoText()
            close(fd)
            throw unreachable(reason)
        }
        self.fd = fd
        setTimeout(seconds: Connection.answerTimeout)
        guard let greeting = try readLine() else { throw .connectionLost("closed before the greeting") }
        guard greeting.hasPrefix("OK MPD ") else {
            throw .protocolViolation("greeting was \(greeting.debugDescription), not OK MPD")
        }
    }

    deinit {
        close(fd)
    }

    /// How long to wait for any answer except `idle`'s before giving up on the daemon.
    static let answerTimeout = 30

    /// Sets the socket's receive and send timeouts; 0 waits forever.
    private func setTimeout(seconds: Int) {
        var time = timeval(tv_sec: seconds, tv_usec: 0)
        for option in [SO_RCVTIMEO, SO_SNDTIMEO] {
            setsockopt(fd, SOL_SOCKET, option, &time, socklen_t(MemoryLayout<timeval>.size))
        }
    }

    /// `idle [subsystem…]`: waits, with no timeout, until something changes; returns the changed subsystems.
    func idle(_ subsystems: String...) throws(ClientError) -> [String] {
        setTimeout(seconds: 0)
        defer { setTimeout(seconds: Connection.answerTimeout) }
        return try run("idle", arguments: subsystems).filter { $0.key == "changed" }.map(\.value)
    }

    /// Sends one command and returns its `Key: value` lines; throws `.ack` for an ACK.
    func run(_ name: String, _ arguments: String...) throws(ClientError) -> [Pair] {
        try send(commandLine(name, arguments))
        return try readResponse()
    }

    /// Like `run`, with the arguments as an array.
    func run(_ name: String, arguments: [String]) throws(ClientError) -> [Pair] {
        try send(commandLine(name, arguments))
        return try readResponse()
    }

    /// Runs commands in one `command_list_ok_begin` list and returns each command's lines.
    /// An ACK for any of them throws (the daemon stops the list there).
    func runList(_ commands: [(name: String, arguments: [String])]) throws(ClientError) -> [[Pair]] {
        var text = "command_list_ok_begin\n"
        for command in commands { text += try commandLine(command.name, command.arguments) + "\n" }
        text += "command_list_end"
        try send(text)
        var results: [[Pair]] = [[]]
        while true {
            guard let line = try readLine() else { throw .connectionLost("closed in the middle of an answer") }
            if line == "OK" { break }
            if line == "list_OK" {
                results.append([])
                continue
            }
            if let ack = ACK(line: line) { throw .ack(ack) }
            results[results.count - 1].append(Pair(line: line))
        }
        if results.last?.isEmpty == true, results.count > commands.count { results.removeLast() }
        return results
    }

    /// Writes one line (a newline is added).
    func send(_ line: String) throws(ClientError) {
        let bytes = Array((line + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                Glibc.send(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw .connectionLost(Connection.errnoText())
            }
            offset += written
        }
    }

    /// Reads lines up to `OK`; an `ACK` line throws.
    func readResponse() throws(ClientError) -> [Pair] {
        var pairs: [Pair] = []
        while true {
            guard let line = try readLine() else { throw .connectionLost("closed in the middle of an answer") }
            if line == "OK" { return pairs }
            if let ack = ACK(line: line) { throw .ack(ack) }
            pairs.append(Pair(line: line))
        }
    }

    /// One line without its `\n`, or nil at end of stream.
    func readLine() throws(ClientError) -> String? {
        while true {
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[start..<newline], as: UTF8.self)
                start = newline + 1
                if start == buffer.count {
                    buffer.removeAll(keepingCapacity: true)
                    start = 0
                }
                return line
            }
            if start > 0 {
                buffer.removeFirst(start)
                start = 0
            }
            var chunk = [UInt8](repeating: 0, count: 16384)
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK {
                    throw .connectionLost("no answer within \(Connection.answerTimeout) s")
                }
                throw .connectionLost(Connection.errnoText())
            }
            if count == 0 { return nil }
            buffer.append(contentsOf: chunk[0..<count])
        }
    }

    private static func errnoText() -> String {
        String(cString: strerror(errno))
    }
}

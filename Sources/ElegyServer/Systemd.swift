#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging

/// The parts of systemd's service protocol elegyd speaks without libsystemd: readiness notification and
/// socket activation.
public enum Systemd {
    /// The first file descriptor systemd passes (`SD_LISTEN_FDS_START`).
    public static let listenFDStart: Int32 = 3

    // MARK: - sd_notify

    /// Sends `message` (`READY=1`, `STATUS=…`, `STOPPING=1`, several lines at once if need be) as one datagram
    /// to `$NOTIFY_SOCKET`. Does nothing when the variable is unset; never blocks (a full socket drops the
    /// message). Returns whether the datagram was sent.
    @discardableResult
    public static func notify(_ message: String) -> Bool {
        guard let value = getenv("NOTIFY_SOCKET") else { return false }
        return notify(message, socketPath: String(cString: value))
    }

    /// `notify` to an explicit socket: an absolute path, or `@name` for a socket in the abstract namespace.
    @discardableResult
    static func notify(_ message: String, socketPath: String) -> Bool {
        guard var address = unixAddress(socketPath) else { return false }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var bytes = Array(message.utf8)
        let sent = withUnsafePointer(to: &address.storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bytes.withUnsafeMutableBytes { buffer in
                    sendto(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT), socketAddress,
                        address.length)
                }
            }
        }
        return sent == bytes.count
    }

    /// A `sockaddr_un` for `path` and its length, or nil if the path is neither absolute nor `@abstract`, or is
    /// too long.
    static func unixAddress(_ path: String) -> (storage: sockaddr_un, length: socklen_t)? {
        var name = Array(path.utf8)
        let abstract = name.first == UInt8(ascii: "@")
        guard abstract || name.first == UInt8(ascii: "/") else { return nil }
        if abstract { name[0] = 0 }
        var storage = sockaddr_un()
        storage.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: storage.sun_path)
        // A path needs room for its terminating NUL; an abstract name is counted exactly.
        guard name.count + (abstract ? 0 : 1) <= capacity, name.count > 1 else { return nil }
        withUnsafeMutableBytes(of: &storage.sun_path) { buffer in
            buffer.copyBytes(from: name)
        }
        let length = MemoryLayout<sa_family_t>.size + name.count + (abstract ? 0 : 1)
        return (storage, socklen_t(length))
    }

    // MARK: - sd_listen_fds

    /// The sockets systemd passed (fds 3, 4, …), if `LISTEN_PID` names this process and `LISTEN_FDS` counts
    /// them; else none. Marks each close-on-exec and unsets `LISTEN_PID`, `LISTEN_FDS` and `LISTEN_FDNAMES` so
    /// children do not inherit them. Call once, early, before other threads read the environment.
    public static func listenFileDescriptors() -> [Int32] {
        let listenPID = getenv("LISTEN_PID").map { String(cString: $0) }
        let listenFDs = getenv("LISTEN_FDS").map { String(cString: $0) }
        unsetenv("LISTEN_PID")
        unsetenv("LISTEN_FDS")
        unsetenv("LISTEN_FDNAMES")
        let count = listenFDCount(listenPID: listenPID, listenFDs: listenFDs, pid: getpid())
        var result: [Int32] = []
        for fd in listenFDStart..<(listenFDStart + Int32(count)) {
            let flags = fcntl(fd, F_GETFD)
            guard flags >= 0 else { continue }
            if flags & FD_CLOEXEC == 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
            result.append(fd)
        }
        return result
    }

    /// How many fds were passed to process `pid`, given the raw `LISTEN_PID` and `LISTEN_FDS` values.
    static func listenFDCount(listenPID: String?, listenFDs: String?, pid: pid_t) -> Int {
        guard let listenPID, let target = pid_t(listenPID), target == pid,
            let listenFDs, let count = Int(listenFDs), count > 0, count <= 4096
        else { return 0 }
        return count
    }
}

/// A swift-log handler for journald: one line per message on stderr, starting with a `<N>` syslog priority,
/// then `label: message key=value …`. Timestamps are left to journald when stderr is the journal stream
/// (`$JOURNAL_STREAM`), and written (UTC, milliseconds) otherwise.
public struct JournalLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public let label: String
    /// Whether each line carries a timestamp after its priority.
    public let timestamps: Bool
    private let sink: @Sendable (String) -> Void

    /// A handler for `label` that timestamps lines unless stderr is connected to journald.
    public init(label: String) {
        self.init(label: label, timestamps: !Self.stderrIsJournal())
    }

    public init(label: String, timestamps: Bool, metadataProvider: Logger.MetadataProvider? = nil) {
        self.init(label: label, timestamps: timestamps, metadataProvider: metadataProvider, sink: Self.writeToStderr)
    }

    init(
        label: String, timestamps: Bool, metadataProvider: Logger.MetadataProvider? = nil,
        sink: @escaping @Sendable (String) -> Void
    ) {
        self.label = label
        self.timestamps = timestamps
        self.metadataProvider = metadataProvider
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadataProvider?.get() ?? [:]
        merged.merge(metadata) { _, new in new }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        if let error = event.error { merged["error"] = .string("\(error)") }
        let stamp = timestamps ? Self.timestamp() : nil
        sink(Self.line(level: event.level, label: label, message: event.message.description, metadata: merged,
            timestamp: stamp))
    }

    /// The syslog priority journald reads from the `<N>` prefix.
    static func priority(of level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// One formatted line, newline included: `<6>[timestamp ]label: message a=1 b="two words"`.
    static func line(
        level: Logger.Level, label: String, message: String, metadata: Logger.Metadata, timestamp: String?
    ) -> String {
        var text = "<\(priority(of: level))>"
        if let timestamp { text += timestamp + " " }
        text += label + ": " + escaped(message)
        for key in metadata.keys.sorted() {
            guard let value = metadata[key] else { continue }
            text += " " + key + "=" + quotedIfNeeded(escaped(value.description))
        }
        return text + "\n"
    }

    /// Keeps a message on one line: control characters become `\n`, `\r`, `\t` or `\u{…}`.
    static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    result += "\\u{" + String(scalar.value, radix: 16) + "}"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result
    }

    /// Values with spaces, quotes or `=` (or empty ones) in double quotes, so `key=value` pairs stay parseable.
    static func quotedIfNeeded(_ value: String) -> String {
        guard value.isEmpty || value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) else { return value }
        var result = "\""
        for char in value {
            if char == "\"" || char == "\\" { result.append("\\") }
            result.append(char)
        }
        return result + "\""
    }

    /// Whether `$JOURNAL_STREAM` is set and (when it can be read as `device:inode`) names our stderr.
    static func stderrIsJournal() -> Bool {
        guard let raw = getenv("JOURNAL_STREAM") else { return false }
        let parts = String(cString: raw).split(separator: ":")
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return true }
        var info = stat()
        guard fstat(STDERR_FILENO, &info) == 0 else { return false }
        return UInt64(info.st_dev) == device && UInt64(info.st_ino) == inode
    }

    /// Now, as `2026-11-22T01:56:00.123Z`.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        let milliseconds = Int32(now.tv_nsec / 1_000_000)
        return pad(parts.tm_year + 1900, 4) + "-" + pad(parts.tm_mon + 1, 2) + "-" + pad(parts.tm_mday, 2) + "T"
            + pad(parts.tm_hour, 2) + ":" + pad(parts.tm_min, 2) + ":" + pad(parts.tm_sec, 2) + "."
            + pad(milliseconds, 3) + "Z"
    }

    /// One `write(2)` per line where possible, so lines from several threads do not interleave.
    @Sendable static func writeToStderr(_ line: String) {
        var bytes = Array(line.utf8)
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let count = write(STDERR_FILENO, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
                if count < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += count
            }
        }
    }
}

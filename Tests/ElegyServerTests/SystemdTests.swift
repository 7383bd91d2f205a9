import Foundation
import Logging
import Testing

@testable import ElegyServer

/// A bound `SOCK_DGRAM` Unix socket standing in for systemd's notification socket.
private final class NotifyListener {
    let fd: Int32
    /// The address to put in `NOTIFY_SOCKET`.
    let address: String
    private let path: String?

    /// Binds a socket at a fresh path in the temp dir, or with `abstract`, a fresh abstract name.
    init(abstract: Bool = false) throws {
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        let name = "elegy-notify-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        if abstract {
            address = "@" + name
            path = nil
        } else {
            address = NSTemporaryDirectory() + name
            path = address
        }
        let (storage, length) = try #require(Systemd.unixAddress(address))
        var copy = storage
        let result = withUnsafePointer(to: &copy) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        try #require(result == 0, "bind failed: errno \(errno)")
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// The next datagram, or nil after two seconds.
    func receive() -> String? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count >= 0 else { return nil }
        return String(decoding: buffer[0..<count], as: UTF8.self)
    }

    deinit {
        close(fd)
        if let path { unlink(path) }
    }
}

/// Tests that read or change the process environment run one at a time.
@Suite("systemd protocol", .serialized)
struct SystemdTests {
    @Test func notifySendsDatagramsToAPathSocket() throws {
        let listener = try NotifyListener()
        #expect(Systemd.notify("READY=1", socketPath: listener.address))
        #expect(listener.receive() == "READY=1")
        #expect(Systemd.notify("STATUS=Playing Kataomoi (Aimer)\nMAINPID=\(getpid())", socketPath: listener.address))
        #expect(listener.receive() == "STATUS=Playing Kataomoi (Aimer)\nMAINPID=\(getpid())")
    }

    @Test func notifySupportsAbstractNames() throws {
        let listener = try NotifyListener(abstract: true)
        #expect(listener.address.hasPrefix("@"))
        #expect(Systemd.notify("STOPPING=1", socketPath: listener.address))
        #expect(listener.receive() == "STOPPING=1")
    }

    @Test func notifyReadsNotifySocketFromTheEnvironment() throws {
        let listener = try NotifyListener()
        setenv("NOTIFY_SOCKET", listener.address, 1)
        defer { unsetenv("NOTIFY_SOCKET") }
        #expect(Systemd.notify("READY=1\nSTATUS=Idle"))
        #expect(listener.receive() == "READY=1\nSTATUS=Idle")
    }

    @Test func notifyIsANoOpWithoutSocketOrListener() {
        unsetenv("NOTIFY_SOCKET")
        #expect(Systemd.notify("READY=1") == false)
        #expect(Systemd.notify("READY=1", socketPath: "relative/path") == false)
        #expect(Systemd.notify("READY=1", socketPath: NSTemporaryDirectory() + "no-such-socket-\(UUID())") == false)
        #expect(Systemd.notify("READY=1", socketPath: "/" + String(repeating: "x", count: 200)) == false)
    }

    @Test func listenFDsWithOtherPIDGivesNoneAndClearsEnvironment() {
        setenv("LISTEN_PID", String(getpid() + 1), 1)
        setenv("LISTEN_FDS", "1", 1)
        setenv("LISTEN_FDNAMES", "elegyd.socket", 1)
        #expect(Systemd.listenFileDescriptors() == [])
        #expect(getenv("LISTEN_PID") == nil)
        #expect(getenv("LISTEN_FDS") == nil)
        #expect(getenv("LISTEN_FDNAMES") == nil)
    }

    @Test func listenFDsWithoutEnvironmentGivesNone() {
        unsetenv("LISTEN_PID")
        unsetenv("LISTEN_FDS")
        #expect(Systemd.listenFileDescriptors() == [])
    }

    @Test func listenFDCountParsing() {
        let pid = getpid()
        #expect(Systemd.listenFDCount(listenPID: String(pid), listenFDs: "2", pid: pid) == 2)
        #expect(Systemd.listenFDCount(listenPID: String(pid + 1), listenFDs: "2", pid: pid) == 0)
        #expect(Systemd.listenFDCount(listenPID: nil, listenFDs: "2", pid: pid) == 0)
        #expect(Systemd.listenFDCount(listenPID: String(pid), listenFDs: nil, pid: pid) == 0)
        #expect(Systemd.listenFDCount(listenPID: String(pid), listenFDs: "0", pid: pid) == 0)
        #expect(Systemd.listenFDCount(listenPID: String(pid), listenFDs: "-1", pid: pid) == 0)
        #expect(Systemd.listenFDCount(listenPID: String(pid), listenFDs: "x", pid: pid) == 0)
        #expect(Systemd.listenFDCount(listenPID: "abc", listenFDs: "1", pid: pid) == 0)
    }

    @Test func journalStreamDecidesTimestamps() throws {
        unsetenv("JOURNAL_STREAM")
        #expect(JournalLogHandler.stderrIsJournal() == false)
        #expect(JournalLogHandler(label: "t").timestamps)
        var info = stat()
        try #require(fstat(STDERR_FILENO, &info) == 0)
        setenv("JOURNAL_STREAM", "\(info.st_dev):\(info.st_ino)", 1)
        defer { unsetenv("JOURNAL_STREAM") }
        #expect(JournalLogHandler.stderrIsJournal())
        #expect(JournalLogHandler(label: "t").timestamps == false)
        setenv("JOURNAL_STREAM", "\(info.st_dev):\(info.st_ino + 1)", 1)
        #expect(JournalLogHandler.stderrIsJournal() == false)
    }
}

/// Collects the lines a handler writes.
private final class Lines: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []

    var all: [String] { lock.withLock { stored } }

    func append(_ line: String) { lock.withLock { stored.append(line) } }
}

@Suite("Journal log handler")
struct JournalLogHandlerTests {
    @Test func prioritiesFollowSyslog() {
        let expected: [(Logger.Level, Int)] = [
            (.trace, 7), (.debug, 7), (.info, 6), (.notice, 5), (.warning, 4), (.error, 3), (.critical, 2),
        ]
        for (level, priority) in expected {
            #expect(JournalLogHandler.priority(of: level) == priority)
        }
    }

    @Test func journalLinesHavePriorityLabelMessageAndMetadata() {
        let lines = Lines()
        var logger = Logger(label: "elegyd") { label in
            JournalLogHandler(label: label, timestamps: false, sink: lines.append)
        }
        logger.logLevel = .debug
        logger[metadataKey: "client"] = "3"
        logger.error("cannot open device", metadata: ["device": "hw:1,0", "reason": "Device or resource busy"])
        logger.debug("queued\nthree songs")
        logger.trace("not shown")
        logger.notice("empty", metadata: ["title": ""])
        #expect(
            lines.all == [
                "<3>elegyd: cannot open device client=3 device=hw:1,0 reason=\"Device or resource busy\"\n",
                "<7>elegyd: queued\\nthree songs client=3\n",
                "<5>elegyd: empty client=3 title=\"\"\n",
            ])
    }

    @Test func metadataProviderAndQuotes() {
        let lines = Lines()
        let provider = Logger.MetadataProvider { ["task": "save"] }
        let logger = Logger(label: "state") { label in
            JournalLogHandler(label: label, timestamps: false, metadataProvider: provider, sink: lines.append)
        }
        logger.warning("odd", metadata: ["path": "a \"b\" c", "task": "override"])
        #expect(lines.all == ["<4>state: odd path=\"a \\\"b\\\" c\" task=override\n"])
    }

    @Test func terminalLinesCarryAUTCTimestamp() throws {
        let lines = Lines()
        let logger = Logger(label: "elegyd") { label in
            JournalLogHandler(label: label, timestamps: true, sink: lines.append)
        }
        logger.info("ready")
        let line = try #require(lines.all.first)
        let pattern = /^<6>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z elegyd: ready\n$/
        #expect(line.wholeMatch(of: pattern) != nil, "\(line)")
        let year = Calendar(identifier: .gregorian).component(.year, from: Date())
        #expect(line.dropFirst(3).hasPrefix(String(year)) || line.dropFirst(3).hasPrefix(String(year - 1)))
    }
}

#if canImport(Glibc)
    import Glibc
#endif

/// `status` round-trips per second over an MPD-protocol Unix socket: N clients on one thread (poll), each sending
/// one `status`, waiting for its `OK`, then sending the next — no pipelining. Used by bench/daemon.sh against
/// elegyd and MPD. Prints `roundtrips=<count> seconds=<s> per_second=<r> errors=<n>`.
enum RoundTripBenchmark {
    static func run(_ arguments: [String]) {
        guard arguments.count >= 1 else {
            print("usage: elegy-bench roundtrips SOCKET [CLIENTS] [SECONDS] [COMMAND]")
            exit(64)
        }
        let path = arguments[0]
        let clients = arguments.count > 1 ? Int(arguments[1]) ?? 1 : 1
        let seconds = arguments.count > 2 ? Double(arguments[2]) ?? 5 : 5
        let command = Array(((arguments.count > 3 ? arguments[3] : "status") + "\n").utf8)

        var descriptors: [Int32] = []
        for _ in 0..<clients {
            let fd = connectUnix(path)
            guard fd >= 0 else {
                BenchSupport.err("elegy-bench: cannot connect to \(path): \(String(cString: strerror(errno)))\n")
                exit(69)
            }
            guard readGreeting(fd) else {
                BenchSupport.err("elegy-bench: no greeting from \(path)\n")
                exit(69)
            }
            descriptors.append(fd)
        }

        var polls = descriptors.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        // The tail of each client's response so far (enough to see "\nOK\n" or an ACK line).
        var tails = [[UInt8]](repeating: [], count: clients)
        var count = 0
        var errors = 0
        var buffer = [UInt8](repeating: 0, count: 65536)
        let start = BenchSupport.now()
        let end = start + seconds
        var open = clients
        for fd in descriptors { sendAll(fd, command) }
        while open > 0 {
            let ready = poll(&polls, nfds_t(polls.count), 1000)
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            let now = BenchSupport.now()
            for index in polls.indices where polls[index].fd >= 0 && polls[index].revents != 0 {
                let fd = polls[index].fd
                let got = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if got <= 0 {
                    errors += 1
                    polls[index].fd = -1
                    open -= 1
                    continue
                }
                tails[index].append(contentsOf: buffer[0..<got])
                if tails[index].count > 256 { tails[index].removeFirst(tails[index].count - 256) }
                guard let complete = responseEnd(tails[index]) else { continue }
                if !complete { errors += 1 }
                count += 1
                tails[index].removeAll(keepingCapacity: true)
                if now < end {
                    sendAll(fd, command)
                } else {
                    polls[index].fd = -1
                    open -= 1
                }
            }
        }
        let elapsed = BenchSupport.now() - start
        for fd in descriptors { close(fd) }
        print(
            "roundtrips=\(count) seconds=\(BenchSupport.format(elapsed, 3)) "
                + "per_second=\(BenchSupport.format(Double(count) / elapsed, 0)) errors=\(errors)")
    }

    /// nil while the response is incomplete; true when it ended in OK, false on an ACK.
    static func responseEnd(_ tail: [UInt8]) -> Bool? {
        guard tail.last == UInt8(ascii: "\n") else { return nil }
        let ok: [UInt8] = Array("OK\n".utf8)
        if tail == ok { return true }
        if tail.count >= 4, Array(tail.suffix(4)) == Array("\nOK\n".utf8) { return true }
        // The last line starts with ACK?
        let body = tail.dropLast()
        let lineStart = body.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? body.startIndex
        if Array(body[lineStart...].prefix(4)) == Array("ACK ".utf8) { return false }
        return nil
    }

    static func connectUnix(_ path: String) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return -1 }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return -1 }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        if rc != 0 {
            close(fd)
            return -1
        }
        return fd
    }

    static func readGreeting(_ fd: Int32) -> Bool {
        var byte: UInt8 = 0
        var line: [UInt8] = []
        while read(fd, &byte, 1) == 1 {
            if byte == UInt8(ascii: "\n") { return line.starts(with: Array("OK MPD".utf8)) }
            line.append(byte)
        }
        return false
    }

    static func sendAll(_ fd: Int32, _ bytes: [UInt8]) {
        var sent = 0
        while sent < bytes.count {
            let rc = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + sent, $0.count - sent) }
            if rc <= 0 {
                if errno == EINTR { continue }
                return
            }
            sent += rc
        }
    }
}

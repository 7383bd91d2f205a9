import Foundation
import Glibc

/// A scripted stand-in for the daemon on a temp Unix socket, for Elegy's extension commands (which MPD lacks)
/// and for checking the exact lines the client sends. Serves one connection at a time on its own thread.
final class FakeDaemon: @unchecked Sendable {
    let socket: String
    private let directory: String
    private let listener: Int32
    private let answers: [String: String]
    private let lock = NSLock()
    private var received: [String] = []
    private var thread: Thread?

    /// `answers` maps a command name to the lines it prints (without `OK`); an answer starting with `ACK` is
    /// sent instead of `OK`. Commands not in the map answer just `OK`.
    init(answers: [String: String]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("elegy-fake-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        socket = directory + "/socket"
        self.answers = answers
        listener = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(socket.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0, listen(listener, 8) == 0 else { throw FixtureError("cannot listen on \(socket)") }
        let thread = Thread { [self] in serve() }
        self.thread = thread
        thread.start()
    }

    deinit {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Stops accepting connections (the serving thread then ends).
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
    }

    /// Every line received so far, across connections.
    var lines: [String] {
        lock.lock()
        defer { lock.unlock() }
        return received
    }

    private func serve() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 { return }
            handle(client)
            close(client)
        }
    }

    private func handle(_ client: Int32) {
        send(client, "OK MPD 0.23.5\n")
        var pending: [UInt8] = []
        var list: [String]?
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(client, $0.baseAddress, $0.count) }
            if count <= 0 { return }
            pending += chunk[0..<count]
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeFirst(newline + 1)
                lock.lock()
                received.append(line)
                lock.unlock()
                if line == "command_list_ok_begin" || line == "command_list_begin" {
                    list = []
                } else if line == "command_list_end" {
                    var out = ""
                    for command in list ?? [] {
                        let body = answer(command)
                        if body.hasPrefix("ACK") {
                            out += body
                            send(client, out)
                            list = nil
                            continue
                        }
                        out += body + "list_OK\n"
                    }
                    if list != nil { send(client, out + "OK\n") }
                    list = nil
                } else if list != nil {
                    list?.append(line)
                } else {
                    let body = answer(line)
                    send(client, body.hasPrefix("ACK") ? body : body + "OK\n")
                }
            }
        }
    }

    private func answer(_ line: String) -> String {
        let name = String(line.prefix(while: { $0 != " " }))
        guard let text = answers[name], !text.isEmpty else { return "" }
        return text.hasSuffix("\n") ? text : text + "\n"
    }

    private func send(_ client: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }
}

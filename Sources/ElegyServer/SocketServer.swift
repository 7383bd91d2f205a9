import ElegyCore
import Logging
import NIOCore
import NIOPosix
import ElegySystem

#if canImport(Glibc)
    import Glibc
#endif

/// Why the daemon cannot serve its socket.
public struct SocketSetupError: Error, CustomStringConvertible {
    public var description: String
}

/// The Unix-socket listener: binds (or adopts a systemd-passed descriptor), accepts clients on one event loop.
public final class SocketServer: Sendable {
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    private let connections: OpenConnections
    public let path: String?

    private init(group: MultiThreadedEventLoopGroup, channel: any Channel, connections: OpenConnections, path: String?) {
        self.group = group
        self.channel = channel
        self.connections = connections
        self.path = path
    }

    /// Binds `path` (mode 0600 inside a 0700 directory), or adopts `adoptedDescriptor` from socket activation.
    /// A stale socket file is replaced only after a connection to it is refused; a live one means another
    /// daemon serves it, which is an error.
    static func start(
        path: String, adoptedDescriptor: Int32?, core: DaemonCore, registry: ClientRegistry,
        silenceTimeout: TimeAmount, logger: Logger
    ) throws -> SocketServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let connections = OpenConnections()
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                connections.insert(channel)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ConnectionHandler(
                            core: core, registry: registry, silenceTimeout: silenceTimeout, logger: logger))
                }
            }
        do {
            if let descriptor = adoptedDescriptor {
                let channel = try bootstrap.withBoundSocket(descriptor).wait()
                return SocketServer(group: group, channel: channel, connections: connections, path: nil)
            }
            try prepareSocketPath(path)
            let oldMask = umask(0o177)
            defer { umask(oldMask) }
            let channel = try bootstrap.bind(unixDomainSocketPath: path).wait()
            chmod(path, 0o600)
            return SocketServer(group: group, channel: channel, connections: connections, path: path)
        } catch {
            try? group.syncShutdownGracefully()
            if let setup = error as? SocketSetupError { throw setup }
            throw SocketSetupError(description: "cannot listen on \(path): \(error)")
        }
    }

    /// Creates the socket's directory (0700) and removes a stale socket; refuses when a daemon answers there.
    static func prepareSocketPath(_ path: String) throws {
        guard let slash = path.lastIndex(of: "/") else { return }
        let directory = String(path[..<slash])
        if !directory.isEmpty {
            // A failure here shows up as the bind's error, which names the socket path.
            try? Files.makeDirectories(directory, mode: 0o700)
            chmod(directory, 0o700)
        }
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard (info.st_mode & S_IFMT) == S_IFSOCK else {
            throw SocketSetupError(description: "\(path) exists and is not a socket; remove it or choose --socket")
        }
        if socketAnswers(path) {
            throw SocketSetupError(description: "elegyd is already running on \(path)")
        }
        unlink(path)
    }

    /// Whether something accepts connections on the Unix socket at `path`.
    static func socketAnswers(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8.prefix(MemoryLayout.size(ofValue: address.sun_path) - 1))
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0
            }
        }
    }

    /// Closes the listener (and removes the socket file it created): no new clients. Blocking (main thread).
    public func stopAccepting() {
        try? channel.close().wait()
        if let path { unlink(path) }
    }

    /// Stops reading from every connection, writes what their loops already hold for them (answers to batches the
    /// core has finished), and closes them. Blocking (main thread).
    public func closeConnections() {
        let open = connections.all
        for connection in open { try? connection.setOption(.autoRead, value: false).wait() }
        for connection in open {
            try? connection.eventLoop.submit {}.wait()
            try? connection.close().wait()
        }
    }

    /// Stops the event loop (after `stopAccepting` and `closeConnections`). Blocking (main thread).
    public func shutdown() {
        stopAccepting()
        closeConnections()
        try? group.syncShutdownGracefully()
    }
}

/// The accepted connections still open, for an orderly shutdown.
private final class OpenConnections: Sendable {
    private let channels = Lock<[ObjectIdentifier: any Channel]>([:])

    func insert(_ channel: any Channel) {
        let key = ObjectIdentifier(channel)
        channels.withLock { $0[key] = channel }
        channel.closeFuture.whenComplete { [self] _ in _ = channels.withLock { $0.removeValue(forKey: key) } }
    }

    var all: [any Channel] { channels.withLock { Array($0.values) } }
}

import ElegySystem
import Glibc

/// Where the daemon's socket is, and which setting said so.
struct SocketPath: Equatable, Sendable {
    var path: String
    /// `--socket`, `$ELEGY_SOCKET`, `$MPD_HOST`, `$XDG_RUNTIME_DIR` or the `/run/user/UID` default.
    var source: String

    /// `--socket`, else `ELEGY_SOCKET`, else `MPD_HOST` when it is a path (or `@abstract`), else
    /// `$XDG_RUNTIME_DIR/elegy/socket`, else `/run/user/$UID/elegy/socket`.
    static func resolve(option: String?, environment: [String: String], uid: UInt32) -> SocketPath {
        if let option, !option.isEmpty { return SocketPath(path: option, source: "--socket") }
        if let value = environment["ELEGY_SOCKET"], !value.isEmpty {
            return SocketPath(path: value, source: "$ELEGY_SOCKET")
        }
        if let value = environment["MPD_HOST"], value.hasPrefix("/") || value.hasPrefix("@") {
            return SocketPath(path: value, source: "$MPD_HOST")
        }
        // The daemon's own default, from the same rule (`Paths`), so the two cannot disagree.
        let paths = Paths(environment: environment, uid: uid)
        let source = paths.runtimeDirectoryFromEnvironment == nil ? "default; XDG_RUNTIME_DIR is unset" : "$XDG_RUNTIME_DIR"
        return SocketPath(path: paths.socket, source: source)
    }

    /// Resolves against this process's environment and uid.
    static func resolve(option: String?) -> SocketPath {
        resolve(option: option, environment: ProcessEnvironment.current, uid: getuid())
    }
}

#if canImport(Glibc)
    import Glibc
#endif

/// Where Elegy keeps things, by the XDG base directory spec: the one place every default path is decided.
///
/// Values that are not absolute paths are ignored, as the spec says; `$HOME` falls back to the password
/// database, then `/`.
public struct Paths: Sendable, Equatable {
    public let environment: [String: String]
    public let home: String
    public let uid: UInt32

    public init(environment: [String: String], uid: UInt32 = getuid()) {
        self.environment = environment
        self.uid = uid
        self.home = Self.absolute(environment["HOME"]) ?? Self.passwordDatabaseHome(uid: uid) ?? "/"
    }

    /// The paths for this process's own environment.
    public static var current: Paths { Paths(environment: ProcessEnvironment.current) }

    /// `$XDG_RUNTIME_DIR` when it is set to an absolute path.
    public var runtimeDirectoryFromEnvironment: String? { Self.absolute(environment["XDG_RUNTIME_DIR"]) }
    /// `$XDG_RUNTIME_DIR`, else `/run/user/UID` (what systemd-logind creates).
    public var runtimeDirectory: String { runtimeDirectoryFromEnvironment ?? "/run/user/\(uid)" }
    /// The daemon's socket: `$XDG_RUNTIME_DIR/elegy/socket`.
    public var socket: String { "\(runtimeDirectory)/elegy/socket" }
    /// `$XDG_CONFIG_HOME/elegy/elegy.toml`, else `~/.config/elegy/elegy.toml`.
    public var configFile: String { "\(base("XDG_CONFIG_HOME", ".config"))/elegy/elegy.toml" }
    /// `$XDG_STATE_HOME/elegy/state.json`, else `~/.local/state/elegy/state.json`.
    public var stateFile: String { "\(base("XDG_STATE_HOME", ".local/state"))/elegy/state.json" }
    /// `$XDG_DATA_HOME/elegy`, else `~/.local/share/elegy`.
    public var dataDirectory: String { "\(base("XDG_DATA_HOME", ".local/share"))/elegy" }
    /// Stored playlists (M3U8): `$XDG_DATA_HOME/elegy/playlists`.
    public var storedPlaylists: String { "\(dataDirectory)/playlists" }
    /// The library index: `$XDG_CACHE_HOME/elegy/library.index`.
    public var cacheFile: String { "\(base("XDG_CACHE_HOME", ".cache"))/elegy/library.index" }
    /// Where the index was kept before 2026-12-07 (`index.json`, though it had not been JSON for long): removed
    /// at startup, since no build that reads the current format writes it.
    public var formerCacheFile: String { "\(base("XDG_CACHE_HOME", ".cache"))/elegy/index.json" }
    /// `$XDG_MUSIC_DIR` (as `xdg-user-dirs` exports it), else `~/Music`.
    public var musicDirectory: String { Self.absolute(environment["XDG_MUSIC_DIR"].map(expandingTilde)) ?? "\(home)/Music" }

    /// `~` and `~/rest` become paths under `home`; anything else is returned unchanged.
    public func expandingTilde(_ path: String) -> String {
        if path == "~" { return home }
        if path.hasPrefix("~/") { return (home.hasSuffix("/") ? String(home.dropLast()) : home) + path.dropFirst() }
        return path
    }

    /// `path` if it is absolute, nil if it is missing, empty or relative.
    public static func absolute(_ path: String?) -> String? {
        guard let path, path.hasPrefix("/") else { return nil }
        return path
    }

    private func base(_ variable: String, _ underHome: String) -> String {
        Self.absolute(environment[variable]) ?? (home == "/" ? "" : home) + "/" + underHome
    }

    private static func passwordDatabaseHome(uid: UInt32) -> String? {
        guard let entry = getpwuid(uid), let directory = entry.pointee.pw_dir else { return nil }
        return absolute(String(cString: directory))
    }
}

/// The process environment as a dictionary (read once per call; no Foundation needed).
public enum ProcessEnvironment {
    public static var current: [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            pointer += 1
        }
        return result
    }
}

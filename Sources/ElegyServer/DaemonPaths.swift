#if canImport(Glibc)
    import Glibc
#endif

/// The process environment as a dictionary (read once; no Foundation needed).
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

/// Where Elegy keeps things by default, following the XDG base directory spec.
public struct DaemonPaths: Sendable {
    public let home: String
    public let environment: [String: String]

    public init(environment: [String: String]) {
        self.environment = environment
        self.home = environment["HOME"] ?? "/"
    }

    private func xdg(_ variable: String, _ fallback: String) -> String {
        if let value = environment[variable], value.hasPrefix("/") { return value }
        return "\(home)/\(fallback)"
    }

    public var runtimeDirectory: String {
        if let value = environment["XDG_RUNTIME_DIR"], value.hasPrefix("/") { return value }
        return "/run/user/\(getuid())"
    }

    public var socket: String { "\(runtimeDirectory)/elegy/socket" }
    public var dataDirectory: String { "\(xdg("XDG_DATA_HOME", ".local/share"))/elegy" }
    public var storedPlaylists: String { "\(dataDirectory)/playlists" }
    public var cacheFile: String { "\(xdg("XDG_CACHE_HOME", ".cache"))/elegy/index.json" }
    /// The state file's default: `StateStore` owns that rule.
    public var stateFile: String { StateStore.defaultPath(environment: environment) }

    /// `~/x` → `$HOME/x`.
    public func expandingTilde(_ path: String) -> String {
        path == "~" ? home : path.hasPrefix("~/") ? home + path.dropFirst() : path
    }

    /// Curated playlists shipped with the program: next to an installed binary (`../share/elegy/playlists`),
    /// or the source tree's `Playlists/` when run from a build directory; the first that exists.
    public var curatedDirectories: [String] {
        let executable = executablePath()
        var candidates: [String] = []
        if let directory = executable.map(parentDirectory) {
            candidates.append("\(parentDirectory(directory))/share/elegy/playlists")
            // .build/<triple>/<config>/elegyd → the package root's Playlists/
            candidates.append("\(parentDirectory(parentDirectory(parentDirectory(directory))))/Playlists")
        }
        candidates.append("\(dataDirectory)/playlists")
        for candidate in candidates where access("\(candidate)/moods.toml", R_OK) == 0 { return [candidate] }
        return []
    }

    private func executablePath() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private func parentDirectory(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}

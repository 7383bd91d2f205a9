#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ElegyCore

/// A failed state write: what was being done, to which path, and the errno behind it.
public struct StateStoreError: Error, CustomStringConvertible, Equatable {
    public var operation: String
    public var path: String
    public var code: Int32

    public init(operation: String, path: String, code: Int32) {
        self.operation = operation
        self.path = path
        self.code = code
    }

    /// `cannot rename /…/state.json: No space left on device`.
    public var description: String {
        "cannot \(operation) \(path): \(String(cString: strerror(code)))"
    }
}

/// Reads and atomically writes `state.json`.
///
/// Every call does blocking file I/O, `save` including two `fsync`s: never call it on a NIO event loop. Callers
/// run it on a dedicated thread or serial queue (or a `NIOThreadPool`), one save at a time; saves from several
/// threads are still safe, the last rename wins.
public final class StateStore: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// `$XDG_STATE_HOME/elegy/state.json`, else `~/.local/state/elegy/state.json`.
    public static func defaultPath(environment: [String: String]) -> String {
        if let base = environment["XDG_STATE_HOME"], base.hasPrefix("/") {
            return base + "/elegy/state.json"
        }
        return home(environment: environment) + "/.local/state/elegy/state.json"
    }

    // MARK: - Loading

    /// The saved state, or nil when there is none. A file that cannot be decoded, has another version or
    /// holds impossible values is renamed to `state.json.corrupt-<unixtime>` and a warning says so; an
    /// unreadable file is left alone with a warning. Never throws, never crashes.
    public func load() -> (PersistedState?, warning: String?) {
        let bytes: [UInt8]
        switch readAll(path) {
        case .success(let read):
            bytes = read
        case .failure(let failure):
            if failure.code == ENOENT { return (nil, nil) }
            return (nil, failure.description)
        }
        let problem: String
        do {
            let state = try JSONDecoder().decode(PersistedState.self, from: Data(bytes))
            if let invalid = Self.problem(in: state) {
                problem = invalid
            } else {
                return (state, nil)
            }
        } catch {
            problem = Self.summary(of: error)
        }
        return (nil, moveAside(because: problem))
    }

    /// Why `state` cannot be restored, or nil if it can.
    static func problem(in state: PersistedState) -> String? {
        if state.version != PersistedState.currentVersion {
            return "version \(state.version) is not the supported version \(PersistedState.currentVersion)"
        }
        if let position = state.currentPosition, !state.queue.indices.contains(position) {
            return "current_position \(position) is outside the queue of \(state.queue.count)"
        }
        if !(0...100).contains(state.volume) { return "volume \(state.volume) is not 0-100" }
        if !state.elapsed.isFinite || state.elapsed < 0 { return "elapsed \(state.elapsed) is not a position" }
        if let sleep = state.sleepRemaining, !sleep.isFinite || sleep < 0 {
            return "sleep_remaining \(sleep) is not a duration"
        }
        return nil
    }

    private static func summary(of error: any Error) -> String {
        switch error as? DecodingError {
        case .dataCorrupted(let context), .typeMismatch(_, let context), .valueNotFound(_, let context),
            .keyNotFound(_, let context):
            let keyPath = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }
            let prefix = keyPath.isEmpty ? "" : keyPath.joined(separator: ".") + ": "
            return "not valid state JSON (" + prefix + context.debugDescription + ")"
        default:
            return "not valid state JSON (\(error))"
        }
    }

    /// Renames the bad file out of the way and describes what happened.
    private func moveAside(because problem: String) -> String {
        let stamp = time(nil)
        var target = "\(path).corrupt-\(stamp)"
        var suffix = 1
        while access(target, F_OK) == 0 {
            target = "\(path).corrupt-\(stamp)-\(suffix)"
            suffix += 1
        }
        guard rename(path, target) == 0 else {
            let failure = StateStoreError(operation: "move aside", path: path, code: errno)
            return "state file \(path) is \(problem); \(failure); starting with an empty queue"
        }
        return "state file \(path) is \(problem); moved it to \(target); starting with an empty queue"
    }

    // MARK: - Saving

    /// Writes `state` atomically: a temp file in the same directory, fsync, rename over `path`, fsync the
    /// directory. Creates missing directories with mode 0700. On failure the old file is untouched and no
    /// temp file is left behind.
    public func save(_ state: PersistedState) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(state)
        let directory = Self.directory(of: path)
        try Self.makeDirectories(directory)

        let name = path.split(separator: "/").last.map(String.init) ?? "state.json"
        let temp = "\(directory)/.\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StateStoreError(operation: "create", path: temp, code: errno) }
        var written = false
        defer { if !written { unlink(temp) } }
        do {
            defer { close(fd) }
            try data.withUnsafeBytes { buffer in
                try Self.writeAll(fd, buffer, path: temp)
            }
            guard fsync(fd) == 0 else { throw StateStoreError(operation: "fsync", path: temp, code: errno) }
        }
        guard rename(temp, path) == 0 else { throw StateStoreError(operation: "rename", path: temp, code: errno) }
        written = true
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directoryFD >= 0 else { throw StateStoreError(operation: "open", path: directory, code: errno) }
        defer { close(directoryFD) }
        guard fsync(directoryFD) == 0 else {
            throw StateStoreError(operation: "fsync", path: directory, code: errno)
        }
    }

    private static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, path: String) throws(StateStoreError) {
        var offset = 0
        while offset < buffer.count {
            let count = write(fd, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
            if count < 0 {
                if errno == EINTR { continue }
                throw StateStoreError(operation: "write", path: path, code: errno)
            }
            offset += count
        }
    }

    /// `mkdir -p` with mode 0700 for every directory it creates.
    static func makeDirectories(_ directory: String) throws(StateStoreError) {
        var current = directory.hasPrefix("/") ? "" : "."
        for component in directory.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o700) != 0 && errno != EEXIST {
                throw StateStoreError(operation: "create directory", path: current, code: errno)
            }
        }
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    private static func home(environment: [String: String]) -> String {
        if let home = environment["HOME"], home.hasPrefix("/") { return home }
        if let entry = getpwuid(getuid()), let directory = entry.pointee.pw_dir {
            return String(cString: directory)
        }
        return "/"
    }

    private func readAll(_ path: String) -> Result<[UInt8], StateStoreError> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(StateStoreError(operation: "read", path: path, code: errno)) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count == 0 { return .success(bytes) }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(StateStoreError(operation: "read", path: path, code: errno))
            }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }
}

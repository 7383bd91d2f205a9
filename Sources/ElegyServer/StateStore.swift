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
import ElegySystem

/// A failed state read or write: the C call, the path and the errno (see `SystemCallError`).
public typealias StateStoreError = SystemCallError

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

    // MARK: - Loading

    /// The saved state, or nil when there is none. A file that cannot be decoded, has another version or
    /// holds impossible values is renamed to `state.json.corrupt-<unixtime>` and a warning says so; an
    /// unreadable file is left alone with a warning. Never throws, never crashes.
    public func load() -> (PersistedState?, warning: String?) {
        let bytes: [UInt8]
        do {
            bytes = try Files.read(path)
        } catch {
            if error.code == ENOENT { return (nil, nil) }
            return (nil, "cannot read the state file: \(error)")
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
            let failure = SystemCallError("rename", path: path)
            return "state file \(path) is \(problem); cannot move it aside: \(failure); starting with an empty queue"
        }
        return "state file \(path) is \(problem); moved it to \(target); starting with an empty queue"
    }

    // MARK: - Saving

    /// Writes `state` atomically (`Files.writeAtomically`): mode 0600, missing directories created 0700. On
    /// failure the old file is untouched and no temp file is left behind.
    public func save(_ state: PersistedState) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(state)
        try Files.writeAtomically(data, to: path, mode: 0o600, directoryMode: 0o700)
    }
}

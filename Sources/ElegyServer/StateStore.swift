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
import Synchronization

/// A failed state read or write: the C call, the path and the errno (see `SystemCallError`).
public typealias StateStoreError = SystemCallError

/// Reads and atomically writes `state.json` and, beside it, the queue file `queue`.
///
/// The queue is kept apart because it is the big part (a 16,000-song queue is 1.4 MB of JSON, about 50 ms of CPU to
/// save) and the part that changes least: while playing, `state.json` is rewritten every second for the position,
/// the queue file only when the queue changed. `state.json` names the queue file's generation, so that a crash
/// between the two writes (queue file first) is seen: the queue is kept and the position, which may belong to the
/// old queue, is dropped. A `state.json` with the queue inside (written before 2026-12-07) still loads.
///
/// Every call does blocking file I/O, `save` including `fsync`s: never call it on a NIO event loop. Callers run it
/// on a dedicated thread or serial queue, one save at a time; saves from several threads are still safe, the last
/// rename wins.
public final class StateStore: Sendable {
    public let path: String
    /// The queue file, beside `path`.
    public let queuePath: String

    /// The queue last written or loaded, with its generation: a save whose queue is the same (the same array, when
    /// the saver reuses its snapshot) writes only `state.json`.
    private let written = Mutex<(queue: [PersistedState.Entry], generation: Int)?>(nil)

    public init(path: String) {
        self.path = path
        let directory = path.utf8.lastIndex(of: UInt8(ascii: "/")).map { String(path[..<$0]) } ?? "."
        queuePath = directory + "/queue"
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
            let file = try JSONDecoder().decode(StateFile.self, from: Data(bytes))
            var state = file.state
            var warning: String?
            if let generation = file.queueGeneration {
                (state.queue, warning) = loadQueue(generation)
                if warning != nil { state.currentPosition = nil }
            }
            if let invalid = Self.problem(in: state) {
                problem = invalid
            } else {
                // Only a queue read from the queue file is known to be there: one that was inside state.json (an
                // older file) must be written to the queue file by the next save.
                if let generation = file.queueGeneration { written.withLock { $0 = (state.queue, generation) } }
                return (state, warning)
            }
        } catch {
            problem = Self.summary(of: error)
        }
        return (nil, moveAside(because: problem))
    }

    /// The queue file's entries, and a warning when it is missing, damaged or of another generation than
    /// `state.json` names (the entries of another generation are still used; a damaged file gives none).
    private func loadQueue(_ generation: Int) -> ([PersistedState.Entry], warning: String?) {
        let bytes: [UInt8]
        do {
            bytes = try Files.read(queuePath)
        } catch {
            return ([], "cannot read the queue file (\(error)); starting with an empty queue")
        }
        guard let (entries, found) = QueueFile.decode(bytes) else {
            return ([], "the queue file \(queuePath) is not one Elegy wrote; starting with an empty queue")
        }
        guard found == generation else {
            return (entries, "the queue file \(queuePath) is of generation \(found), not \(generation) as state.json says "
                + "(a crash between the two writes); keeping the queue, not the position")
        }
        return (entries, nil)
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
    /// The queue file is written first, and only when the queue differs from the one last written or loaded.
    public func save(_ state: PersistedState) throws {
        let last = written.withLock { $0 }
        var generation = last?.generation ?? 0
        if last.map({ $0.queue != state.queue }) ?? true {
            generation += 1
            try Files.writeAtomically(
                QueueFile.encode(state.queue, generation: generation), to: queuePath, mode: 0o600, directoryMode: 0o700)
            written.withLock { $0 = (state.queue, generation) }
        }
        var small = state
        small.queue = []
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(StateFile(state: small, queueGeneration: generation))
        try Files.writeAtomically(data, to: path, mode: 0o600, directoryMode: 0o700)
    }
}

/// `state.json` as written: the state (its queue empty) and the generation of the queue file that holds the queue;
/// a file without the generation holds its queue itself.
private struct StateFile: Codable {
    var state: PersistedState
    var queueGeneration: Int?

    enum CodingKeys: String, CodingKey {
        case queueGeneration = "queue_generation"
    }

    init(state: PersistedState, queueGeneration: Int?) {
        self.state = state
        self.queueGeneration = queueGeneration
    }

    init(from decoder: any Decoder) throws {
        state = try PersistedState(from: decoder)
        queueGeneration = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(
            Int.self, forKey: .queueGeneration)
    }

    func encode(to encoder: any Encoder) throws {
        try state.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(queueGeneration, forKey: .queueGeneration)
    }
}

/// The queue file: a header line `elegy-queue 1 GENERATION`, then one entry a line, its URI and, for a curated
/// entry, a tab and its curated key. Backslash, tab, CR and LF in either are written `\\`, `\t`, `\r`, `\n` (file
/// names may hold any of them). Read and written as bytes: JSON through Foundation took 70 ms to restore 16,000
/// entries at startup.
enum QueueFile {
    private static let magic = Array("elegy-queue 1 ".utf8)

    static func encode(_ entries: [PersistedState.Entry], generation: Int) -> [UInt8] {
        var bytes = magic + Array(String(generation).utf8) + [0x0A]
        bytes.reserveCapacity(entries.count * 80)
        for entry in entries {
            appendEscaped(entry.uri, to: &bytes)
            if let key = entry.curatedKey {
                bytes.append(0x09)
                appendEscaped(key, to: &bytes)
            }
            bytes.append(0x0A)
        }
        return bytes
    }

    /// The entries and the generation; nil when the header is not this format's.
    static func decode(_ bytes: [UInt8]) -> ([PersistedState.Entry], generation: Int)? {
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)[...]
        guard let header = lines.popFirst(), header.starts(with: magic),
            let generation = Int(String(decoding: header.dropFirst(magic.count), as: UTF8.self))
        else { return nil }
        var entries: [PersistedState.Entry] = []
        entries.reserveCapacity(lines.count)
        for line in lines where !line.isEmpty {
            if let tab = line.firstIndex(of: 0x09) {
                entries.append(
                    PersistedState.Entry(uri: unescaped(line[..<tab]), curatedKey: unescaped(line[(tab + 1)...])))
            } else {
                entries.append(PersistedState.Entry(uri: unescaped(line)))
            }
        }
        return (entries, generation)
    }

    private static func appendEscaped(_ text: String, to bytes: inout [UInt8]) {
        for byte in text.utf8 {
            switch byte {
            case 0x5C: bytes += [0x5C, 0x5C]
            case 0x09: bytes += [0x5C, UInt8(ascii: "t")]
            case 0x0A: bytes += [0x5C, UInt8(ascii: "n")]
            case 0x0D: bytes += [0x5C, UInt8(ascii: "r")]
            default: bytes.append(byte)
            }
        }
    }

    private static func unescaped(_ field: ArraySlice<UInt8>) -> String {
        guard field.contains(0x5C) else { return String(decoding: field, as: UTF8.self) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(field.count)
        var escaping = false
        for byte in field {
            if escaping {
                switch byte {
                case UInt8(ascii: "t"): bytes.append(0x09)
                case UInt8(ascii: "n"): bytes.append(0x0A)
                case UInt8(ascii: "r"): bytes.append(0x0D)
                default: bytes.append(byte)
                }
                escaping = false
            } else if byte == 0x5C {
                escaping = true
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The parts of the daemon an `idle` client can wait on; the case order is MPD's reporting order.
public enum IdleSubsystem: String, Sendable, Hashable, CaseIterable, Comparable {
    case database
    case storedPlaylist = "stored_playlist"
    case playlist
    case player
    case mixer
    case output
    case options
    case sticker
    case update
    case subscription
    case message
    case neighbor
    case mount
    case partition

    /// Parses a subsystem name case-insensitively, as MPD does.
    public init?(name: String) {
        let lowered = name.lowercased()
        guard let match = IdleSubsystem.allCases.first(where: { $0.rawValue == lowered }) else { return nil }
        self = match
    }

    var bit: UInt32 { 1 << UInt32(IdleSubsystem.allCases.firstIndex(of: self) ?? 0) }

    public static func < (lhs: IdleSubsystem, rhs: IdleSubsystem) -> Bool { lhs.bit < rhs.bit }

    /// Parses `idle` arguments; none means every subsystem. Unknown names are `ACK [2@0] … Unrecognized idle event`.
    public static func parse(_ arguments: [String]) throws(ProtocolError) -> Set<IdleSubsystem> {
        guard !arguments.isEmpty else { return Set(allCases) }
        var result = Set<IdleSubsystem>()
        for name in arguments {
            guard let subsystem = IdleSubsystem(name: name) else {
                throw ProtocolError(.arg, "Unrecognized idle event: \(name)")
            }
            result.insert(subsystem)
        }
        return result
    }
}

/// The changes one client has not been told about yet.
public struct IdleEvents: Sendable, Hashable {
    private var mask: UInt32 = 0

    public init() {}

    public var isEmpty: Bool { mask == 0 }

    /// Everything pending, in MPD's order.
    public var pending: [IdleSubsystem] { IdleSubsystem.allCases.filter { mask & $0.bit != 0 } }

    /// Records that `subsystem` changed.
    public mutating func insert(_ subsystem: IdleSubsystem) { mask |= subsystem.bit }

    /// Records several changes.
    public mutating func formUnion(_ subsystems: some Sequence<IdleSubsystem>) {
        for subsystem in subsystems { insert(subsystem) }
    }

    /// Whether anything in `subscription` is pending.
    public func hasChanges(matching subscription: Set<IdleSubsystem>) -> Bool {
        subscription.contains { mask & $0.bit != 0 }
    }

    /// The pending subsystems in `subscription`, in MPD's stable order, and forgets every pending event — also
    /// those outside the subscription, exactly as MPD does when it answers an `idle`.
    public mutating func takeChanges(matching subscription: Set<IdleSubsystem>) -> [IdleSubsystem] {
        let result = IdleSubsystem.allCases.filter { mask & $0.bit != 0 && subscription.contains($0) }
        mask = 0
        return result
    }

    /// `changed: X` lines followed by `OK`, consuming the events (see `takeChanges`).
    public mutating func changes(matching subscription: Set<IdleSubsystem>) -> [UInt8] {
        var response = ResponseBuilder()
        for subsystem in takeChanges(matching: subscription) {
            response.field("changed", subsystem.rawValue)
        }
        response.ok()
        return response.bytes
    }
}

/// Off, on, or on for one song only: the values of `single` and `consume`.
public enum ToggleMode: String, Sendable, Hashable, CaseIterable, Codable {
    case off, on, oneshot

    /// `0`, `1` or `oneshot`, as `status` prints it.
    public var mpdValue: String {
        switch self {
        case .off: "0"
        case .on: "1"
        case .oneshot: "oneshot"
        }
    }

    public var isEnabled: Bool { self != .off }
}

/// A `seekcur` target: absolute seconds, or an offset from the current position (`+10`, `-3.5`).
public enum SeekTime: Sendable, Hashable {
    case absolute(Double)
    case relative(Double)
}

/// Parsers for command arguments, with MPD's error messages (`ACK [2@0] {cmd} Integer expected: x`).
public enum Arguments {
    /// A whole number, optionally signed.
    public static func parseInt(_ text: String) throws(ProtocolError) -> Int {
        guard let value = Int(text) else {
            if isInteger(text) { throw ProtocolError(.arg, "Number too large: \(text)") }
            throw ProtocolError(.arg, "Integer expected: \(text)")
        }
        return value
    }

    /// A whole number within `range`.
    public static func parseInt(_ text: String, in range: ClosedRange<Int>) throws(ProtocolError) -> Int {
        let value = try parseInt(text)
        guard range.contains(value) else { throw ProtocolError(.arg, "Number too large: \(text)") }
        return value
    }

    /// A non-negative whole number (positions, ids).
    public static func parseUnsigned(_ text: String) throws(ProtocolError) -> Int {
        guard let value = UInt32(text) else {
            if isInteger(text) {
                let reason = text.hasPrefix("-") ? "Number is negative" : "Number too large"
                throw ProtocolError(.arg, "\(reason): \(text)")
            }
            throw ProtocolError(.arg, "Integer expected: \(text)")
        }
        return Int(value)
    }

    /// `0` or `1`.
    public static func parseBool(_ text: String) throws(ProtocolError) -> Bool {
        switch text {
        case "0": return false
        case "1": return true
        default: throw ProtocolError(.arg, "Boolean (0/1) expected: \(text)")
        }
    }

    /// `0`, `1` or `oneshot` (the `single` and `consume` commands).
    public static func parseToggleMode(_ text: String) throws(ProtocolError) -> ToggleMode {
        switch text {
        case "0": return .off
        case "1": return .on
        case "oneshot": return .oneshot
        default: throw ProtocolError(.arg, "Unrecognized mode, expected 0, 1 or oneshot: \(text)")
        }
    }

    /// `parseToggleMode` under the name the `single` command uses.
    public static func parseSingleMode(_ text: String) throws(ProtocolError) -> ToggleMode {
        try parseToggleMode(text)
    }

    /// A time in seconds, possibly fractional; a leading `+` or `-` makes it relative (`seekcur`).
    public static func parseSeekTime(_ text: String) throws(ProtocolError) -> SeekTime {
        guard let first = text.first else { throw ProtocolError(.arg, "Float expected: \(text)") }
        if first == "+" || first == "-" {
            let value = try parseSeconds(String(text.dropFirst()), original: text)
            return .relative(first == "-" ? -value : value)
        }
        return .absolute(try parseSeconds(text, original: text))
    }

    /// Non-negative seconds (`seek`, `seekid`).
    public static func parseSeconds(_ text: String) throws(ProtocolError) -> Double {
        try parseSeconds(text, original: text)
    }

    /// `START:END` (END exclusive), `START:` (to the end), or `N` (just N); `-1` means everything, as older
    /// MPD clients send it. The open end is `Int.max`; clip it with `Range.clipped(to:)` against the list.
    public static func parseRange(_ text: String) throws(ProtocolError) -> Range<Int> {
        if text == "-1" { return 0..<Int.max }
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let startText = String(parts[0])
        guard isInteger(startText) else { throw ProtocolError(.arg, "Integer or range expected: \(text)") }
        guard let start = Int32(startText) else {
            throw ProtocolError(
                .arg, startText.hasPrefix("-") ? "Number is negative: \(text)" : "Number too large: \(text)")
        }
        guard start >= 0 else { throw ProtocolError(.arg, "Number is negative: \(text)") }
        guard parts.count == 2 else { return Int(start)..<Int(start) + 1 }
        let endText = String(parts[1])
        if endText.isEmpty { return Int(start)..<Int.max }
        guard isInteger(endText) else { throw ProtocolError(.arg, "Integer or range expected: \(text)") }
        guard let end = Int32(endText) else {
            throw ProtocolError(
                .arg, endText.hasPrefix("-") ? "Number is negative: \(text)" : "Number too large: \(text)")
        }
        guard end >= 0 else { throw ProtocolError(.arg, "Number is negative: \(text)") }
        guard start <= end else { throw ProtocolError(.arg, "Malformed range: \(text)") }
        return Int(start)..<Int(end)
    }

    /// An insert position for `add`/`addid`: absolute (`3`), after the current entry (`+0` is right after it) or
    /// before it (`-0` is right before it), within `0...count`. Relative forms need a current entry (ACK 55).
    public static func parseInsertPosition(_ text: String, current: Int?, count: Int) throws(ProtocolError) -> Int {
        guard let first = text.first, first == "+" || first == "-" else {
            let position = try parseUnsigned(text)
            guard position <= count else { throw ProtocolError(.arg, "Number too large: \(text)") }
            return position
        }
        guard let current else { throw ProtocolError(.playerSync, "No current song") }
        let offset = try parseUnsigned(String(text.dropFirst()))
        if first == "+" {
            guard offset <= count - current - 1 else { throw ProtocolError(.arg, "Number too large: \(text)") }
            return current + 1 + offset
        }
        guard offset <= current else { throw ProtocolError(.arg, "Number too large: \(text)") }
        return current - offset
    }

    private static func parseSeconds(_ text: String, original: String) throws(ProtocolError) -> Double {
        guard let first = text.first, first.isASCII, first.isNumber || first == ".",
            let value = Double(text), value.isFinite
        else { throw ProtocolError(.arg, "Float expected: \(original)") }
        guard value >= 0 else { throw ProtocolError(.arg, "Negative value not allowed: \(original)") }
        return value
    }

    /// An optional sign followed by at least one ASCII digit.
    private static func isInteger(_ text: String) -> Bool {
        var digits = Substring(text)
        if digits.first == "-" || digits.first == "+" { digits = digits.dropFirst() }
        return !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }
}

extension Range<Int> {
    /// The one range rule of every command that takes `START:END` (MPD's `RangeArg::CheckClip`): the end is cut to
    /// the list's length, and a range that then starts after its end is `Bad song index`. The result may be empty.
    public func clipped(to count: Int) throws(ProtocolError) -> Range<Int> {
        let end = Swift.min(upperBound, count)
        guard lowerBound >= 0, lowerBound <= end else { throw .badSongIndex }
        return lowerBound..<end
    }
}

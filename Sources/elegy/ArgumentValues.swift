import ArgumentParser

/// Parses `SS`, `SS.s`, `M:SS` or `H:MM:SS` into seconds; nil when malformed.
func parseClock(_ text: Substring) -> Double? {
    let parts = text.split(separator: ":", omittingEmptySubsequences: false)
    guard (1...3).contains(parts.count), let last = parts.last, let seconds = Double(last), seconds >= 0,
        last.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") })
    else { return nil }
    var total = seconds
    if parts.count > 1 {
        guard seconds < 60 else { return nil }
        var multiplier = 60.0
        for part in parts.dropLast().reversed() {
            guard !part.isEmpty, part.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(part) else {
                return nil
            }
            if parts.count == 3 && multiplier == 60 && value >= 60 { return nil }
            total += Double(value) * multiplier
            multiplier *= 60
        }
    }
    return total
}

/// `seek`'s target: an absolute position or a relative jump, in seconds.
struct SeekTarget: Equatable, Sendable {
    enum Direction: Equatable, Sendable { case absolute, forward, backward }

    var direction: Direction
    var seconds: Double

    /// Parses `90`, `1:30`, `+10`, `-0:05`, `1:02:03`.
    static func parse(_ text: String) throws(ValidationError) -> SeekTarget {
        var body = Substring(text)
        var direction = Direction.absolute
        if body.first == "+" {
            direction = .forward
            body = body.dropFirst()
        } else if body.first == "-" {
            direction = .backward
            body = body.dropFirst()
        }
        guard let seconds = parseClock(body) else {
            throw ValidationError("seek wants [+-]SECONDS or [+-]M:SS (e.g. 90, 1:30, +10, -0:05), not '\(text)'")
        }
        return SeekTarget(direction: direction, seconds: seconds)
    }

    /// The `seekcur` argument: `62`, `+10`, `-5.5`.
    var wire: String {
        let number = seconds == seconds.rounded() && seconds < 1e15 ? String(Int(seconds)) : String(seconds)
        switch direction {
        case .absolute: return number
        case .forward: return "+" + number
        case .backward: return "-" + number
        }
    }
}

/// `volume`'s argument: a level 0–100 or a relative change.
enum VolumeChange: Equatable, Sendable {
    case set(Int)
    case relative(Int)

    /// Parses `50`, `+5`, `-10`.
    static func parse(_ text: String) throws(ValidationError) -> VolumeChange {
        let sign = text.first == "+" || text.first == "-"
        let digits = sign ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.count <= 3, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
            let value = Int(digits)
        else { throw ValidationError("volume wants 0-100, +N or -N, not '\(text)'") }
        if !sign {
            guard value <= 100 else { throw ValidationError("volume must be between 0 and 100, not \(value)") }
            return .set(value)
        }
        return .relative(text.first == "-" ? -value : value)
    }

    /// The level to set, given the current one, clamped to 0...100.
    func level(from current: Int) -> Int {
        switch self {
        case .set(let value): value
        case .relative(let delta): min(100, max(0, current + delta))
        }
    }
}

/// `sleep`'s argument: a duration or `off`.
enum SleepDuration: Equatable, Sendable {
    case off
    case seconds(Int)

    /// Parses `30m`, `90s`, `1h`, `1h30m`, `off`; a bare number is refused (which unit?).
    static func parse(_ text: String) throws(ValidationError) -> SleepDuration {
        let lower = text.lowercased()
        if lower == "off" { return .off }
        let usage = "sleep wants a duration like 30m, 90s, 1h or 1h30m, or 'off'; not '\(text)'"
        var total = 0
        var number = ""
        var sawUnit = false
        for character in lower {
            if character.isASCII && character.isNumber {
                number.append(character)
                guard number.count <= 6 else { throw ValidationError(usage) }
                continue
            }
            let unit: Int
            switch character {
            case "h": unit = 3600
            case "m": unit = 60
            case "s": unit = 1
            default: throw ValidationError(usage)
            }
            guard let value = Int(number) else { throw ValidationError(usage) }
            total += value * unit
            number = ""
            sawUnit = true
        }
        guard sawUnit, number.isEmpty else { throw ValidationError(usage) }
        guard total > 0 else { throw ValidationError("sleep needs a duration above zero; use 'off' to cancel") }
        return .seconds(total)
    }

    /// The `sleep` argument: seconds or `off`.
    var wire: String {
        switch self {
        case .off: "off"
        case .seconds(let seconds): String(seconds)
        }
    }
}

/// A playback option's new value: `on`, `off` or (single and consume only) `oneshot`.
enum ModeValue: String, CaseIterable, ExpressibleByArgument, Sendable {
    case on, off, oneshot

    /// The wire argument: `1`, `0` or `oneshot`.
    var wire: String {
        switch self {
        case .on: "1"
        case .off: "0"
        case .oneshot: "oneshot"
        }
    }
}

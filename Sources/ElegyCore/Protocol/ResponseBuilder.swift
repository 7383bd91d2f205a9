#if canImport(Glibc)
    import Glibc
#endif

/// Accumulates the bytes of an MPD response: `Key: value` lines, `list_OK`, `OK`, `ACK`.
///
/// Values are written straight into one byte array; numbers are formatted without creating strings. A line break
/// inside a value (a hostile tag) is written as a space so that it cannot forge protocol lines.
public struct ResponseBuilder: Sendable, Hashable {
    public private(set) var bytes: [UInt8]
    /// Most bytes the whole answer may hold (`max_output_buffer_size`); `Int.max` for no limit.
    public var limit: Int = .max
    /// Where the current command's lines begin (see `beginCommand`).
    private var commandStart = 0
    /// The current command's lines passed `limit` and were dropped: the batch answers it with an ACK instead.
    public private(set) var overflowed = false

    public init(reservingCapacity capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public var isEmpty: Bool { bytes.isEmpty }

    /// Makes room for `count` more bytes at once: an answer about to list 100,000 songs grows its buffer once
    /// instead of doubling it twenty times, copying what it holds each time. Never past `limit`.
    public mutating func reserve(_ count: Int) {
        bytes.reserveCapacity(bytes.count + min(count, max(0, limit - bytes.count)))
    }

    /// Marks the start of one command's lines: if they pass `limit`, only they are dropped.
    public mutating func beginCommand() {
        commandStart = bytes.count
        overflowed = false
    }

    /// Drops the current command's lines once the answer passed `limit`, so that a client asking for more than the
    /// limit costs the daemon at most the limit. Checked at each field: one comparison per line.
    @inline(__always)
    private mutating func enforceLimit() {
        guard bytes.count > limit else { return }
        dropCommand()
    }

    /// Ends one command's lines: drops all of them if they passed `limit` at any point (`overflowed` then says so),
    /// including lines written after the last drop.
    public mutating func endCommand() {
        if overflowed || bytes.count > limit { dropCommand() }
    }

    private mutating func dropCommand() {
        bytes.removeSubrange(commandStart...)
        overflowed = true
    }

    /// Appends another builder's bytes.
    public mutating func append(_ other: ResponseBuilder) {
        bytes.append(contentsOf: other.bytes)
    }

    /// Appends raw bytes that already form complete lines.
    public mutating func appendRaw(_ raw: some Sequence<UInt8>) {
        bytes.append(contentsOf: raw)
    }

    /// `text\n`, for bare lines such as `OK` or `list_OK`.
    public mutating func line(_ text: String) {
        appendSanitized(text)
        bytes.append(0x0A)
    }

    /// `key: value\n`.
    public mutating func field(_ key: String, _ value: String) {
        appendKey(key)
        appendSanitized(value)
        bytes.append(0x0A)
    }

    /// `key: 42\n` (the common case, without generic dispatch across modules).
    public mutating func field(_ key: String, _ value: Int) {
        appendKey(key)
        if value < 0 { bytes.append(0x2D) }
        appendDigits(UInt64(value.magnitude))
        bytes.append(0x0A)
    }

    /// `key: 42\n`.
    public mutating func field(_ key: String, _ value: some BinaryInteger) {
        appendKey(key)
        appendInteger(value)
        bytes.append(0x0A)
    }

    /// `key: 0/1\n`.
    public mutating func field(_ key: String, _ value: Bool) {
        appendKey(key)
        bytes.append(value ? 0x31 : 0x30)
        bytes.append(0x0A)
    }

    /// `key: 12.346\n`: three decimals, rounded half away from zero, as MPD's `{:1.3f}` prints durations.
    public mutating func field(_ key: String, milliseconds value: Double) {
        appendKey(key)
        appendFixed3(value)
        bytes.append(0x0A)
    }

    /// `key: 2024-05-01T12:00:00Z\n` from Unix seconds (UTC).
    public mutating func field(_ key: String, timestamp unixSeconds: Int64) {
        appendKey(key)
        let days = unixSeconds >= 0 ? unixSeconds / 86_400 : (unixSeconds - 86_399) / 86_400
        let secondsOfDay = unixSeconds - days * 86_400
        let (year, month, day) = ISO8601.civilDate(daysSinceEpoch: days)
        guard (0...9999).contains(year) else {
            appendSanitized(ISO8601.format(unixSeconds: unixSeconds))
            bytes.append(0x0A)
            return
        }
        // Digit by digit, as `ISO8601.format` spells it, without building the string (once per song record).
        appendPadded(year, 4)
        bytes.append(0x2D)  // -
        appendPadded(month, 2)
        bytes.append(0x2D)
        appendPadded(day, 2)
        bytes.append(0x54)  // T
        appendPadded(secondsOfDay / 3600, 2)
        bytes.append(0x3A)  // :
        appendPadded(secondsOfDay / 60 % 60, 2)
        bytes.append(0x3A)
        appendPadded(secondsOfDay % 60, 2)
        bytes.append(0x5A)  // Z
        bytes.append(0x0A)
    }

    /// `key: 44100:16:2\n` (`f` for float samples), as `AudioFormat.mpdDescription` spells it.
    public mutating func field(_ key: String, format: AudioFormat) {
        appendKey(key)
        appendInteger(format.sampleRate)
        bytes.append(0x3A)
        if format.sampleType == .float32 { bytes.append(0x66) } else { appendInteger(format.bitsPerSample) }
        bytes.append(0x3A)
        appendInteger(format.channels)
        bytes.append(0x0A)
    }

    /// A non-negative number in at least `width` digits, zeros first.
    private mutating func appendPadded(_ value: Int64, _ width: Int) {
        var digits = 1
        var rest = value / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        for _ in digits..<max(width, digits) { bytes.append(0x30) }
        appendDigits(UInt64(value))
    }

    /// The closing `OK\n` of a successful command.
    public mutating func ok() {
        bytes.append(contentsOf: [0x4F, 0x4B, 0x0A])
    }

    /// `list_OK\n`, written after each command of a `command_list_ok_begin` list.
    public mutating func listOK() {
        bytes.append(contentsOf: "list_OK\n".utf8)
    }

    /// `ACK [code@index] {command} message\n`; the error's own command name wins over `command`.
    public mutating func ack(_ error: ProtocolError, index: Int, command: String) {
        bytes.append(contentsOf: "ACK [".utf8)
        appendInteger(error.code.rawValue)
        bytes.append(0x40)  // @
        appendInteger(index)
        bytes.append(contentsOf: [0x5D, 0x20, 0x7B])  // "] {"
        appendSanitized(error.command ?? command)
        bytes.append(contentsOf: [0x7D, 0x20])  // "} "
        appendSanitized(error.message)
        bytes.append(0x0A)
    }

    // MARK: Pieces

    private mutating func appendKey(_ key: String) {
        enforceLimit()
        appendUTF8(key)
        bytes.append(0x3A)
        bytes.append(0x20)
    }

    /// Copies the string's UTF-8 in one go (native and small strings are contiguous; `append(contentsOf:)` of a
    /// `UTF8View` went byte by byte through the generic sequence path, 40% of building a `status` answer).
    private mutating func appendUTF8(_ text: String) {
        let copied: Void? = text.utf8.withContiguousStorageIfAvailable { bytes.append(contentsOf: $0) }
        if copied == nil { bytes.append(contentsOf: text.utf8) }
    }

    private mutating func appendSanitized(_ text: String) {
        // Values almost never hold a line break: look in place, and copy from the same place (one borrow of the
        // string's storage per value: two, one to look and one to copy, were a tenth of `listall`, perf 2026-12-07).
        let copied = text.utf8.withContiguousStorageIfAvailable { raw -> Bool in
            guard let start = raw.baseAddress, !raw.isEmpty else { return true }
            // memchr, not a loop over the bytes: this runs for every value of every answer (an eighth of
            // `listall` of 100,000 songs went to the byte loop, perf 2026-12-07).
            guard memchr(start, 0x0A, raw.count) == nil, memchr(start, 0x0D, raw.count) == nil else { return false }
            bytes.append(contentsOf: raw)
            return true
        }
        if copied == true { return }
        let start = bytes.count
        appendUTF8(text)
        for index in start..<bytes.count where bytes[index] == 0x0A || bytes[index] == 0x0D {
            bytes[index] = 0x20
        }
    }

    /// Decimal digits of `value` without building a `String`.
    mutating func appendInteger(_ value: some BinaryInteger) {
        if value < 0 { bytes.append(0x2D) }
        appendDigits(UInt64(truncatingIfNeeded: value.magnitude))
    }

    /// The decimal digits of `magnitude`, most significant first.
    private mutating func appendDigits(_ magnitude: UInt64) {
        if magnitude < 10 {
            bytes.append(0x30 + UInt8(truncatingIfNeeded: magnitude))
            return
        }
        var remaining = magnitude
        var digitCount = 0
        while remaining > 0 {
            digitCount += 1
            remaining /= 10
        }
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0x30, count: digitCount))
        remaining = magnitude
        var index = start + digitCount - 1
        while remaining > 0 {
            bytes[index] = 0x30 + UInt8(truncatingIfNeeded: remaining % 10)
            remaining /= 10
            index -= 1
        }
    }

    /// `value` with exactly three decimals ("0.000" for non-finite input).
    mutating func appendFixed3(_ value: Double) {
        guard value.isFinite, abs(value) < 9.0e15 else {
            bytes.append(contentsOf: "0.000".utf8)
            return
        }
        let thousandths = Int64((abs(value) * 1000).rounded(.toNearestOrAwayFromZero))
        if value < 0 && thousandths != 0 { bytes.append(0x2D) }
        appendInteger(thousandths / 1000)
        bytes.append(0x2E)
        let fraction = thousandths % 1000
        bytes.append(0x30 + UInt8(fraction / 100))
        bytes.append(0x30 + UInt8(fraction / 10 % 10))
        bytes.append(0x30 + UInt8(fraction % 10))
    }
}

/// ISO 8601 UTC timestamps (`2024-05-01T12:00:00Z`) computed from Unix seconds, without Foundation.
public enum ISO8601 {
    /// Formats Unix seconds as `YYYY-MM-DDTHH:MM:SSZ` in UTC (proleptic Gregorian calendar).
    public static func format(unixSeconds: Int64) -> String {
        let days = unixSeconds >= 0 ? unixSeconds / 86_400 : (unixSeconds - 86_399) / 86_400
        let secondsOfDay = unixSeconds - days * 86_400
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T"
            + pad(secondsOfDay / 3600, 2) + ":" + pad(secondsOfDay / 60 % 60, 2) + ":" + pad(secondsOfDay % 60, 2)
            + "Z"
    }

    /// Year, month (1–12) and day (1–31) of a day counted from 1970-01-01, by the era arithmetic of the
    /// proleptic Gregorian calendar (400-year cycles of 146,097 days, years starting in March).
    static func civilDate(daysSinceEpoch: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = daysSinceEpoch + 719_468  // days from 0000-03-01
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

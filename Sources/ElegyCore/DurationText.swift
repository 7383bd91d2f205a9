/// Durations written the way people type them: "90s", "30m", "1h30m", "2h", or plain seconds ("45").
public enum DurationText {
    /// Seconds in `text`, or nil when it is empty, negative, malformed or too large.
    ///
    /// Units are `h`, `m` and `s`, each at most once and in that order ("1h30m15s"); case and surrounding
    /// whitespace are ignored. A bare number is seconds.
    public static func parse(_ text: String) -> Int? {
        let chars = Array(trimmed(text).lowercased())
        guard !chars.isEmpty else { return nil }
        if chars.allSatisfy(\.isASCIIDigit) { return Int(String(chars)) }

        let units: [(Character, Int)] = [("h", 3600), ("m", 60), ("s", 1)]
        var nextUnit = 0
        var total = 0
        var index = 0
        while index < chars.count {
            var digits = ""
            while index < chars.count, chars[index].isASCIIDigit {
                digits.append(chars[index])
                index += 1
            }
            guard !digits.isEmpty, index < chars.count, let value = Int(digits) else { return nil }
            let unit = chars[index]
            index += 1
            guard let position = units[nextUnit...].firstIndex(where: { $0.0 == unit }) else { return nil }
            nextUnit = position + 1
            let (product, overflow1) = value.multipliedReportingOverflow(by: units[position].1)
            let (sum, overflow2) = total.addingReportingOverflow(product)
            guard !overflow1, !overflow2 else { return nil }
            total = sum
        }
        return total
    }

    /// `text` without leading and trailing whitespace and newlines.
    static func trimmed(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }

    /// The shortest text `parse` reads back as `seconds`: 5400 → "1h30m", 2700 → "45m", 90 → "1m30s".
    /// Zero and negative values give "0s".
    public static func format(_ seconds: Int) -> String {
        guard seconds > 0 else { return "0s" }
        let hours = seconds / 3600
        let minutes = seconds % 3600 / 60
        let rest = seconds % 60
        var text = ""
        if hours > 0 { text += "\(hours)h" }
        if minutes > 0 { text += "\(minutes)m" }
        if rest > 0 { text += "\(rest)s" }
        return text
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isWholeNumber }
}

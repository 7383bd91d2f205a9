/// A JSON value with ordered object keys, rendered compactly by hand (no Foundation).
enum JSON: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    /// A number kept as text, already checked to be valid JSON (wire values like `0.97` pass through exactly).
    case number(String)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])

    /// A string, or null when absent.
    static func string(_ value: String?) -> JSON {
        value.map { .string($0) } ?? .null
    }

    /// An integer, or null when absent.
    static func int(_ value: Int?) -> JSON {
        value.map { .int($0) } ?? .null
    }

    /// A number from a protocol value such as `62.123`; null when absent or not a valid JSON number.
    static func number(wire value: String?) -> JSON {
        guard let value, isJSONNumber(value) else { return .null }
        return .number(value)
    }

    static func == (lhs: JSON, rhs: JSON) -> Bool {
        lhs.rendered == rhs.rendered
    }

    /// The compact JSON text.
    var rendered: String {
        var out = ""
        render(into: &out)
        return out
    }

    private func render(into out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .int(let value): out += String(value)
        case .number(let text): out += text
        case .string(let text): out += jsonQuoted(text)
        case .array(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                item.render(into: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (index, member) in members.enumerated() {
                if index > 0 { out += "," }
                out += jsonQuoted(member.0)
                out += ":"
                member.1.render(into: &out)
            }
            out += "}"
        }
    }
}

/// A JSON string literal: quotes, backslash and control characters escaped; everything else passes as UTF-8.
func jsonQuoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case "\u{08}": out += "\\b"
        case "\u{0C}": out += "\\f"
        case "\u{00}"..."\u{1F}", "\u{7F}":
            let hex = String(scalar.value, radix: 16)
            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: out.unicodeScalars.append(scalar)
        }
    }
    out += "\""
    return out
}

/// Whether `text` is a number in JSON's grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
func isJSONNumber(_ text: String) -> Bool {
    var bytes = Array(text.utf8)[...]
    func digits() -> Int {
        let count = bytes.prefix(while: { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }).count
        bytes = bytes.dropFirst(count)
        return count
    }
    if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
    if bytes.first == UInt8(ascii: "0") {
        bytes = bytes.dropFirst()
    } else if digits() == 0 {
        return false
    }
    if bytes.first == UInt8(ascii: ".") {
        bytes = bytes.dropFirst()
        if digits() == 0 { return false }
    }
    if bytes.first == UInt8(ascii: "e") || bytes.first == UInt8(ascii: "E") {
        bytes = bytes.dropFirst()
        if bytes.first == UInt8(ascii: "+") || bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        if digits() == 0 { return false }
    }
    return bytes.isEmpty
}

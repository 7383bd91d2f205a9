/// One `Key: value` line of an MPD response.
struct Pair: Equatable, Sendable {
    var key: String
    var value: String

    init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }

    /// Splits a response line at the first `": "`; a line without one is all key.
    init(line: String) {
        if let range = line.firstRange(of: ": ") {
            self.init(String(line[..<range.lowerBound]), String(line[range.upperBound...]))
        } else if line.hasSuffix(":") {
            self.init(String(line.dropLast()), "")
        } else {
            self.init(line, "")
        }
    }
}

/// A run of pairs that belong together: a status, one song, one playlist entry.
struct Record: Equatable, Sendable {
    var pairs: [Pair]

    init(_ pairs: [Pair] = []) {
        self.pairs = pairs
    }

    /// The first value for `key`, compared case-insensitively (MPD spells tags `Artist`, fields `file`).
    subscript(key: String) -> String? {
        let wanted = key.lowercased()
        return pairs.first(where: { $0.key.lowercased() == wanted })?.value
    }

    /// Every value for `key`, case-insensitively.
    func all(_ key: String) -> [String] {
        let wanted = key.lowercased()
        return pairs.filter { $0.key.lowercased() == wanted }.map(\.value)
    }
}

/// Splits a response into records, each starting at a line whose key is one of `starts` (for songs: `file`).
/// Lines before the first start key are dropped (a song listing may carry `directory:` lines first).
func splitRecords(_ pairs: [Pair], startingAt starts: Set<String> = ["file"]) -> [Record] {
    var records: [Record] = []
    for pair in pairs {
        if starts.contains(pair.key) {
            records.append(Record([pair]))
        } else if !records.isEmpty {
            records[records.count - 1].pairs.append(pair)
        }
    }
    return records
}

/// Quotes one argument the way libmpdclient does: `"`, with `"` and `\` escaped.
func quoteArgument(_ argument: String) -> String {
    var out = "\""
    for character in argument {
        if character == "\"" || character == "\\" { out.append("\\") }
        out.append(character)
    }
    out.append("\"")
    return out
}

/// The wire line for a command: the name, then every argument quoted. Throws when an argument holds a newline.
func commandLine(_ name: String, _ arguments: [String]) throws(ClientError) -> String {
    var line = name
    for argument in arguments {
        if argument.unicodeScalars.contains(where: { $0 == "\n" || $0 == "\r" }) {
            throw .badArgument("an argument cannot contain a line break: \(argument.debugDescription)")
        }
        line += " " + quoteArgument(argument)
    }
    return line
}

/// Finds where a key or table is written in TOML source text, for error messages that name a line.
///
/// TOMLKit reports positions only for syntax errors, not for the keys of a parsed document, so this scans
/// the text itself. It understands `[table]` and `[[array]]` headers, dotted and quoted keys, comments and
/// multi-line strings; it is a best effort for messages, not a second parser.
public enum TOMLSourceLines {
    /// The 1-based line on which `key` is assigned inside the table at `tablePath` (for an array of tables,
    /// its element number `arrayIndex`, counted from 0), or nil if it is not written there.
    ///
    /// `line(of: "volume", inTable: ["rain"], arrayIndex: nil, in: text)` finds `volume = 60` under `[rain]`
    /// as well as `rain.volume = 60` at the top level; `line(of: "title", inTable: ["songs"], arrayIndex: 2,
    /// in: text)` finds `title = …` under the third `[[songs]]`.
    public static func line(of key: String, inTable tablePath: [String], arrayIndex: Int?, in source: String)
        -> Int?
    {
        firstLine(in: source) { item in
            guard case .assignment(let path) = item.kind else { return false }
            return item.context.arrayIndex == arrayIndex && item.context.path + path == tablePath + [key]
        }
    }

    /// The 1-based line that opens the table at `tablePath` (its `[header]`, its `arrayIndex`-th `[[header]]`,
    /// or a `name = { … }` inline table), or nil if there is none.
    public static func line(ofTable tablePath: [String], arrayIndex: Int?, in source: String) -> Int? {
        firstLine(in: source) { item in
            switch item.kind {
            case .header:
                return item.context.matches(tablePath, arrayIndex)
            case .assignment(let path):
                return arrayIndex == nil && item.context.arrayIndex == nil
                    && item.context.path + path == tablePath
            }
        }
    }

    // MARK: - Scanning

    private struct Context {
        var path: [String] = []
        /// Element number when the current header is `[[path]]`.
        var arrayIndex: Int? = nil

        func matches(_ tablePath: [String], _ index: Int?) -> Bool {
            path == tablePath && arrayIndex == index
        }
    }

    private enum Kind {
        case header
        case assignment([String])
    }

    private struct Item {
        var kind: Kind
        var context: Context
    }

    /// Walks the source line by line and returns the first line number for which `predicate` holds.
    private static func firstLine(in source: String, where predicate: (Item) -> Bool) -> Int? {
        var context = Context()
        var arrayCounts: [[String]: Int] = [:]
        var openString: String? = nil  // the delimiter of a multi-line string we are inside
        var lineNumber = 0
        for rawLine in source.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = Substring(DurationText.trimmed(String(rawLine)))
            if let delimiter = openString {
                if line.contains(delimiter) { openString = nil }
                continue
            }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("[[") {
                guard let close = line.firstRange(of: "]]") else { continue }
                let path = splitKey(line[line.index(line.startIndex, offsetBy: 2)..<close.lowerBound])
                let index = arrayCounts[path, default: 0]
                arrayCounts[path] = index + 1
                context = Context(path: path, arrayIndex: index)
                if predicate(Item(kind: .header, context: context)) { return lineNumber }
            } else if line.hasPrefix("[") {
                guard let close = line.firstIndex(of: "]") else { continue }
                context = Context(path: splitKey(line[line.index(after: line.startIndex)..<close]), arrayIndex: nil)
                if predicate(Item(kind: .header, context: context)) { return lineNumber }
            } else if let equals = indexOutsideQuotes(of: "=", in: line) {
                let keyPath = splitKey(line[line.startIndex..<equals])
                if predicate(Item(kind: .assignment(keyPath), context: context)) { return lineNumber }
                let value = line[line.index(after: equals)...]
                for delimiter in ["\"\"\"", "'''"] {
                    if let start = value.firstRange(of: delimiter),
                        !value[start.upperBound...].contains(delimiter)
                    {
                        openString = delimiter
                    }
                }
            }
        }
        return nil
    }

    /// Splits a (possibly dotted, possibly quoted) key into its parts: `a."b.c" . d` → ["a", "b.c", "d"].
    private static func splitKey(_ text: Substring) -> [String] {
        var parts: [String] = []
        var current = ""
        var quote: Character? = nil
        for char in text {
            if let open = quote {
                if char == open { quote = nil } else { current.append(char) }
            } else if char == "\"" || char == "'" {
                quote = char
            } else if char == "." {
                parts.append(DurationText.trimmed(current))
                current = ""
            } else {
                current.append(char)
            }
        }
        parts.append(DurationText.trimmed(current))
        return parts
    }

    private static func indexOutsideQuotes(of target: Character, in text: Substring) -> Substring.Index? {
        var quote: Character? = nil
        var index = text.startIndex
        while index < text.endIndex {
            let char = text[index]
            if let open = quote {
                if char == open { quote = nil }
            } else if char == "\"" || char == "'" {
                quote = char
            } else if char == target {
                return index
            } else if char == "#" {
                return nil
            }
            index = text.index(after: index)
        }
        return nil
    }
}

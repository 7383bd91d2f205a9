/// A song filter for `find`, `search`, `findadd`, `searchadd`, `count`, `list`.
///
/// Accepts MPD's expression syntax — `(TAG == 'v')`, `(TAG != 'v')`, `(TAG contains 'v')`,
/// `(TAG !contains 'v')`, `(TAG starts_with 'v')`, `(base 'dir')`, `(!EXPR)`, `(EXPR AND EXPR …)` — and the old
/// `TAG VALUE [TAG VALUE …]` pairs. All parts of one filter must match.
public indirect enum Filter: Sendable, Hashable {
    /// What a tag comparison looks at.
    public enum Field: Sendable, Hashable {
        case tag(TagType)
        /// Any tag value.
        case any
        /// The song's URI.
        case file
    }

    /// How a value is compared.
    public enum Operator: Sendable, Hashable {
        case equals, contains, startsWith
    }

    /// `field op value`; `negated` for `!=` / `!contains`.
    case compare(Field, Operator, Needle, negated: Bool)
    /// The URI lies in this directory (or is this file).
    case base(String)
    case not(Filter)
    case and([Filter])

    /// Parses the filter arguments of a command. `caseSensitiveDefault` is true for `find` (exact match) and false
    /// for `search` (case-insensitive; old-style pairs then match substrings, as in MPD).
    public static func parse(arguments: [String], caseSensitiveDefault: Bool) throws(ProtocolError) -> Filter {
        guard !arguments.isEmpty else { throw ProtocolError(.arg, "Incorrect number of filter arguments") }
        var parts: [Filter] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument.hasPrefix("(") {
                var parser = ExpressionParser(text: Array(argument.unicodeScalars), ignoresCase: !caseSensitiveDefault)
                let filter = try parser.parseExpression()
                parser.skipSpaces()
                guard parser.atEnd else { throw ProtocolError(.arg, "Unparsed garbage after expression") }
                parts.append(filter)
                index += 1
                continue
            }
            guard index + 1 < arguments.count else {
                throw ProtocolError(.arg, "Incorrect number of filter arguments")
            }
            let value = arguments[index + 1]
            let oldOperator: Operator = caseSensitiveDefault ? .equals : .contains
            switch argument.lowercased() {
            case "base":
                parts.append(.base(value))
            case let name:
                guard let field = Field(name: name) else {
                    throw ProtocolError(.arg, "Unknown filter type: \(argument)")
                }
                parts.append(
                    .compare(field, oldOperator, Needle(value, ignoresCase: !caseSensitiveDefault), negated: false))
            }
            index += 2
        }
        return parts.count == 1 ? parts[0] : .and(parts)
    }

    /// The positions in `songs` of the songs that match, in order.
    public func matchingPositions(in songs: [Song]) -> [Int] {
        var positions: [Int] = []
        songs.withUnsafeBufferPointer { buffer in
            guard let first = buffer.baseAddress else { return }
            for position in buffer.indices where matches(at: first + position) { positions.append(position) }
        }
        return positions
    }

    /// The positions in `entries` (the queue, for `playlistfind`/`playlistsearch`) whose songs match, in order; each
    /// song is read where its entry holds it, not copied out.
    public func matchingPositions(in entries: [QueueEntry]) -> [Int] {
        var positions: [Int] = []
        for position in entries.indices where entries[position].withSong(matches(at:)) {
            positions.append(position)
        }
        return positions
    }

    /// Whether `song` passes the filter.
    public func matches(_ song: Song) -> Bool {
        withUnsafePointer(to: song) { matches(at: $0) }
    }

    /// `matches` on a song read in place. Through a pointer because a `Song` passed by value was copied whole at
    /// each test (every field retained and released: 60% of a `find` over 100,000 songs, perf 2026-12-07); through
    /// `pointee` only the fields tested are read.
    func matches(at song: UnsafePointer<Song>) -> Bool {
        switch self {
        case .compare(let field, let op, let needle, let negated):
            return Filter.compare(field, op, needle, song: song) != negated
        case .base(let directory):
            let trimmed = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
            return trimmed.isEmpty || song.pointee.uri == trimmed || song.pointee.uri.hasPrefix(trimmed + "/")
        case .not(let inner):
            return !inner.matches(at: song)
        case .and(let filters):
            return filters.allSatisfy { $0.matches(at: song) }
        }
    }

    private static func compare(_ field: Field, _ op: Operator, _ needle: Needle, song: UnsafePointer<Song>) -> Bool {
        switch field {
        case .file:
            return needle.test(op, song.pointee.uri)
        case .any:
            // Every tag value once: the fields, then the other tags (which hold the fields' further values too).
            for tag in TagType.fieldOrder {
                if let value = tag.value(at: song), needle.test(op, value) { return true }
            }
            return song.pointee.otherTags.contains { needle.test(op, $0.value) }
        case .tag(let tag):
            // AlbumArtist falls back to Artist when absent, as in MPD; an absent tag matches only "". A tag with
            // several values matches when one of them does.
            var source = tag
            if tag.value(at: song) == nil, tag == .albumArtist { source = .artist }
            guard let first = source.value(at: song) else { return needle.bytes.isEmpty }
            if needle.test(op, first) { return true }
            return song.pointee.otherTags.contains { $0.tag == source && needle.test(op, $0.value) }
        }
    }
}

extension Filter {
    /// A filter's value as bytes, folded once for `search` (case-insensitive). Values are compared byte by byte as
    /// MPD compares them (after case folding for `search`), and ASCII tags are lowercased as they are read, so
    /// comparing with 100,000 songs' tags allocates only for the non-ASCII ones.
    public struct Needle: Sendable, Hashable {
        let ignoresCase: Bool
        /// The UTF-8 of `value`, lowercased when `ignoresCase`.
        let bytes: [UInt8]

        init(_ value: String, ignoresCase: Bool) {
            self.ignoresCase = ignoresCase
            bytes = Array((ignoresCase ? value.lowercased() : value).utf8)
        }

        /// Whether `candidate` passes `op` against this value.
        func test(_ op: Operator, _ candidate: String) -> Bool {
            let direct = candidate.utf8.withContiguousStorageIfAvailable { text -> Bool? in
                if !ignoresCase { return Needle.find(op, in: text, bytes, lowercasingASCII: false) }
                for byte in text where byte >= 0x80 { return nil }
                return Needle.find(op, in: text, bytes, lowercasingASCII: true)
            }
            if let direct, let direct { return direct }
            // Non-ASCII text under `search`: Unicode lowercasing (for ASCII it is what `lowercasingASCII` does).
            let text = Array((ignoresCase ? candidate.lowercased() : candidate).utf8)
            return text.withUnsafeBufferPointer { Needle.find(op, in: $0, bytes, lowercasingASCII: false) }
        }

        /// `op` on the bytes of `text` against `needle`, optionally lowercasing ASCII letters of `text` as it reads.
        static func find(
            _ op: Operator, in text: UnsafeBufferPointer<UInt8>, _ needle: [UInt8], lowercasingASCII: Bool
        ) -> Bool {
            let count = needle.count
            guard count <= text.count else { return false }
            return needle.withUnsafeBufferPointer { needle -> Bool in
                @inline(__always) func byte(_ index: Int) -> UInt8 {
                    let value = text[index]
                    return lowercasingASCII && value &- 65 < 26 ? value | 0x20 : value
                }
                func matches(at start: Int) -> Bool {
                    for offset in 0..<count where byte(start + offset) != needle[offset] { return false }
                    return true
                }
                switch op {
                case .equals: return count == text.count && matches(at: 0)
                case .startsWith: return matches(at: 0)
                case .contains:
                    guard let first = needle.first else { return true }
                    for start in 0...(text.count - count) where byte(start) == first {
                        if matches(at: start) { return true }
                    }
                    return false
                }
            }
        }
    }
}

extension Filter.Field {
    /// `file` (or `filename`), `any`, or a tag name, case-insensitively.
    init?(name: String) {
        switch name.lowercased() {
        case "file", "filename": self = .file
        case "any": self = .any
        default:
            guard let tag = TagType(name: name) else { return nil }
            self = .tag(tag)
        }
    }
}

/// Recursive-descent parser for one parenthesised filter expression.
private struct ExpressionParser {
    let text: [Unicode.Scalar]
    let ignoresCase: Bool
    var index = 0
    /// Guards the recursion against hostile nesting.
    var depth = 0

    init(text: [Unicode.Scalar], ignoresCase: Bool) {
        self.text = text
        self.ignoresCase = ignoresCase
    }

    var atEnd: Bool { index >= text.count }
    var current: Unicode.Scalar? { index < text.count ? text[index] : nil }

    mutating func skipSpaces() {
        while let scalar = current, scalar == " " || scalar == "\t" { index += 1 }
    }

    mutating func expect(_ scalar: Unicode.Scalar) throws(ProtocolError) {
        guard current == scalar else { throw ProtocolError(.arg, "'\(scalar)' expected") }
        index += 1
    }

    mutating func parseExpression() throws(ProtocolError) -> Filter {
        depth += 1
        defer { depth -= 1 }
        guard depth <= 64 else { throw ProtocolError(.arg, "Filter nested too deeply") }
        try expect("(")
        skipSpaces()
        if current == "(" {
            var items = [try parseExpression()]
            skipSpaces()
            while current != ")" {
                guard try word() == "AND" else { throw ProtocolError(.arg, "'AND' expected") }
                skipSpaces()
                items.append(try parseExpression())
                skipSpaces()
            }
            index += 1
            return items.count == 1 ? items[0] : .and(items)
        }
        if current == "!" {
            index += 1
            skipSpaces()
            let inner = try parseExpression()
            skipSpaces()
            try expect(")")
            return .not(inner)
        }
        let name = try word()
        skipSpaces()
        if name == "base" {
            let value = try quoted()
            skipSpaces()
            try expect(")")
            return .base(value)
        }
        guard let field = Filter.Field(name: name) else { throw ProtocolError(.arg, "Unknown filter type: \(name)") }
        let (op, negated) = try comparison()
        skipSpaces()
        let value = try quoted()
        skipSpaces()
        try expect(")")
        return .compare(field, op, Filter.Needle(value, ignoresCase: ignoresCase), negated: negated)
    }

    /// Letters, digits, `_` and `-` (tag names, `AND`, operator words).
    mutating func word() throws(ProtocolError) -> String {
        let start = index
        while let scalar = current, scalar.properties.isAlphabetic || scalar == "_" || scalar == "-"
            || ("0"..."9").contains(scalar)
        {
            index += 1
        }
        guard index > start else { throw ProtocolError(.arg, "Word expected") }
        var result = ""
        result.unicodeScalars.append(contentsOf: text[start..<index])
        return result
    }

    mutating func comparison() throws(ProtocolError) -> (Filter.Operator, Bool) {
        let next = index + 1 < text.count ? text[index + 1] : nil
        if current == "=", next == "=" {
            index += 2
            return (.equals, false)
        }
        if current == "!", next == "=" {
            index += 2
            return (.equals, true)
        }
        var negated = false
        if current == "!" {
            negated = true
            index += 1
        }
        switch try word().lowercased() {
        case "contains": return (.contains, negated)
        case "starts_with" where !negated: return (.startsWith, false)
        default: throw ProtocolError(.arg, "'==', '!=', 'contains' or 'starts_with' expected")
        }
    }

    /// `'…'` or `"…"`, a backslash taking the next character literally.
    mutating func quoted() throws(ProtocolError) -> String {
        guard let quote = current, quote == "'" || quote == "\"" else {
            throw ProtocolError(.arg, "Quoted string expected")
        }
        index += 1
        var result = String.UnicodeScalarView()
        while true {
            guard var scalar = current else { throw ProtocolError(.arg, "Closing quote not found") }
            if scalar == quote { break }
            if scalar == "\\" {
                index += 1
                guard let escaped = current else { throw ProtocolError(.arg, "Closing quote not found") }
                scalar = escaped
            }
            result.append(scalar)
            index += 1
        }
        index += 1
        return String(result)
    }
}

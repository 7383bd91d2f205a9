/// What a title's bracketed or dashed suffix says about the recording, from "the same" to "a different one".
enum TitleVersion: Int, Comparable, Sendable {
    /// No suffix, or only noise such as "[FLAC]" / "(24bit/96kHz)".
    case none, format
    /// "Remastered 2011", "(Mono)": the same recording.
    case remaster
    /// "(TV Size)", "(Short ver.)", "(Album ver.)": the same song, another cut.
    case size
    /// Other "... ver." / "edit" / "mix" labels, such as "(Yui final ver.)".
    case other
    /// "Live", "Acoustic", "Piano ver.", "Remix": the same song, another performance.
    case performance
    /// "Instrumental", "Off Vocal", "Karaoke": a different recording that must not stand in for the song.
    case instrumental

    static func < (lhs: TitleVersion, rhs: TitleVersion) -> Bool { lhs.rawValue < rhs.rawValue }

    /// How much a match loses for this version label.
    var penalty: Double {
        switch self {
        case .none, .format: 0
        case .remaster: 0.01
        case .size: 0.03
        case .other: 0.05
        case .performance: 0.08
        case .instrumental: 0.6
        }
    }
}

/// A title taken apart: its folded core words and what its suffixes said.
struct ParsedTitle: Sendable {
    /// Folded core words ("birds poem").
    var words: String
    /// `plain` with romanisation variants merged (`MatchText.romajiKey`): the index key.
    var key: String
    var version: TitleVersion
    /// The suffix text that set `version`, as written ("TV Size").
    var versionLabel: String
    /// True when a bracket said something that is neither a version nor noise ("(From Cowboy Bebop)").
    var hasUnknownSuffix: Bool
    /// Compact folded text of brackets that named no version, such as "(From Cowboy Bebop)".
    var context: [String]
    /// Featured artists named in the title ("feat. Mai Yamane"), as written.
    var featured: String?
    var hasCJK: Bool
    /// The width-folded core before folding: where a caller looks for "Artist - Title". Left empty for plain
    /// ASCII titles without a dash, which have nothing to split.
    var rawCore: [Unicode.Scalar]

    /// `words` without spaces.
    var plain: String { MatchText.compact(words) }
    var isEmpty: Bool { key.isEmpty }
    var tokens: [Substring] { words.split(separator: " ") }

    /// True when a title alone is specific enough to trust from a file that names no artist: three words and
    /// twelve letters, sixteen letters, or four CJK characters ("Ichiban no Takaramono", "一番の宝物"; not "Blue",
    /// not "Hoshi Sayonara").
    var isDistinctive: Bool {
        if hasCJK { return plain.unicodeScalars.count >= 4 }
        let letters = plain.utf8.count
        return letters >= 16 || tokens.count >= 3 && letters >= 12
    }

    /// A stricter `isDistinctive` for files whose artist is written in a script the curated artist is not (so it
    /// can neither agree nor disagree): four words, or twenty letters, or four CJK characters.
    var isVeryDistinctive: Bool {
        if hasCJK { return plain.unicodeScalars.count >= 4 }
        let letters = plain.utf8.count
        return letters >= 20 || tokens.count >= 4 && letters >= 14
    }
}

extension MatchText {
    private static func isOpener(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x28, 0x5B, 0x7B, 0x3010, 0x3014, 0x3008, 0x300A, 0xFF5F: true
        default: false
        }
    }

    private static func isCloser(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x29, 0x5D, 0x7D, 0x3011, 0x3015, 0x3009, 0x300B, 0xFF60: true
        default: false
        }
    }

    /// Parses a title: brackets and version suffixes set aside, "feat. X" removed, the rest folded.
    static func parseTitle(_ text: some StringProtocol, stripTrackNumber: Bool = true) -> ParsedTitle {
        if isPlainASCII(text.utf8) {
            // Most titles: nothing to strip, so fold the bytes directly.
            let words = foldASCII(text.utf8)
            return ParsedTitle(
                words: words, key: romajiKey(words), version: .none, versionLabel: "", hasUnknownSuffix: false,
                context: [], featured: nil, hasCJK: false, rawCore: []
            )
        }
        return parseTitle(scalars: widthFolded(text), stripTrackNumber: stripTrackNumber)
    }

    /// True for ASCII text with no bracket, dash, tilde, leading digit or "f" starting a later word: a title with
    /// no suffix, track number or "feat." to take apart.
    static func isPlainASCII(_ bytes: some Collection<UInt8>) -> Bool {
        if let first = bytes.first, first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9") { return false }
        var previous: UInt8 = 0
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let byte = bytes[index]
            index = bytes.index(after: index)
            switch byte {
            case 0x80...0xFF, UInt8(ascii: "("), UInt8(ascii: "["), UInt8(ascii: "{"), UInt8(ascii: "-"),
                UInt8(ascii: "~"):
                return false
            case UInt8(ascii: "f") where previous == UInt8(ascii: " "),
                UInt8(ascii: "F") where previous == UInt8(ascii: " "):
                // "ft", "ft.", "feat", "featuring"
                let next = Array(bytes[index...].prefix(3)).map { $0 | 0x20 }
                if next.starts(with: "eat".utf8) { return false }
                if next.first == UInt8(ascii: "t"), next.count == 1 || next[1] == UInt8(ascii: ".") || next[1] == 0x20 {
                    return false
                }
            default:
                break
            }
            previous = byte
        }
        return true
    }

    /// Parses width-folded title scalars (see `parseTitle(_:stripTrackNumber:)`).
    static func parseTitle(scalars input: [Unicode.Scalar], stripTrackNumber: Bool = true) -> ParsedTitle {
        if input.allSatisfy({ $0.value < 0x80 }) {
            let bytes = input.lazy.map { UInt8(truncatingIfNeeded: $0.value) }
            if isPlainASCII(bytes) {
                let words = foldASCII(bytes)
                return ParsedTitle(
                    words: words, key: romajiKey(words), version: .none, versionLabel: "", hasUnknownSuffix: false,
                    context: [], featured: nil, hasCJK: false, rawCore: []
                )
            }
        }
        var scalars = input
        if stripTrackNumber, let rest = afterTrackNumber(scalars, loose: false) {
            scalars = Array(scalars[rest...])
        }
        var version = TitleVersion.none
        var label = ""
        var context: [String] = []
        var featured: String?
        var hasUnknown = false

        func note(_ segment: ArraySlice<Unicode.Scalar>) -> Bool {
            let folded = fold(segment)
            if folded.isEmpty { return true }
            switch classify(folded) {
            case .featuring(let dropped):
                featured = String(String.UnicodeScalarView(segment)).dropFirstWords(dropped)
                return true
            case .version(let kind):
                if kind > version || version == .none {
                    version = max(version, kind)
                    label = trimmed(String(String.UnicodeScalarView(segment)))
                }
                return true
            case .unknown:
                hasUnknown = true
                context.append(compact(folded))
                return false
            }
        }

        // Brackets anywhere.
        var core: [Unicode.Scalar] = []
        if scalars.contains(where: isOpener) {
            var depth = 0
            var segment: [Unicode.Scalar] = []
            for scalar in scalars {
                if isOpener(scalar) {
                    if depth > 0 { segment.append(scalar) } else { segment.removeAll(keepingCapacity: true) }
                    depth += 1
                    core.append(" ")
                } else if isCloser(scalar), depth > 0 {
                    depth -= 1
                    if depth == 0 { _ = note(segment[...]) } else { segment.append(scalar) }
                } else if depth > 0 {
                    segment.append(scalar)
                } else {
                    core.append(scalar)
                }
            }
            if depth > 0 { _ = note(segment[...]) }
            if fold(core[...]).isEmpty {
                core = scalars
                version = .none
                label = ""
                context = []
                hasUnknown = false
            }
        } else {
            core = scalars
        }

        // Version suffixes after " - ", "~...~" or " -...-".
        for _ in 0..<3 {
            trimTrailingSpaces(&core)
            guard let (cut, suffix) = trailingSuffix(core) else { break }
            let folded = fold(suffix)
            guard !folded.isEmpty else {
                core.removeSubrange(cut...)
                continue
            }
            guard case .version = classify(folded) else {
                if case .featuring = classify(folded), cut > 0 {
                    _ = note(suffix)
                    core.removeSubrange(cut...)
                    continue
                }
                break
            }
            _ = note(suffix)
            core.removeSubrange(cut...)
        }

        // "feat. X" inline.
        if let (start, rest) = inlineFeaturing(core) {
            featured = String(String.UnicodeScalarView(core[rest...]))
            core.removeSubrange(start...)
        }
        trimTrailingSpaces(&core)

        let words = fold(core[...])
        return ParsedTitle(
            words: words, key: romajiKey(words), version: version, versionLabel: label, hasUnknownSuffix: hasUnknown,
            context: context, featured: featured.map(trimmed), hasCJK: hasCJK(words), rawCore: core
        )
    }

    // MARK: Suffix classification

    enum SuffixKind {
        case featuring(droppedWords: Int)
        case version(TitleVersion)
        case unknown
    }

    private static let featuringWords: Set<Substring> = ["feat", "ft", "featuring"]
    private static let instrumentalWords: Set<Substring> = [
        "instrumental", "instrumentals", "inst", "instr", "karaoke", "offvocal", "backing", "minusone",
    ]
    private static let instrumentalCJK = ["カラオケ", "インスト", "オフボーカル", "オフヴォーカル"].map { compact(fold($0)) }
    private static let performanceWords: Set<Substring> = [
        "live", "acoustic", "piano", "orchestra", "orchestral", "remix", "rmx", "cover", "unplugged", "demo",
        "english", "strings", "guitar", "acapella", "cappella", "jazz", "bossa", "lofi", "8bit", "musicbox",
        "symphonic", "chorus", "rearrange", "arrange", "arranged", "ballad", "dubstep", "nightcore",
    ]
    private static let performanceCJK = ["ピアノ", "アコースティック", "ライブ", "リミックス", "オーケストラ"].map { compact(fold($0)) }
    private static let sizeWords: Set<Substring> = [
        "tv", "tvsize", "size", "short", "full", "album", "single", "radio", "original", "op", "ed", "opening",
        "ending", "anime", "movie", "game", "theme",
    ]
    private static let sizeCJK = ["サイズ", "ショート", "フル"].map { compact(fold($0)) }
    private static let otherWords: Set<Substring> = ["ver", "version", "edit", "mix", "take", "vocal", "final", "vers"]
    private static let otherCJK = ["バージョン"].map { compact(fold($0)) }
    private static let formatWords: Set<Substring> = [
        "flac", "mp3", "aac", "m4a", "ogg", "opus", "wav", "alac", "ape", "wv", "lossless", "hires", "hi", "res",
        "cd", "web", "vinyl", "rip", "cdrip", "webrip", "bit", "khz", "kbps", "vbr", "cbr", "v0", "v2", "hq", "hd",
        "k", "mqa", "dsd", "bd", "bdrip",
    ]
    private static let unitSuffixes = ["bit", "khz", "kbps", "k", "hz"]

    /// What a folded suffix or bracket text says ("tv size" → `.version(.size)`).
    static func classify(_ folded: String) -> SuffixKind {
        let tokens = folded.split(separator: " ")
        guard let first = tokens.first else { return .unknown }
        if featuringWords.contains(first) { return .featuring(droppedWords: 1) }
        let joined = compact(folded)
        let has = { (words: Set<Substring>) in tokens.contains(where: words.contains) }
        let isASCII = !joined.utf8.contains { $0 >= 0x80 }
        let hasCJK = { (words: [String]) in !isASCII && words.contains { contains(joined, $0) } }
        if has(instrumentalWords) || hasCJK(instrumentalCJK) || contains(joined, "offvocal")
            || contains(joined, "novocal") || contains(joined, "withoutvocal")
        {
            return .version(.instrumental)
        }
        if tokens.contains(where: { $0.hasPrefix("remaster") }) || tokens.contains("mono") || tokens.contains("stereo")
        {
            return .version(.remaster)
        }
        if has(performanceWords) || hasCJK(performanceCJK) { return .version(.performance) }
        if has(sizeWords) || hasCJK(sizeCJK) { return .version(.size) }
        if has(otherWords) || hasCJK(otherCJK) { return .version(.other) }
        let isFormat = tokens.allSatisfy { token in
            formatWords.contains(token) || token.allSatisfy(\.isASCIIDigit)
                || unitSuffixes.contains { unit in
                    token.hasSuffix(unit) && token.dropLast(unit.count).allSatisfy(\.isASCIIDigit)
                }
        }
        return isFormat ? .version(.format) : .unknown
    }

    // MARK: Scanning helpers

    /// The start of a trailing " - X", "~X~", " ~X" or " -X-" suffix and the suffix itself.
    private static func trailingSuffix(_ core: [Unicode.Scalar]) -> (Int, ArraySlice<Unicode.Scalar>)? {
        guard let last = core.last else { return nil }
        if last == "~" || last == "-" {
            // "~TV size~", " -TV size-"
            var index = core.count - 2
            while index > 0 {
                if core[index] == last, last == "~" || core[index - 1] == " " {
                    return (index, core[(index + 1)..<(core.count - 1)])
                }
                index -= 1
            }
            return nil
        }
        var index = core.count - 2
        while index > 0 {
            let scalar = core[index]
            if scalar == "-", core[index - 1] == " ", core[index + 1] == " " {
                return (index - 1, core[(index + 2)...])
            }
            if scalar == "~", core[index - 1] == " " || core[index - 1].value > 0x7F {
                return (index, core[(index + 1)...])
            }
            index -= 1
        }
        return nil
    }

    /// Where " feat. X" / " ft. X" / " featuring X" starts in a title, and where X starts.
    private static func inlineFeaturing(_ core: [Unicode.Scalar]) -> (Int, Int)? {
        var index = 1
        while index < core.count {
            if core[index - 1] == " ", let length = featuringWordLength(core, at: index) {
                let rest = index + length
                if rest < core.count { return (index - 1, rest) }
            }
            index += 1
        }
        return nil
    }

    private static func featuringWordLength(_ core: [Unicode.Scalar], at index: Int) -> Int? {
        for word in ["featuring", "feat.", "feat", "ft."] where matchesASCII(core, at: index, word: word) {
            let end = index + word.utf8.count
            if end == core.count || core[end] == " " || word.hasSuffix(".") { return word.utf8.count }
        }
        return nil
    }

    private static func matchesASCII(_ core: [Unicode.Scalar], at index: Int, word: String) -> Bool {
        var position = index
        for byte in word.utf8 {
            guard position < core.count else { return false }
            var value = core[position].value
            if value >= 0x41 && value <= 0x5A { value += 32 }
            if value != UInt32(byte) { return false }
            position += 1
        }
        return true
    }

    /// Where a title starts after a leading track number: "03 - X", "03. X"; loosely (file names) also
    /// "03 X", "03_X", "1-03 X". Nil when there is no track number or nothing after it.
    static func afterTrackNumber(_ scalars: [Unicode.Scalar], loose: Bool) -> Int? {
        var index = 0
        func digits() -> Int {
            let start = index
            while index < scalars.count, index - start < 4, scalars[index].value >= 0x30, scalars[index].value <= 0x39 {
                index += 1
            }
            return index - start
        }
        let count = digits()
        guard count >= 1, count <= 3 else { return nil }
        if loose, index + 1 < scalars.count, scalars[index] == "-" || scalars[index] == ".",
            scalars[index + 1].value >= 0x30, scalars[index + 1].value <= 0x39
        {
            let save = index
            index += 1
            let second = digits()
            if second == 0 || second > 3 { index = save }
        }
        let separatorStart = index
        var sawMark = false
        var sawSpace = false
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == " " {
                sawSpace = true
            } else if scalar == "-" || scalar == "." || (loose && scalar == "_") {
                sawMark = true
            } else {
                break
            }
            index += 1
        }
        guard index > separatorStart, index < scalars.count else { return nil }
        if scalars[index].value >= 0x30 && scalars[index].value <= 0x39 { return nil }
        if loose { return index }
        return sawMark && sawSpace ? index : nil
    }

    private static func trimTrailingSpaces(_ core: inout [Unicode.Scalar]) {
        while let last = core.last, last == " " || last == "\t" { core.removeLast() }
    }

    static func trimmed(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[start...end])
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

extension String {
    /// The text after its first `count` words.
    fileprivate func dropFirstWords(_ count: Int) -> String {
        var rest = Substring(self)
        for _ in 0..<count {
            rest = rest.drop(while: { $0 == " " })
            rest = rest.drop(while: { $0 != " " })
        }
        return MatchText.trimmed(String(rest))
    }
}

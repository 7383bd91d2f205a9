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
            if endsWithVersionWord(words.utf8) {
                return parseTitle(scalars: widthFolded(text), stripTrackNumber: stripTrackNumber, plainChecked: true)
            }
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
    static func parseTitle(
        scalars input: [Unicode.Scalar], stripTrackNumber: Bool = true, plainChecked: Bool = false
    ) -> ParsedTitle {
        if !plainChecked, input.allSatisfy({ $0.value < 0x80 }) {
            let bytes = input.lazy.map { UInt8(truncatingIfNeeded: $0.value) }
            if isPlainASCII(bytes), case let words = foldASCII(bytes), !endsWithVersionWord(words.utf8) {
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

        var words = fold(core[...])
        // An unbracketed "TV Size" / "off vocal" at the end ("Blue TV Size", "Blue off vocal").
        if let (kept, phrase) = trailingVersionWords(words), case .version(let kind) = classify(phrase) {
            words = kept
            if kind > version || version == .none {
                version = max(version, kind)
                label = phrase
            }
        }
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
    static let instrumentalWords: Set<Substring> = [
        "instrumental", "instrumentals", "inst", "instr", "karaoke", "offvocal", "backing", "minusone",
    ]
    static let instrumentalCJK = ["カラオケ", "インスト", "オフボーカル", "オフヴォーカル"].map { compact(fold($0)) }
    private static let performanceWords: Set<Substring> = [
        "live", "acoustic", "piano", "orchestra", "orchestral", "remix", "rmx", "cover", "covered", "unplugged", "demo",
        "english", "strings", "guitar", "acapella", "cappella", "jazz", "bossa", "lofi", "8bit", "musicbox",
        "symphonic", "chorus", "rearrange", "arrange", "arranged", "ballad", "dubstep", "nightcore",
    ]
    private static let performanceCJK = [
        "ピアノ", "アコースティック", "ライブ", "リミックス", "オーケストラ", "カバー", "歌ってみた",
    ].map { compact(fold($0)) }
    private static let sizeWords: Set<Substring> = [
        "tv", "tvsize", "size", "short", "full", "album", "single", "radio", "original", "op", "ed", "opening",
        "ending", "anime", "movie", "game", "theme",
    ]
    private static let sizeCJK = ["サイズ", "ショート", "フル"].map { compact(fold($0)) }
    private static let fullWords: Set<Substring> = ["full", "original"]
    private static let fullCJK = ["フル"].map { compact(fold($0)) }
    /// Words of a shortened cut: with them, "full" or "original" no longer means the whole recording.
    private static let cutWords: Set<Substring> = ["tv", "tvsize", "short", "edit", "radio", "movie"]
    private static let cutCJK = ["ショート", "テレビ"].map { compact(fold($0)) }
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
        // "Full ver.", "Original Size": the whole recording, not a cut of it.
        if has(fullWords) || hasCJK(fullCJK), !has(cutWords), !hasCJK(cutCJK) { return .version(.remaster) }
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

// MARK: - Unbracketed versions, recording marks, role prefixes

extension MatchText {
    /// Last words that may end an unbracketed version phrase ("Blue TV Size", "Blue off vocal").
    private static let versionEndWords: Set<String> = [
        "size", "ver", "version", "vocal", "vocals", "instrumental", "inst", "karaoke", "tvsize", "offvocal",
    ]
    /// Unbracketed version phrases taken off the end of a title: two words, then one.
    private static let trailingPhrases2: Set<String> = [
        "tv size", "tv ver", "tv version", "tv sized", "short ver", "short version", "short size", "full ver",
        "full version", "full size", "off vocal", "off vocals", "no vocal", "without vocal",
    ]
    private static let trailingPhrases1: Set<String> = ["tvsize", "instrumental", "inst", "karaoke", "offvocal"]
    private static let trailingCJK = ["カラオケ", "オフボーカル", "オフヴォーカル", "インスト", "歌ってみた", "カバー"].map { fold($0) }

    /// True when folded ASCII words end with a word an unbracketed version phrase ends with: such titles take the
    /// slow path, which strips the phrase.
    static func endsWithVersionWord(_ words: some BidirectionalCollection<UInt8>) -> Bool {
        guard let last = words.last, last >= UInt8(ascii: "a"), last <= UInt8(ascii: "z") else { return false }
        let space = words.lastIndex(of: UInt8(ascii: " ")).map { words.index(after: $0) } ?? words.startIndex
        guard space != words.startIndex else { return false }
        let word = words[space...]
        guard word.count >= 3, word.count <= 12 else { return false }
        return versionEndWords.contains { $0.utf8.elementsEqual(word) }
    }

    /// Lower-case ASCII pieces of every off-vocal and cover word: text without one of them (and without non-ASCII
    /// letters) has no mark, and need not be folded to find out.
    private static let markTriggers: [[UInt8]] = ["inst", "karaoke", "vocal", "minus", "backing", "cover", "utatte"]
        .map { Array($0.utf8) }

    /// False when raw text cannot hold an off-vocal or cover mark: plain ASCII with none of their letters.
    static func mayHoldRecordingMarks(_ raw: String) -> Bool {
        var raw = raw
        return raw.withUTF8 { bytes in
            guard bytes.count >= 4 else { return false }
            for start in 0...(bytes.count - 4) {
                let byte = bytes[start]
                if byte >= 0x80 { return true }
                for trigger in markTriggers where trigger[0] == byte | 0x20 && start + trigger.count <= bytes.count {
                    var index = 1
                    while index < trigger.count, bytes[start + index] | 0x20 == trigger[index] { index += 1 }
                    if index == trigger.count { return true }
                }
            }
            return bytes[(bytes.count - 3)...].contains { $0 >= 0x80 }
        }
    }

    /// Folded words without a trailing unbracketed version phrase, and the phrase; nil when there is none or
    /// nothing would be left.
    static func trailingVersionWords(_ words: String) -> (kept: String, phrase: String)? {
        let tokens = words.split(separator: " ")
        if tokens.count >= 3, trailingPhrases2.contains(tokens.suffix(2).joined(separator: " ")) {
            return (tokens.dropLast(2).joined(separator: " "), tokens.suffix(2).joined(separator: " "))
        }
        if tokens.count >= 2, let last = tokens.last, trailingPhrases1.contains(String(last)) {
            return (tokens.dropLast().joined(separator: " "), String(last))
        }
        if tokens.count >= 2, let last = tokens.last, trailingCJK.contains(String(last)) {
            return (tokens.dropLast().joined(separator: " "), String(last))
        }
        return nil
    }

    /// Words that say a file is a cover ("Blue (cover)", "歌ってみた", a "Covers" folder).
    private static let coverWords: Set<Substring> = ["cover", "covers", "covered", "utattemita"]
    private static let coverCJK = ["カバー", "歌ってみた"].map { compact(fold($0)) }
    private static let selfCoverCJK = compact(fold("セルフカバー"))
    /// Two words that together say "no vocals": "off vocal", "minus one".
    private static let instrumentalPairs: Set<String> = [
        "offvocal", "offvocals", "novocal", "novocals", "withoutvocal", "withoutvocals", "minusone", "backingtrack",
        "offvo",
    ]
    private static let vocalCJK = ["ボーカル", "ヴォーカル"].map { compact(fold($0)) }
    private static let offVocalCJK = ["オフボーカル", "オフヴォーカル"].map { compact(fold($0)) }

    /// The off-vocal and cover words in folded text (as written there, for the reason text), skipping the
    /// words in `ignoring` (the curated titles' and show's own words). With `vocalCancels` (folders, albums), a
    /// "vocal" word elsewhere ("Vocal & Instrumental Collection") cancels the off-vocal mark.
    static func recordingMarks(in folded: String, ignoring: Set<Substring>, vocalCancels: Bool)
        -> (offVocal: String?, cover: String?)
    {
        guard !folded.isEmpty else { return (nil, nil) }
        let tokens = folded.split(separator: " ")
        var offVocal: String?
        var cover: String?
        var positiveVocal = false
        for index in tokens.indices {
            let token = tokens[index]
            if ignoring.contains(token) { continue }
            let previous = index > 0 ? tokens[index - 1] : ""
            if offVocal == nil, instrumentalWords.contains(token) { offVocal = String(token) }
            if offVocal == nil, index + 1 < tokens.count, !ignoring.contains(tokens[index + 1]),
                instrumentalPairs.contains(String(token + tokens[index + 1]))
            {
                offVocal = token + " " + tokens[index + 1]
            }
            if token == "vocal" || token == "vocals", !["off", "no", "without", "non"].contains(previous) {
                positiveVocal = true
            }
            if cover == nil, coverWords.contains(token), previous != "self" { cover = String(token) }
        }
        if folded.unicodeScalars.contains(where: { $0.value >= 0x80 }) {
            let joined = compact(folded)
            let ignored = ignoring.map { String($0) }
            func unignored(_ word: String) -> Bool {
                contains(joined, word) && !ignored.contains { contains($0, word) }
            }
            if offVocal == nil, let word = instrumentalCJK.first(where: unignored) { offVocal = word }
            if cover == nil, let word = coverCJK.first(where: unignored), !contains(joined, selfCoverCJK) {
                cover = word
            }
            if vocalCJK.contains(where: { contains(joined, $0) }), !offVocalCJK.contains(where: { contains(joined, $0) }) {
                positiveVocal = true
            }
        }
        if vocalCancels, positiveVocal { offVocal = nil }
        return (offVocal, cover)
    }

    /// The role a file name's prefix names ("OP3 ", "ED2 - ", "IN_", "Ending - ") and where the title starts
    /// after it, looking from `start`. Bare upper-case "OP", "ED" and "IN" need a dash, dot or underscore after
    /// them ("IN THE END" is a title); with a number ("op2 ") a space is enough.
    static func afterRolePrefix(_ scalars: [Unicode.Scalar], from start: Int = 0) -> (start: Int, role: SongRole)? {
        guard start < scalars.count else { return nil }
        let prefixes: [(word: String, role: SongRole, exactCase: Bool)] = [
            ("NCOP", .opening, true), ("NCED", .ending, true), ("OP", .opening, true), ("ED", .ending, true),
            ("IN", .insert, true), ("opening", .opening, false), ("ending", .ending, false), ("insert", .insert, false),
            ("op", .opening, false), ("ed", .ending, false),
        ]
        for (word, role, exactCase) in prefixes {
            var index = start
            var matched = true
            for byte in word.utf8 {
                guard index < scalars.count else {
                    matched = false
                    break
                }
                var value = scalars[index].value
                if !exactCase, value >= 0x41, value <= 0x5A { value += 32 }
                if value != UInt32(byte) {
                    matched = false
                    break
                }
                index += 1
            }
            guard matched else { continue }
            // "Opening 2 - Title": a spelled-out role may have a space before its number.
            if !exactCase, word.utf8.count > 2, index + 1 < scalars.count, scalars[index] == " ",
                scalars[index + 1].value >= 0x30, scalars[index + 1].value <= 0x39
            {
                index += 1
            }
            let digitsStart = index
            while index < scalars.count, index - digitsStart < 3, scalars[index].value >= 0x30,
                scalars[index].value <= 0x39
            {
                index += 1
            }
            let hasNumber = index > digitsStart
            // A short lower-case "op"/"ed" is a prefix only with its number ("op2"), never a word start.
            if !exactCase, word.utf8.count <= 2, !hasNumber { continue }
            let separatorStart = index
            var sawMark = false
            while index < scalars.count, " -_.".unicodeScalars.contains(scalars[index]) {
                if scalars[index] != " " { sawMark = true }
                index += 1
            }
            guard index > separatorStart, index < scalars.count else { continue }
            if !hasNumber, !sawMark { continue }
            return (index, role)
        }
        return nil
    }

    /// The role a whole short text names: "ED2", "OP", "Ending 3", "IN" (the other side of "ED2 - Title").
    static func roleMarker(_ text: String) -> SongRole? {
        let scalars = Array(trimmed(text).unicodeScalars) + [" ", "-", "x"]
        guard let (start, role) = afterRolePrefix(scalars), start == scalars.count - 1 else { return nil }
        return role
    }
}

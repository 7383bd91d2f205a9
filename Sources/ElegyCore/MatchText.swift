// Canonical decomposition comes from utf8proc (a small C library), not the standard library's private `_nfd`.
import CUTF8Proc

/// Text folding for matching: case-, width-, diacritic- and punctuation-insensitive forms of titles and names.
///
/// The folded form is lower-case letters and digits in words separated by single spaces. Full-width ASCII and
/// half-width katakana are mapped to their usual widths, diacritics are stripped after canonical decomposition
/// ("ō" → "o", "é" → "e"), apostrophes vanish ("Bird's" → "birds") and every other punctuation mark or symbol
/// separates words. Japanese voiced-sound marks are kept: "が" and "か" stay different.
enum MatchText {
    // MARK: Width folding

    /// Half-width katakana U+FF61...U+FF9D in their full-width spelling.
    private static let halfWidthKana: [Unicode.Scalar] = Array(
        "。「」、・ヲァィゥェォャュョッーアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン"
            .unicodeScalars
    )

    /// Appends `scalar` with full-width ASCII, ideographic space, half-width katakana and Latin ligatures folded.
    static func appendWidthFolded(_ scalar: Unicode.Scalar, to out: inout [Unicode.Scalar]) {
        let value = scalar.value
        if value < 0x80 {
            out.append(scalar)
            return
        }
        switch value {
        case 0xFF01...0xFF5E:
            out.append(Unicode.Scalar(UInt8(value - 0xFEE0)))
        case 0x3000:
            out.append(" ")
        case 0x301C, 0x2053:  // wave dash, swung dash: written where ASCII titles use "~"
            out.append("~")
        case 0x2010...0x2015, 0x2212:  // hyphens and dashes
            out.append("-")
        case 0xFF61...0xFF9D:
            out.append(halfWidthKana[Int(value - 0xFF61)])
        case 0xFF9E:
            out.append("\u{3099}")
        case 0xFF9F:
            out.append("\u{309A}")
        case 0xFB00: out.append(contentsOf: ["f", "f"])
        case 0xFB01: out.append(contentsOf: ["f", "i"])
        case 0xFB02: out.append(contentsOf: ["f", "l"])
        case 0xFB03: out.append(contentsOf: ["f", "f", "i"])
        case 0xFB04: out.append(contentsOf: ["f", "f", "l"])
        default:
            out.append(scalar)
        }
    }

    /// The scalars of `text` with widths folded (see `appendWidthFolded`).
    static func widthFolded(_ text: some StringProtocol) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars { appendWidthFolded(scalar, to: &out) }
        return out
    }

    // MARK: Folding

    /// Folds text to lower-case words separated by single spaces (see the type's description).
    static func fold(_ text: some StringProtocol) -> String {
        fold(widthFolded(text)[...])
    }

    /// Folds width-folded scalars to lower-case words separated by single spaces.
    static func fold(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        if scalars.allSatisfy({ $0.value < 0x80 }) {
            return foldASCII(scalars.lazy.map { UInt8(truncatingIfNeeded: $0.value) })
        }
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in canonicalDecomposition(scalars) {
            switch classify(scalar) {
            case .drop:
                continue
            case .separator:
                pendingSpace = !out.isEmpty
            case .keep:
                if pendingSpace {
                    out.append(" ")
                    pendingSpace = false
                }
                appendLowercased(scalar, to: &out)
            }
        }
        return String(out)
    }

    /// The scalars in Unicode's canonical decomposition (NFD), through utf8proc.
    static func canonicalDecomposition(_ scalars: ArraySlice<Unicode.Scalar>) -> [Unicode.Scalar] {
        var utf8: [UInt8] = []
        utf8.reserveCapacity(scalars.count * 4)
        for scalar in scalars { UTF8.encode(scalar) { utf8.append($0) } }
        var capacity = scalars.count * 3 + 4
        while true {
            var points = [Int32](repeating: 0, count: capacity)
            let count = utf8.withUnsafeBufferPointer { bytes in
                points.withUnsafeMutableBufferPointer { out in
                    utf8proc_decompose(
                        bytes.baseAddress, utf8proc_ssize_t(bytes.count), out.baseAddress, utf8proc_ssize_t(capacity),
                        utf8proc_option_t(UTF8PROC_DECOMPOSE.rawValue | UTF8PROC_STABLE.rawValue))
                }
            }
            guard count >= 0 else { return Array(scalars) }  // utf8proc refused the text: keep it as it is
            if count <= capacity { return points.prefix(count).compactMap { Unicode.Scalar(UInt32(bitPattern: $0)) } }
            capacity = count
        }
    }

    /// `fold` for ASCII bytes.
    static func foldASCII(_ input: some Collection<UInt8>) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(input.count)
        foldASCII(input, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `fold` for ASCII bytes, appended to `bytes`.
    static func foldASCII(_ input: some Sequence<UInt8>, into bytes: inout [UInt8]) {
        var pendingSpace = false
        for var byte in input {
            switch byte {
            case UInt8(ascii: "'"), UInt8(ascii: "`"):
                continue
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                byte += 32
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                break
            default:
                pendingSpace = !bytes.isEmpty
                continue
            }
            if pendingSpace {
                bytes.append(UInt8(ascii: " "))
                pendingSpace = false
            }
            bytes.append(byte)
        }
    }

    private enum ScalarClass { case keep, drop, separator }

    private static func classify(_ scalar: Unicode.Scalar) -> ScalarClass {
        switch scalar.value {
        case 0x27, 0x60, 0xB4, 0x2018, 0x2019, 0x201B, 0x2032, 0x02BC, 0x02BB:  // apostrophes vanish
            return .drop
        case 0x0300...0x036F, 0x1AB0...0x1AFF, 0x1DC0...0x1DFF, 0x20D0...0x20FF, 0xFE20...0xFE2F:  // diacritics
            return .drop
        case 0x3099, 0x309A:  // Japanese voiced-sound marks change the word
            return .keep
        default:
            break
        }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .decimalNumber, .letterNumber, .otherNumber, .spacingMark, .enclosingMark:
            return .keep
        case .nonspacingMark:
            return .keep
        default:
            return .separator
        }
    }

    private static func appendLowercased(_ scalar: Unicode.Scalar, to out: inout String.UnicodeScalarView) {
        switch scalar.value {
        case 0x41...0x5A:
            out.append(Unicode.Scalar(UInt8(scalar.value + 32)))
        case 0x00...0x7F:
            out.append(scalar)
        case 0xDF: out.append(contentsOf: "ss".unicodeScalars)  // ß
        case 0xC6, 0xE6: out.append(contentsOf: "ae".unicodeScalars)  // Æ æ
        case 0x152, 0x153: out.append(contentsOf: "oe".unicodeScalars)  // Œ œ
        case 0xD8, 0xF8: out.append("o")  // Ø ø
        case 0x110, 0x111, 0xD0, 0xF0: out.append("d")  // Đ đ Ð ð
        case 0x141, 0x142: out.append("l")  // Ł ł
        case 0x131: out.append("i")  // dotless i
        case 0xDE, 0xFE: out.append(contentsOf: "th".unicodeScalars)  // Þ þ
        default:
            if scalar.properties.changesWhenLowercased {
                out.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
    }

    // MARK: Keys

    /// The folded words without their spaces: "kimi no na wa" and "kiminonawa" compare equal.
    static func compact(_ words: String) -> String {
        guard words.utf8.contains(UInt8(ascii: " ")) else { return words }
        return String(decoding: words.utf8.filter { $0 != UInt8(ascii: " ") }, as: UTF8.self)
    }

    /// True when `needle` occurs in `haystack` once spaces are removed from both ("cowboybebop" in
    /// "cowboy bebop original soundtrack").
    static func containsIgnoringSpaces(_ haystack: String, _ needle: [UInt8]) -> Bool {
        var hay: [UInt8] = []
        hay.reserveCapacity(haystack.utf8.count)
        for byte in haystack.utf8 where byte != UInt8(ascii: " ") { hay.append(byte) }
        return contains(hay, needle)
    }

    /// True when `needle` occurs in `haystack`, compared as UTF-8 bytes.
    static func contains(_ haystack: String, _ needle: String) -> Bool {
        var haystack = haystack
        var needle = needle
        return haystack.withUTF8 { hay in needle.withUTF8 { contains(hay, $0) } }
    }

    /// True when the bytes of `needle` occur in `hay`.
    static func contains<Bytes: RandomAccessCollection<UInt8>>(_ hay: Bytes, _ needle: Bytes) -> Bool
    where Bytes.Index == Int {
        guard !needle.isEmpty else { return true }
        guard hay.count >= needle.count else { return false }
        outer: for start in 0...(hay.count - needle.count) {
            for offset in 0..<needle.count
            where hay[hay.startIndex + start + offset] != needle[needle.startIndex + offset] {
                continue outer
            }
            return true
        }
        return false
    }

    /// A compact key with romanisation variants merged: "ou"/"oo" → "o", "uu" → "u", "mb"/"mp" → "nb"/"np",
    /// the particle "wo" → "o" ("Shōjo", "Shoujo" and "Shojo"; "Kimi wo" and "Kimi o").
    static func romajiKey(_ words: String) -> String {
        if !needsRomajiKey(words.utf8) { return compact(words) }
        var out: [UInt8] = []
        out.reserveCapacity(words.utf8.count)
        romajiKey(words.utf8, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `romajiKey` over folded bytes, appended to `out`.
    static func romajiKey(_ words: some Sequence<UInt8>, into out: inout [UInt8]) {
        var wordStart = true
        var iterator = words.makeIterator()
        var pending = iterator.next()
        while let byte = pending {
            let next = iterator.next()
            if byte == UInt8(ascii: " ") {
                wordStart = true
                pending = next
                continue
            }
            // The particle "wo" as a whole word becomes "o" (which then starts the word).
            if wordStart, byte == UInt8(ascii: "w"), next == UInt8(ascii: "o") {
                var lookahead = iterator
                let after = lookahead.next()
                if after == nil || after == UInt8(ascii: " ") {
                    pending = next
                    continue
                }
            }
            let atWordStart = wordStart
            wordStart = false
            var emitted = byte
            if byte == UInt8(ascii: "m"), next == UInt8(ascii: "b") || next == UInt8(ascii: "p") {
                emitted = UInt8(ascii: "n")
            }
            if !atWordStart, let last = out.last,
                (last == UInt8(ascii: "o") && (byte == UInt8(ascii: "u") || byte == UInt8(ascii: "o")))
                    || (last == UInt8(ascii: "u") && byte == UInt8(ascii: "u"))
            {
                pending = next
                continue
            }
            out.append(emitted)
            pending = next
        }
    }

    /// False when `romajiKey` would only remove spaces: no "ou", "oo", "uu", "mb", "mp" or "wo".
    private static func needsRomajiKey(_ bytes: String.UTF8View) -> Bool {
        var previous: UInt8 = 0
        for byte in bytes {
            switch (previous, byte) {
            case (UInt8(ascii: "o"), UInt8(ascii: "u")), (UInt8(ascii: "o"), UInt8(ascii: "o")),
                (UInt8(ascii: "u"), UInt8(ascii: "u")), (UInt8(ascii: "m"), UInt8(ascii: "b")),
                (UInt8(ascii: "m"), UInt8(ascii: "p")), (UInt8(ascii: "w"), UInt8(ascii: "o")):
                return true
            default:
                previous = byte
            }
        }
        return false
    }

    /// FNV-1a hash of a word's bytes: a cheap, stable dictionary key for the word index.
    static func wordHash(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return hash
    }

    /// True when the text holds kana, CJK ideographs or Hangul: such titles must match exactly.
    static func hasCJK(_ text: String) -> Bool {
        text.utf8.contains { $0 >= 0x80 } && text.unicodeScalars.contains { isCJK($0) }
    }

    /// True for kana, CJK ideographs and Hangul syllables or jamo.
    static func isCJK(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x1100...0x11FF, 0x3040...0x30FF, 0x3130...0x318F, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xAC00...0xD7AF,
            0xF900...0xFAFF, 0x20000...0x2FFFF:
            return true
        default:
            return false
        }
    }

    /// How alike two keys are, 0...1: one minus the edit distance over the longer length, on UTF-8 bytes.
    static func similarity(_ lhs: String, _ rhs: String, atLeast floor: Double = 0) -> Double {
        var lhs = lhs
        var rhs = rhs
        let longest = max(lhs.utf8.count, rhs.utf8.count)
        if longest == 0 { return 1 }
        let limit = Int((1 - floor) * Double(longest))
        let distance = lhs.withUTF8 { a in rhs.withUTF8 { b in editDistance(a, b, limit: limit) } }
        return 1 - Double(distance) / Double(longest)
    }

    /// Letter counts of a key: half the difference of two profiles is a lower bound of their edit distance, and
    /// far cheaper to compute.
    struct LetterProfile {
        private var counts = [Int](repeating: 0, count: 40)

        /// Counts the bytes of `text` in.
        mutating func add(_ text: String) {
            for byte in text.utf8 { counts[Self.bin(byte)] += 1 }
        }

        /// A lower bound of the edit distance between the profiled text and `text`.
        func distanceBound(to text: String) -> Int {
            var difference = counts
            for byte in text.utf8 { difference[Self.bin(byte)] -= 1 }
            var positive = 0
            var negative = 0
            for value in difference {
                if value > 0 { positive += value } else { negative -= value }
            }
            return max(positive, negative)
        }

        private static func bin(_ byte: UInt8) -> Int {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"): Int(byte - UInt8(ascii: "a"))
            case UInt8(ascii: "0")...UInt8(ascii: "9"): 26 + Int(byte - UInt8(ascii: "0"))
            default: 36 + Int(byte & 3)
            }
        }
    }

    /// Levenshtein distance between two byte strings; once it must exceed `limit`, some value above `limit`.
    static func editDistance(
        _ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>, limit: Int = .max
    ) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        if abs(a.count - b.count) > limit { return abs(a.count - b.count) }
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * (b.count + 1)) { rows in
            var previous = 0
            var current = b.count + 1
            for j in 0...b.count { rows[j] = j }
            for i in 1...a.count {
                rows[current] = i
                var rowMinimum = i
                for j in 1...b.count {
                    let substitution = rows[previous + j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                    let cell = min(substitution, rows[previous + j] + 1, rows[current + j - 1] + 1)
                    rows[current + j] = cell
                    rowMinimum = min(rowMinimum, cell)
                }
                if rowMinimum > limit { return rowMinimum }
                swap(&previous, &current)
            }
            return rows[previous + b.count]
        }
    }
}

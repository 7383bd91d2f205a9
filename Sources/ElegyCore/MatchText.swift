// The stdlib's own canonical decomposition (the SPI swift-foundation builds `decomposedStringWithCanonicalMapping`
// on). Using it keeps ElegyCore free of Foundation; should it ever disappear, FoundationEssentials offers the same.
@_spi(_Unicode) import Swift

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
            return foldASCII(scalars)
        }
        var composed = String.UnicodeScalarView()
        composed.append(contentsOf: scalars)
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in String(composed)._nfd {
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

    private static func foldASCII(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(scalars.count)
        var pendingSpace = false
        for scalar in scalars {
            var byte = UInt8(truncatingIfNeeded: scalar.value)
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
        return String(decoding: bytes, as: UTF8.self)
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
        var view = String.UnicodeScalarView()
        view.append(contentsOf: words.unicodeScalars.lazy.filter { $0 != " " })
        return String(view)
    }

    /// A compact key with romanisation variants merged: "ou"/"oo" → "o", "uu" → "u", "mb"/"mp" → "nb"/"np",
    /// the particle "wo" → "o" ("Shōjo", "Shoujo" and "Shojo"; "Kimi wo" and "Kimi o").
    static func romajiKey(_ words: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(words.utf8.count)
        var wordStart = true
        var iterator = words.utf8.makeIterator()
        var pending = iterator.next()
        while let byte = pending {
            let next = iterator.next()
            if byte == UInt8(ascii: " ") {
                wordStart = true
                pending = next
                continue
            }
            // The particle "wo" as a whole word.
            if wordStart, byte == UInt8(ascii: "w"), next == UInt8(ascii: "o") {
                var lookahead = iterator
                let after = lookahead.next()
                if after == nil || after == UInt8(ascii: " ") {
                    pending = next
                    wordStart = false
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
        return String(decoding: out, as: UTF8.self)
    }

    /// True when the text holds kana, CJK ideographs or Hangul: such titles must match exactly.
    static func hasCJK(_ text: String) -> Bool {
        text.unicodeScalars.contains { isCJK($0) }
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
    static func similarity(_ lhs: String, _ rhs: String) -> Double {
        let a = Array(lhs.utf8)
        let b = Array(rhs.utf8)
        let longest = max(a.count, b.count)
        if longest == 0 { return 1 }
        return 1 - Double(editDistance(a, b)) / Double(longest)
    }

    /// Levenshtein distance between two byte strings.
    static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(substitution, previous[j] + 1, current[j - 1] + 1)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}

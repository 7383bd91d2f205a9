/// One artist name folded for comparison ("The Seatbelts" → words ["seatbelts"]).
struct ArtistName: Sendable, Hashable {
    var words: [Substring]
    /// Words sorted and joined: "yuki kajiura" and "kajiura yuki" agree.
    var sorted: String
    /// Words joined without spaces, in their written order.
    var compact: String
    /// `sorted` with romanisation variants merged.
    var romaji: String
    var hasCJK: Bool
    /// True when the name has a Latin letter or digit: "Sasakiさん" can be compared with a romanised name.
    var hasLatin: Bool

    init?(words input: [Substring]) {
        var words = input
        while let first = words.first, first == "the" || first == "cv" || first == "vo" { words.removeFirst() }
        guard !words.isEmpty else { return nil }
        self.words = words
        sorted = words.sorted().joined(separator: " ")
        compact = words.joined()
        romaji = MatchText.romajiKey(sorted)
        hasCJK = MatchText.hasCJK(compact)
        hasLatin = compact.utf8.contains { $0 < 0x80 }
    }
}

/// How well two artist names agree.
enum NameMatch: Int, Comparable, Sendable {
    case none, partial, same

    static func < (lhs: NameMatch, rhs: NameMatch) -> Bool { lhs.rawValue < rhs.rawValue }
}

extension MatchText {
    /// Characters that separate artists in one field: & / , ; + × 、 : | and brackets ("Yui (CV: Nao Touyama)").
    private static let nameSeparators: Set<UInt32> = [
        0x26, 0x2F, 0x2C, 0x3B, 0x2B, 0xD7, 0x3001, 0x3A, 0x7C, 0x28, 0x29, 0x5B, 0x5D, 0x7B, 0x7D, 0x3010, 0x3011,
        0xFF5F, 0xFF60,
    ]
    /// Words that separate artists: "and", "feat", "x", "with", "vs".
    private static let connectorWords: Set<Substring> = [
        "and", "feat", "ft", "featuring", "x", "with", "vs", "starring",
    ]
    /// Names that say nothing about who performs: compilation album artists and library folders.
    static let genericNames: Set<String> = [
        "various artists", "various", "va", "v a", "unknown artist", "unknown", "soundtrack", "soundtracks", "ost",
        "original soundtrack", "anime", "compilation", "compilations", "music", "artist", "artists", "others",
        "other", "misc", "singles", "downloads", "library", "mp3", "flac", "anime music", "anime songs", "anime ost",
        "jpop", "j pop", "game", "games", "unsorted", "incoming", "my music", "audio", "songs", "ost s", "osts",
        "anime osts", "soundtrack s",
    ]

    /// The artists named in one tag or curated field, generic names dropped.
    static func artistNames(_ raw: String) -> [ArtistName] {
        var pieces: [[Unicode.Scalar]] = [[]]
        for scalar in widthFolded(raw) {
            if nameSeparators.contains(scalar.value) {
                pieces.append([])
            } else {
                pieces[pieces.count - 1].append(scalar)
            }
        }
        var names: [ArtistName] = []
        for piece in pieces {
            let folded = fold(piece[...])
            guard !folded.isEmpty, !genericNames.contains(folded) else { continue }
            var words: [Substring] = []
            for word in folded.split(separator: " ") {
                if connectorWords.contains(word) {
                    if let name = ArtistName(words: words) { names.append(name) }
                    words.removeAll()
                } else {
                    words.append(word)
                }
            }
            if let name = ArtistName(words: words) { names.append(name) }
        }
        return names
    }

    /// True when a folded name is a compilation or library word ("Various Artists", "Soundtracks").
    static func isGenericName(_ raw: some StringProtocol) -> Bool {
        let folded = fold(raw)
        return folded.isEmpty || genericNames.contains(folded)
    }

    /// How two names agree: the same (order, spacing, romanisation, one typo in a long name), one contained in
    /// the other ("Kanno" in "Yoko Kanno"), or not at all.
    static func match(_ a: ArtistName, _ b: ArtistName) -> NameMatch {
        if a.compact == b.compact || a.sorted == b.sorted || a.romaji == b.romaji { return .same }
        if !a.hasCJK, !b.hasCJK, a.compact.utf8.count >= 6, b.compact.utf8.count >= 6,
            similarity(a.romaji, b.romaji) >= 0.85 || similarity(a.compact, b.compact) >= 0.85
        {
            return .same
        }
        // One name inside the other: "Kanno" in "Yoko Kanno", but not "Monster" in "Girls Dead Monster".
        let (small, large) = a.words.count <= b.words.count ? (a, b) : (b, a)
        if small.compact.unicodeScalars.count >= 5, small.words.count >= 2 || large.words.count <= 2,
            small.words.allSatisfy(large.words.contains)
        {
            return .partial
        }
        return .none
    }

    /// The best agreement between any name of `lhs` and any name of `rhs`.
    static func bestMatch(_ lhs: [ArtistName], _ rhs: [ArtistName]) -> NameMatch {
        var best = NameMatch.none
        for a in lhs {
            for b in rhs {
                best = max(best, match(a, b))
                if best == .same { return best }
            }
        }
        return best
    }
}

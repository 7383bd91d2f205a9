/// One way to read a file's title: from its tag, from part of its tag, or from its file name.
struct FileReading {
    /// Where the title came from, and what the rest of that text was.
    enum Source {
        case tag
        /// One side of "X - Title" in a title tag; `other` is the other side (often the show or the artist).
        case tagPart(other: String)
        /// A file name; `artist` is the "Artist" of "Artist - Title" when there is one.
        case fileName(artist: String?)
        /// A file name read the other way round: "Title - Artist".
        case fileNameSwapped(artist: String)
    }

    var title: ParsedTitle
    var source: Source

    /// Titles a scanner's tags like "Track 03" or "Untitled" carry instead of the real one.
    private static let placeholderWords: Set<Substring> = [
        "track", "untitled", "unknown", "audiotrack", "piste", "titel",
    ]

    /// The readings of a song: its title tag (and both sides of "X - Y" in it), else its file name.
    static func readings(of song: Song) -> [FileReading] {
        if let tag = song.title {
            let title = MatchText.parseTitle(tag)
            if !title.isEmpty, !isPlaceholder(title) {
                var out = [FileReading(title: title, source: .tag)]
                if let (left, right) = splitDash(title.rawCore) {
                    let leftTitle = MatchText.parseTitle(scalars: left)
                    let rightTitle = MatchText.parseTitle(scalars: right)
                    if !rightTitle.isEmpty {
                        out.append(FileReading(title: rightTitle, source: .tagPart(other: text(left))))
                    }
                    if !leftTitle.isEmpty {
                        out.append(FileReading(title: leftTitle, source: .tagPart(other: text(right))))
                    }
                }
                return out
            }
        }
        return pathReadings(song)
    }

    /// The title of an ASCII file name with nothing but a track number to strip ("03 - Blue.flac"); nil for
    /// anything else, which `pathReadings` takes apart in full.
    private static func plainFileNameTitle(_ uri: String) -> ParsedTitle? {
        let title = uri.utf8.withContiguousStorageIfAvailable { bytes -> ParsedTitle? in
            var start = 0
            var end = bytes.count
            if let slash = bytes.lastIndex(of: UInt8(ascii: "/")) { start = slash + 1 }
            if let dot = bytes[start...].lastIndex(of: UInt8(ascii: ".")), (1...5).contains(end - dot - 1) { end = dot }
            guard start < end, !bytes[start..<end].contains(where: { $0 >= 0x80 }) else { return nil }
            let scalars = bytes[start..<end].map { Unicode.Scalar($0) }
            let skip = MatchText.afterTrackNumber(scalars, loose: true) ?? 0
            let rest = bytes[(start + skip)..<end]
            guard MatchText.isPlainASCII(rest) else { return nil }
            let words = MatchText.foldASCII(rest)
            guard !words.isEmpty else { return nil }
            return ParsedTitle(
                words: words, key: MatchText.romajiKey(words), version: .none, versionLabel: "",
                hasUnknownSuffix: false, context: [], featured: nil, hasCJK: false, rawCore: []
            )
        }
        return title ?? nil
    }

    private static func pathReadings(_ song: Song) -> [FileReading] {
        if let title = plainFileNameTitle(song.uri) {
            return [FileReading(title: title, source: .fileName(artist: nil))]
        }
        var name = Substring(song.uri)
        if let slash = name.lastIndex(of: "/") { name = name[name.index(after: slash)...] }
        let ext = song.fileExtension
        if !ext.isEmpty, ext.utf8.count <= 5 { name = name.dropLast(ext.utf8.count + 1) }
        var scalars = MatchText.widthFolded(name).map { $0 == "_" ? " " : $0 }
        if let start = MatchText.afterTrackNumber(scalars, loose: true) { scalars.removeFirst(start) }
        let whole = MatchText.parseTitle(scalars: scalars, stripTrackNumber: false)
        var out: [FileReading] = []
        if let (left, right) = splitDash(whole.rawCore) {
            let title = MatchText.parseTitle(scalars: right)
            if !title.isEmpty { out.append(FileReading(title: title, source: .fileName(artist: text(left)))) }
            let swapped = MatchText.parseTitle(scalars: left)
            if !swapped.isEmpty {
                out.append(FileReading(title: swapped, source: .fileNameSwapped(artist: text(right))))
            }
        }
        if !whole.isEmpty { out.append(FileReading(title: whole, source: .fileName(artist: nil))) }
        return out
    }

    /// False when folded title bytes cannot be a placeholder: they start with neither a digit nor a placeholder word.
    static func mayBePlaceholder(_ bytes: [UInt8]) -> Bool {
        guard let byte = bytes.first else { return true }
        if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") { return true }
        guard "tuap".utf8.contains(byte) else { return false }
        return placeholderWords.contains { bytes.starts(with: $0.utf8) }
    }

    private static func isPlaceholder(_ title: ParsedTitle) -> Bool {
        let bytes = title.words.utf8
        guard let byte = bytes.first else { return true }
        // Only titles starting with a digit or a placeholder word can be placeholders.
        let isDigit = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
        guard isDigit || placeholderWords.contains(where: { bytes.starts(with: $0.utf8) }) else { return false }
        let tokens = title.tokens
        guard let first = tokens.first else { return true }
        if tokens.allSatisfy({ $0.allSatisfy(\.isNumber) }) { return true }
        return placeholderWords.contains(first) && tokens.dropFirst().allSatisfy { $0.allSatisfy(\.isNumber) }
    }

    /// "A - B" split at the first " - ": A and the text after the last " - " (so "A - 03 - B" gives A and B).
    private static func splitDash(_ core: [Unicode.Scalar]) -> ([Unicode.Scalar], [Unicode.Scalar])? {
        var first: Int?
        var last: Int?
        var index = 1
        while index + 1 < core.count {
            if core[index] == "-", core[index - 1] == " ", core[index + 1] == " " {
                if first == nil { first = index }
                last = index
            }
            index += 1
        }
        guard let first, let last, first > 1, last + 2 < core.count else { return nil }
        return (Array(core[..<(first - 1)]), Array(core[(last + 2)...]))
    }

    private static func text(_ scalars: [Unicode.Scalar]) -> String {
        MatchText.trimmed(String(String.UnicodeScalarView(scalars)))
    }
}

/// A curated song prepared for matching: its titles parsed, its artists and show folded.
struct Target {
    var song: CuratedSong
    var titles: [ParsedTitle]
    var artists: [ArtistName]
    /// The show's name(s), compact and folded ("cowboybebop"); short ones are matched as whole words instead.
    var anime: [(compact: [UInt8], words: String)]

    init(_ song: CuratedSong) {
        self.song = song
        var titles: [ParsedTitle] = []
        for text in [song.title] + song.aliases {
            let title = MatchText.parseTitle(text, stripTrackNumber: false)
            if !title.isEmpty, !titles.contains(where: { $0.key == title.key }) { titles.append(title) }
        }
        self.titles = titles
        artists = MatchText.artistNames(song.artist)
        var anime: [([UInt8], String)] = []
        var piece: [Unicode.Scalar] = []
        for scalar in MatchText.widthFolded(song.anime) + ["/"] {
            if "()[]/;|".unicodeScalars.contains(scalar) {
                let words = MatchText.fold(piece[...])
                if !words.isEmpty { anime.append((Array(MatchText.compact(words).utf8), words)) }
                piece.removeAll()
            } else {
                piece.append(scalar)
            }
        }
        self.anime = anime
    }

    /// True when folded text names the show.
    func mentionsAnime(_ words: String) -> Bool {
        guard !words.isEmpty else { return false }
        for (compact, animeWords) in anime {
            // Five letters, or two CJK characters (six bytes), are specific enough to find inside other text.
            if compact.count >= 5 {
                if MatchText.containsIgnoringSpaces(words, compact) { return true }
            } else if MatchText.contains(Array((" " + words + " ").utf8), Array((" " + animeWords + " ").utf8)) {
                return true
            }
        }
        return false
    }
}

/// How the file's artists relate to the curated artist.
enum ArtistEvidence {
    case agree, partial
    /// The file names no artist, or only one in another script.
    case unknown(otherScript: String?)
    /// Only the folder a file sits in suggests another artist.
    case folderDisagrees(String)
    /// The file's artist tag (or "Artist - Title" name) names someone else.
    case disagrees(String)
}

extension Resolver {
    /// Scores one library file against a curated song: the best of its readings against any curated title.
    func evaluate(_ index: Int, target: Target) -> Scored {
        let song = library[index]
        let format = song.format
        var best = Scored(
            uri: song.uri, score: -1, reason: "", lossless: song.isLossless, sampleRate: format?.sampleRate ?? 0,
            bits: format?.bitsPerSample ?? 0
        )
        let context = FileContext(song, target: target)
        for reading in FileReading.readings(of: song) {
            for title in target.titles {
                let (score, reason) = score(reading, against: title, context: context, target: target)
                if score > best.score {
                    best.score = score
                    best.reason = reason
                }
            }
        }
        best.score = max(0, best.score)
        if best.reason.isEmpty { best.reason = "title does not match" }
        return best
    }

    private func score(
        _ reading: FileReading, against wanted: ParsedTitle, context: FileContext, target: Target
    ) -> (Double, String) {
        let file = reading.title
        // Title.
        var exact = false
        var similarity: Double
        var title: Double
        if file.key == wanted.key {
            exact = true
            similarity = 1
            title = 1
            if file.plain != wanted.plain { title -= 0.03 }
        } else if !file.hasCJK, !wanted.hasCJK {
            similarity = MatchText.similarity(file.key, wanted.key)
            title = similarity - 0.05
            let tokens = file.tokens
            let want = wanted.tokens
            let span = want.count
            if span >= 2, tokens.count > span,
                (0...(tokens.count - span)).contains(where: { tokens[$0..<($0 + span)].elementsEqual(want) })
            {
                title = max(title, 0.7)
            }
            if title < 0.4 {
                return (max(0, title * 0.5), "title similarity \(Self.format(similarity)) below threshold")
            }
        } else {
            return (0, "title does not match")
        }
        let instrumentalMismatch = (file.version == .instrumental) != (wanted.version == .instrumental)
        if wanted.version != .instrumental { title -= file.version.penalty }
        if file.hasUnknownSuffix { title -= 0.02 }
        if instrumentalMismatch { title = min(title, 0.4) }

        // Where the title came from.
        var anime = false
        var sourceArtist: (raw: String, names: [ArtistName])?
        switch reading.source {
        case .tag:
            break
        case .tagPart(let other):
            let folded = MatchText.fold(other)
            if target.mentionsAnime(folded) {
                anime = true
                title -= 0.02
            } else if MatchText.bestMatch(MatchText.artistNames(other), target.artists) != .none {
                title -= 0.02
            } else {
                title -= 0.2
            }
        case .fileName(let artist):
            if let artist { sourceArtist = (artist, MatchText.artistNames(artist)) }
        case .fileNameSwapped(let artist):
            title -= 0.05
            sourceArtist = (artist, MatchText.artistNames(artist))
        }
        if let source = sourceArtist, target.mentionsAnime(MatchText.fold(source.raw)) {
            anime = true
            sourceArtist = nil
        }

        let evidence = context.artistEvidence(target: target, fileNameArtist: sourceArtist, featured: file.featured)
        // The show's name matters little once the artist agrees or disagrees: look for it only otherwise.
        switch evidence {
        case .agree where title >= 1, .disagrees: break
        default: anime = anime || context.mentionsAnime
        }
        var score: Double
        switch evidence {
        case .agree:
            score = title + (anime ? 0.02 : 0)
        case .partial:
            score = title - 0.06 + (anime ? 0.04 : 0)
        case .unknown(let otherScript):
            let distinctive = otherScript == nil ? wanted.isDistinctive : wanted.isVeryDistinctive
            score = title - 0.3 + (anime ? 0.2 : 0) + (exact && distinctive ? 0.15 : 0)
        case .folderDisagrees:
            score = title - 0.38 + (anime ? 0.2 : 0)
        case .disagrees:
            score = min(0.45, title * 0.35)
        }
        score = (min(1, max(0, score)) * 1000).rounded() / 1000

        // Why, should it fall short.
        let titlePart = exact ? "title matches" : "title similarity \(Self.format(similarity))"
        let reason: String
        if instrumentalMismatch {
            let label = file.version == .instrumental ? file.versionLabel : "vocal"
            reason = "\(titlePart) but the '\(label)' version is a different recording"
        } else if case .disagrees(let artist) = evidence {
            reason = "\(titlePart) but artist '\(artist)' disagrees with '\(target.song.artist)'"
        } else if case .folderDisagrees(let folder) = evidence {
            reason = "\(titlePart) but folder '\(folder)' names another artist than '\(target.song.artist)'"
        } else if !exact, title < threshold {
            reason = "title similarity \(Self.format(similarity)) below threshold"
        } else if case .unknown(let other) = evidence, !anime {
            if let other {
                reason =
                    "\(titlePart) but artist '\(other)' cannot be compared with '\(target.song.artist)'"
                    + " and nothing ties the file to '\(target.song.anime)'"
            } else {
                reason = "\(titlePart) but the file names no artist and nothing ties it to '\(target.song.anime)'"
            }
        } else {
            reason = "score \(Self.format(score)) below threshold \(Self.format(threshold))"
        }
        return (score, reason)
    }

    /// Two decimals, without Foundation ("0.62").
    static func format(_ value: Double) -> String {
        let hundredths = Int((max(0, value) * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100)." + (fraction < 10 ? "0" : "") + "\(fraction)"
    }
}

/// What a file's tags and path say besides its title; a class so that what one reading works out the next reuses.
final class FileContext {
    private let song: Song
    private let target: Target
    private var evidence: [String: ArtistEvidence] = [:]
    /// True when the artist or album artist tag is the show's name (taggers do that to soundtracks).
    private var tagNamesAnime = false

    init(_ song: Song, target: Target) {
        self.song = song
        self.target = target
    }

    /// The artist and album artist tags, generic ones ("Various Artists") and the show's name left out.
    private(set) lazy var tagArtists: [(raw: String, names: [ArtistName])] = {
        var out: [(raw: String, names: [ArtistName])] = []
        for raw in [song.artist, song.albumArtist].compactMap({ $0 }) where !MatchText.isGenericName(raw) {
            if target.mentionsAnime(MatchText.fold(raw)) {
                tagNamesAnime = true
                continue
            }
            let names = MatchText.artistNames(raw)
            if !names.isEmpty { out.append((raw, names)) }
        }
        return out
    }()

    private lazy var directories: [Substring] = Array(song.uri.split(separator: "/").dropLast())
    private lazy var folderNames: [[ArtistName]] = directories.map { MatchText.artistNames(String($0)) }
        .filter { !$0.isEmpty }

    /// The folder in the artist position of `Artist/Album/Track`, unless generic or the show's name.
    private lazy var artistFolder: String? = {
        guard directories.count >= 2 else { return nil }
        let folder = directories[directories.count - 2]
        if MatchText.isGenericName(folder) || target.mentionsAnime(MatchText.fold(folder)) { return nil }
        return String(folder)
    }()

    /// True when the album, a folder, the title tag or an artist tag names the show.
    lazy var mentionsAnime: Bool = {
        _ = tagArtists
        if tagNamesAnime { return true }
        if let album = song.album, target.mentionsAnime(MatchText.fold(album)) { return true }
        if directories.contains(where: { target.mentionsAnime(MatchText.fold($0)) }) { return true }
        if let title = song.title, target.mentionsAnime(MatchText.fold(title)) { return true }
        return false
    }()

    /// Weighs the file's artist tags, its "Artist - Title" name, composer, featured names and folders.
    func artistEvidence(target: Target, fileNameArtist: (raw: String, names: [ArtistName])?, featured: String?)
        -> ArtistEvidence
    {
        let cacheKey = (fileNameArtist?.raw ?? "") + "\u{1}" + (featured ?? "")
        if let known = evidence[cacheKey] { return known }
        let found = weighArtists(
            target: target, fileNameArtist: fileNameArtist, featured: featured.map(MatchText.artistNames) ?? []
        )
        evidence[cacheKey] = found
        return found
    }

    private func weighArtists(
        target: Target, fileNameArtist: (raw: String, names: [ArtistName])?, featured: [ArtistName]
    ) -> ArtistEvidence {
        let wanted = target.artists
        guard !wanted.isEmpty else { return .unknown(otherScript: nil) }
        var strong = tagArtists
        if strong.isEmpty, let fileNameArtist, !fileNameArtist.names.isEmpty { strong.append(fileNameArtist) }
        var best = NameMatch.none
        var disagreeing: String?
        var otherScript: String?
        let wantedCJK = wanted.contains { $0.hasCJK }
        for source in strong {
            let match = MatchText.bestMatch(source.names, wanted)
            best = max(best, match)
            if match == .none {
                if !wantedCJK, !source.names.contains(where: \.hasLatin) {
                    otherScript = otherScript ?? source.raw
                } else {
                    disagreeing = disagreeing ?? source.raw
                }
            }
        }
        if best < .same {
            let composers = song.composer.map(MatchText.artistNames) ?? []
            best = max(best, MatchText.bestMatch(composers, wanted), MatchText.bestMatch(featured, wanted))
        }
        // Folders speak only for files whose tags name nobody: they never overrule an artist tag.
        if best < .same, strong.isEmpty {
            for names in folderNames {
                best = max(best, MatchText.bestMatch(names, wanted))
            }
        }
        switch best {
        case .same: return .agree
        case .partial: return .partial
        case .none: break
        }
        if let disagreeing { return .disagrees(disagreeing) }
        if otherScript == nil, strong.isEmpty, let artistFolder {
            let names = MatchText.artistNames(artistFolder)
            if !names.isEmpty, wantedCJK || names.contains(where: \.hasLatin) { return .folderDisagrees(artistFolder) }
        }
        return .unknown(otherScript: otherScript)
    }
}

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
    /// The role an "OP3 " / "ED2 - " prefix (or the other side of "ED2 - Title" in a tag) names.
    var role: SongRole? = nil

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
                        let other = text(left)
                        if let role = MatchText.roleMarker(other) {
                            out.append(FileReading(title: rightTitle, source: .tag, role: role))
                        } else {
                            out.append(FileReading(title: rightTitle, source: .tagPart(other: other)))
                        }
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
            // "ED2 - Title", "OP3_Title": `pathReadings` reads the role.
            guard MatchText.afterRolePrefix(scalars, from: skip) == nil else { return nil }
            let rest = bytes[(start + skip)..<end]
            guard MatchText.isPlainASCII(rest) else { return nil }
            let words = MatchText.foldASCII(rest)
            guard !words.isEmpty, !MatchText.endsWithVersionWord(words.utf8) else { return nil }
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
        let raw = MatchText.widthFolded(name)
        var scalars = raw.map { $0 == "_" ? " " : $0 }
        var start = MatchText.afterTrackNumber(scalars, loose: true) ?? 0
        // The role prefix is read before underscores become spaces: "ED_Title" has its mark.
        var role: SongRole?
        if let (after, found) = MatchText.afterRolePrefix(raw, from: start) {
            start = after
            role = found
            if let next = MatchText.afterTrackNumber(Array(scalars[start...]), loose: true) { start += next }
        }
        scalars.removeFirst(start)
        let whole = MatchText.parseTitle(scalars: scalars, stripTrackNumber: false)
        var out: [FileReading] = []
        if let (left, right) = splitDash(whole.rawCore) {
            let title = MatchText.parseTitle(scalars: right)
            let leftText = text(left)
            if !title.isEmpty {
                if let leftRole = MatchText.roleMarker(leftText) {
                    out.append(FileReading(title: title, source: .fileName(artist: nil), role: role ?? leftRole))
                } else {
                    out.append(FileReading(title: title, source: .fileName(artist: leftText), role: role))
                }
            }
            let swapped = MatchText.parseTitle(scalars: left)
            if !swapped.isEmpty {
                out.append(FileReading(title: swapped, source: .fileNameSwapped(artist: text(right)), role: role))
            }
        }
        if !whole.isEmpty { out.append(FileReading(title: whole, source: .fileName(artist: nil), role: role)) }
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

/// The recording a curated entry's `version` asks for.
enum VersionWish {
    /// "original", "full", "album": the whole recording, no cut or other performance.
    case whole
    /// "tv-size", "short": the broadcast cut.
    case cut
    /// Any other words, found in the file's version label ("live", "10 years after").
    case label([Substring])

    init?(_ text: String) {
        let folded = MatchText.fold(text)
        switch MatchText.compact(folded) {
        case "": return nil
        case "original", "full", "fullsize", "fullversion", "album", "albumversion", "studio": self = .whole
        case "tvsize", "tv", "tvversion", "tvver", "short", "shortversion", "tvedit": self = .cut
        default: self = .label(folded.split(separator: " "))
        }
    }

    /// True for version words that ask for the instrumental.
    static func meansInstrumental(_ text: String) -> Bool {
        if case .version(.instrumental) = MatchText.classify(MatchText.fold(text)) { return true }
        return false
    }
}

/// A curated song prepared for matching: its titles parsed, its artists and show folded.
struct Target {
    var song: CuratedSong
    var titles: [ParsedTitle]
    /// Titles with the key of one in `titles` but naming a version: compared only with files that name one.
    var versionTitles: [ParsedTitle]
    /// The curated artist's names and the performer's.
    var artists: [ArtistName]
    /// The `performer` field's names; empty when the entry names none.
    var performers: [ArtistName]
    /// The show's name(s), compact and folded ("cowboybebop"); short ones are matched as whole words instead.
    var anime: [(compact: [UInt8], words: String)]
    /// Off-vocal files are acceptable: the entry is an OST track or instrumental (role, mood, title or version).
    var acceptsInstrumental: Bool
    /// The entry is the instrumental itself ("X (Instrumental)", `version = "instrumental"`): vocals are another
    /// recording.
    var wantsInstrumental: Bool
    /// The entry names a cover itself, so a "cover" mark is no reason to refuse a file.
    var allowsCover: Bool
    /// Words of the curated titles and show: never read as an off-vocal or cover mark ("Karaoke Night").
    var ownWords: Set<Substring>
    var wish: VersionWish?

    init(_ song: CuratedSong) {
        self.song = song
        var titles: [ParsedTitle] = []
        var versionTitles: [ParsedTitle] = []
        for text in [song.title] + song.aliases {
            let title = MatchText.parseTitle(text, stripTrackNumber: false)
            guard !title.isEmpty else { continue }
            if !titles.contains(where: { $0.key == title.key }) {
                titles.append(title)
            } else if !title.versionLabel.isEmpty {
                // The same title naming a version asks for that version ("(10 years after Ver.)").
                let label = Resolver.labelKey(title.versionLabel)
                if !(titles + versionTitles).contains(where: {
                    $0.key == title.key && Resolver.labelKey($0.versionLabel) == label
                }) {
                    versionTitles.append(title)
                }
            }
        }
        self.titles = titles
        self.versionTitles = versionTitles
        performers = song.performer.map(MatchText.artistNames) ?? []
        artists = MatchText.artistNames(song.artist) + performers
        var anime: [([UInt8], String)] = []
        var piece: [Unicode.Scalar] = []
        func addPiece(_ scalars: [Unicode.Scalar], minimum: Int) {
            let words = MatchText.fold(scalars[...])
            let compact = MatchText.compact(words)
            // "Fruits Basket (2001)": a year alone names no show.
            guard !words.isEmpty, compact.unicodeScalars.count >= minimum, !compact.allSatisfy(\.isNumber),
                !anime.contains(where: { $0.1 == words })
            else { return }
            anime.append((Array(compact.utf8), words))
        }
        for scalar in MatchText.widthFolded(song.anime) + ["/"] {
            if "()[]/;|".unicodeScalars.contains(scalar) {
                addPiece(piece, minimum: 1)
                // "Anohana: The Flower We Saw That Day" is also "Anohana" on a folder.
                if piece.contains(":") {
                    for part in piece.split(separator: ":") { addPiece(Array(part), minimum: 5) }
                }
                piece.removeAll()
            } else {
                piece.append(scalar)
            }
        }
        self.anime = anime
        let versionText = song.version ?? ""
        wantsInstrumental = titles.first?.version == .instrumental || VersionWish.meansInstrumental(versionText)
        acceptsInstrumental = wantsInstrumental || song.role == .ost || song.moods.contains("instrumental")
        wish = wantsInstrumental ? nil : VersionWish(versionText)
        let ownText = ([song.title, song.anime] + song.aliases).map(MatchText.fold).joined(separator: " ")
        ownWords = Set(ownText.split(separator: " "))
        let named = ownText + " " + MatchText.fold(versionText)
        allowsCover =
            MatchText.mayHoldRecordingMarks(named)
            && MatchText.recordingMarks(in: named, ignoring: [], vocalCancels: false).cover != nil
    }

    /// How much a file's version label adds to (a penalty it cancels) or takes from a match, by `wish`.
    func versionFit(_ file: ParsedTitle) -> Double {
        guard let wish else { return 0 }
        let label = MatchText.fold(file.versionLabel).split(separator: " ")
        switch wish {
        case .whole:
            return file.version <= .remaster ? 0 : -0.02
        case .cut:
            let isCut = file.version == .size && label.contains { ["tv", "tvsize", "short", "size"].contains($0) }
            return isCut ? file.version.penalty : -0.02
        case .label(let words):
            let has = !words.isEmpty && words.allSatisfy(label.contains)
            return has ? file.version.penalty : -0.02
        }
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

/// One reading of a file scored against one curated title.
struct ReadingScore {
    var score: Double
    var reason: String
    var rule: RejectionRule?
}

extension Resolver {
    /// Scores one library file against a curated song: the best of its readings against any curated title; a
    /// reading no rule refuses wins when it reaches the threshold.
    func evaluate(_ index: Int, target: Target) -> Scored {
        let song = library[index]
        let format = song.format
        var best = Scored(
            uri: song.uri, score: -1, reason: "", rule: nil, lossless: song.isLossless,
            sampleRate: format?.sampleRate ?? 0, bits: format?.bitsPerSample ?? 0
        )
        var bestAccepted = false
        let context = FileContext(song, target: target)
        for reading in FileReading.readings(of: song) {
            for title in reading.title.versionLabel.isEmpty ? target.titles : target.titles + target.versionTitles {
                let found = score(reading, against: title, context: context, target: target)
                let accepted = found.rule == nil && found.score >= threshold
                if accepted != bestAccepted ? accepted : found.score > best.score {
                    best.score = found.score
                    best.reason = found.reason
                    best.rule = found.rule
                    bestAccepted = accepted
                }
            }
        }
        best.score = max(0, best.score)
        if best.reason.isEmpty { best.reason = "title does not match" }
        return best
    }

    private func score(
        _ reading: FileReading, against wanted: ParsedTitle, context: FileContext, target: Target
    ) -> ReadingScore {
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
                return ReadingScore(
                    score: max(0, title * 0.5), reason: "title similarity \(Self.format(similarity)) below threshold")
            }
        } else {
            return ReadingScore(score: 0, reason: "title does not match")
        }
        let titlePart = exact ? "title matches" : "title similarity \(Self.format(similarity))"

        // Which recording: off-vocal, vocal for an instrumental, a cover, the version asked for.
        let inName: String
        switch reading.source {
        case .tag, .tagPart: inName = "in the title"
        case .fileName, .fileNameSwapped: inName = "in the file name"
        }
        let offVocal =
            file.version == .instrumental ? "'\(file.versionLabel)' \(inName)" : context.marks.offVocal
        var rule: RejectionRule?
        var detail = ""
        if let offVocal, !target.acceptsInstrumental {
            rule = .offVocal
            detail = offVocal
        } else if target.wantsInstrumental, offVocal == nil {
            rule = .vocalVersion
            detail = "the curated entry is the instrumental"
        } else if !target.allowsCover, let cover = context.marks.cover {
            rule = .cover
            detail = cover
        }
        var penalty = file.version.penalty
        if file.version == .instrumental, target.acceptsInstrumental { penalty = target.wantsInstrumental ? 0 : 0.02 }
        // An alias that names this very version ("secret base (10 years after Ver.)") asks for it.
        if !wanted.versionLabel.isEmpty, Self.labelKey(file.versionLabel) == Self.labelKey(wanted.versionLabel) {
            penalty = 0
        }
        title -= penalty
        // A preference lowers the other recordings after the clamp to 1, where no bonus can hide it.
        let fit = target.versionFit(file)
        var preference = min(0, fit)
        title += max(0, fit)
        if file.hasUnknownSuffix { title -= 0.02 }
        if rule == .offVocal || rule == .vocalVersion { title = min(title, 0.4) }

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
        // An "ED2 - " prefix agrees or disagrees with the entry's role.
        if let role = reading.role {
            if role == target.song.role {
                title += 0.05
            } else if [.opening, .ending, .insert].contains(target.song.role) {
                title -= 0.05
            }
        }

        let evidence = context.artistEvidence(target: target, fileNameArtist: sourceArtist, featured: file.featured)
        // The show's name matters little once the artist agrees or disagrees: look for it only otherwise.
        switch evidence {
        case .agree where title >= 1 && target.performers.isEmpty, .disagrees: break
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
        case .disagrees(let artist):
            score = min(0.45, title * 0.35)
            if rule == nil {
                // Tied to the song (its show, its composer, a cover mark): the song sung by someone else.
                let tied = anime || context.mentionsAnime || context.composerAgrees
                rule = tied ? .cover : .differentSong
                let whose = context.tagArtists.isEmpty ? "file name artist" : "tag artist"
                let curated = target.song.performer ?? target.song.artist
                detail = "\(whose) '\(artist)', curated '\(curated)'" + (exact ? "" : "; \(titlePart)")
            }
        }
        // A performer named by the entry: its own recording first.
        if !target.performers.isEmpty, rule == nil,
            !context.agreesWithPerformer(target: target, fileNameArtist: sourceArtist, featured: file.featured)
        {
            preference -= 0.03
        }
        if rule != nil { score = min(score, 0.45) }
        score = ((min(1, max(0, score)) + preference) * 1000).rounded() / 1000
        score = max(0, score)

        // Why, should it fall short.
        if let rule {
            return ReadingScore(score: score, reason: "rejected: \(rule.rawValue) (\(detail))", rule: rule)
        }
        let reason: String
        if case .folderDisagrees(let folder) = evidence {
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
        return ReadingScore(score: score, reason: reason, rule: nil)
    }

    /// A version label compared without case, spaces or punctuation ("10 years after Ver.").
    static func labelKey(_ label: String) -> String {
        MatchText.compact(MatchText.fold(label))
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

    /// Off-vocal and cover marks in the title tag, the file name, the folders and the album, described for a
    /// reason ("'karaoke' in the file name", "folder 'Covers'").
    lazy var marks: (offVocal: String?, cover: String?) = {
        var offVocal: String?
        var cover: String?
        func look(_ text: String?, vocalCancels: Bool, describe: (String) -> String) {
            guard let text, offVocal == nil || cover == nil, MatchText.mayHoldRecordingMarks(text) else { return }
            let found = MatchText.recordingMarks(
                in: MatchText.fold(text), ignoring: target.ownWords, vocalCancels: vocalCancels)
            if offVocal == nil, let word = found.offVocal { offVocal = describe(word) }
            if cover == nil, let word = found.cover { cover = describe(word) }
        }
        look(song.title, vocalCancels: false) { "'\($0)' in the title" }
        var name = Substring(song.uri.split(separator: "/").last ?? "")
        let ext = song.fileExtension
        if !ext.isEmpty, ext.utf8.count <= 5, name.utf8.count > ext.utf8.count { name = name.dropLast(ext.count + 1) }
        look(String(name), vocalCancels: false) { "'\($0)' in the file name" }
        for folder in directories {
            look(String(folder), vocalCancels: true) { _ in "folder '\(folder)'" }
        }
        look(song.album, vocalCancels: true) { [album = song.album ?? ""] _ in "album '\(album)'" }
        return (offVocal, cover)
    }()

    /// True when the composer tag names the curated artist.
    lazy var composerAgrees: Bool = {
        guard let composer = song.composer else { return false }
        return MatchText.bestMatch(MatchText.artistNames(composer), target.artists) != .none
    }()

    /// True when the file's artist tags, its "Artist - Title" name or its featured names name the entry's
    /// performer.
    func agreesWithPerformer(target: Target, fileNameArtist: (raw: String, names: [ArtistName])?, featured: String?)
        -> Bool
    {
        var names = tagArtists.flatMap(\.names) + (featured.map(MatchText.artistNames) ?? [])
        if tagArtists.isEmpty, let fileNameArtist { names += fileNameArtist.names }
        return MatchText.bestMatch(names, target.performers) != .none
    }

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
            best = max(best, MatchText.bestMatch(featured, wanted))
            // The composer speaks for a file whose artist tags name nobody else; over another singer's tag it
            // marks a cover, unless the entry is an OST piece (an orchestra plays the composer's music).
            if disagreeing == nil || target.acceptsInstrumental {
                let composers = song.composer.map(MatchText.artistNames) ?? []
                best = max(best, MatchText.bestMatch(composers, wanted))
            }
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

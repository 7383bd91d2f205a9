import Foundation
import Testing

@testable import ElegyCore

// The curated playlists were drawn from five articles (web pages by other authors, kept as plain text outside
// the repository). They are third-party text: they are not in the repository and must not be copied into it,
// so these tests read them where they are at hand ($ELEGY_SEEDS, else ../shared/seeds beside the repository)
// and are skipped elsewhere. The show and song lists are parsed from the files; the only article spellings below
// are the few wrong names the corrections table has to match.

/// The repository root, found from this file's path.
private let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()  // ElegyCoreTests
    .deletingLastPathComponent()  // Tests
    .deletingLastPathComponent()

private let playlistsDirectory = repositoryRoot.appendingPathComponent("Playlists").path

/// Where the seed articles are: `$ELEGY_SEEDS`, else `shared/seeds` next to the repository.
private let seedsDirectory: String =
    ProcessInfo.processInfo.environment["ELEGY_SEEDS"]
    ?? repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/seeds").path

private let seedsAvailable: Bool = {
    var isDirectory: ObjCBool = false
    return FileManager.default.fileExists(atPath: seedsDirectory, isDirectory: &isDirectory) && isDirectory.boolValue
}()

// MARK: - Words and names

/// Letters and digits only, lowercased: "Angel Beats!" == "angel beats".
private func folded(_ text: String) -> String {
    String(text.lowercased().filter { $0.isLetter || $0.isNumber })
}

/// The words of `text` in their original case: runs of letters and digits. Apostrophes inside a word are dropped
/// ("don’t" is one word, "dont"); every other character (space, punctuation, curly quotes, dashes) separates words.
private func words(_ text: String) -> [String] {
    var result: [String] = []
    var current = ""
    for character in text {
        if character == "'" || character == "’" || character == "‘" { continue }
        if character.isLetter || character.isNumber {
            current.append(character)
        } else if !current.isEmpty {
            result.append(current)
            current = ""
        }
    }
    if !current.isEmpty { result.append(current) }
    return result
}

/// The names a note may share with an article without copying it: every song title and alias, artist, performer
/// and show of the catalog, and each name inside a list of artists ("A, B & C") or a show title with a colon.
/// A name of two or more words covers those words in any case; a one-word name only where the text spells it in
/// the same case, so the song "Again" is a name but the adverb "again" is not.
private struct CatalogNames {
    var phrases: Set<[String]> = []
    var singleWords: Set<String> = []

    init(_ catalog: CuratedCatalog) {
        for playlist in catalog.playlists {
            for song in playlist.songs {
                var texts = [song.title, song.anime] + song.aliases + Self.people(song.artist)
                if let performer = song.performer { texts += Self.people(performer) }
                texts += song.anime.split(separator: ":").map(String.init)
                for text in texts { add(text) }
            }
        }
    }

    mutating func add(_ text: String) {
        let name = words(text)
        if name.count == 1 {
            singleWords.insert(name[0])
        } else if name.count > 1 {
            phrases.insert(name.map { $0.lowercased() })
        }
    }

    /// The whole credit and each person in it: "Seatbelts feat. Mai Yamane" gives all three.
    static func people(_ credit: String) -> [String] {
        [credit] + splitCredit(credit)
    }

    /// Which of `text`'s words belong to a catalog name.
    func mask(_ text: [String]) -> [Bool] {
        let lower = text.map { $0.lowercased() }
        var covered = Array(repeating: false, count: text.count)
        for (index, word) in text.enumerated() where singleWords.contains(word) { covered[index] = true }
        for phrase in phrases where phrase.count <= lower.count {
            for start in 0...(lower.count - phrase.count) where Array(lower[start..<(start + phrase.count)]) == phrase {
                for index in start..<(start + phrase.count) { covered[index] = true }
            }
        }
        return covered
    }
}

/// The people in a credit: split at commas, "&", " and ", "feat.", "cover by" and brackets.
private func splitCredit(_ credit: String) -> [String] {
    var text = credit
    for separator in [" feat. ", " feat ", " and ", "Cover by ", "cover by ", "(", ")", "&", "•"] {
        text = text.replacingOccurrences(of: separator, with: ",")
    }
    return text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
}

/// The quoted parts of `line`, between curly double quotes.
private func quotations(in line: String) -> [String] {
    var result: [String] = []
    var rest = Substring(line)
    while let open = rest.firstIndex(of: "“"), let close = rest[open...].firstIndex(of: "”") {
        result.append(String(rest[rest.index(after: open)..<close]))
        rest = rest[rest.index(after: close)...]
    }
    return result
}

/// The ways a name with a bracketed alternative can be meant: "A (B)" gives "A (B)", "A" and "B".
private func variants(_ name: String) -> [String] {
    var result = [name]
    if let open = name.firstIndex(of: "("), let close = name[open...].firstIndex(of: ")") {
        result.append(String(name[..<open]).trimmingCharacters(in: .whitespaces))
        result.append(String(name[name.index(after: open)..<close]))
    }
    return result.filter { !folded($0).isEmpty }
}

// MARK: - The articles

/// One seed article: its number ("000"…"004"), file name, lines and the set of its five-word runs.
private struct Article {
    var number: String
    var file: String
    var text: String
    var lines: [String]
    var fiveWordRuns: Set<String>

    init(number: String, file: String, text: String) {
        self.number = number
        self.file = file
        self.text = text
        lines = text.components(separatedBy: .newlines).map { $0.trimmingCharacters(in: .whitespaces) }
        let lower = words(text).map { $0.lowercased() }
        fiveWordRuns =
            lower.count < 5 ? [] : Set((0...(lower.count - 5)).map { lower[$0..<($0 + 5)].joined(separator: " ") })
    }

    /// Whether `source` is this article's own headline: written in title case (every word of four or more
    /// letters capitalised, as headlines are and sentences are not) and found in the article as it stands.
    func hasHeadline(_ source: String) -> Bool {
        let sourceWords = words(source)
        let titleCase = sourceWords.allSatisfy { word in
            word.count < 4 || word.first.map { $0.isUppercase || $0.isNumber } == true
        }
        return titleCase && !sourceWords.isEmpty && folded(text).contains(folded(source))
    }
}

/// A song as an article lists it. `artistOrShow` is article 003's single name after the dash, which is an artist
/// for some entries and a show for others.
private struct ArticleSong: CustomStringConvertible {
    var title: String
    var artist: String? = nil
    var show: String? = nil
    var artistOrShow: String? = nil
    /// The position in a ranked list, from 1.
    var rank: Int? = nil

    var description: String {
        var text = "“\(title)”"
        if let artist { text += " by \(artist)" }
        if let show { text += " (\(show))" }
        if let artistOrShow { text += " – \(artistOrShow)" }
        if let rank { text += ", rank \(rank)" }
        return text
    }
}

/// "25. I Want To Eat Your Pancreas" → (25, "I Want To Eat Your Pancreas").
private func numberedHeading(_ line: String) -> (number: Int, text: String)? {
    let digits = line.prefix { $0.isASCII && $0.isNumber }
    guard !digits.isEmpty, let number = Int(digits), line.dropFirst(digits.count).hasPrefix(". ") else { return nil }
    return (number, String(line.dropFirst(digits.count + 2)).trimmingCharacters(in: .whitespaces))
}

private enum ArticleParser {
    /// Article 000: headings `“Title” (Show)` (the space before the bracket may be a no-break space).
    static func songs000(_ article: Article) -> [ArticleSong] {
        article.lines.compactMap { line in
            guard line.hasPrefix("“"), let title = quotations(in: line).first, let close = line.firstIndex(of: "”")
            else { return nil }
            let rest = line[line.index(after: close)...].trimmingCharacters(in: .whitespaces)
            guard rest.hasPrefix("("), rest.hasSuffix(")") else { return nil }
            return ArticleSong(title: title, show: String(rest.dropFirst().dropLast()))
        }
    }

    /// Article 001: numbered headings before its questions section, written "Title (Show)", "Title – Artist",
    /// "Title by Artist" or "“Title” Show"; then the cues its soundtrack answer lists after "Tracks like", whose
    /// show is the one quoted just before them.
    static func songs001(_ article: Article) -> (ranked: [ArticleSong], more: [ArticleSong]) {
        var ranked: [ArticleSong] = []
        var more: [ArticleSong] = []
        var inQuestions = false
        var lastQuoted: String?
        for line in article.lines {
            if !inQuestions, !ranked.isEmpty, line.hasSuffix("?") { inQuestions = true }
            if !inQuestions {
                guard let heading = numberedHeading(line) else { continue }
                var song = entry(heading.text)
                song.rank = heading.number
                ranked.append(song)
            } else {
                let quoted = quotations(in: line)
                if line.hasPrefix("Tracks like") {
                    more += quoted.map { ArticleSong(title: $0, show: lastQuoted) }
                } else if let last = quoted.last {
                    lastQuoted = last
                }
            }
        }
        return (ranked, more)
    }

    /// One heading of article 001, without its number.
    static func entry(_ text: String) -> ArticleSong {
        if text.hasPrefix("“"), let title = quotations(in: text).first, let close = text.firstIndex(of: "”") {
            let rest = text[text.index(after: close)...].filter { $0 != "(" && $0 != ")" }
                .trimmingCharacters(in: .whitespaces)
            return ArticleSong(title: title, show: rest.isEmpty ? nil : rest)
        }
        if let dash = text.range(of: " – ") {
            return ArticleSong(
                title: String(text[..<dash.lowerBound]), artist: String(text[dash.upperBound...]))
        }
        if text.hasSuffix(")"), let open = text.range(of: " (", options: .backwards) {
            return ArticleSong(
                title: String(text[..<open.lowerBound]),
                show: String(text[open.upperBound..<text.index(before: text.endIndex)]))
        }
        if let by = text.range(of: " by ") {
            return ArticleSong(title: String(text[..<by.lowerBound]), artist: String(text[by.upperBound...]))
        }
        return ArticleSong(title: text)
    }

    /// Article 002: a heading "Title – Show" (sometimes "Artist – Title – Show") followed by a credit line
    /// "Artist • Year • Role".
    static func songs002(_ article: Article) -> [ArticleSong] {
        var songs: [ArticleSong] = []
        for (index, line) in article.lines.enumerated() where index + 1 < article.lines.count {
            let credit = article.lines[index + 1].components(separatedBy: " • ")
            guard credit.count >= 3 else { continue }
            let artist = credit[0]
            var parts = line.components(separatedBy: " – ")
            guard parts.count >= 2 else { continue }
            if parts.count >= 3, folded(parts[0]) == folded(artist) { parts.removeFirst() }
            songs.append(ArticleSong(title: parts[0], artist: artist, show: parts[parts.count - 1]))
        }
        return songs
    }

    /// Article 003: headings `“Title” – Name`, the name being a singer or a show.
    static func songs003(_ article: Article) -> [ArticleSong] {
        article.lines.compactMap { line in
            guard line.hasPrefix("“"), let title = quotations(in: line).first, let dash = line.range(of: "” – ")
            else { return nil }
            return ArticleSong(title: title, artistOrShow: String(line[dash.upperBound...]))
        }
    }

    /// A show of article 004: its name (nil for the one entry printed without a heading) and its facts,
    /// "Studio, Episodes, Aired".
    struct Show {
        var name: String?
        var number: Int?
        var facts: String
    }

    /// Article 004: every entry is a name, an optional picture caption, then bullets "• Studios:", "• Episodes:",
    /// "• Aired:". The ranked ones are numbered headings; the honourable mentions are bare names. Walking back from
    /// each "Studios" bullet to the previous bullet (or the numbered heading, or the "Honourable Mentions"
    /// heading), the farthest line is the name and the others are captions.
    static func shows004(_ article: Article) -> [Show] {
        var shows: [Show] = []
        let lines = article.lines
        for (index, line) in lines.enumerated() where line.hasPrefix("• Studios:") {
            let facts = lines[index..<min(index + 3, lines.count)]
                .compactMap { $0.split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces) }
                .joined(separator: ", ")
            var name: String?
            var number: Int?
            var back = index - 1
            while back >= 0 {
                let previous = lines[back]
                back -= 1
                if previous.isEmpty { continue }
                if previous.hasPrefix("•") || folded(previous) == "honourablementions" { break }
                if let heading = numberedHeading(previous) {
                    name = heading.text
                    number = heading.number
                    break
                }
                name = previous
            }
            shows.append(Show(name: name, number: number, facts: facts))
        }
        return shows
    }
}

// MARK: - Matching songs and shows

/// Where an article's name for a show differs from the catalog's in more than spelling or a subtitle.
private let showNames: [String: String] = [
    // Article 001 gives only the romaji title; the catalog uses the English one.
    "Shigatsu wa Kimi no Uso": "Your Lie in April",
    // Article 004 gives the English title; the catalog keeps the romaji, as the show's files are usually named.
    "Searching for the Full Moon": "Full Moon wo Sagashite",
    // Article 004's slip for the English title of Ima, Soko ni Iru Boku.
    "Now and Then, Here and Now": "Now and Then, Here and There",
]

/// The honourable mention article 004 prints without a heading, known by its studio, length and season.
private let unnamedShows: [String: String] = ["A-1 Pictures, 12, Winter 2016": "ERASED"]

/// Folded forms an article's show name may take: itself, its bracketed parts, and the catalog name it maps to.
private func articleShowForms(_ name: String) -> [String] {
    variants(name).flatMap { variant in [variant] + (showNames[variant].map { [$0] } ?? []) }.map(folded)
}

/// Whether the catalog's `show` is the article's `name`: equal after folding, or (for song lists) equal to a
/// part of the catalog's title before or after a colon, or the article's name extends the catalog's ("AIR TV"
/// for "AIR").
private func showMatches(_ name: String, _ show: String, loosely: Bool) -> Bool {
    let forms = articleShowForms(name)
    var catalogForms = [folded(show)]
    if loosely {
        catalogForms += show.split(separator: ":").map { folded(String($0)) }
        catalogForms += variants(show).map(folded)
    }
    return forms.contains { form in
        catalogForms.contains { catalog in
            form == catalog || (loosely && catalog.count >= 3 && form.hasPrefix(catalog))
        }
    }
}

private func titleMatches(_ title: String, _ song: CuratedSong) -> Bool {
    let names = Set(([song.title] + song.aliases).map(folded))
    return variants(title).map(folded).contains { names.contains($0) }
}

private func artistMatches(_ artist: String, _ song: CuratedSong) -> Bool {
    var credited = Set(([song.artist] + splitCredit(song.artist)).map(folded))
    if let performer = song.performer { credited.formUnion(([performer] + splitCredit(performer)).map(folded)) }
    return ([artist] + splitCredit(artist)).map(folded).contains { credited.contains($0) }
}

/// Whether `song` is the article's song: same title (or alias), and the artist and show the article gives, when it
/// gives them. The role is not compared: the articles are often wrong about it, and our notes say so.
private func matches(_ entry: ArticleSong, _ song: CuratedSong) -> Bool {
    guard titleMatches(entry.title, song) else { return false }
    if let artist = entry.artist, !artistMatches(artist, song) { return false }
    if let show = entry.show, !showMatches(show, song.anime, loosely: true) { return false }
    if let name = entry.artistOrShow, !artistMatches(name, song), !showMatches(name, song.anime, loosely: true) {
        return false
    }
    return true
}

/// An article credit we know to be wrong and have corrected in the playlist drawn from it.
private struct Correction {
    enum Field { case title, artist, artistOrShow }
    var article: String
    /// The article's title for the song (before any correction of the title itself).
    var song: String
    var field: Field
    var articleSays: String
    var weSay: String
    var reason: String
}

private let corrections: [Correction] = [
    Correction(
        article: "000", song: "Empty Diamond Crevasse", field: .title, articleSays: "Empty Diamond Crevasse",
        weSay: "Diamond Crevasse", reason: "no release has that name; the article's name for the song's late reprise"),
    Correction(
        article: "001", song: "Bird’s Poem", field: .title, articleSays: "Bird’s Poem", weSay: "Tori no Uta",
        reason: "an English rendering of 鳥の詩 that no release uses"),
    Correction(
        article: "001", song: "Theme Song", field: .title, articleSays: "Theme Song", weSay: "Fairy Tail Main Theme",
        reason: "the article describes the song instead of naming it"),
    Correction(
        article: "001", song: "Ichiban no Takaramono", field: .artist, articleSays: "Lia", weSay: "karuta",
        reason: "Lia sang Angel Beats!' opening; karuta sang the original Ichiban no Takaramono"),
    Correction(
        article: "001", song: "Lonely Feather", field: .artist, articleSays: "Haruka Chigusa",
        weSay: "Haruka Chisuga", reason: "the singer's name is misspelt"),
    Correction(
        article: "001", song: "Himawari no Yakusoku", field: .artist, articleSays: "Motohira Hata",
        weSay: "Motohiro Hata", reason: "the singer's name is misspelt"),
    Correction(
        article: "003", song: "Futari no Kimochi no Honto no Himitsu", field: .artistOrShow, articleSays: "K-On",
        weSay: "Kill Me Baby", reason: "the song is Kill Me Baby's ending, not K-On!'s"),
    Correction(
        article: "003", song: "Sayonara no Yukue", field: .artistOrShow, articleSays: "Hikaru Utada",
        weSay: "Alisa Takigawa", reason: "Alisa Takigawa sings it, for Owarimonogatari"),
]

/// The playlist drawn from each article. Articles 000, 001 and 004 have headlines, which those playlists name
/// as their `source` (checked below); 002 and 003 have none, so their playlists describe them instead.
private let playlistOfArticle: [String: String] = [
    "000": "tearjerkers", "001": "heartbreak-26", "002": "mixtape", "003": "melancholy",
    "004": "signature-sad-songs",
]

/// How many songs each list holds, so that a parser which silently skips entries fails: 001 is 26 ranked songs
/// and the three Clannad cues of its soundtrack answer (besides Roaring Tides, ranked 14th, named again there).
private let expectedSongCounts: [String: Int] = ["000": 5, "001": 26 + 4, "002": 8, "003": 17]

// MARK: - Tests

@Suite(
    "Curation against the seed articles",
    .enabled(
        if: seedsAvailable,
        "the seed articles (third-party text, not in the repository) are not at ELEGY_SEEDS or ../shared/seeds")
)
struct CurationSeedTests {
    let catalog: CuratedCatalog
    private let articles: [String: Article]

    init() throws {
        catalog = try loadCatalog(directories: [playlistsDirectory])
        var articles: [String: Article] = [:]
        for file in try FileManager.default.contentsOfDirectory(atPath: seedsDirectory).sorted()
        where file.hasSuffix(".txt") {
            let number = String(file.prefix { $0 != "_" })
            let text = try String(contentsOfFile: seedsDirectory + "/" + file, encoding: .utf8)
            articles[number] = Article(number: number, file: file, text: text)
        }
        self.articles = articles
    }

    private func article(_ number: String) throws -> Article {
        try #require(articles[number], "no seed article \(number)_*.txt in \(seedsDirectory)")
    }

    private func playlist(for number: String) throws -> CuratedPlaylist {
        let name = try #require(playlistOfArticle[number])
        return try #require(catalog.playlist(named: name), "missing playlist \(name)")
    }

    /// Our words, not the articles': no note, description or source shares a run of five words with any article,
    /// once the words of catalog names are set aside (a name breaks a run). A `source` may be an article's own
    /// headline.
    @Test func noTextSharesFiveWordsWithAnArticle() throws {
        #expect(articles.count == 5, "expected five seed articles in \(seedsDirectory)")
        let names = CatalogNames(catalog)
        var texts: [(place: String, text: String)] = []
        for playlist in catalog.playlists {
            texts.append(("\(playlist.name): description", playlist.description))
            if !articles.values.contains(where: { $0.hasHeadline(playlist.source) }) {
                texts.append(("\(playlist.name): source", playlist.source))
            }
            for song in playlist.songs { texts.append(("\(playlist.name): “\(song.title)” note", song.note)) }
        }
        for mood in catalog.moods { texts.append(("moods: \(mood.name) description", mood.description)) }

        var shared: [String] = []
        for (place, text) in texts {
            let original = words(text)
            let lower = original.map { $0.lowercased() }
            let covered = names.mask(original)
            guard lower.count >= 5 else { continue }
            for article in articles.values.sorted(by: { $0.number < $1.number }) {
                var start: Int?
                var end = 0
                func report() {
                    if let first = start {
                        let run = lower[first..<end].joined(separator: " ")
                        shared.append("\(place) shares “\(run)” with article \(article.file)")
                    }
                    start = nil
                }
                for index in 0...(lower.count - 5) {
                    let free = !covered[index..<(index + 5)].contains(true)
                    if free, article.fiveWordRuns.contains(lower[index..<(index + 5)].joined(separator: " ")) {
                        if start == nil || index > end - 4 {
                            report()
                            start = index
                        }
                        end = index + 5
                    }
                }
                report()
            }
        }
        #expect(shared == [], "text shared with the seed articles:\n\(shared.joined(separator: "\n"))")
    }

    /// Playlists that name an article's headline as their source name the right article.
    @Test func headlineSourcesNameTheirArticle() throws {
        for (number, name) in playlistOfArticle {
            let source = try #require(catalog.playlist(named: name)).source
            let headlined = articles.values.filter { $0.hasHeadline(source) }.map(\.number)
            #expect(headlined.isEmpty || headlined == [number], "\(name)'s source is the headline of \(headlined)")
        }
    }

    /// Every show of article 004 (ranked and honourable mentions) has a song in signature-sad-songs.
    @Test func signatureCoversEveryShowOfArticle004() throws {
        let shows = ArticleParser.shows004(try article("004"))
        let ranked = shows.compactMap(\.number).sorted()
        #expect(ranked == Array(1...25), "article 004's numbered shows: \(ranked)")
        #expect(shows.count == 25 + 5, "article 004: \(shows.count) shows, not 25 ranked and 5 honourable mentions")
        let signature = try playlist(for: "004")
        var missing: [String] = []
        for show in shows {
            let name = show.name ?? unnamedShows[show.facts]
            guard let name else {
                missing.append("an entry without a name (\(show.facts)); add it to unnamedShows")
                continue
            }
            if !signature.songs.contains(where: { showMatches(name, $0.anime, loosely: false) }) {
                missing.append(name)
            }
        }
        #expect(missing == [], "signature-sad-songs has no song for these shows of article 004")
    }

    /// Each article's songs are in the playlist drawn from it, with the article's title (or an alias), artist and
    /// show, except where `corrections` says the article is wrong; heartbreak-26 keeps article 001's ranking.
    @Test func articleSongsAreInTheirPlaylists() throws {
        let ranked001 = ArticleParser.songs001(try article("001"))
        let lists: [(String, [ArticleSong])] = [
            ("000", ArticleParser.songs000(try article("000"))),
            ("001", ranked001.ranked + ranked001.more),
            ("002", ArticleParser.songs002(try article("002"))),
            ("003", ArticleParser.songs003(try article("003"))),
        ]
        #expect(ranked001.ranked.compactMap(\.rank) == Array(1...26), "article 001's ranks")
        #expect(!ranked001.more.isEmpty, "article 001's soundtrack answer lists no tracks")
        var used = Set<Int>()
        var missing: [String] = []
        for (number, songs) in lists {
            #expect(songs.count == expectedSongCounts[number], "\(songs.count) songs parsed from article \(number)")
            let playlist = try playlist(for: number)
            for listed in songs {
                var entry = listed
                for (index, correction) in corrections.enumerated()
                where correction.article == number && folded(correction.song) == folded(listed.title) {
                    switch correction.field {
                    case .title where folded(entry.title) == folded(correction.articleSays):
                        entry.title = correction.weSay
                    case .artist where entry.artist.map(folded) == folded(correction.articleSays):
                        entry.artist = correction.weSay
                    case .artistOrShow where entry.artistOrShow.map(folded) == folded(correction.articleSays):
                        entry.artistOrShow = correction.weSay
                    default:
                        continue
                    }
                    used.insert(index)
                }
                let candidates: [CuratedSong]
                if let rank = entry.rank, number == "001" {
                    candidates = rank <= playlist.songs.count ? [playlist.songs[rank - 1]] : []
                } else {
                    candidates = playlist.songs
                }
                if !candidates.contains(where: { matches(entry, $0) }) {
                    missing.append("\(playlist.name) lacks article \(number)'s \(listed)")
                }
            }
        }
        #expect(missing == [], "article songs missing or credited otherwise:\n\(missing.joined(separator: "\n"))")
        let stale = corrections.indices.filter { !used.contains($0) }
            .map { "\(corrections[$0].article): \(corrections[$0].song) (\(corrections[$0].reason))" }
        #expect(stale == [], "corrections that no longer apply to any article entry")
    }
}

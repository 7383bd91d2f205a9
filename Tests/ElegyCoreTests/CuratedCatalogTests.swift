import Foundation
import Testing

@testable import ElegyCore

/// The repository's `Playlists/` directory, found from this file's path.
private let playlistsDirectory: String = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()  // ElegyCoreTests
    .deletingLastPathComponent()  // Tests
    .deletingLastPathComponent()  // repository root
    .appendingPathComponent("Playlists").path

/// Letters and digits only, lowercased: "Secret Base ~Kimi ga Kureta Mono~" == "Secret Base Kimi ga Kureta Mono".
private func folded(_ text: String) -> String {
    String(text.lowercased().unicodeScalars.filter { $0.properties.isAlphabetic || $0.properties.numericType != nil })
}

private func names(_ song: CuratedSong) -> [String] { [song.title] + song.aliases }

private func contains(_ playlist: CuratedPlaylist, _ title: String) -> Bool {
    playlist.songs.contains { names($0).map(folded).contains(folded(title)) }
}

@Suite("Curated catalog: shipped playlists")
struct ShippedPlaylistTests {
    let catalog: CuratedCatalog

    init() throws {
        catalog = try loadCatalog(directories: [playlistsDirectory])
    }

    /// Each mood means something of its own: no two select nearly the same songs (more than 80% of the smaller one).
    @Test func noTwoMoodsSelectNearlyTheSameSongs() {
        let selections = catalog.moods.map { mood in
            (mood.name, Set(catalog.songs(for: mood).map(CuratedCatalog.identity(of:))))
        }
        for (index, (name, songs)) in selections.enumerated() {
            for (otherName, otherSongs) in selections[(index + 1)...] {
                let smaller = min(songs.count, otherSongs.count)
                guard smaller > 0 else { continue }
                let shared = songs.intersection(otherSongs).count
                #expect(shared * 100 <= smaller * 80, "\(name) and \(otherName) share \(shared) of \(smaller) songs")
            }
        }
    }

    /// `rain` is its own mood, not a corner of `late-night`: enough songs are tagged for it.
    @Test func rainHasSongsOfItsOwn() throws {
        let rain = try #require(catalog.mood(named: "rain"))
        #expect(rain.include == ["rain"])
        #expect(catalog.songs(for: rain).count >= 6)
    }

    @Test func everyFileParses() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: playlistsDirectory)
            .filter { $0.hasSuffix(".toml") }
        #expect(files.contains("moods.toml"))
        #expect(catalog.playlists.count == files.count - 1)
        for name in ["tearjerkers", "heartbreak-26", "mixtape", "melancholy", "signature-sad-songs"] {
            let playlist = try #require(catalog.playlist(named: name), "missing playlist \(name)")
            #expect(!playlist.title.isEmpty)
            #expect(!playlist.description.isEmpty)
            #expect(!playlist.source.isEmpty)
        }
        #expect(catalog.playlists.map(\.name) == catalog.playlists.map(\.name).sorted())
    }

    @Test func validationFindsNoProblems() {
        #expect(catalog.validationProblems() == [])
    }

    @Test func moodsFileHasEnoughMoods() {
        #expect(catalog.moods.count >= 10)
        for name in [
            "farewell", "grief", "nostalgia", "rain", "first-love", "childhood", "war", "hope-after-loss", "piano",
            "instrumental", "late-night", "family",
        ] {
            #expect(catalog.mood(named: name) != nil, "missing mood \(name)")
        }
        #expect(catalog.moods.map(\.name) == catalog.moods.map(\.name).sorted())
    }

    @Test func everySongHasNotesAndMoods() {
        for playlist in catalog.playlists {
            for song in playlist.songs {
                #expect(!song.note.isEmpty, "\(playlist.name): \(song.title) has no note")
                #expect(!song.moods.isEmpty, "\(playlist.name): \(song.title) has no moods")
            }
        }
    }

    // The article lists below hold our titles where an article's name is not a release title ("Empty Diamond
    // Crevasse", "Bird's Poem", "Theme Song", "Kataware Doki (Twilight)"); CurationSeedTests parses the articles
    // themselves when they are at hand, and these copies keep the check when they are not.

    // Article 000: "Tearjerker Anime Music That Gets Us Every Time".
    static let article000 = ["To My Dearest", "Blue", "Noriko", "Diamond Crevasse", "Sis Puella Magica!"]

    // Article 001: the 26 ranked songs, in order (5 repeats 2 with another credit), then the FAQ's Clannad cues.
    static let article001Ranked = [
        "Sadness and Sorrow", "Ichiban no Takaramono", "Tori no Uta", "Akatsuki no Kuruma", "Ichiban no Takaramono",
        "Silver Sky", "Watashi No Uso", "Moonlit Night", "Fairy Tail Main Theme", "Memories", "Utakata Hanabi", "Shirushi",
        "Despair", "Roaring Tides", "Krone", "Lonely Feather", "Fukai Mori", "One More Time, One More Chance",
        "Secret Base (Kimi ga Kureta Mono)", "Orange", "Himawari no Yakusoku", "Call of Silence",
        "Kamado Tanjiro no Uta", "I Left You", "Umareru Negai", "Requiem for a Brigadier General",
    ]
    static let article001FAQ = ["Ichiban no Takaramono", "Roaring Tides", "Snowfield", "A Small Existence", "Shining in the Sky"]

    // Article 002: the mixtape.
    static let article002 = [
        "Ichiban no Takaramono", "Kataware Doki", "Orange", "Ref:rain", "Secret Base Kimi ga Kureta Mono",
        "Wind", "Tori no Uta", "Tooi Nioi",
    ]

    // Article 003: mournful melodies.
    static let article003 = [
        "Lilium", "Dango Daikazoku", "Ichiban no Takaramono", "Secret Base", "My Song", "Orange", "Departures",
        "Futari no Kimochi no Honto no Himitsu", "Dear You", "Last Train Home", "Aoi Shiori",
        "Kimi no Shiranai Monogatari", "Kanashimi wo Yasashisa ni", "Kataomoi", "Sayonara no Yukue", "Kimi no Na wa.",
        "Again",
    ]

    @Test(arguments: [
        ("tearjerkers", article000),
        ("heartbreak-26", article001Ranked + article001FAQ),
        ("mixtape", article002),
        ("melancholy", article003),
    ])
    func articleSongsArePresent(playlistName: String, titles: [String]) throws {
        let playlist = try #require(catalog.playlist(named: playlistName))
        let missing = titles.filter { !contains(playlist, $0) }
        #expect(missing == [], "\(playlistName) lacks these article songs")
    }

    @Test func heartbreak26KeepsTheRankedOrder() throws {
        let playlist = try #require(catalog.playlist(named: "heartbreak-26"))
        #expect(playlist.songs.count >= 26 + 3)
        let misplaced = Self.article001Ranked.enumerated().filter { rank, title in
            !names(playlist.songs[rank]).map(folded).contains(folded(title))
        }.map { "\($0.offset + 1). \($0.element)" }
        #expect(misplaced == [], "these ranks hold another song")
    }

    @Test func signatureListCoversTheArticlesShows() throws {
        let playlist = try #require(catalog.playlist(named: "signature-sad-songs"))
        let shows = Set(playlist.songs.map(\.anime))
        for show in [
            "Violet Evergarden", "Angel Beats!", "Elfen Lied", "Puella Magi Madoka Magica", "AIR",
            "Clannad: After Story", "Your Lie in April", "Anohana: The Flower We Saw That Day", "A Silent Voice",
            "Wolf Children", "Grave of the Fireflies",
        ] {
            #expect(shows.contains(show), "no song for \(show)")
        }
    }

    @Test func farewellMoodDeduplicatesAcrossPlaylists() throws {
        let farewell = try #require(catalog.mood(named: "farewell"))
        let songs = catalog.songs(for: farewell)
        #expect(songs.count >= 8)
        let ichiban = songs.filter { $0.title == "Ichiban no Takaramono" && $0.artist == "LiSA" }
        #expect(ichiban.count == 1)
        #expect(songs.allSatisfy { farewell.admits($0.moods) })
    }

    @Test func rainMoodHasVolumeAndSleep() throws {
        let rain = try #require(catalog.mood(named: "rain"))
        #expect(rain.volume == 60)
        #expect(rain.sleepSeconds == 45 * 60)
        #expect(rain.order == .shuffle)
    }
}

@Suite("Curated catalog: errors")
struct CatalogErrorTests {
    static let good = """
        title = "Test"
        description = "d"
        source = "s"

        [[songs]]
        title = "One"
        artist = "A"
        anime = "Show"
        role = "ending"
        moods = ["grief"]

        """

    private func playlistError(_ toml: String) -> CatalogError? {
        do {
            _ = try CuratedCatalog.parsePlaylist(name: "t", toml: toml, file: "/some/dir/t.toml")
            return nil
        } catch {
            return error
        }
    }

    private func moodsError(_ toml: String) -> CatalogError? {
        do {
            _ = try CuratedCatalog.parseMoods(toml: toml, file: "moods.toml")
            return nil
        } catch {
            return error
        }
    }

    @Test func goodPlaylistParses() throws {
        let playlist = try CuratedCatalog.parsePlaylist(name: "t", toml: Self.good, file: "t.toml")
        #expect(playlist.name == "t")
        #expect(playlist.title == "Test")
        #expect(playlist.songs == [CuratedSong(title: "One", artist: "A", anime: "Show", role: .ending, moods: ["grief"])])
    }

    @Test func missingTitleNamesKeyAndLine() throws {
        let toml = Self.good + """

            [[songs]]
            artist = "B"
            anime = "Show"
            role = "opening"
            moods = ["grief"]
            """
        let error = try #require(playlistError(toml))
        #expect(error.key == "songs[2].title")
        #expect(error.line == 12)  // the second [[songs]] header
        #expect(error.message == "missing required key")
        #expect(error.description == "t.toml:12: songs[2].title: missing required key")
    }

    @Test func stringWhereArrayExpected() throws {
        let toml = Self.good.replacingOccurrences(of: "moods = [\"grief\"]", with: "moods = \"grief\"")
        let error = try #require(playlistError(toml))
        #expect(error.key == "songs[1].moods")
        #expect(error.line == 10)
        #expect(error.message.contains("expected an array of strings"))
    }

    @Test func numberWhereStringExpected() throws {
        let toml = Self.good.replacingOccurrences(of: "artist = \"A\"", with: "artist = 7")
        let error = try #require(playlistError(toml))
        #expect(error.key == "songs[1].artist")
        #expect(error.line == 7)
        #expect(error.message.contains("expected a string"))
    }

    @Test func unknownRole() throws {
        let toml = Self.good.replacingOccurrences(of: "role = \"ending\"", with: "role = \"outro\"")
        let error = try #require(playlistError(toml))
        #expect(error.key == "songs[1].role")
        #expect(error.line == 9)
        #expect(error.message.contains("unknown role \"outro\""))
    }

    @Test func unknownSongKeyIsATypo() throws {
        let toml = Self.good.replacingOccurrences(of: "anime = \"Show\"", with: "anime = \"Show\"\nanme = \"x\"")
        let error = try #require(playlistError(toml))
        #expect(error.key == "songs[1].anme")
        #expect(error.line == 9)
        #expect(error.message.hasPrefix("unknown key"))
    }

    @Test func syntaxErrorCarriesTOMLKitLine() throws {
        let error = try #require(playlistError("title = \"x\"\n\n[[songs]]\ntitle = \n"))
        #expect(error.line == 4)
        #expect(error.key == nil)
        #expect(error.description.hasPrefix("t.toml:4: "))
    }

    @Test func badVolume() throws {
        let error = try #require(moodsError("[calm]\ndescription = \"x\"\n\n[rain]\ninclude = [\"rain\"]\nvolume = 140\n"))
        #expect(error == CatalogError(file: "moods.toml", line: 6, key: "rain.volume", message: "expected an integer 0-100"))
        #expect(error.description == "moods.toml:6: rain.volume: expected an integer 0-100")
        let typed = try #require(moodsError("[rain]\nvolume = \"loud\"\n"))
        #expect(typed.key == "rain.volume")
        #expect(typed.line == 2)
    }

    @Test func badSleepDuration() throws {
        let error = try #require(moodsError("[rain]\ninclude = [\"rain\"]\nsleep = \"soon\"\n"))
        #expect(error.key == "rain.sleep")
        #expect(error.line == 3)
        #expect(error.message.contains("duration"))
        let negative = try #require(moodsError("[rain]\nsleep = -5\n"))
        #expect(negative.key == "rain.sleep")
    }

    @Test func badOrderAndUnknownMoodKey() throws {
        let order = try #require(moodsError("[rain]\norder = \"random\"\n"))
        #expect(order.key == "rain.order")
        #expect(order.line == 2)
        let typo = try #require(moodsError("[rain]\nincldue = [\"rain\"]\n"))
        #expect(typo.key == "rain.incldue")
        #expect(typo.line == 2)
        let notTable = try #require(moodsError("rain = 3\n"))
        #expect(notTable.key == "rain")
        #expect(notTable.line == 1)
    }

    @Test func moodsParseWithDefaults() throws {
        let moods = try CuratedCatalog.parseMoods(
            toml: "[rain]\nsleep = 90\n\n[calm]\ninclude = [\"piano\"]\nexclude = [\"war\"]\norder = \"shuffle\"\nsleep = \"1h30m\"\n",
            file: "moods.toml")
        #expect(moods.map(\.name) == ["calm", "rain"])
        #expect(moods[0] == Mood(name: "calm", description: "", include: ["piano"], exclude: ["war"], order: .shuffle, sleepSeconds: 5400))
        #expect(moods[1].include == ["rain"])
        #expect(moods[1].sleepSeconds == 90)
    }

    @Test func descriptionOmitsUnknownParts() {
        #expect(CatalogError(file: "/a/b/moods.toml", message: "boom").description == "moods.toml: boom")
        #expect(CatalogError(file: "x.toml", key: "k", message: "m").description == "x.toml: k: m")
        #expect(CatalogError(file: "x.toml", line: 2, message: "m").description == "x.toml:2: m")
    }

    @Test func validationReportsProblems() {
        let song = CuratedSong(title: "One", artist: "A", anime: "", role: .ending, moods: ["nope"])
        let catalog = CuratedCatalog(
            playlists: [CuratedPlaylist(name: "p", title: "P", description: "", source: "", songs: [song, song])],
            moods: [Mood(name: "empty", description: "", include: ["nothing"])]
        )
        let problems = catalog.validationProblems()
        #expect(problems.contains { $0.contains("empty anime") })
        #expect(problems.contains { $0.contains("mood \"nope\" is not defined") })
        #expect(problems.contains { $0.contains("repeats song 1") })
        #expect(problems.contains { $0.contains("mood \"empty\": admits no song") })
    }
}

@Suite("TOML source lines")
struct TOMLSourceLinesTests {
    static let text = """
        # comment with title = "x"
        top = 1
        rain.volume = 20

        [calm]
        volume = 3
        notes = \"\"\"
        volume = 99
        \"\"\"
        sleep = "1m"

        [[songs]]
        title = "a"

        [[songs]]
        "title" = "b"
        """

    @Test func findsKeysInTablesAndArrays() {
        #expect(TOMLSourceLines.line(of: "top", inTable: [], arrayIndex: nil, in: Self.text) == 2)
        #expect(TOMLSourceLines.line(of: "volume", inTable: ["rain"], arrayIndex: nil, in: Self.text) == 3)
        #expect(TOMLSourceLines.line(of: "volume", inTable: ["calm"], arrayIndex: nil, in: Self.text) == 6)
        #expect(TOMLSourceLines.line(of: "sleep", inTable: ["calm"], arrayIndex: nil, in: Self.text) == 10)
        #expect(TOMLSourceLines.line(of: "title", inTable: ["songs"], arrayIndex: 0, in: Self.text) == 13)
        #expect(TOMLSourceLines.line(of: "title", inTable: ["songs"], arrayIndex: 1, in: Self.text) == 16)
        #expect(TOMLSourceLines.line(of: "title", inTable: ["songs"], arrayIndex: 2, in: Self.text) == nil)
        #expect(TOMLSourceLines.line(of: "missing", inTable: ["calm"], arrayIndex: nil, in: Self.text) == nil)
    }

    @Test func findsTables() {
        #expect(TOMLSourceLines.line(ofTable: ["calm"], arrayIndex: nil, in: Self.text) == 5)
        #expect(TOMLSourceLines.line(ofTable: ["songs"], arrayIndex: 1, in: Self.text) == 15)
        #expect(TOMLSourceLines.line(ofTable: ["nope"], arrayIndex: nil, in: Self.text) == nil)
    }
}

@Suite("DurationText")
struct DurationTextTests {
    @Test(arguments: [
        ("90s", 90), ("30m", 1800), ("1h30m", 5400), ("2h", 7200), ("45", 45), ("0", 0), (" 45m ", 2700),
        ("1h30m15s", 5415), ("1H", 3600), ("90m", 5400),
    ])
    func parses(text: String, seconds: Int) {
        #expect(DurationText.parse(text) == seconds)
    }

    @Test(arguments: ["", "  ", "-5", "-5m", "abc", "5x", "m", "1m1h", "1h1h", "1.5h", "30 m", "99999999999999999999h"])
    func rejects(text: String) {
        #expect(DurationText.parse(text) == nil)
    }

    @Test(arguments: [(5400, "1h30m"), (2700, "45m"), (90, "1m30s"), (45, "45s"), (7200, "2h"), (3661, "1h1m1s"), (0, "0s")])
    func formats(seconds: Int, text: String) {
        #expect(DurationText.format(seconds) == text)
        #expect(DurationText.parse(text) == seconds)
    }
}

@Suite("Curated catalog: loading and user overrides")
struct CatalogLoadTests {
    private func makeDirectory(_ files: [String: String]) throws -> String {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("elegy-catalog-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (name, text) in files {
            try text.write(to: url.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return url.path
    }

    private func playlist(_ title: String, song: String) -> String {
        """
        title = "\(title)"
        [[songs]]
        title = "\(song)"
        artist = "A"
        anime = "S"
        role = "ost"
        moods = ["calm"]
        """
    }

    @Test func laterDirectoriesOverrideEarlierOnes() throws {
        let shipped = try makeDirectory([
            "one.toml": playlist("Shipped One", song: "x"),
            "two.toml": playlist("Shipped Two", song: "y"),
            "moods.toml": "[calm]\ndescription = \"shipped\"\n\n[storm]\ninclude = [\"calm\"]\n",
            "README.md": "not a playlist",
        ])
        let user = try makeDirectory([
            "two.toml": playlist("User Two", song: "z"),
            "three.toml": playlist("User Three", song: "w"),
            "moods.toml": "[calm]\ndescription = \"user\"\nvolume = 30\n",
        ])
        defer {
            try? FileManager.default.removeItem(atPath: shipped)
            try? FileManager.default.removeItem(atPath: user)
        }
        let missing = shipped + "-does-not-exist"
        let catalog = try loadCatalog(directories: [shipped, missing, user])
        #expect(catalog.playlists.map(\.name) == ["one", "three", "two"])
        #expect(catalog.playlist(named: "one")?.title == "Shipped One")
        #expect(catalog.playlist(named: "two")?.title == "User Two")
        #expect(catalog.playlist(named: "two")?.songs.map(\.title) == ["z"])
        #expect(catalog.moods.map(\.name) == ["calm", "storm"])
        #expect(catalog.mood(named: "calm")?.description == "user")
        #expect(catalog.mood(named: "calm")?.volume == 30)
        #expect(catalog.mood(named: "storm") != nil)
        let calm = try #require(catalog.mood(named: "calm"))
        #expect(catalog.songs(for: calm).map(\.title) == ["x", "w", "z"])
    }

    @Test func errorsNameTheFile() throws {
        let dir = try makeDirectory(["bad.toml": "title = 3\n"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(throws: CatalogError.self) { try loadCatalog(directories: [dir]) }
        do {
            _ = try loadCatalog(directories: [dir])
        } catch {
            #expect(error.description == "bad.toml:1: title: expected a string, found integer")
        }
    }

    @Test func noDirectoriesGiveAnEmptyCatalog() throws {
        let catalog = try loadCatalog(directories: ["/nonexistent/elegy/playlists"])
        #expect(catalog.playlists.isEmpty)
        #expect(catalog.moods.isEmpty)
    }
}

import Testing

@testable import ElegyCore

private let flac = AudioFormat(sampleRate: 44100, channels: 2, sampleType: .int16, bitsPerSample: 16)
private let hiRes = AudioFormat(sampleRate: 96000, channels: 2, sampleType: .int32, bitsPerSample: 24)

private let blue = CuratedSong(
    title: "Blue", artist: "Yoko Kanno & The Seatbelts feat. Mai Yamane", anime: "Cowboy Bebop", role: .ending,
    moods: ["farewell"]
)
private let treasure = CuratedSong(
    title: "My Most Precious Treasure", aliases: ["Ichiban no Takaramono", "一番の宝物"], artist: "Girls Dead Monster",
    anime: "Angel Beats!", role: .insert, moods: ["tears"]
)
private let monogatari = CuratedSong(
    title: "Kimi no Shiranai Monogatari", aliases: ["The Story You Don't Know"], artist: "supercell",
    anime: "Bakemonogatari", role: .ending, moods: ["night"]
)
private let kajiura = CuratedSong(
    title: "Sis puella magica!", artist: "Yuki Kajiura", anime: "Puella Magi Madoka Magica", role: .ost,
    moods: ["tears"]
)

private func tagged(
    _ uri: String, _ title: String?, _ artist: String?, album: String? = nil, albumArtist: String? = nil,
    format: AudioFormat? = nil
) -> Song {
    Song(uri: uri, title: title, artist: artist, album: album, albumArtist: albumArtist, format: format)
}

private func resolve(_ song: CuratedSong, in library: [Song], pins: [String: String] = [:]) -> Resolution {
    Resolver(library: library, pins: pins).resolve(song)
}

@Suite struct ResolverTextTests {
    @Test func foldsPunctuationCaseAndApostrophes() {
        #expect(MatchText.fold("Bird's Poem") == "birds poem")
        #expect(MatchText.fold("Birds  Poem") == "birds poem")
        #expect(MatchText.fold("bird’s poem") == "birds poem")
        #expect(MatchText.fold("  Sis puella magica! ") == "sis puella magica")
    }

    @Test func foldsWidthDiacriticsAndKana() {
        #expect(MatchText.fold("ＢＬＵＥ\u{3000}ｂｉｒｄ") == "blue bird")
        #expect(MatchText.fold("Ichiban no Takaramonō") == "ichiban no takaramono")
        #expect(MatchText.fold("Café Pokémon Ōkami") == "cafe pokemon okami")
        #expect(MatchText.fold("ｶﾞﾝﾀﾞﾑ") == MatchText.fold("ガンダム"))
        #expect(MatchText.fold("ガンダム") != MatchText.fold("カンタム"))
        #expect(MatchText.fold("一番の宝物") == MatchText.fold("一番の宝物"))
        #expect(MatchText.fold("Straße") == "strasse")
    }

    @Test func romanisationVariantsShareAKey() {
        #expect(MatchText.romajiKey(MatchText.fold("Shōjo")) == MatchText.romajiKey(MatchText.fold("Shoujo")))
        #expect(MatchText.romajiKey("kimi wo") == MatchText.romajiKey("kimi o"))
        #expect(MatchText.romajiKey("shinbun") == MatchText.romajiKey("shimbun"))
        #expect(MatchText.romajiKey("no uta") == "nouta")
    }

    @Test func stripsVersionSuffixes() {
        let tv = MatchText.parseTitle("Blue (TV Size)")
        #expect(tv.key == "blue" && tv.version == .size)
        #expect(MatchText.parseTitle("Blue [FLAC]").version == .format)
        #expect(MatchText.parseTitle("Blue (24bit/96kHz)").version == .format)
        let remaster = MatchText.parseTitle("Blue - Remastered 2011")
        #expect(remaster.key == "blue" && remaster.version == .remaster)
        #expect(MatchText.parseTitle("Blue (Instrumental)").version == .instrumental)
        #expect(MatchText.parseTitle("Blue (Off Vocal)").version == .instrumental)
        #expect(MatchText.parseTitle("Blue -TV size-").key == "blue")
        let yui = MatchText.parseTitle("一番の宝物 ～Yui final ver.～")
        #expect(yui.plain == MatchText.compact(MatchText.fold("一番の宝物")) && yui.version == .other)
        #expect(MatchText.parseTitle("一番の宝物（Yui final ver.）").key == yui.key)
        let featuring = MatchText.parseTitle("Blue feat. Mai Yamane")
        #expect(featuring.key == "blue" && featuring.featured == "Mai Yamane")
        #expect(MatchText.parseTitle("Blue (ft. Mai Yamane)").featured == "Mai Yamane")
        #expect(MatchText.parseTitle("03 - Blue").key == "blue")
        #expect(MatchText.parseTitle("Rain - Memory").key == "rainmemory")
        #expect(MatchText.parseTitle("(TV Size)").key == "tvsize")
    }

    @Test func splitsAndComparesArtistNames() {
        let curated = MatchText.artistNames("Yoko Kanno & The Seatbelts feat. Mai Yamane")
        #expect(curated.map(\.compact) == ["yokokanno", "seatbelts", "maiyamane"])
        #expect(MatchText.bestMatch(MatchText.artistNames("Seatbelts"), curated) == .same)
        #expect(MatchText.bestMatch(MatchText.artistNames("Kanno Yoko / Mai Yamane"), curated) == .same)
        #expect(MatchText.bestMatch(MatchText.artistNames("Joe Blue Band"), curated) == .none)
        #expect(
            MatchText.bestMatch(MatchText.artistNames("Kajiura Yuki"), MatchText.artistNames("Yuki Kajiura")) == .same)
        #expect(MatchText.bestMatch(MatchText.artistNames("Yoko Kano"), curated) == .same)
        #expect(MatchText.bestMatch(MatchText.artistNames("Kanno"), curated) == .partial)
        let band = MatchText.artistNames("Girls Dead Monster")
        #expect(MatchText.bestMatch(MatchText.artistNames("Monster"), band) == .none)
        #expect(MatchText.artistNames("Various Artists").isEmpty)
        #expect(MatchText.artistNames("Yui (CV: Nao Touyama)").map(\.compact) == ["yui", "naotouyama"])
    }
}

@Suite struct ResolverTests {
    @Test func exactTitleAndAgreeingArtistIsFound() {
        let library = [
            tagged("Seatbelts/Blue/01 Blue.flac", "Blue", "Seatbelts", album: "Cowboy Bebop Blue"),
            tagged("Other/x.mp3", "Tank!", "Seatbelts"),
        ]
        let result = resolve(blue, in: library)
        #expect(result.status == .found)
        #expect(result.uri == "Seatbelts/Blue/01 Blue.flac")
        #expect(result.score == 1)
        #expect(!result.pinned && result.candidates.isEmpty)
    }

    @Test func aliasesInEnglishRomajiAndJapaneseScript() {
        let japanese = [tagged("GDM/06.flac", "一番の宝物 ～Yui final ver.～", "Girls Dead Monster")]
        let romaji = [tagged("GDM/06.mp3", "Ichiban no Takaramonō (Yui final ver.)", "Girls Dead Monster")]
        let english = [tagged("GDM/06.ogg", "My Most Precious Treasure", "Girls Dead Monster")]
        for library in [japanese, romaji, english] {
            let result = resolve(treasure, in: library)
            #expect(result.status == .found, "\(library[0].title ?? "")")
            #expect(result.score >= 0.9)
        }
        #expect(resolve(treasure, in: japanese).score < resolve(treasure, in: english).score)
    }

    @Test func japaneseScriptMustMatchExactly() {
        let library = [tagged("GDM/06.flac", "一番の宝もの", "Girls Dead Monster")]
        #expect(resolve(treasure, in: library).status == .missing)
    }

    @Test func fullWidthAndSuffixesStillMatch() {
        for title in ["ＢＬＵＥ", "Blue (TV Size)", "Blue [FLAC]", "Blue feat. Mai Yamane", "Blue - Remastered 2011"] {
            let result = resolve(blue, in: [tagged("a/b.flac", title, "The Seatbelts")])
            #expect(result.status == .found, "\(title)")
        }
        let tvSize = resolve(blue, in: [tagged("a/b.flac", "Blue (TV Size)", "Seatbelts")])
        #expect(tvSize.score < 1 && tvSize.score >= 0.95)
    }

    @Test func fullVersionBeatsTVSize() {
        let library = [
            tagged("Seatbelts/tv.flac", "Blue (TV Size)", "Seatbelts", format: flac),
            tagged("Seatbelts/full.mp3", "Blue", "Seatbelts"),
        ]
        #expect(resolve(blue, in: library).uri == "Seatbelts/full.mp3")
    }

    @Test func sameTitleByAnotherArtistIsRejected() {
        let decoy = tagged("Joe Blue Band/Hits/03 Blue.flac", "Blue", "Joe Blue Band", album: "Hits")
        let result = resolve(blue, in: [decoy])
        #expect(result.status == .missing)
        #expect(result.score < Resolver.defaultThreshold)
        #expect(result.candidates.count == 1)
        let expected = "rejected: different song with the same title (tag artist 'Joe Blue Band', "
            + "curated 'Yoko Kanno & The Seatbelts feat. Mai Yamane')"
        #expect(result.candidates.first?.reason == expected)
        #expect(result.candidates.first?.rule == .differentSong)
        #expect(result.rejected == result.candidates)
        let real = tagged("Yoko Kanno/Blue.mp3", "Blue", "Mai Yamane")
        #expect(resolve(blue, in: [decoy, real]).uri == "Yoko Kanno/Blue.mp3")
    }

    @Test func decoyInTheShowsFolderIsStillRejected() {
        let decoy = tagged("Cowboy Bebop/Blue.flac", "Blue", "Joe Blue Band")
        #expect(resolve(blue, in: [decoy]).status == .missing)
    }

    @Test func instrumentalIsADifferentRecording() {
        let library = [tagged("supercell/05.flac", "Kimi no Shiranai Monogatari (Instrumental)", "supercell")]
        let result = resolve(monogatari, in: library)
        #expect(result.status == .missing)
        #expect(result.candidates.first?.reason == "rejected: off-vocal version ('Instrumental' in the title)")
    }

    @Test func pathOnlyEvidence() {
        let cases: [(String, Resolution.Status)] = [
            ("Seatbelts/Cowboy Bebop Blue/12 - Blue.flac", .found),  // artist folder agrees
            ("Anime/Cowboy Bebop OST/Blue.mp3", .found),  // the show's folder
            ("Cowboy Bebop/1-03 Blue.flac", .found),  // disc-track number
            ("Cowboy Bebop/03_Blue (TV Size).flac", .found),
            ("Cowboy Bebop/03 - Blue Bird.flac", .missing),  // another song's title
            ("Seatbelts - Blue.mp3", .found),  // "Artist - Title"
            ("Blue - Seatbelts.mp3", .found),  // "Title - Artist"
            ("incoming/03. Blue.ogg", .missing),  // a short title with nothing else
            ("Joe Blue Band/Hits/03 - Blue.mp3", .missing),  // another artist's folder
            ("Joe Blue Band - Blue.mp3", .missing),  // another artist's name
        ]
        for (uri, status) in cases {
            let result = resolve(blue, in: [Song(uri: uri)])
            #expect(result.status == status, "\(uri): \(result.candidates.first?.reason ?? "")")
        }
        let folder = resolve(blue, in: [Song(uri: "Joe Blue Band/Hits/03 - Blue.mp3")])
        #expect(folder.candidates.first?.reason.contains("folder 'Joe Blue Band'") == true)
    }

    @Test func placeholderTagFallsBackToFileName() {
        let library = [tagged("Seatbelts/Seatbelts - Blue.flac", "Track 03", nil)]
        #expect(resolve(blue, in: library).status == .found)
    }

    @Test func showAndTitleInTitleTag() {
        let library = [tagged("misc/blue.mp3", "Cowboy Bebop - Blue", "Seatbelts")]
        #expect(resolve(blue, in: library).status == .found)
    }

    @Test func losslessWinsOverLossyThenHigherRate() {
        let library = [
            tagged("mp3/Seatbelts/Blue.mp3", "Blue", "Seatbelts"),
            tagged("flac/Seatbelts/Blue.flac", "Blue", "Seatbelts", format: flac),
            tagged("hires/Seatbelts/Blue.flac", "Blue", "Seatbelts", format: hiRes),
        ]
        #expect(resolve(blue, in: Array(library.prefix(2))).uri == "flac/Seatbelts/Blue.flac")
        #expect(resolve(blue, in: library.reversed()).uri == "hires/Seatbelts/Blue.flac")
    }

    @Test func absentSongListsClosestCandidatesWithReasons() {
        let library = [
            tagged("a/1.flac", "Kimi no Shiranai Monogatari", "Joe Blue Band"),
            tagged("a/2.flac", "Kimi no Shiranai Mono", "supercell"),
            tagged("a/3.flac", "Kimi no Shiranai Monogatari (Off Vocal)", "supercell"),
            tagged("a/4.flac", "Kimi no Na wa", "supercell"),
            tagged("a/5.flac", "Something Else Entirely", "supercell"),
        ]
        let result = resolve(monogatari, in: library)
        #expect(result.status == .missing)
        #expect(result.candidates.count == 3)
        #expect(result.score == result.candidates.first?.score)
        #expect(result.candidates.allSatisfy { !$0.reason.isEmpty && $0.score < Resolver.defaultThreshold })
        let reasons = result.candidates.map(\.reason).joined(separator: "\n")
        #expect(reasons.contains("rejected: different song with the same title (tag artist 'Joe Blue Band'"))
        #expect(reasons.contains("rejected: off-vocal version ('Off Vocal' in the title)"))
        #expect(reasons.contains("below threshold"))

        let nothing = resolve(monogatari, in: [tagged("x/y.flac", "Tank!", "Seatbelts")])
        #expect(nothing.status == .missing && nothing.score == 0 && nothing.candidates.isEmpty)
    }

    @Test func nearMissTitleWithAgreeingArtistIsFound() {
        let library = [tagged("sc/01.flac", "Kimi no Shiranai Monogatarii", "supercell")]
        let result = resolve(monogatari, in: library)
        #expect(result.status == .found)
        #expect(result.score < 1)
    }

    @Test func pinsOverrideEverything() {
        let decoy = tagged("Joe Blue Band/Blue.mp3", "Blue", "Joe Blue Band")
        let real = tagged("Seatbelts/Blue.flac", "Blue", "Seatbelts")
        let byTitle = resolve(blue, in: [decoy, real], pins: ["Blue": "Joe Blue Band/Blue.mp3"])
        #expect(byTitle.status == .found && byTitle.pinned && byTitle.uri == "Joe Blue Band/Blue.mp3")
        #expect(byTitle.score == 1)
        let byArtist = resolve(
            blue, in: [decoy, real],
            pins: ["Blue": "Seatbelts/Blue.flac", "Yoko Kanno & The Seatbelts feat. Mai Yamane - Blue": decoy.uri]
        )
        #expect(byArtist.uri == decoy.uri)
        let alias = resolve(treasure, in: [real], pins: ["一番の宝物": real.uri])
        #expect(alias.uri == real.uri && alias.pinned)
    }

    @Test func pinToAbsentFileIsMissing() {
        let real = tagged("Seatbelts/Blue.flac", "Blue", "Seatbelts")
        let result = resolve(blue, in: [real], pins: ["blue": "gone/Blue.flac"])
        #expect(result.status == .missing && result.pinned && result.uri == nil)
        #expect(
            result.candidates == [
                ResolverCandidate(uri: "gone/Blue.flac", score: 0, reason: "pinned file not in library")
            ])
    }

    @Test func artistNameOrderSwapped() {
        let library = [tagged("k/1.flac", "Sis Puella Magica", "Kajiura Yuki")]
        #expect(resolve(kajiura, in: library).status == .found)
    }

    @Test func albumArtistAndMultipleArtistsCount() {
        let byAlbumArtist = [tagged("x/1.flac", "Blue", "Various", albumArtist: "The Seatbelts")]
        #expect(resolve(blue, in: byAlbumArtist).status == .found)
        let collaboration = [tagged("x/1.flac", "Blue", "Yoko Kanno x Mai Yamane")]
        #expect(resolve(blue, in: collaboration).status == .found)
    }

    /// Decision: a file that names no artist is accepted only when its title is distinctive (three words, twelve
    /// letters or four CJK characters) or its album or path names the show. A bare "Blue" is not enough.
    @Test func titleOnlyWithoutArtist() {
        #expect(resolve(blue, in: [tagged("x/1.flac", "Blue", nil)]).status == .missing)
        let reason = resolve(blue, in: [tagged("x/1.flac", "Blue", nil)]).candidates.first?.reason
        #expect(reason == "title matches but the file names no artist and nothing ties it to 'Cowboy Bebop'")
        #expect(
            resolve(blue, in: [tagged("x/1.flac", "Blue", nil, album: "COWBOY BEBOP Vitaminless")]).status == .found)
        #expect(resolve(monogatari, in: [tagged("x/1.flac", "Kimi no Shiranai Monogatari", nil)]).status == .found)
        var hoshi = monogatari
        hoshi.title = "Hoshi Sayonara"
        #expect(resolve(hoshi, in: [tagged("x/1.flac", "Hoshi Sayonara", nil)]).status == .missing)
        #expect(resolve(treasure, in: [tagged("x/1.flac", "一番の宝物", nil)]).status == .found)
    }

    @Test func artistInAnotherScript() {
        let library = [tagged("x/1.flac", "Blue", "菅野よう子")]
        #expect(resolve(blue, in: library).status == .missing)
        var withKanji = blue
        withKanji.artist = "Yoko Kanno (菅野よう子)"
        #expect(resolve(withKanji, in: library).status == .found)
        let long = [tagged("x/1.flac", "Kimi no Shiranai Monogatari", "スーパーセル")]
        #expect(resolve(monogatari, in: long).status == .found)
        // A romanised name with a Japanese honorific is compared, and disagrees.
        var hoshi = monogatari
        hoshi.title = "Hoshi Sayonara"
        let mixed = [tagged("x/1.flac", "Hoshi Sayonara", "Sasakiさん")]
        #expect(resolve(hoshi, in: mixed).status == .missing)
        // Two words in a foreign-script artist's file are not enough on their own.
        #expect(resolve(hoshi, in: [tagged("x/1.flac", "Hoshi Sayonara", "佐々木")]).status == .missing)
    }

    @Test func romanisationVariantScoresSlightlyLower() {
        var song = monogatari
        song.title = "Shoujo Shuumatsu Ryokou"
        let result = resolve(song, in: [tagged("x/1.flac", "Shōjo Shūmatsu Ryokō", "supercell")])
        #expect(result.status == .found && result.score < 1)
    }

    @Test func batchKeepsOrderAndRoundTripsAsJSONShape() throws {
        let library = [tagged("Seatbelts/Blue.flac", "Blue", "Seatbelts")]
        let results = Resolver(library: library).resolve([monogatari, blue])
        #expect(results.map(\.status) == [.missing, .found])
        #expect(results.map(\.song) == [monogatari, blue])
        #expect(results.allSatisfy { (0...1).contains($0.score) })
    }

    @Test func thresholdIsAdjustable() {
        let library = [tagged("x/1.flac", "Blue", nil)]
        #expect(Resolver(library: library, threshold: 0.6).resolve(blue).status == .found)
    }
}

private let lastTrain = CuratedSong(
    title: "Last Train Home", artist: "Pat Metheny Group", anime: "JoJo's Bizarre Adventure: Stone Ocean",
    role: .ending, moods: ["instrumental", "late-night"]
)
private let kanashimi = CuratedSong(
    title: "Kanashimi wo Yasashisa ni", aliases: ["かなしみをやさしさに", "Turn Sadness into Kindness"],
    artist: "little by little", anime: "Naruto", role: .opening, moods: ["hope"]
)
private let secretBase = CuratedSong(
    title: "Secret Base ~Kimi ga Kureta Mono~",
    aliases: [
        "secret base ~君がくれたもの~", "secret base ~君がくれたもの~ (10 years after Ver.)", "Secret Base",
        "What You Gave Me",
    ],
    artist: "Ai Kayano, Haruka Tomatsu & Saori Hayami", anime: "Anohana: The Flower We Saw That Day", role: .ending,
    moods: ["summer"]
)
private let dearest = CuratedSong(
    title: "To My Dearest", artist: "Minami Tanaka", anime: "Zombie Land Saga", role: .insert, moods: ["family"]
)

/// Rejection rules, path-only evidence, version and performer preference, and the reasons `elegy resolve` shows.
@Suite struct ResolverRuleTests {
    // MARK: Off-vocal versions

    @Test(arguments: [
        tagged("Seatbelts/Blue/02.flac", "Blue (Off Vocal)", "Seatbelts"),
        tagged("Seatbelts/Blue/02.flac", "Blue (Karaoke)", "Seatbelts"),
        tagged("Seatbelts/Blue/02.flac", "Blue (inst.)", "Seatbelts"),
        tagged("Seatbelts/Blue/02.flac", "Blue -Instrumental-", "Seatbelts"),
        tagged("Seatbelts/Blue/02.flac", "Blue off vocal", "Seatbelts"),
        tagged("Seatbelts/Blue/02.flac", "Blue（オフボーカル）", "Seatbelts"),
        tagged("Seatbelts/Blue/02.flac", "Blue ～カラオケ～", "Seatbelts"),
        tagged("Seatbelts/Blue/02 Blue (Instrumental).flac", "Blue", "Seatbelts"),
        tagged("Seatbelts/Blue/02 Blue inst..flac", "Blue", "Seatbelts"),
        tagged("Seatbelts/Karaoke/Blue.flac", "Blue", "Seatbelts"),
        tagged("Seatbelts/カラオケ/Blue.flac", "Blue", "Seatbelts"),
        Song(uri: "Cowboy Bebop/Blue_off_vocal.flac"),
        Song(uri: "Cowboy Bebop/ED - Blue (Instrumental).flac"),
    ])
    func offVocalNeverMatchesAVocalSong(file: Song) {
        // Not even with a threshold that would take almost anything.
        let result = Resolver(library: [file], threshold: 0.05).resolve(blue)
        #expect(result.status == .missing, "\(file.uri) \(file.title ?? "")")
        #expect(result.candidates.first?.rule == .offVocal, "\(file.uri): \(result.candidates.first?.reason ?? "")")
        #expect(result.candidates.first?.reason.hasPrefix("rejected: off-vocal version (") == true)
    }

    @Test func offVocalReasonSaysWhere() {
        let byFolder = resolve(blue, in: [tagged("Seatbelts/Karaoke/Blue.flac", "Blue", "Seatbelts")])
        #expect(byFolder.candidates.first?.reason == "rejected: off-vocal version (folder 'Karaoke')")
        let byName = resolve(blue, in: [tagged("Seatbelts/03 Blue (Karaoke).flac", "Blue", "Seatbelts")])
        #expect(byName.candidates.first?.reason == "rejected: off-vocal version ('karaoke' in the file name)")
        let byTitle = resolve(blue, in: [tagged("x/3.flac", "Blue (Off Vocal)", "Seatbelts")])
        #expect(byTitle.candidates.first?.reason == "rejected: off-vocal version ('Off Vocal' in the title)")
    }

    @Test func offVocalIsAcceptedForInstrumentalAndOSTEntries() {
        let file = tagged("Pat Metheny Group/Still Life/Last Train Home (Instrumental).flac", "Last Train Home (Instrumental)", "Pat Metheny Group")
        // The entry's mood says instrumental.
        #expect(resolve(lastTrain, in: [file]).status == .found)
        var vocal = lastTrain
        vocal.moods = ["late-night"]
        #expect(resolve(vocal, in: [file]).candidates.first?.rule == .offVocal)
        // An OST piece.
        var ost = vocal
        ost.role = .ost
        #expect(resolve(ost, in: [file]).status == .found)
        // With the vocal recording present, the OST entry still takes it first.
        let plain = tagged("Pat Metheny Group/Still Life/Last Train Home.flac", "Last Train Home", "Pat Metheny Group")
        #expect(resolve(ost, in: [file, plain]).uri == plain.uri)
    }

    @Test func vocalWordsAroundTheSongAreNotOffVocalMarks() {
        // "Vocal & Instrumental" folders hold both; the curated title's own words are never marks.
        let collection = tagged("Seatbelts/Vocal & Instrumental Collection/Blue.flac", "Blue", "Seatbelts")
        #expect(resolve(blue, in: [collection]).status == .found)
        var karaoke = blue
        karaoke.title = "Karaoke Night"
        let night = tagged("Seatbelts/Karaoke Night.flac", "Karaoke Night", "Seatbelts")
        #expect(resolve(karaoke, in: [night]).status == .found)
    }

    @Test func instrumentalEntryRejectsTheVocalVersion() {
        var instrumental = blue
        instrumental.version = "instrumental"
        let vocal = tagged("Seatbelts/Blue.flac", "Blue", "Seatbelts")
        let result = resolve(instrumental, in: [vocal])
        #expect(result.status == .missing)
        #expect(result.candidates.first?.reason == "rejected: vocal version (the curated entry is the instrumental)")
        let off = tagged("Seatbelts/Blue (Off Vocal).flac", "Blue (Off Vocal)", "Seatbelts")
        #expect(resolve(instrumental, in: [vocal, off]).uri == off.uri)
    }

    // MARK: Covers

    @Test func coverMarkIsRejected() {
        for file in [
            tagged("x/Blue (Cover).mp3", "Blue (Cover)", "Seatbelts"),
            tagged("Covers/Blue.mp3", "Blue", "Seatbelts"),
            tagged("x/1.mp3", "Blue 歌ってみた", "Seatbelts"),
            tagged("x/1.mp3", "Blue (カバー)", "Seatbelts"),
            Song(uri: "Cowboy Bebop/Blue (covered by Jane).mp3"),
        ] {
            let result = Resolver(library: [file], threshold: 0.05).resolve(blue)
            #expect(result.status == .missing, "\(file.uri) \(file.title ?? "")")
            #expect(result.candidates.first?.rule == .cover, "\(file.uri): \(result.candidates.first?.reason ?? "")")
        }
        // A self-cover is the same singer's new recording: another performance, not another singer.
        let selfCover = tagged("x/1.mp3", "Blue (Self Cover)", "Seatbelts")
        #expect(resolve(blue, in: [selfCover]).status == .found)
    }

    @Test func anotherArtistOnAFileTiedToTheSongIsACover() {
        let tribute = tagged("Jane Doe/Cowboy Bebop Tribute/Blue.mp3", "Blue", "Jane Doe", album: "Cowboy Bebop Tribute")
        let result = Resolver(library: [tribute], threshold: 0.05).resolve(blue)
        #expect(result.status == .missing)
        #expect(
            result.candidates.first?.reason
                == "rejected: cover by a different artist (tag artist 'Jane Doe', curated "
                + "'Yoko Kanno & The Seatbelts feat. Mai Yamane')")
        // The composer tag names the curated artist, the artist tag someone else: a cover, not the song.
        var composed = tagged("Jane Doe/Songs/Blue.mp3", "Blue", "Jane Doe")
        composed.composer = "Yoko Kanno"
        #expect(resolve(blue, in: [composed]).candidates.first?.rule == .cover)
        // For an OST piece the composer still speaks: an orchestra plays it.
        var theme = kajiura
        theme.artist = "Yoko Kanno"
        var orchestra = tagged("Orchestra/Sis puella magica.flac", "Sis puella magica!", "Warsaw Philharmonic")
        orchestra.composer = "Yoko Kanno"
        #expect(resolve(theme, in: [orchestra]).status == .found)
    }

    @Test func differentSongWithTheSameTitleIsRejectedWhateverTheThreshold() {
        let decoy = tagged("Joe Blue Band/Hits/03 Blue.flac", "Blue", "Joe Blue Band", album: "Hits")
        let result = Resolver(library: [decoy], threshold: 0.05).resolve(blue)
        #expect(result.status == .missing)
        #expect(result.candidates.first?.rule == .differentSong)
        // (A threshold below 0.3 would take the file name read as "Title - Artist": title "Joe Blue Band".)
        let byName = Resolver(library: [Song(uri: "incoming/Joe Blue Band - Blue.mp3")], threshold: 0.3).resolve(blue)
        #expect(
            byName.candidates.first?.reason
                == "rejected: different song with the same title (file name artist 'Joe Blue Band', curated "
                + "'Yoko Kanno & The Seatbelts feat. Mai Yamane')")
    }

    @Test func foundSongListsTheFilesRulesRefused() {
        let library = [
            tagged("Seatbelts/Blue.mp3", "Blue", "Seatbelts"),
            tagged("Seatbelts/Blue (Off Vocal).flac", "Blue (Off Vocal)", "Seatbelts", format: flac),
            tagged("Joe Blue Band/Blue.flac", "Blue", "Joe Blue Band", format: flac),
        ]
        let result = resolve(blue, in: library)
        #expect(result.status == .found && result.uri == "Seatbelts/Blue.mp3")
        #expect(Set(result.rejected.compactMap(\.rule)) == [.offVocal, .differentSong])
        #expect(result.rejected.allSatisfy { $0.reason.hasPrefix("rejected: \($0.rule?.rawValue ?? "?") (") })
        #expect(result.candidates.isEmpty)
    }

    // MARK: Path-only evidence

    @Test(arguments: [
        // The show's folder, a leading track number, a version suffix.
        ("Cowboy Bebop/03 - Blue.flac", blue),
        ("Cowboy Bebop/03. Blue.flac", blue),
        ("Cowboy Bebop/Blue TV Size.flac", blue),
        ("Cowboy Bebop/Blue (TV ver.).flac", blue),
        ("Cowboy Bebop/Blue - TV size.flac", blue),
        ("Cowboy Bebop/ED - Blue.flac", blue),
        ("Cowboy Bebop/ED_Blue.flac", blue),
        // Role prefixes: the title alone is distinctive enough.
        ("Music/ED2 - Last Train Home.flac", lastTrain),
        ("Music/OP3_Kanashimi wo Yasashisa ni.flac", kanashimi),
        ("Music/op3 Kanashimi wo Yasashisa ni.flac", kanashimi),
        ("Music/01 - OP3 - Kanashimi wo Yasashisa ni.m4a", kanashimi),
        // Japanese script against the entry's aliases; a short form of the show's name as a folder.
        ("Naruto/OP3 かなしみをやさしさに.flac", kanashimi),
        ("Angel Beats!/一番の宝物.flac", treasure),
        ("Anohana/ED - secret base ~君がくれたもの~ (10 years after Ver.).flac", secretBase),
        ("Anohana/secret base ~君がくれたもの~ (10 years after Ver.).m4a", secretBase),
    ])
    func untaggedFileMatchesOnItsPath(uri: String, song: CuratedSong) {
        let result = resolve(song, in: [Song(uri: uri)])
        #expect(result.status == .found, "\(uri): \(result.candidates.first?.reason ?? "")")
    }

    @Test(arguments: [
        ("incoming/ED - Blue.flac", blue),  // a short title and a role prefix are not enough
        ("incoming/Blue TV Size.flac", blue),
        ("Cowboy Bebop/ED2 - Blue Bird.flac", blue),  // another song's title
        ("Naruto/OP3 かなしみをやさしさ.flac", kanashimi),  // Japanese script must match exactly
        ("Music/Ed Sheeran - Kanashimi wo Yasashisa ni.mp3", kanashimi),  // "Ed" is a name, not a role
    ])
    func untaggedFileWithTooLittleEvidenceIsMissing(uri: String, song: CuratedSong) {
        #expect(resolve(song, in: [Song(uri: uri)]).status == .missing, "\(uri)")
    }

    @Test func rolePrefixesAndTheirLimits() {
        func role(_ text: String) -> SongRole? {
            MatchText.afterRolePrefix(Array(text.unicodeScalars))?.role
        }
        #expect(role("ED2 - Last Train Home") == .ending)
        #expect(role("OP3_Kanashimi") == .opening)
        #expect(role("IN - Song") == .insert)
        #expect(role("NCED1 Song") == .ending)
        #expect(role("Opening 2 - Song") == .opening)
        #expect(role("Ending - Song") == .ending)
        #expect(role("Ending Theme") == nil)
        #expect(role("IN THE END") == nil)
        #expect(role("Ed Sheeran - Perfect") == nil)
        #expect(role("Opal") == nil)
        #expect(MatchText.roleMarker("ED2") == .ending && MatchText.roleMarker("Edo") == nil)
        let tag = resolve(lastTrain, in: [tagged("x/1.flac", "ED2 - Last Train Home", nil)])
        #expect(tag.status == .found)
        // The prefix is evidence: a matching role scores above the same file without it, a wrong one below.
        let plain = resolve(blue, in: [Song(uri: "Cowboy Bebop/Blue.flac")]).score
        #expect(resolve(blue, in: [Song(uri: "Cowboy Bebop/ED - Blue.flac")]).score > plain)
        #expect(resolve(blue, in: [Song(uri: "Cowboy Bebop/OP - Blue.flac")]).score < plain)
    }

    @Test func anotherContainerIsEquallyAcceptable() {
        let m4a = Song(uri: "Naruto/OP3 - Kanashimi wo Yasashisa ni.m4a")
        let flacFile = Song(uri: "Naruto/OP3 - Kanashimi wo Yasashisa ni.flac")
        let a = resolve(kanashimi, in: [m4a])
        let b = resolve(kanashimi, in: [flacFile])
        #expect(a.status == .found && b.status == .found && a.score == b.score)
        #expect(resolve(kanashimi, in: [m4a, flacFile]).uri == flacFile.uri)
    }

    @Test func unbracketedVersionWordsAreSuffixes() {
        let tv = MatchText.parseTitle("Blue TV Size")
        #expect(tv.key == "blue" && tv.version == .size)
        #expect(MatchText.parseTitle("Blue off vocal").version == .instrumental)
        #expect(MatchText.parseTitle("Blue off vocal").key == "blue")
        #expect(MatchText.parseTitle("Blue (Full ver.)").version == .remaster)
        #expect(MatchText.parseTitle("Instrumental").key == "instrumental")
        #expect(MatchText.parseTitle("Karaoke Night").key == "karaokenight")
    }

    // MARK: Version and performer

    @Test func versionFieldPrefersTheNamedRecording() {
        let full = tagged("Seatbelts/Blue.flac", "Blue", "Seatbelts", format: flac)
        let tv = tagged("Seatbelts/Blue (TV Size).flac", "Blue (TV Size)", "Seatbelts", format: flac)
        let live = tagged("Seatbelts/Blue (Live at Budokan).flac", "Blue (Live at Budokan)", "Seatbelts", format: flac)
        let library = [tv, live, full]
        #expect(resolve(blue, in: library).uri == full.uri)
        var wantsTV = blue
        wantsTV.version = "tv-size"
        #expect(resolve(wantsTV, in: library).uri == tv.uri)
        var wantsLive = blue
        wantsLive.version = "live"
        #expect(resolve(wantsLive, in: library).uri == live.uri)
        var wantsFull = blue
        wantsFull.version = "full"
        #expect(resolve(wantsFull, in: library).uri == full.uri)
        // A preference, not a requirement: with only the full recording, a TV-size entry still finds it.
        #expect(resolve(wantsTV, in: [full]).status == .found)
    }

    @Test func versionLabelWordsPickTheirRecording() {
        let trio = "Ai Kayano, Haruka Tomatsu & Saori Hayami"
        let plain = tagged("Anohana/secret base.flac", "secret base ~君がくれたもの~", trio, format: flac)
        let later = tagged(
            "Anohana/secret base (10 years after).flac", "secret base ~君がくれたもの~ (10 years after Ver.)", trio,
            format: flac)
        var song = secretBase
        song.version = "10 years after"
        #expect(resolve(song, in: [plain, later]).uri == later.uri)
        song.version = "original"
        #expect(resolve(song, in: [later, plain]).uri == plain.uri)
    }

    @Test func performerFieldPrefersItsRecording() {
        let solo = tagged("Minami Tanaka/To My Dearest.flac", "To My Dearest", "Minami Tanaka", format: flac)
        let group = tagged("Franchouchou/To My Dearest.mp3", "To My Dearest", "Franchouchou")
        // Without a performer, another name on the file is another song.
        let plain = resolve(dearest, in: [solo, group])
        #expect(plain.uri == solo.uri)
        #expect(plain.rejected.first?.rule == .differentSong)
        var credited = dearest
        credited.performer = "Franchouchou"
        let result = resolve(credited, in: [solo, group])
        #expect(result.uri == group.uri && result.rejected.isEmpty)
        #expect(resolve(credited, in: [solo]).status == .found)
        // The performer is who "different artist" is measured against.
        let other = resolve(credited, in: [tagged("x/1.mp3", "To My Dearest", "Jane Doe", album: "Zombie Land Saga")])
        #expect(
            other.candidates.first?.reason
                == "rejected: cover by a different artist (tag artist 'Jane Doe', curated 'Franchouchou')")
    }

    @Test func catalogReadsVersionAndPerformer() throws {
        func toml(version: String) -> String {
            """
            [[songs]]
            title = "To My Dearest"
            artist = "Minami Tanaka"
            anime = "Zombie Land Saga"
            role = "insert"
            moods = ["family"]
            version = "\(version)"
            performer = "Franchouchou"

            [[songs]]
            title = "Blue"
            artist = "Seatbelts"
            anime = "Cowboy Bebop"
            role = "ending"
            moods = ["farewell"]
            """
        }
        let playlist = try CuratedCatalog.parsePlaylist(name: "t", toml: toml(version: "tv-size"), file: "t.toml")
        #expect(playlist.songs.map(\.version) == ["tv-size", nil])
        #expect(playlist.songs.map(\.performer) == ["Franchouchou", nil])
        #expect(throws: CatalogError.self) {
            try CuratedCatalog.parsePlaylist(name: "t", toml: toml(version: " "), file: "t.toml")
        }
    }
}

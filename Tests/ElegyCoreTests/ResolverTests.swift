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

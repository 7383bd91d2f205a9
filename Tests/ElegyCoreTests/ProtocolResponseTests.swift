import Testing

@testable import ElegyCore

private let cdFormat = AudioFormat(sampleRate: 44100, channels: 2, sampleType: .int16, bitsPerSample: 16)

private let song = Song(
    uri: "Aimer/Kataomoi/01 - Kataomoi.flac", title: "Kataomoi", artist: "Aimer", album: "Kataomoi",
    albumArtist: "Aimer", track: "1", disc: "1", date: "2016", genre: "J-Pop", composer: "Aimer",
    duration: 312.4996, format: cdFormat, size: 1234, modified: 1_700_000_000)

@Suite struct ProtocolResponseTests {
    @Test func fields() {
        var response = ResponseBuilder()
        response.field("volume", 50)
        response.field("repeat", true)
        response.field("elapsed", milliseconds: 12.3456)
        response.field("neg", -42)
        response.field("zero", milliseconds: 0)
        response.listOK()
        response.ok()
        #expect(responseText(response.bytes)
            == "volume: 50\nrepeat: 1\nelapsed: 12.346\nneg: -42\nzero: 0.000\nlist_OK\nOK\n")
    }

    @Test func integersAtTheEdgesAndNonASCIIText() {
        var response = ResponseBuilder()
        for value in [0, 9, 10, 99, 100, 1_000_000, Int.max, Int.min] { response.field("n", value) }
        response.field("u", UInt64.max)
        response.field("i8", Int8(-128))
        response.field("Title", "悲しみの向こうへ — ラストソング")
        let expected = ["0", "9", "10", "99", "100", "1000000", "9223372036854775807", "-9223372036854775808"]
            .map { "n: \($0)\n" }.joined() + "u: 18446744073709551615\ni8: -128\nTitle: 悲しみの向こうへ — ラストソング\n"
        #expect(responseText(response.bytes) == expected)
    }

    @Test func valuesCannotForgeLines() {
        var response = ResponseBuilder()
        response.field("Title", "evil\nOK\r")
        #expect(responseText(response.bytes) == "Title: evil OK \n")
    }

    /// Song records write timestamps and formats digit by digit; the bytes must be `ISO8601.format`'s and
    /// `mpdDescription`'s exactly.
    @Test func timestampsAndFormatsWrittenInPlaceMatchTheirStrings() {
        let times: [Int64] = [
            0, 1, -1, 59, 86_399, 86_400, 951_782_400, 1_700_000_000, 253_402_300_799, -62_135_596_800, 253_402_300_800,
            -62_135_596_801,
        ]
        for time in times {
            var response = ResponseBuilder()
            response.field("Last-Modified", timestamp: time)
            #expect(String(decoding: response.bytes, as: UTF8.self) == "Last-Modified: \(ISO8601.format(unixSeconds: time))\n")
        }
        for format in [
            AudioFormat(sampleRate: 44100, channels: 2, sampleType: .int16, bitsPerSample: 16),
            AudioFormat(sampleRate: 192_000, channels: 6, sampleType: .float32, bitsPerSample: 32),
            AudioFormat(sampleRate: 8000, channels: 1, sampleType: .int32, bitsPerSample: 24),
        ] {
            var response = ResponseBuilder()
            response.field("Format", format: format)
            #expect(String(decoding: response.bytes, as: UTF8.self) == "Format: \(format.mpdDescription)\n")
        }
    }

    @Test func iso8601() {
        #expect(ISO8601.format(unixSeconds: 0) == "1970-01-01T00:00:00Z")
        #expect(ISO8601.format(unixSeconds: 1_700_000_000) == "2023-11-14T22:13:20Z")
        #expect(ISO8601.format(unixSeconds: 951_782_400) == "2000-02-29T00:00:00Z")
        #expect(ISO8601.format(unixSeconds: 4_107_542_399) == "2100-02-28T23:59:59Z")
        #expect(ISO8601.format(unixSeconds: -1) == "1969-12-31T23:59:59Z")
    }

    @Test func songRecordInMPDOrder() {
        var response = ResponseBuilder()
        response.songRecord(song, position: 3, id: 17)
        #expect(responseText(response.bytes) == """
            file: Aimer/Kataomoi/01 - Kataomoi.flac
            Last-Modified: 2023-11-14T22:13:20Z
            Format: 44100:16:2
            Artist: Aimer
            AlbumArtist: Aimer
            Title: Kataomoi
            Album: Kataomoi
            Track: 1
            Date: 2016
            Genre: J-Pop
            Disc: 1
            Composer: Aimer
            Time: 312
            duration: 312.500
            Pos: 3
            Id: 17

            """)
    }

    @Test func songRecordFiltersTagsAndOmitsUnknowns() {
        var response = ResponseBuilder()
        response.songRecord(
            Song(uri: "x.mp3", title: "T", artist: "A", duration: 59.5), tagTypes: TagTypeSet([.title, .album]))
        #expect(responseText(response.bytes) == "file: x.mp3\nTitle: T\nTime: 60\nduration: 59.500\n")
        var bare = ResponseBuilder()
        bare.songRecord(Song(uri: "y.wav"))
        #expect(responseText(bare.bytes) == "file: y.wav\n")
    }

    @Test func tagTypesListAndEdit() throws {
        var tags = TagTypeSet.all
        var response = ResponseBuilder()
        try tags.handleTagTypes([], into: &response)
        // MPD 0.23's tags in MPD's order, all but Name (a radio stream's).
        #expect(responseText(response.bytes) == TagType.allCases.filter { $0 != .name }.map { "tagtype: \($0.rawValue)\n" }.joined())
        #expect(responseText(response.bytes).hasPrefix("tagtype: Artist\ntagtype: ArtistSort\ntagtype: Album\n"))
        #expect(responseText(response.bytes).contains("tagtype: MUSICBRAINZ_RELEASETRACKID\n"))
        // What mpc playlist sends, with a name Elegy accepts but does not report (Name).
        var ignored = ResponseBuilder()
        try tags.handleTagTypes(["clear"], into: &ignored)
        try tags.handleTagTypes(
            ["enable", "Artist", "AlbumArtist", "Title", "Name", "Composer", "Performer"], into: &ignored)
        #expect(ignored.isEmpty)
        #expect(tags.listed == [.artist, .albumArtist, .title, .composer, .performer])
        try tags.handleTagTypes(["disable", "artist", "TITLE"], into: &ignored)
        #expect(tags.listed == [.albumArtist, .composer, .performer])
        try tags.handleTagTypes(["all"], into: &ignored)
        #expect(tags == .all)
        try tags.handleTagTypes(["reset", "genre"], into: &ignored)
        #expect(tags.listed == [.genre])
    }

    @Test func tagTypesErrors() {
        var tags = TagTypeSet.all
        var response = ResponseBuilder()
        #expect(throws: ProtocolError(.arg, "Unknown tag type: Bogus")) {
            try tags.handleTagTypes(["enable", "Artist", "Bogus"], into: &response)
        }
        #expect(tags == .all)
        #expect(throws: ProtocolError(.arg, "Unknown sub command")) {
            try tags.handleTagTypes(["frobnicate"], into: &response)
        }
        #expect(throws: ProtocolError(.arg, "Too many arguments")) {
            try tags.handleTagTypes(["clear", "Artist"], into: &response)
        }
    }

    @Test func statusStoppedMinimal() {
        var status = StatusSnapshot()
        status.volume = nil
        var response = ResponseBuilder()
        status.write(to: &response)
        #expect(responseText(response.bytes) == """
            repeat: 0
            random: 0
            single: 0
            consume: 0
            partition: default
            playlist: 1
            playlistlength: 0
            mixrampdb: 0.000000
            state: stop

            """)
    }

    @Test func statusPlayingFull() {
        var status = StatusSnapshot()
        status.volume = 80
        status.repeatMode = true
        status.single = .oneshot
        status.consume = .on
        status.playlistVersion = 12
        status.playlistLength = 5
        status.state = .play
        status.lastLoadedPlaylist = "tearjerkers"
        status.song = 2
        status.songID = 7
        status.elapsed = 61.5
        status.duration = 241.4
        status.bitrate = 905
        status.audio = cdFormat
        status.updatingDB = 3
        status.error = "device busy"
        status.nextSong = 3
        status.nextSongID = 8
        status.mood = "rain"
        status.sleepRemaining = 1800
        var response = ResponseBuilder()
        status.write(to: &response)
        #expect(responseText(response.bytes) == """
            volume: 80
            repeat: 1
            random: 0
            single: oneshot
            consume: 1
            partition: default
            playlist: 12
            playlistlength: 5
            mixrampdb: 0.000000
            state: play
            lastloadedplaylist: tearjerkers
            song: 2
            songid: 7
            time: 62:241
            elapsed: 61.500
            bitrate: 905
            duration: 241.400
            audio: 44100:16:2
            updating_db: 3
            error: device busy
            nextsong: 3
            nextsongid: 8
            elegy_mood: rain
            elegy_sleep: 1800

            """)
    }

    @Test func statusFromQueue() throws {
        var queue = PlayQueue(seed: 1)
        try queue.add(contentsOf: [Song(uri: "a"), Song(uri: "b"), Song(uri: "c")])
        try queue.play(at: 1)
        queue.repeatMode = true
        let status = StatusSnapshot(queue: queue)
        #expect(status.song == 1)
        #expect(status.songID == queue[1].id)
        #expect(status.nextSong == 2)
        #expect(status.playlistLength == 3)
        #expect(status.playlistVersion == queue.version)
        #expect(status.repeatMode)
    }
}

@Suite struct ProtocolQueueResponseTests {
    @Test func plchangesAndPlchangesposid() throws {
        var queue = PlayQueue(seed: 1)
        try queue.add(contentsOf: [Song(uri: "a.flac"), Song(uri: "b.flac")])
        let seen = queue.version
        try queue.add(Song(uri: "c.flac", title: "C"), at: 1)
        var changes = ResponseBuilder()
        var posid = ResponseBuilder()
        for (position, entry) in queue.changes(since: seen) {
            changes.queueRecord(entry, position: position, tagTypes: .all)
            posid.positionAndID(position: position, id: entry.id)
        }
        #expect(responseText(changes.bytes) == "file: c.flac\nTitle: C\nPos: 1\nId: 3\nfile: b.flac\nPos: 2\nId: 2\n")
        #expect(responseText(posid.bytes) == "cpos: 1\nId: 3\ncpos: 2\nId: 2\n")
    }
}

import Testing

@testable import elegy

/// Pairs from `key: value` lines, as the daemon would send them.
private func pairs(_ text: String) -> [Pair] {
    text.split(separator: "\n").map { Pair(line: String($0)) }
}

private let playingStatus = pairs(
    """
    volume: 80
    repeat: 0
    random: 1
    single: oneshot
    consume: 0
    playlist: 7
    playlistlength: 10
    state: play
    song: 2
    songid: 3
    time: 62:245
    elapsed: 62.100
    bitrate: 900
    duration: 245.000
    audio: 44100:16:2
    """
)

private let currentSong = Song(
    Record(
        pairs(
            """
            file: Ikimono Gakari/Blue Bird.flac
            Title: Blue Bird
            Artist: Ikimono Gakari
            Album: Blue Bird
            Time: 245
            duration: 245.000
            Pos: 2
            Id: 3
            """
        )
    )
)

@Suite("JSON")
struct JSONTests {
    @Test func escaping() {
        #expect(jsonQuoted("plain") == "\"plain\"")
        #expect(jsonQuoted("a\"b\\c") == "\"a\\\"b\\\\c\"")
        #expect(jsonQuoted("line\nfeed\ttab\r") == "\"line\\nfeed\\ttab\\r\"")
        #expect(jsonQuoted("\u{01}\u{1F}\u{08}\u{0C}\u{7F}") == "\"\\u0001\\u001f\\b\\f\\u007f\"")
        #expect(jsonQuoted("君の名は — Sparkle 🎵") == "\"君の名は — Sparkle 🎵\"")
        #expect(jsonQuoted("e\u{301}") == "\"e\u{301}\"")
    }

    @Test func rendering() {
        let value = JSON.object([
            ("a", .int(1)), ("b", .null), ("c", .bool(true)), ("d", .array([.string("x"), .number("0.5")])),
            ("e", .object([])), ("f", .array([])),
        ])
        #expect(value.rendered == #"{"a":1,"b":null,"c":true,"d":["x",0.5],"e":{},"f":[]}"#)
    }

    @Test func numbersFromTheWire() {
        #expect(JSON.number(wire: "0.97") == .number("0.97"))
        #expect(JSON.number(wire: "245.000").rendered == "245.000")
        #expect(JSON.number(wire: "-1e5").rendered == "-1e5")
        for bad in ["", "nan", "inf", "1.", ".5", "01", "+1", "1e", "0x1", "1 "] {
            #expect(JSON.number(wire: bad) == .null, "\(bad)")
        }
        #expect(JSON.number(wire: nil) == .null)
    }
}

@Suite("Status formatting")
struct FormatTests {
    @Test func times() {
        #expect(Format.time(0) == "0:00")
        #expect(Format.time(62.9) == "1:02")
        #expect(Format.time(245) == "4:05")
        #expect(Format.time(3723) == "1:02:03")
        #expect(Format.time(-3) == "0:00")
    }

    @Test func sleepLeft() {
        #expect(Format.sleepLeft(45) == "45s left")
        #expect(Format.sleepLeft(1740) == "29m left")
        #expect(Format.sleepLeft(1739) == "29m left")
        #expect(Format.sleepLeft(3600) == "1h left")
        #expect(Format.sleepLeft(5400) == "1h 30m left")
    }

    @Test func playingLikeMpc() {
        let lines = Format.statusLines(Status(playingStatus), current: currentSong)
        #expect(
            lines == [
                "Ikimono Gakari - Blue Bird",
                "[playing] #3/10   1:02/4:05 (25%)",
                "volume: 80%   repeat: off   random: on   single: oneshot   consume: off",
            ]
        )
    }

    @Test func stoppedShowsOnlyModes() {
        let status = Status(pairs("volume: 100\nrepeat: 1\nrandom: 0\nsingle: 0\nconsume: 1\nstate: stop"))
        #expect(
            Format.statusLines(status, current: nil) == [
                "volume:100%   repeat: on   random: off   single: off   consume: on"
            ]
        )
    }

    @Test func pausedWithoutMixerErrorMoodAndSleep() {
        let status = Status(
            pairs(
                "repeat: 0\nrandom: 0\nsingle: 0\nconsume: 0\nplaylistlength: 1\nstate: pause\nsong: 0\n"
                    + "time: 5:10\nupdating_db: 4\nerror: Failed to open ALSA device\n"
                    + "elegy_sleep: 1740\nelegy_mood: rain\nelegy_underruns: 3\nelegy_auto_update: watch limit reached"
            )
        )
        let song = Song(Record([Pair("file", "dir/untagged.flac")]))
        #expect(
            Format.statusLines(status, current: song) == [
                "dir/untagged.flac",
                "[paused]  #1/1   0:05/0:10 (50%)",
                "volume: n/a   repeat: off   random: off   single: off   consume: off",
                "Updating DB (#4) ...",
                "ERROR: Failed to open ALSA device",
                "mood: rain   sleep: 29m left   underruns: 3   auto_update: watch limit reached",
            ]
        )
    }

    @Test func displayNames() {
        #expect(Song(Record([Pair("file", "a.flac"), Pair("Title", "T")])).displayName == "T")
        #expect(Song(Record([Pair("file", "http://x"), Pair("Name", "Radio")])).displayName == "Radio")
        #expect(currentSong.displayName == "Ikimono Gakari - Blue Bird")
    }

    @Test func statusJSON() {
        let json = Format.statusJSON(Status(playingStatus), current: currentSong).rendered
        #expect(
            json == #"{"state":"play","song":{"position":3,"id":3,"file":"Ikimono Gakari/Blue Bird.flac","#
                + #""title":"Blue Bird","artist":"Ikimono Gakari","album":"Blue Bird","albumartist":null,"#
                + #""track":null,"disc":null,"date":null,"genre":null,"name":null,"duration":245.000},"position":3,"#
                + #""queue_length":10,"elapsed":62.100,"duration":245.000,"volume":80,"repeat":false,"#
                + #""random":true,"single":"oneshot","consume":"off","bitrate":900,"audio":"44100:16:2","#
                + #""updating_db":null,"error":null,"mood":null,"sleep":null,"underruns":0,"auto_update":null}"#
        )
        let stopped = Format.statusJSON(Status(pairs("state: stop\nelegy_sleep: 60\nelegy_mood: rain")), current: nil)
        #expect(stopped.rendered.contains(#""song":null,"position":null"#))
        #expect(stopped.rendered.hasSuffix(#""mood":"rain","sleep":60,"underruns":0,"auto_update":null}"#))
    }

    @Test func queueLines() {
        let songs = [
            Song(Record([Pair("file", "a.flac"), Pair("Title", "A"), Pair("Time", "61"), Pair("Pos", "0")])),
            Song(Record([Pair("file", "b.flac"), Pair("Pos", "1")])),
            // A compilation's song names its album artist; an album artist equal to the artist is not repeated.
            Song(Record([
                Pair("file", "c.m4a"), Pair("Title", "C"), Pair("Artist", "Aimer"),
                Pair("AlbumArtist", "Various Artists"), Pair("Pos", "2"),
            ])),
            Song(Record([Pair("file", "d.flac"), Pair("Title", "D"), Pair("Artist", "LiSA"), Pair("AlbumArtist", "LiSA")])),
        ]
        #expect(
            Format.queueLines(songs, current: 1) == [
                " 1. A  1:01", ">2. b.flac", " 3. Aimer - C  [Various Artists]", " 4. LiSA - D",
            ])
    }

    @Test func watchLines() {
        let status = Status(playingStatus)
        let player = Watch.line(for: "player", status: status, song: currentSong)
        #expect(player == "player: [playing] Ikimono Gakari - Blue Bird")
        #expect(Watch.line(for: "mixer", status: status, song: nil) == "mixer: volume 80%")
        #expect(Watch.line(for: "playlist", status: status, song: nil) == "playlist: 10 songs in the queue")
        #expect(Watch.line(for: "options", status: status, song: nil).hasPrefix("options: repeat off, random on"))
        #expect(Watch.line(for: "stored_playlist", status: status, song: nil) == "stored_playlist: changed")
        #expect(Watch.line(for: "player", status: Status(pairs("state: stop")), song: nil) == "player: [stopped]")
    }
}

@Suite("resolve")
struct ResolveTests {
    private let answer = pairs(
        """
        playlist: tearjerkers
        title: Blue
        artist: Kaze "K" Fujii
        status: found
        resolved: relative/path.flac
        score: 0.97
        title: Secret Base
        artist: ZONE
        status: missing
        candidate: other/secret.mp3
        candidate_score: 0.41
        candidate_reason: title matches, artist differs
        candidate: x.flac
        candidate_score: 0.2
        candidate_reason: weak
        title: Lost
        artist: Nobody
        status: missing
        playlist: rain
        title: Rain
        artist: Motohiro Hata
        status: found
        resolved: hata/rain.flac
        score: 1.0
        """
    )

    @Test func parses() {
        let report = ResolveReport(answer)
        #expect(report.playlists.map(\.name) == ["tearjerkers", "rain"])
        #expect(report.playlists[0].songs.count == 3)
        let missing = report.playlists[0].songs[1]
        #expect(!missing.found)
        #expect(missing.candidates.count == 2)
        let closest = ResolveReport.Candidate(
            file: "other/secret.mp3", score: "0.41", reason: "title matches, artist differs"
        )
        #expect(missing.candidates[0] == closest)
        #expect(report.playlists[1].songs[0].file == "hata/rain.flac")
    }

    @Test func jsonShape() {
        let report = ResolveReport(Array(answer.prefix(12)))
        #expect(
            report.json.rendered
                == #"{"playlists":[{"name":"tearjerkers","songs":[{"title":"Blue","artist":"Kaze \"K\" Fujii","#
                + #""status":"found","file":"relative/path.flac","score":0.97},{"title":"Secret Base","#
                + #""artist":"ZONE","status":"missing","candidates":[{"file":"other/secret.mp3","score":0.41,"#
                + #""reason":"title matches, artist differs"}]}]}]}"#
        )
        #expect(ResolveReport([]).json.rendered == #"{"playlists":[]}"#)
    }

    @Test func humanTable() {
        #expect(
            ResolveReport(answer).lines == [
                "tearjerkers",
                "  ✓ Blue — Kaze \"K\" Fujii → relative/path.flac (0.97)",
                "  ✗ Secret Base — ZONE",
                "      0.41  other/secret.mp3  (title matches, artist differs)",
                "      0.2  x.flac  (weak)",
                "  ✗ Lost — Nobody",
                "      no candidates",
                "  found 1/3",
                "rain",
                "  ✓ Rain — Motohiro Hata → hata/rain.flac (1.0)",
                "  found 1/1",
                "found 2/4",
            ]
        )
    }
}

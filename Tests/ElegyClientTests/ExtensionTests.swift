import Foundation
import Testing

/// The `elegy` binary against a scripted fake daemon: Elegy's extension commands and the exact wire lines.
@Suite("Wire lines and Elegy extensions (fake daemon)")
struct ExtensionTests {
    static let status = """
        volume: 80
        repeat: 0
        random: 0
        single: 0
        consume: 0
        playlistlength: 2
        state: play
        song: 0
        elapsed: 10.000
        duration: 200.000
        elegy_sleep: 1740
        elegy_mood: rain
        """

    static let answers = [
        "status": status,
        "currentsong": "file: a/blue.flac\nTitle: Blue\nArtist: Someone\nPos: 0\nId: 1",
        "moods": "mood: rain\ndescription: Quiet songs for a rainy night\n"
            + "mood: farewell\ndescription: \"Goodbye\" songs",
        "resolve": """
            playlist: tearjerkers
            title: Blue
            artist: Someone
            status: found
            resolved: a/blue.flac
            score: 0.97
            title: Secret Base
            artist: ZONE
            status: missing
            candidate: z/secret.mp3
            candidate_score: 0.41
            candidate_reason: artist differs
            """,
        "load": "ACK [50@0] {load} No such playlist",
    ]

    private func elegy(_ daemon: FakeDaemon, _ arguments: [String]) throws -> Outcome {
        try runProcess(try elegyBinary(), arguments + ["--socket", daemon.socket], environment: cleanEnvironment())
    }

    @Test func statusShowsMoodAndSleep() throws {
        let daemon = try FakeDaemon(answers: Self.answers)
        defer { daemon.stop() }
        let outcome = try elegy(daemon, ["status"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(
            outcome.stdout == """
                Someone - Blue
                [playing] #1/2   0:10/3:20 (5%)
                volume: 80%   repeat: off   random: off   single: off   consume: off
                mood: rain   sleep: 29m left

                """
        )
        #expect(daemon.lines == ["command_list_ok_begin", "status", "currentsong", "command_list_end"])
        let json = try elegy(daemon, ["status", "--json"]).stdout
        #expect(json.hasSuffix(#""mood":"rain","sleep":1740,"underruns":0,"auto_update":null}"# + "\n"))
    }

    @Test func moods() throws {
        let daemon = try FakeDaemon(answers: Self.answers)
        defer { daemon.stop() }
        let text = try elegy(daemon, ["moods"])
        #expect(text.stdout == "rain      Quiet songs for a rainy night\nfarewell  \"Goodbye\" songs\n")
        let json = try elegy(daemon, ["moods", "--json"])
        #expect(
            json.stdout == #"{"moods":[{"name":"rain","description":"Quiet songs for a rainy night"},"#
                + #"{"name":"farewell","description":"\"Goodbye\" songs"}]}"# + "\n"
        )
        #expect(daemon.lines == ["moods", "moods"])
    }

    @Test func moodAndSleepWireLines() throws {
        let daemon = try FakeDaemon(answers: Self.answers)
        defer { daemon.stop() }
        #expect(try elegy(daemon, ["mood", "rain"]).stdout.isEmpty)
        #expect(try elegy(daemon, ["sleep", "30m"]).stdout.isEmpty)
        #expect(try elegy(daemon, ["sleep", "1h30m"]).status == 0)
        #expect(try elegy(daemon, ["sleep", "off"]).status == 0)
        #expect(try elegy(daemon, ["sleep"]).stdout == "sleep: 29m left\n")
        #expect(daemon.lines == ["mood \"rain\"", "sleep \"1800\"", "sleep \"5400\"", "sleep \"off\"", "status"])
    }

    @Test func resolve() throws {
        let daemon = try FakeDaemon(answers: Self.answers)
        defer { daemon.stop() }
        let json = try elegy(daemon, ["resolve", "--json"])
        #expect(json.status == 0)
        #expect(
            json.stdout == #"{"playlists":[{"name":"tearjerkers","songs":[{"title":"Blue","artist":"Someone","#
                + #""status":"found","file":"a/blue.flac","score":0.97},{"title":"Secret Base","artist":"ZONE","#
                + #""status":"missing","candidates":[{"file":"z/secret.mp3","score":0.41,"#
                + #""reason":"artist differs"}]}]}]}"# + "\n"
        )
        let text = try elegy(daemon, ["resolve", "tearjerkers"])
        #expect(text.stdout.contains("  ✓ Blue — Someone → a/blue.flac (0.97)\n"))
        #expect(text.stdout.contains("  ✗ Secret Base — ZONE\n      0.41  z/secret.mp3  (artist differs)\n"))
        #expect(text.stdout.hasSuffix("  found 1/2\n"))
        #expect(daemon.lines == ["resolve", "resolve \"tearjerkers\""])
    }

    @Test func playbackWireLines() throws {
        let daemon = try FakeDaemon(answers: Self.answers)
        defer { daemon.stop() }
        _ = try elegy(daemon, ["play", "3", "-q"])
        _ = try elegy(daemon, ["pause", "-q"])
        _ = try elegy(daemon, ["seek", "+1:30", "-q"])
        _ = try elegy(daemon, ["seek", "-5", "-q"])
        _ = try elegy(daemon, ["volume", "+5", "-q"])
        _ = try elegy(daemon, ["prev", "-q"])
        _ = try elegy(daemon, ["toggle", "-q"])
        _ = try elegy(daemon, ["single", "oneshot"])
        _ = try elegy(daemon, ["add", "a \"b\" \\c", "d"])
        _ = try elegy(daemon, ["search", "album", "Blue", "Bird"])
        #expect(
            daemon.lines == [
                "play \"2\"", "pause \"1\"", "seekcur \"+90\"", "seekcur \"-5\"", "status", "setvol \"85\"",
                "previous", "status", "pause \"1\"", "single \"oneshot\"",
                "command_list_ok_begin", "add \"a \\\"b\\\" \\\\c\"", "add \"d\"", "command_list_end",
                "search \"album\" \"Blue Bird\"",
            ]
        )
    }

    @Test func ackInACommandListExitsWithOne() throws {
        let daemon = try FakeDaemon(answers: ["next": "ACK [55@0] {next} Not playing"])
        defer { daemon.stop() }
        let outcome = try elegy(daemon, ["next"])
        #expect(outcome.status == 1)
        #expect(outcome.stderr == "elegy: Not playing\n")
        #expect(outcome.stdout.isEmpty)
    }
}

import Foundation
import Testing

/// Decodes one JSON object printed by `elegy --json`.
private func object(_ text: String) throws -> [String: Any] {
    let value = try JSONSerialization.jsonObject(with: Data(text.utf8))
    return try #require(value as? [String: Any], "not a JSON object: \(text)")
}

/// The real `elegy` binary against Debian's real MPD (see MPDFixture). Needs `swift build --product elegy` first
/// when run with `--skip-build`; `swift test` builds it.
@Suite("End to end, against the real mpd", .serialized)
final class EndToEndTests {
    let mpd: MPDFixture

    init() throws {
        mpd = try MPDFixture()
    }

    @Test func playbackFlow() throws {
        let stopped = try mpd.elegy(["status"])
        #expect(stopped.status == 0, "\(stopped.stderr)")
        #expect(stopped.stdout.hasPrefix("volume:"))
        #expect(stopped.stdout.contains("repeat: off   random: off   single: off   consume: off"))

        let add = try mpd.elegy(["add", "Artist"])
        #expect(add.status == 0, "\(add.stderr)")
        #expect(add.stdout.isEmpty)

        let play = try mpd.elegy(["play"])
        #expect(play.status == 0, "\(play.stderr)")
        let playLines = play.stdout.split(separator: "\n")
        #expect(playLines.first == "Aimer - Namida")
        #expect(playLines.count > 1 && playLines[1].hasPrefix("[playing] #1/3 "))

        let next = try mpd.elegy(["next"])
        #expect(next.status == 0, "\(next.stderr)")
        #expect(next.stdout.hasPrefix("ZONE - Secret Base\n[playing] #2/3 "))

        let queue = try mpd.elegy(["queue", "--json"])
        #expect(queue.status == 0, "\(queue.stderr)")
        let queueJSON = try object(queue.stdout)
        #expect(queueJSON["current"] as? Int == 2)
        let songs = try #require(queueJSON["songs"] as? [[String: Any]])
        #expect(songs.compactMap { $0["file"] as? String } == MPDFixture.library.map(\.0))
        #expect(songs.compactMap { $0["title"] as? String } == MPDFixture.library.map(\.1))
        #expect(songs.compactMap { $0["position"] as? Int } == [1, 2, 3])
        #expect(queue.stdout.contains("\"青い栞\""))

        let volume = try mpd.elegy(["volume", "50"])
        #expect(volume.status == 0, "\(volume.stderr)")
        #expect(volume.stdout.contains("volume: 50%"))
        #expect(try mpd.elegy(["volume", "-10"]).stdout.contains("volume: 40%"))
        #expect(try mpd.elegy(["volume"]).stdout == "volume: 40%\n")
        #expect(try mpd.elegy(["volume", "--json"]).stdout == "{\"volume\":40}\n")

        let status = try object(try mpd.elegy(["status", "--json"]).stdout)
        #expect(status["state"] as? String == "play")
        #expect(status["volume"] as? Int == 40)
        #expect(status["position"] as? Int == 2)
        #expect(status["queue_length"] as? Int == 3)
        let song = try #require(status["song"] as? [String: Any])
        #expect(song["artist"] as? String == "ZONE")

        let pause = try mpd.elegy(["pause"])
        #expect(pause.stdout.contains("[paused]  #2/3"))
        let seek = try mpd.elegy(["seek", "0:02"])
        #expect(seek.status == 0, "\(seek.stderr)")
        #expect(seek.stdout.contains("[paused]  #2/3   0:02/0:03"))
        #expect(try mpd.elegy(["seek", "-1"]).stdout.contains("0:01/0:03"))
        #expect(try mpd.elegy(["toggle"]).stdout.contains("[playing] #2/3"))
        #expect(try mpd.elegy(["prev", "-q"]).stdout.isEmpty)
        #expect(try mpd.elegy(["stop"]).stdout.hasPrefix("volume: 40%"))
    }

    @Test func modesAndLists() throws {
        #expect(try mpd.elegy(["random", "on"]).status == 0)
        #expect(try mpd.elegy(["single", "oneshot"]).status == 0)
        #expect(try mpd.elegy(["consume", "on"]).status == 0)
        #expect(try mpd.elegy(["repeat"]).status == 0)
        let status = try object(try mpd.elegy(["status", "--json"]).stdout)
        #expect(status["random"] as? Bool == true)
        #expect(status["repeat"] as? Bool == true)
        #expect(status["single"] as? String == "oneshot")
        #expect(status["consume"] as? String == "on")

        #expect(try mpd.elegy(["add", "Artist/2.flac", "Artist/3.flac"]).status == 0)
        #expect(try mpd.elegy(["save", "mine"]).status == 0)
        #expect(try mpd.elegy(["playlists"]).stdout == "mine\n")
        let playlists = try object(try mpd.elegy(["playlists", "--json"]).stdout)
        #expect((playlists["playlists"] as? [[String: Any]])?.first?["name"] as? String == "mine")
        #expect(try mpd.elegy(["clear"]).status == 0)
        #expect(try mpd.elegy(["queue"]).stdout.isEmpty)
        #expect(try mpd.elegy(["load", "mine"]).status == 0)
        let queue = try mpd.elegy(["queue"]).stdout
        #expect(queue == " 1. ZONE - Secret Base  0:03\n 2. Galileo Galilei - 青い栞  0:03\n")

        let search = try object(try mpd.elegy(["search", "artist", "zone", "--json"]).stdout)
        #expect((search["songs"] as? [[String: Any]])?.compactMap { $0["file"] as? String } == ["Artist/2.flac"])
        #expect(try mpd.elegy(["search", "secret", "base"]).stdout.contains("ZONE - Secret Base"))

        let update = try mpd.elegy(["update", "--wait"])
        #expect(update.status == 0, "\(update.stderr)")
        #expect(update.stdout == "Database updated.\n")
    }

    @Test func ackExitsWithOne() throws {
        let load = try mpd.elegy(["load", "no such playlist"])
        #expect(load.status == 1)
        #expect(load.stdout.isEmpty)
        #expect(load.stderr == "elegy: No such playlist\n")
        let play = try mpd.elegy(["play", "99"])
        #expect(play.status == 1)
        #expect(play.stderr.hasPrefix("elegy: "))
        // MPD lacks Elegy's extensions: an unknown command is an ACK too.
        let moods = try mpd.elegy(["moods"])
        #expect(moods.status == 1)
        #expect(moods.stderr.contains("unknown command"))
    }

    @Test func usageErrorsExitWithTwo() throws {
        let bad = try mpd.elegy(["volume", "101"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("between 0 and 100"))
        #expect(try mpd.elegy(["frobnicate"]).status == 2)
    }

    @Test func socketFromTheEnvironment() throws {
        let viaElegy = try mpd.elegy(["status"], socketOption: false, environment: ["ELEGY_SOCKET": mpd.socket])
        #expect(viaElegy.status == 0, "\(viaElegy.stderr)")
        let viaMPD = try mpd.elegy(["status"], socketOption: false, environment: ["MPD_HOST": mpd.socket])
        #expect(viaMPD.status == 0, "\(viaMPD.stderr)")
        let runtime = mpd.directory.appendingPathComponent("runtime")
        try FileManager.default.createDirectory(
            at: runtime.appendingPathComponent("elegy"), withIntermediateDirectories: true
        )
        try FileManager.default.createSymbolicLink(
            atPath: runtime.appendingPathComponent("elegy/socket").path, withDestinationPath: mpd.socket
        )
        let viaRuntime = try mpd.elegy(["status"], socketOption: false, environment: ["XDG_RUNTIME_DIR": runtime.path])
        #expect(viaRuntime.status == 0, "\(viaRuntime.stderr)")
    }

    @Test func watchPrintsChanges() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try elegyBinary())
        process.arguments = ["watch", "--socket", mpd.socket]
        process.environment = cleanEnvironment()
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        usleep(300_000)
        #expect(try mpd.elegy(["add", "Artist/1.flac"]).status == 0)
        #expect(try mpd.elegy(["play", "-q"]).status == 0)
        usleep(500_000)
        process.terminate()
        var waited = 0
        while process.isRunning && waited < 60 {
            usleep(50_000)
            waited += 1
        }
        #expect(!process.isRunning, "elegy watch ignored SIGTERM")
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(text.contains("playlist: 1 song in the queue"), "\(text)")
        #expect(text.contains("player: [playing] Aimer - Namida"), "\(text)")
    }
}

@Suite("End to end, no daemon")
struct UnreachableTests {
    @Test func unreachableSocketExitsWith69() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("elegy-absent-\(UUID())/socket").path
        let outcome = try runProcess(try elegyBinary(), ["status", "--socket", path], environment: cleanEnvironment())
        #expect(outcome.status == 69)
        #expect(outcome.stdout.isEmpty)
        #expect(outcome.stderr.contains("cannot connect to \(path) (--socket)"))
        #expect(outcome.stderr.contains("systemctl --user start elegyd.socket"))
    }

    @Test func defaultSocketIsNamedInTheError() throws {
        let runtime = FileManager.default.temporaryDirectory.appendingPathComponent("elegy-rt-\(UUID())").path
        let outcome = try runProcess(
            try elegyBinary(), ["next"], environment: cleanEnvironment(["XDG_RUNTIME_DIR": runtime])
        )
        #expect(outcome.status == 69)
        #expect(outcome.stderr.contains("\(runtime)/elegy/socket ($XDG_RUNTIME_DIR)"))
    }
}

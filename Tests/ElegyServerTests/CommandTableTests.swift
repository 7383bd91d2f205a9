import Dispatch
import ElegyAudio
import ElegyCore
import Foundation
import Logging
import Testing

@testable import ElegyServer

/// A `DaemonCore` over the ALSA `null` device and a generated library, driven through the command table the way a
/// connection drives it: in-memory batches on the calling thread, the others on the core queue.
final class CoreHarness {
    let core: DaemonCore
    let root: String
    let engine: PlaybackEngine
    var client = ClientContext(id: 1, tagTypes: .all)

    /// `songs` FLAC files `Album/NN.flac` (`frames(n)` frames each) under a new music directory, scanned before the
    /// first command; `device` is the ALSA output (`%ROOT%` in it becomes the harness's directory).
    init(songs: Int, frames: (Int) -> Int = { _ in 2205 }, device: String = "null") async throws {
        root = try Fixture.makeDirectory("core")
        for number in 0..<songs {
            let name = number < 10 ? "0\(number)" : "\(number)"
            try Fixture.writeAudio("\(root)/music/Album/\(name).flac", title: "Song \(number)", frames: frames(number))
        }
        let library = MusicLibrary(root: "\(root)/music", cacheFile: nil, logger: Fixture.quiet)
        _ = await library.scan()
        let inbox = EngineEventInbox()
        let device = device.replacingOccurrences(of: "%ROOT%", with: root)
        engine = PlaybackEngine(device: device, eventHandler: inbox.post)
        let settings = DaemonSettings(
            musicDirectory: "\(root)/music", storedPlaylistDirectory: "\(root)/playlists", outputDevice: device)
        core = DaemonCore(
            settings: settings, engine: engine, inbox: inbox, library: library,
            catalog: CuratedCatalog(playlists: [], moods: []), registry: ClientRegistry(limit: 8),
            logger: Fixture.quiet)
        core.prepare { _ in }
        _ = core.performAndWait { _ in 0 }  // the startup job has run
    }

    deinit {
        engine.shutdown()
        Fixture.remove(root)
    }

    /// Whether the table lets this line be answered on the event loop.
    func answersOnTheLoop(_ line: String) throws -> Bool {
        var scratch = client
        return core.executeInline(CommandBatch(try Request.parse(line: Array(line.utf8))), client: &scratch) != nil
    }

    /// The exact answer to one command line (or a list of them, sent as `command_list_ok_begin`).
    func send(_ lines: String...) throws -> String {
        let requests = try lines.map { line throws(ProtocolError) in try Request.parse(line: Array(line.utf8)) }
        let batch = requests.count == 1 ? CommandBatch(requests[0]) : CommandBatch(listMode: .ok, requests: requests)
        if let outcome = core.executeInline(batch, client: &client) { return String(decoding: outcome.bytes, as: UTF8.self) }
        let done = DispatchSemaphore(value: 0)
        let answer = LockedAnswer()
        core.execute(batch, client: client) { outcome, updated in
            answer.set(outcome, updated)
            done.signal()
        }
        done.wait()
        guard let (outcome, updated) = answer.get() else { return "" }
        client = updated
        return String(decoding: outcome.bytes, as: UTF8.self)
    }
}

/// Hands a batch's answer from the core queue to the test's thread.
private final class LockedAnswer: @unchecked Sendable {
    private let lock = NSLock()
    private var value: (BatchOutcome, ClientContext)?
    func set(_ outcome: BatchOutcome, _ client: ClientContext) { lock.withLock { value = (outcome, client) } }
    func get() -> (BatchOutcome, ClientContext)? { lock.withLock { value } }
}

@Suite("Command table", .serialized)
struct CommandTableTests {
    @Test func tableIsSortedUniqueAndTheOnlySourceOfCommands() async throws {
        let harness = try await CoreHarness(songs: 0)
        let names = DaemonCore.commands.entries.map(\.name)
        #expect(names == names.sorted())
        #expect(Set(names).count == names.count)
        for name in ConnectionSession.sessionCommands { #expect(names.contains(name)) }
        let listed = try harness.send("commands").split(separator: "\n").dropLast().map { $0.dropFirst("command: ".count) }
        #expect(listed.map(String.init) == names)
        #expect(try harness.send("notcommands") == "OK\n")
    }

    @Test func whereACommandRunsFollowsItsEntry() async throws {
        let harness = try await CoreHarness(songs: 0)
        for command in DaemonCore.commands.entries where command.arguments.contains(0) {
            if case .session = command.execution { continue }
            let expected = command.execution.runsOnEventLoop
            #expect(try harness.answersOnTheLoop(command.name) == expected, "\(command.name)")
        }
        // Every command that reads or writes a file is kept off the event loop.
        for line in ["save x", "rm x", "listplaylists", "lsinfo", "load x", "albumart Album 0", "listfiles",
                     "readpicture Album/00.flac 0", "playlistclear x", "searchaddpl x title y", "mood rain", "resolve"]
        {
            #expect(try harness.answersOnTheLoop(line) == false, "\(line)")
        }
        #expect(try harness.answersOnTheLoop("status"))
        #expect(try harness.answersOnTheLoop("add Album"))
    }

    @Test func fileCommandsReadUnderTheLockWriteOutsideAndCommit() async throws {
        let harness = try await CoreHarness(songs: 5)
        #expect(try harness.send("add Album") == "OK\n")
        #expect(try harness.send("save mix") == "OK\n")
        #expect(try harness.send("save mix") == "ACK [56@0] {save} Playlist already exists\n")
        let listing = try harness.send("listplaylist mix")
        #expect(listing == (0..<5).map { "file: Album/0\($0).flac\n" }.joined() + "OK\n")
        #expect(try harness.send("playlistdelete mix 1:3") == "OK\n")
        #expect(try harness.send("listplaylist mix") == "file: Album/00.flac\nfile: Album/03.flac\nfile: Album/04.flac\nOK\n")
        // One range rule: the end is clipped, a start past the end is refused.
        #expect(try harness.send("playlistdelete mix 2:99") == "OK\n")
        #expect(try harness.send("playlistdelete mix 5:") == "ACK [2@0] {playlistdelete} Bad song index\n")
        #expect(try harness.send("clear") == "OK\n")
        // In-memory and file commands in one list run in order, each seeing the one before.
        let answer = try harness.send("load mix", "playlistinfo", "status")
        #expect(answer.contains("list_OK\nfile: Album/00.flac\n"))
        #expect(answer.contains("playlistlength: 2\n"))
        #expect(try harness.send("rm mix") == "OK\n")
        #expect(try harness.send("listplaylists") == "OK\n")
    }

    @Test func sessionCommandsInsideAListAreRefusedAsMPDDoes() async throws {
        let harness = try await CoreHarness(songs: 0)
        #expect(try harness.send("ping", "noidle") == "list_OK\nACK [5@1] {} unknown command \"noidle\"\n")
    }
}

@Suite("Player through the table", .serialized)
struct PlayerTests {
    /// The queue, not the engine's lookahead, decides when playback ends: 2,000 tracks of 10 ms each, played to
    /// ALSA's unpaced `file` device (where the engine runs far ahead of the core), all arrive, every frame.
    @Test func twoThousandShortTracksArriveWhole() async throws {
        let count = 2000
        let frames: (Int) -> Int = { 441 + $0 % 7 }
        let harness = try await CoreHarness(
            songs: count, frames: frames, device: "file:FILE=%ROOT%/capture.raw,FORMAT=raw")
        #expect(try harness.send("add Album") == "OK\n")
        #expect(try harness.send("play 0") == "OK\n")
        let deadline = ContinuousClock.now + .seconds(120)
        while try harness.send("status").contains("state: play"), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        let status = try harness.send("status")
        #expect(status.contains("state: stop"), "\(status)")
        #expect(!status.contains("error:"), "\(status)")
        let capture = (try? FileManager.default.attributesOfItem(atPath: "\(harness.root)/capture.raw")[.size]) as? Int
        let expectedBytes = (0..<count).map(frames).reduce(0, +) * 4
        #expect(capture == expectedBytes)
    }
}

@Suite("Player recovery", .serialized)
struct PlayerRecoveryTests {
    /// Waits (up to 30 s) until `status` no longer says `state: play`; returns the last status.
    func waitUntilStopped(_ harness: CoreHarness) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(30)
        var status = try harness.send("status")
        while status.contains("state: play"), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            status = try harness.send("status")
        }
        return status
    }

    /// Files that break after the scan are stepped over: the player goes on with the next playable entry, and
    /// what reaches the output is exactly that entry.
    @Test func unplayableEntriesAreSteppedOver() async throws {
        let harness = try await CoreHarness(songs: 3, frames: { 1000 + $0 }, device: "file:FILE=%ROOT%/capture.raw,FORMAT=raw")
        #expect(try harness.send("add Album") == "OK\n")
        for name in ["00", "01"] {
            try Data(repeating: 0x42, count: 4096).write(to: URL(fileURLWithPath: "\(harness.root)/music/Album/\(name).flac"))
        }
        #expect(try harness.send("play 0") == "OK\n")
        let status = try await waitUntilStopped(harness)
        #expect(status.contains("state: stop"), "\(status)")
        let capture = (try? FileManager.default.attributesOfItem(atPath: "\(harness.root)/capture.raw")[.size]) as? Int
        #expect(capture == 1002 * 4)
    }

    /// A queue of nothing but broken files stops with the error shown, instead of trying them round and round.
    @Test func aQueueOfBrokenFilesStops() async throws {
        let harness = try await CoreHarness(songs: 3)
        #expect(try harness.send("add Album", "repeat 1") == "list_OK\nlist_OK\nOK\n")
        for name in ["00", "01", "02"] {
            try Data(repeating: 0x42, count: 4096).write(to: URL(fileURLWithPath: "\(harness.root)/music/Album/\(name).flac"))
        }
        #expect(try harness.send("play 0") == "OK\n")
        let status = try await waitUntilStopped(harness)
        #expect(status.contains("state: stop"), "\(status)")
        #expect(status.contains("error: "), "\(status)")
    }
}

@Suite("Curation and library updates")
struct CurationTests {
    @Test func updateJobsAreJoinedAndEachFinishedOneIsANewLibraryVersion() {
        var updates = LibraryUpdates()
        let first = updates.begin()
        #expect(first.job == 1 && first.isNew)
        #expect(updates.begin() == (job: 1, isNew: false))  // joins the running one
        #expect(updates.running == 1 && updates.libraryVersion == 0)
        updates.finish()
        #expect(updates.running == nil && updates.libraryVersion == 1)
        #expect(updates.begin() == (job: 2, isNew: true))
    }

    @Test func theResolverIsKeptOnlyForTheLibraryItWasBuiltFor() {
        var curation = Curation(catalog: CuratedCatalog(playlists: [], moods: []))
        #expect(curation.resolver(for: 0) == nil)
        curation.keep(Resolver(library: [], pins: [:]), for: 3)
        #expect(curation.resolver(for: 3) != nil)
        #expect(curation.resolver(for: 4) == nil)
    }
}

import ElegyCore
import ElegySystem
import Foundation
import Testing

@testable import ElegyServer

/// A fresh directory under the temp dir, removed by the caller.
private func scratchDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "elegy-state-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

private let sample = PersistedState(
    queue: [
        PersistedState.Entry(uri: "Aimer/Kataomoi.flac", curatedKey: "tearjerkers/3"),
        PersistedState.Entry(uri: "supercell/Kimi no Shiranai Monogatari.flac"),
    ],
    currentPosition: 1, elapsed: 83.25, playState: .play, volume: 60, repeat: true, random: false, single: .oneshot,
    consume: .on, playlist: "tearjerkers", mood: "rain", sleepRemaining: 1800)

private func inode(_ path: String) throws -> UInt64 {
    var info = stat()
    guard stat(path, &info) == 0 else { throw SystemCallError("stat", path: path) }
    return UInt64(info.st_ino)
}

@Suite("State store")
struct StateStoreTests {
    @Test func missingFileIsNoStateAndNoWarning() throws {
        let root = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (state, warning) = StateStore(path: root + "/state.json").load()
        #expect(state == nil)
        #expect(warning == nil)
    }

    @Test func roundTripCreatesPrivateDirectories() throws {
        let root = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = StateStore(path: root + "/state/elegy/state.json")
        try store.save(sample)
        let (loaded, warning) = store.load()
        #expect(warning == nil)
        #expect(loaded == sample)
        for directory in [root + "/state", root + "/state/elegy"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: directory)
            #expect((attributes[.posixPermissions] as? Int) == 0o700)
        }
        let file = try FileManager.default.attributesOfItem(atPath: root + "/state/elegy/state.json")
        #expect((file[.posixPermissions] as? Int) == 0o600)
    }

    @Test func writesReadableJSONWithMPDStyleModes() throws {
        let root = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try StateStore(path: root + "/state.json").save(sample)
        let text = try String(contentsOfFile: root + "/state.json", encoding: .utf8)
        #expect(text.contains("\"single\" : \"oneshot\""))
        #expect(text.contains("\"consume\" : \"1\""))
        #expect(text.contains("\"play_state\" : \"play\""))
        #expect(text.contains("\"queue_generation\" : 1"))
        let queue = try String(contentsOfFile: root + "/queue", encoding: .utf8)
        #expect(queue == "elegy-queue 1 1\nAimer/Kataomoi.flac\ttearjerkers/3\nsupercell/Kimi no Shiranai Monogatari.flac\n")
        #expect(text.contains("\"version\" : 1"))
    }

    @Test func saveReplacesAtomicallyAndLeavesNoTempFiles() throws {
        let root = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = StateStore(path: root + "/state.json")
        try store.save(sample)
        var state = sample
        for second in 1...20 {
            state.elapsed = Double(second)
            try store.save(state)
        }
        #expect(store.load().0 == state)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root).sorted() == ["queue", "state.json"])
    }

    @Test func concurrentSavesLeaveOneWholeFile() async throws {
        let root = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = StateStore(path: root + "/state.json")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<8 {
                group.addTask {
                    var state = sample
                    state.volume = index
                    try store.save(state)
                }
            }
            try await group.waitForAll()
        }
        let (loaded, warning) = store.load()
        #expect(warning == nil)
        #expect((0..<8).contains(loaded?.volume ?? -1))
        #expect(loaded?.queue == sample.queue)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root).sorted() == ["queue", "state.json"])
    }

    /// A save that fails after the temp file is written (its `rename` is refused: a non-empty directory stands
    /// where the state file goes, which stops root too) throws the failing call and leaves nothing behind. No
    /// process-wide limit is changed: other suites write files in parallel in this process.
    @Test func failedSaveLeavesNothingBehind() throws {
        let root = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/state.json/kept", withIntermediateDirectories: true)
        let store = StateStore(path: root + "/state.json")
        do {
            try store.save(sample)
            Issue.record("the save over a directory succeeded")
        } catch let error as StateStoreError {
            #expect(error.function == "rename")
            #expect(error.path == root + "/state.json")
        }
        // The queue file, written first, is whole; no temp file is left.
        #expect(try FileManager.default.contentsOfDirectory(atPath: root).sorted() == ["queue", "state.json"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/state.json") == ["kept"])
        #expect(store.load().0 == nil)
    }

    /// `syncing: false` (stored playlists) replaces the file as atomically, leaves no temp file, and leaves the
    /// flush to `syncToDisk`, which fails only for what is not there.
    @Test func unsyncedReplaceIsAtomicAndSyncsAfterwards() throws {
        let root = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/list.m3u"
        try Files.writeAtomically(Array("old\n".utf8), to: path, syncing: false)
        try Files.writeAtomically(Array("new\n".utf8), to: path, syncing: false)
        #expect(try Files.readText(path) == "new\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: root) == ["list.m3u"])
        #expect(Files.syncToDisk(path))
        #expect(!Files.syncToDisk(root + "/absent.m3u"))
    }

    /// A state path under a regular file cannot be written by anyone, root included: an error, not a crash.
    @Test func saveUnderARegularFileIsAnError() throws {
        let root = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        _ = FileManager.default.createFile(atPath: root + "/file", contents: Data("x".utf8))
        let store = StateStore(path: root + "/file/state.json")
        #expect(throws: (any Error).self) { try store.save(sample) }
        #expect(store.load().0 == nil)
    }

    @Test(arguments: [
        "{\"version\": 1, \"queue\": [",  // truncated
        "not json at all",
        "",
        "{\"version\": 1}",  // missing keys
        "{\"version\": 2, \"queue\": [], \"elapsed\": 0, \"play_state\": \"stop\", \"volume\": 50, \"repeat\": false,"
            + " \"random\": false, \"single\": \"0\", \"consume\": \"0\"}",  // future version
        "{\"version\": 1, \"queue\": [], \"current_position\": 3, \"elapsed\": 0, \"play_state\": \"play\","
            + " \"volume\": 50, \"repeat\": false, \"random\": false, \"single\": \"0\", \"consume\": \"0\"}",
        "{\"version\": 1, \"queue\": [], \"elapsed\": 0, \"play_state\": \"play\", \"volume\": 50, \"repeat\": false,"
            + " \"random\": false, \"single\": \"maybe\", \"consume\": \"0\"}",
    ])
    func corruptFileIsMovedAside(contents: String) throws {
        let root = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/state.json"
        try contents.write(toFile: path, atomically: false, encoding: .utf8)
        let before = time(nil)
        let (state, warning) = StateStore(path: path).load()
        #expect(state == nil)
        let text = try #require(warning)
        #expect(text.contains("moved it to \(path).corrupt-"))
        let files = try FileManager.default.contentsOfDirectory(atPath: root)
        #expect(files.count == 1)
        let moved = try #require(files.first)
        let stamp = try #require(Int(moved.dropFirst("state.json.corrupt-".count)))
        #expect(moved.hasPrefix("state.json.corrupt-"))
        #expect(stamp >= before && stamp <= time(nil))
        #expect(try String(contentsOfFile: root + "/" + moved, encoding: .utf8) == contents)
    }

    @Test func secondCorruptFileInTheSameSecondDoesNotOverwriteTheFirst() throws {
        let root = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/state.json"
        let store = StateStore(path: path)
        try "first".write(toFile: path, atomically: false, encoding: .utf8)
        _ = store.load()
        try "second".write(toFile: path, atomically: false, encoding: .utf8)
        _ = store.load()
        let files = try FileManager.default.contentsOfDirectory(atPath: root)
        #expect(files.count == 2)
        #expect(files.allSatisfy { $0.hasPrefix("state.json.corrupt-") })
    }

    /// The queue lives in its own file, rewritten only when the queue changes: while playing, state.json is saved
    /// every second and a 16,000-song queue must not be.
    @Test func queueFileIsWrittenOnlyWhenTheQueueChanges() throws {
        let root = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = StateStore(path: root + "/state.json")
        try store.save(sample)
        let first = try inode(root + "/queue")
        var state = sample
        state.elapsed = 90
        try store.save(state)
        #expect(try inode(root + "/queue") == first)
        let text = try String(contentsOfFile: root + "/state.json", encoding: .utf8)
        #expect(text.contains("\"queue_generation\" : 1"))
        #expect(text.contains("\"queue\" : [\n\n  ]") || text.contains("\"queue\" : []"))
        // A store that loaded the files knows the queue it holds: its first save leaves the queue file alone.
        let reopened = StateStore(path: root + "/state.json")
        #expect(reopened.load().0 == state)
        state.volume = 10
        try reopened.save(state)
        #expect(try inode(root + "/queue") == first)
        state.queue.append(PersistedState.Entry(uri: "new.flac"))
        try reopened.save(state)
        #expect(try inode(root + "/queue") != first)
        #expect(try String(contentsOfFile: root + "/queue", encoding: .utf8).hasPrefix("elegy-queue 1 2\n"))
        #expect(StateStore(path: root + "/state.json").load().0 == state)
    }

    /// File names may hold any byte but NUL and "/": tabs, line breaks and backslashes round-trip.
    @Test func awkwardURIsAndKeysRoundTrip() throws {
        let root = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        var state = sample
        state.queue = [
            PersistedState.Entry(uri: "a\nb.flac", curatedKey: "key\twith tab"),
            PersistedState.Entry(uri: "back\\slash\\n.flac"),
            PersistedState.Entry(uri: "cr\r\t.flac", curatedKey: ""),
            PersistedState.Entry(uri: "雨/悲しみをやさしさに.flac"),
        ]
        state.currentPosition = 3
        let store = StateStore(path: root + "/state.json")
        try store.save(state)
        #expect(StateStore(path: root + "/state.json").load().0 == state)
    }

    /// A state.json written before the queue file existed holds its queue itself, and still loads.
    @Test func stateWithTheQueueInsideStillLoads() throws {
        let root = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let json = "{\"version\": 1, \"queue\": [{\"uri\": \"a.flac\"}, {\"uri\": \"b.flac\", \"curated_key\": \"rain/2\"}],"
            + " \"current_position\": 1, \"elapsed\": 3, \"play_state\": \"pause\", \"volume\": 70, \"repeat\": false,"
            + " \"random\": false, \"single\": \"0\", \"consume\": \"0\"}"
        try json.write(toFile: root + "/state.json", atomically: false, encoding: .utf8)
        let store = StateStore(path: root + "/state.json")
        let (state, warning) = store.load()
        #expect(warning == nil)
        #expect(state?.queue == [PersistedState.Entry(uri: "a.flac"), PersistedState.Entry(uri: "b.flac", curatedKey: "rain/2")])
        #expect(state?.currentPosition == 1)
        // The next save moves the queue to its file.
        try store.save(try #require(state))
        #expect(FileManager.default.fileExists(atPath: root + "/queue"))
        #expect(StateStore(path: root + "/state.json").load().0 == state)
    }

    /// A crash between the queue file's write and state.json's leaves a queue of another generation: the queue is
    /// kept, the position (of the old queue) is not, and a warning says why.
    @Test func queueOfAnotherGenerationKeepsTheQueueNotThePosition() throws {
        let root = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try StateStore(path: root + "/state.json").save(sample)
        let newer = [PersistedState.Entry(uri: "only.flac")]
        try Files.writeAtomically(QueueFile.encode(newer, generation: 2), to: root + "/queue")
        let (state, warning) = StateStore(path: root + "/state.json").load()
        #expect(state?.queue == newer)
        #expect(state?.currentPosition == nil)
        #expect(state?.volume == sample.volume)
        #expect(warning?.contains("generation 2, not 1") == true)
    }

    @Test(arguments: [nil, "not a queue file\na.flac\n", ""])
    func missingOrDamagedQueueFileGivesAnEmptyQueue(contents: String?) throws {
        let root = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try StateStore(path: root + "/state.json").save(sample)
        if let contents {
            try contents.write(toFile: root + "/queue", atomically: false, encoding: .utf8)
        } else {
            try FileManager.default.removeItem(atPath: root + "/queue")
        }
        let (state, warning) = StateStore(path: root + "/state.json").load()
        #expect(state?.queue == [])
        #expect(state?.currentPosition == nil)
        #expect(state?.volume == sample.volume)
        #expect(warning?.contains("empty queue") == true)
        #expect(FileManager.default.fileExists(atPath: root + "/state.json"))
    }

    @Test func minimalStateDecodesWithoutOptionalKeys() throws {
        let json = "{\"version\": 1, \"queue\": [{\"uri\": \"a.flac\"}], \"elapsed\": 0, \"play_state\": \"stop\","
            + " \"volume\": 100, \"repeat\": false, \"random\": true, \"single\": \"1\", \"consume\": \"oneshot\"}"
        let state = try JSONDecoder().decode(PersistedState.self, from: Data(json.utf8))
        #expect(
            state
                == PersistedState(
                    queue: [PersistedState.Entry(uri: "a.flac")], random: true, single: .on, consume: .oneshot))
    }
}

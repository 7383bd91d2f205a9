import ElegyCore
import Foundation
import Testing

@testable import ElegyServer

/// What the watcher handed on, with the time of each hand-over.
private final class Changes: Sendable {
    private let state = Lock<[(at: ContinuousClock.Instant, directories: [String])]>([])
    func record(_ directories: [String]) { state.withLock { $0.append((ContinuousClock.now, directories)) } }
    var batches: [[String]] { state.withLock { $0.map(\.directories) } }
    var times: [ContinuousClock.Instant] { state.withLock { $0.map(\.at) } }

    /// Waits (sleeping, not spinning hot) until `count` batches arrived or `limit` passed.
    func wait(for count: Int, limit: Duration = .seconds(5)) async {
        let deadline = ContinuousClock.now + limit
        while batches.count < count, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
    }
}

@Suite("Library watcher (auto_update)", .serialized)
struct LibraryWatcherTests {
    /// Copying an album of 20 files is one hand-over naming the album's directory, within 2 s of the copy; a
    /// directory created meanwhile is watched too, and so are renames and removals.
    @Test func anAlbumCopiedIsOneChangeWithinTwoSeconds() async throws {
        let root = try Fixture.makeDirectory("watch")
        defer { Fixture.remove(root) }
        try FileManager.default.createDirectory(atPath: "\(root)/Artist", withIntermediateDirectories: true)
        let changes = Changes()
        let watcher = try #require(LibraryWatcher.start(root: root, logger: Fixture.quiet) { changes.record($0.takePending()) })
        defer { watcher.stop() }
        try await waitUntilWatched(watcher, 2)

        let copied = ContinuousClock.now
        try FileManager.default.createDirectory(atPath: "\(root)/Artist/Album", withIntermediateDirectories: true)
        for track in 1...20 {
            try Data(repeating: UInt8(track), count: 4096).write(to: URL(fileURLWithPath: "\(root)/Artist/Album/\(track).flac"))
        }
        await changes.wait(for: 1)
        #expect(changes.batches.count == 1)
        #expect(changes.batches.first.map { LibraryWatcher.commonDirectory($0) }.map { ["Artist", "Artist/Album"].contains($0) } == true)
        #expect(try #require(changes.times.first) - copied < .seconds(2))
        try await Task.sleep(for: .milliseconds(600))
        #expect(changes.batches.count == 1, "no second hand-over for the same copy")

        // The new directory is watched: a rename inside it and a removal are seen.
        try FileManager.default.moveItem(atPath: "\(root)/Artist/Album/1.flac", toPath: "\(root)/Artist/Album/01.flac")
        await changes.wait(for: 2)
        #expect(changes.batches.last == ["Artist/Album"])
        try FileManager.default.removeItem(atPath: "\(root)/Artist/Album/2.flac")
        await changes.wait(for: 3)
        #expect(changes.batches.last == ["Artist/Album"])
        // Hidden files are not indexed, so they change nothing.
        try Data().write(to: URL(fileURLWithPath: "\(root)/Artist/.hidden"))
        try await Task.sleep(for: .milliseconds(700))
        #expect(changes.batches.count == 3)
    }

    @Test func commonDirectoryOfChanges() {
        #expect(LibraryWatcher.commonDirectory(["a/b", "a/b/c"]) == "a/b")
        #expect(LibraryWatcher.commonDirectory(["a/b", "a/c"]) == "a")
        #expect(LibraryWatcher.commonDirectory(["a", "b"]) == "")
        #expect(LibraryWatcher.commonDirectory(["", "a"]) == "")
        #expect(LibraryWatcher.commonDirectory(["ab/c", "a/c"]) == "")
        #expect(LibraryWatcher.commonDirectory(["日本/x"]) == "日本/x")
    }

    private func waitUntilWatched(_ watcher: LibraryWatcher, _ count: Int) async throws {
        try await waitUntil { watcher.watchedCount >= count }
    }
}

@Suite("update while the watches follow everything")
struct WatchedUpdateScopeTests {
    /// Only the directories events named are walked; one that holds the scope makes the scope itself the walk, and
    /// those outside the scope are left for the next auto-update.
    @Test func theWalkCoversWhatTheEventsNamedInsideTheScope() {
        #expect(DaemonCore.updateScope("", changed: []) == (walk: nil, later: []))
        #expect(DaemonCore.updateScope("", changed: ["a/b", "a/c"]) == (walk: "a", later: []))
        #expect(DaemonCore.updateScope("", changed: ["a/b"]) == (walk: "a/b", later: []))
        #expect(DaemonCore.updateScope("", changed: [""]) == (walk: "", later: []))
        #expect(DaemonCore.updateScope("a", changed: ["b/c"]) == (walk: nil, later: ["b/c"]))
        #expect(DaemonCore.updateScope("a", changed: ["a/x", "b"]) == (walk: "a/x", later: ["b"]))
        #expect(DaemonCore.updateScope("a/b", changed: ["a"]) == (walk: "a/b", later: ["a"]))
        #expect(DaemonCore.updateScope("a/b", changed: [""]) == (walk: "a/b", later: [""]))
        #expect(DaemonCore.updateScope("ab", changed: ["a"]) == (walk: nil, later: ["a"]))
    }
}

@Suite("Library watcher: what it can vouch for", .serialized)
struct LibraryWatcherCoverageTests {
    /// A tree of plain directories is followed entirely; events are kept until taken, and taken once.
    @Test func aPlainTreeIsFollowedAndItsChangesAreTakenOnce() async throws {
        let root = try Fixture.makeDirectory("watch-plain")
        defer { Fixture.remove(root) }
        try FileManager.default.createDirectory(atPath: "\(root)/A/B", withIntermediateDirectories: true)
        let watcher = try #require(LibraryWatcher.start(root: root, logger: Fixture.quiet) { _ in })
        defer { watcher.stop() }
        try await waitUntil { watcher.followsEverything }
        try Data([1]).write(to: URL(fileURLWithPath: "\(root)/A/B/new.flac"))
        try await waitUntil { watcher.hasPending }
        #expect(watcher.takePending() == ["A/B"])
        #expect(watcher.takePending() == [])
    }

    /// A symbolic link to a directory (whose target changes without events here) means the watches cannot vouch
    /// for the tree, and so does one to an audio file; a link to anything else does not matter.
    @Test(arguments: ["dir", "song.flac"]) func aSymbolicLinkInTheTreeIsNotFollowed(_ link: String) async throws {
        let root = try Fixture.makeDirectory("watch-link")
        let elsewhere = try Fixture.makeDirectory("watch-elsewhere")
        defer {
            Fixture.remove(root)
            Fixture.remove(elsewhere)
        }
        try FileManager.default.createDirectory(atPath: "\(root)/A", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "\(elsewhere)/dir", withIntermediateDirectories: true)
        try Data([1]).write(to: URL(fileURLWithPath: "\(elsewhere)/song.flac"))
        try Data([1]).write(to: URL(fileURLWithPath: "\(elsewhere)/cover.jpg"))
        try FileManager.default.createSymbolicLink(atPath: "\(root)/A/cover.jpg", withDestinationPath: "\(elsewhere)/cover.jpg")
        let plain = try #require(LibraryWatcher.start(root: root, logger: Fixture.quiet) { _ in })
        try await waitUntil { plain.followsEverything }
        plain.stop()
        try FileManager.default.createSymbolicLink(atPath: "\(root)/A/\(link)", withDestinationPath: "\(elsewhere)/\(link)")
        let watcher = try #require(LibraryWatcher.start(root: root, logger: Fixture.quiet) { _ in })
        defer { watcher.stop() }
        try await waitUntil { watcher.watchedCount >= 2 }
        try await Task.sleep(for: .milliseconds(200))
        #expect(!watcher.followsEverything)
    }
}

/// Waits (sleeping 10 ms at a time) up to 5 s for `condition`, then expects it.
private func waitUntil(_ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(5)
    while !condition(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
    #expect(condition())
}

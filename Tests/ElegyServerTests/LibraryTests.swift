import CSndFile
import ElegyCore
import ElegySystem
import Foundation
import Logging
import Testing

@testable import ElegyServer

@Suite("Library")
struct LibraryTests {
    @Test func scanIndexesAudioAndSurvivesHostileEntries() async throws {
        let root = try Fixture.hostileLibrary()
        defer { Fixture.remove(root) }
        let library = MusicLibrary(root: root, cacheFile: nil, logger: Fixture.quiet)
        let report = await library.scan()

        #expect(library.songs.map(\.uri) == [
            "03. Akeboshi.flac", "Aimer/Dawn/01 - Kataomoi.flac", "Aimer/Dawn/02 - Ref_rain.flac",
            "Singles/LiSA - Shirushi.wav", "Tagged/song.flac", "link.flac", "x/y/z/w/04 - Deep.flac",
        ])
        #expect(report.added == 7)
        #expect(report.updated == 0 && report.removed == 0)
        #expect(report.total == 7)
        #expect(report.filesRead == 8)  // the seven songs and the corrupt file
        let failed = Dictionary(uniqueKeysWithValues: report.failed.map { ($0.uri, $0.reason) })
        #expect(failed["fifo.flac"] == "not a regular file")
        #expect(failed["bad\u{FFFD}.flac"] == "name is not valid UTF-8")
        #expect(failed["dangling.flac"]?.hasPrefix("broken symlink") == true)
        let corrupt = try #require(failed["corrupt.flac"])
        #expect(!corrupt.isEmpty && corrupt != "not a regular file")
        #expect(report.failed.count == 4)
        #expect(!library.isScanning)
        #expect(library.lastUpdate > 0)

        let tagged = try #require(library.song(uri: "Tagged/song.flac"))
        #expect(tagged.title == "Kataomoi" && tagged.artist == "Aimer" && tagged.album == "Daydream")
        #expect(tagged.format == AudioFormat(sampleRate: 44100, channels: 2, sampleType: .int16, bitsPerSample: 16))
        #expect(abs((tagged.duration ?? 0) - 0.05) < 0.001)
        // A file keeps the tags it has and no others, as MPD reports it: nothing is guessed from its path (the
        // resolver reads paths itself).
        let untagged = try #require(library.song(uri: "Aimer/Dawn/01 - Kataomoi.flac"))
        #expect(untagged.title == nil && untagged.artist == nil && untagged.album == nil && untagged.track == nil)
        let titled = try #require(library.song(uri: "Aimer/Dawn/02 - Ref_rain.flac"))
        #expect(titled.title == "Ref:rain" && titled.artist == nil && titled.track == nil)
        let single = try #require(library.song(uri: "Singles/LiSA - Shirushi.wav"))
        #expect(single.artist == nil && single.title == nil)

        let stats = library.stats
        #expect(stats.songs == 7)
        #expect(stats.artists == 1)  // Aimer, of Tagged/song.flac
        #expect(stats.albums == 1)  // Daydream
        #expect(abs(stats.totalSeconds - 0.35) < 0.01)
    }

    @Test func rescanReadsOnlyChangedFiles() async throws {
        let root = try Fixture.makeDirectory("incremental")
        defer { Fixture.remove(root) }
        for index in 1...5 { try Fixture.writeAudio("\(root)/Artist/Album/0\(index) - Song \(index).flac") }
        let library = MusicLibrary(root: root, cacheFile: nil, logger: Fixture.quiet)
        #expect(await library.scan().filesRead == 5)

        let unchanged = await library.scan()
        #expect(unchanged.filesRead == 0 && unchanged.added == 0 && unchanged.updated == 0 && unchanged.removed == 0)
        #expect(unchanged.total == 5)

        try Fixture.touch("\(root)/Artist/Album/03 - Song 3.flac", by: 10)
        let touched = await library.scan()
        #expect(touched.filesRead == 1 && touched.updated == 1 && touched.added == 0 && touched.removed == 0)

        try FileManager.default.removeItem(atPath: "\(root)/Artist/Album/05 - Song 5.flac")
        try Fixture.writeAudio("\(root)/Other - New.flac")
        let changed = await library.scan()
        #expect(changed.removed == 1 && changed.added == 1 && changed.filesRead == 1)
        #expect(library.song(uri: "Artist/Album/05 - Song 5.flac") == nil)
        #expect(library.song(uri: "Other - New.flac") != nil)

        // A file that becomes unreadable audio is dropped and reported.
        try Fixture.write("\(root)/Artist/Album/04 - Song 4.flac", "garbage")
        let broken = await library.scan()
        #expect(broken.removed == 1 && broken.failed.map(\.uri) == ["Artist/Album/04 - Song 4.flac"])
        #expect(library.songs.count == 4)
    }

    @Test func rereadAllReadsEveryFileAgainWithinItsScope() async throws {
        let root = try Fixture.makeDirectory("reread")
        defer { Fixture.remove(root) }
        for index in 1...3 { try Fixture.writeAudio("\(root)/Artist/Album/0\(index) - Song \(index).flac") }
        let library = MusicLibrary(root: root, cacheFile: nil, logger: Fixture.quiet)
        #expect(await library.scan().filesRead == 3)
        #expect(await library.scan().filesRead == 0)
        let reread = await library.scan(rereadAll: true)
        #expect(reread.filesRead == 3 && reread.updated == 3 && reread.added == 0 && reread.removed == 0)
        #expect(reread.total == 3)
        // Scoped: only the files under the path are read.
        try Fixture.writeAudio("\(root)/Other/Only.flac")
        _ = await library.scan()
        #expect(await library.scan(path: "Other", rereadAll: true).filesRead == 1)
    }

    @Test func subPathScanTouchesOnlyItsScope() async throws {
        let root = try Fixture.makeDirectory("subpath")
        defer { Fixture.remove(root) }
        try Fixture.writeAudio("\(root)/A/1 - One.flac")
        try Fixture.writeAudio("\(root)/B/1 - Two.flac")
        let library = MusicLibrary(root: root, cacheFile: nil, logger: Fixture.quiet)
        _ = await library.scan()
        try FileManager.default.removeItem(atPath: "\(root)/B/1 - Two.flac")
        try Fixture.writeAudio("\(root)/A/2 - Three.flac")
        try Fixture.writeAudio("\(root)/AB/1 - Four.flac")

        let report = await library.scan(path: "A/")
        #expect(report.added == 1 && report.removed == 0 && report.filesRead == 1)
        #expect(library.songs.map(\.uri) == ["A/1 - One.flac", "A/2 - Three.flac", "B/1 - Two.flac"])

        let file = await library.scan(path: "B/1 - Two.flac")
        #expect(file.removed == 1)
        #expect(library.songs.map(\.uri) == ["A/1 - One.flac", "A/2 - Three.flac"])
        #expect(library.directoryListing("").directories == ["A"])

        let escape = await library.scan(path: "../etc")
        #expect(escape.failed.count == 1 && escape.filesRead == 0 && escape.total == 2)
    }

    @Test func concurrentScansJoinOrQueue() async throws {
        let root = try Fixture.makeDirectory("concurrent")
        defer { Fixture.remove(root) }
        for index in 1...20 { try Fixture.writeAudio("\(root)/D/\(index) - Song.flac") }
        let library = MusicLibrary(root: root, cacheFile: nil, logger: Fixture.quiet)
        async let first = library.scan()
        async let second = library.scan()
        async let third = library.scan(path: "D")
        let reports = await [first, second, third]
        #expect(reports.allSatisfy { $0.total == 20 })
        // However the three interleave, the files are read once in all.
        #expect(reports.map(\.filesRead).max() == 20)
        #expect(Set(reports.filter { $0.filesRead == 20 }.map(\.added)) == [20])
        #expect(!library.isScanning)
    }

    /// An update that finds nothing new keeps the index and does not rewrite the cache; one that does, does both.
    @Test func unchangedScanKeepsIndexAndCache() async throws {
        let root = try Fixture.makeDirectory("unchanged")
        let cacheDirectory = try Fixture.makeDirectory("unchanged-cache")
        defer {
            Fixture.remove(root)
            Fixture.remove(cacheDirectory)
        }
        for index in 1...3 { try Fixture.writeAudio("\(root)/Artist/Album/0\(index) - Song \(index).flac") }
        let cache = "\(cacheDirectory)/library.cache"
        let library = MusicLibrary(root: root, cacheFile: cache, logger: Fixture.quiet)
        #expect(await library.scan().changedIndex)
        func cacheModified() throws -> Int {
            var info = stat()
            try #require(stat(cache, &info) == 0)
            return info.st_mtim.tv_sec
        }
        var times = [timespec(tv_sec: 1000, tv_nsec: 0), timespec(tv_sec: 1000, tv_nsec: 0)]
        try #require(utimensat(AT_FDCWD, cache, &times, 0) == 0)
        let before = library.songs

        let unchanged = await library.scan()
        #expect(!unchanged.changedIndex && unchanged.total == 3)
        #expect(try cacheModified() == 1000)
        #expect(library.songs == before)

        try Fixture.touch("\(root)/Artist/Album/02 - Song 2.flac", by: 10)
        let touched = await library.scan()
        #expect(touched.changedIndex && touched.updated == 1)
        #expect(try cacheModified() != 1000)
    }

    @Test func cacheRestoresTheIndexWithoutReadingFiles() async throws {
        let root = try Fixture.hostileLibrary()
        let cacheDirectory = try Fixture.makeDirectory("cache")
        defer {
            Fixture.remove(root)
            Fixture.remove(cacheDirectory)
        }
        let cache = "\(cacheDirectory)/sub/library.cache"
        let library = MusicLibrary(root: root, cacheFile: cache, logger: Fixture.quiet)
        #expect(!library.loadCache())  // absent
        _ = await library.scan()

        let restarted = MusicLibrary(root: root + "/", cacheFile: cache, logger: Fixture.quiet)
        #expect(restarted.loadCache())
        #expect(restarted.songs == library.songs)
        #expect(restarted.lastUpdate == library.lastUpdate)
        #expect(restarted.directoryListing("Aimer/Dawn").songs.count == 2)
        let rescan = await restarted.scan()
        #expect(rescan.filesRead == 1)  // only the corrupt file, which is never indexed
        #expect(rescan.added == 0 && rescan.updated == 0 && rescan.removed == 0)

        let otherRoot = MusicLibrary(root: "/somewhere/else", cacheFile: cache, logger: Fixture.quiet)
        #expect(!otherRoot.loadCache())
        #expect(otherRoot.songs.isEmpty)

        let bytes = try Data(contentsOf: URL(fileURLWithPath: cache))
        for damaged in [bytes.prefix(bytes.count - 3), bytes.prefix(bytes.count / 2), Data("garbage\n".utf8), Data()] {
            try damaged.write(to: URL(fileURLWithPath: cache))
            let reader = MusicLibrary(root: root, cacheFile: cache, logger: Fixture.quiet)
            #expect(!reader.loadCache())
        }
        var flipped = bytes
        flipped[flipped.count - 14] ^= 0xFF  // the end marker, before the trailer's song count
        try flipped.write(to: URL(fileURLWithPath: cache))
        #expect(!MusicLibrary(root: root, cacheFile: cache, logger: Fixture.quiet).loadCache())
    }

    /// `add DIR` takes the directory's span of the sorted songs: exactly the songs under it, not those of siblings
    /// whose names start the same ("a b", "a-c", "ab").
    /// URIs are bytes, as Linux names files: "é" written precomposed and decomposed are two files, both indexed
    /// and both found, each in a directory of its own (as MPD lists them); every URI is found by the binary search,
    /// and an absent one is not.
    @Test func urisAreFoundByTheirBytes() {
        let composed = "Café/1.flac"
        let decomposed = "Cafe\u{301}/1.flac"
        let uris = [composed, decomposed, "a/1.flac", "a/2.flac", "日本/1.flac", "Z/1.flac", "a b/1.flac"]
        let index = LibraryIndex(songs: uris.shuffled().map { Song(uri: $0) })
        #expect(index.songs.count == uris.count)
        #expect(index.songs.map { Array($0.uri.utf8) } == uris.map { Array($0.utf8) }.sorted { $0.lexicographicallyPrecedes($1) })
        for uri in uris {
            let position = index.position(ofURI: uri)
            #expect(position.map { Array(index.songs[$0].uri.utf8) } == Array(uri.utf8), "\(uri)")
        }
        #expect(index.position(ofURI: "a/3.flac") == nil)
        #expect(index.position(ofURI: "") == nil)
        #expect(LibraryIndex(songs: []).position(ofURI: "a") == nil)
        let composedSongs = index.directory("Café")?.songs.map { Array(index.songs[$0].uri.utf8) }
        let decomposedSongs = index.directory("Cafe\u{301}")?.songs.map { Array(index.songs[$0].uri.utf8) }
        #expect(composedSongs == [Array(composed.utf8)] && decomposedSongs == [Array(decomposed.utf8)])
        #expect(index.directory("")?.subdirectories.filter { $0 == "Café" }.count == 2)
    }

    @Test func songsUnderADirectoryAreItsSpan() {
        let uris = [
            "a b/1.flac", "a-c/2.flac", "a/3.flac", "a/x/4.flac", "a/x/y/5.flac", "a/z/6.flac", "a0/7.flac", "ab/8.flac",
            "b/9.flac", "日本/10.flac",
        ]
        let index = LibraryIndex(songs: uris.shuffled().map { Song(uri: $0) })
        #expect(index.songs(under: "a").map(\.uri) == ["a/3.flac", "a/x/4.flac", "a/x/y/5.flac", "a/z/6.flac"])
        #expect(index.songs(under: "/a/x/").map(\.uri) == ["a/x/4.flac", "a/x/y/5.flac"])
        #expect(index.songs(under: "a b").map(\.uri) == ["a b/1.flac"])
        #expect(index.songs(under: "日本").map(\.uri) == ["日本/10.flac"])
        #expect(index.songs(under: "").count == uris.count)
        #expect(index.songs(under: "a/x/4.flac").map(\.uri) == ["a/x/4.flac"])
        #expect(index.songs(under: "c").isEmpty)
        #expect(index.directory("a")?.rangeUnder != nil)
        #expect(index.directory("")?.rangeUnder == 0...(uris.count - 1))
    }

    @Test func cacheFormatRoundTripsAwkwardText() throws {
        var songs = [
            Song(uri: "a\tb/c\\d.flac", title: "line\nbreak\r", artist: "tab\there", album: "back\\slash",
                 track: "1", date: "2020", genre: "", duration: 1.0 / 3.0,
                 format: AudioFormat(sampleRate: 96000, channels: 6, sampleType: .int32, bitsPerSample: 24),
                 size: 123, modified: -5),
            Song(uri: "z.mp3", title: "日本語のタイトル", size: 0, modified: 1_700_000_000),
            // Tags beyond the fields, a second artist, and a value holding `=` and a tab.
            Song(
                uri: "zz.m4a", artist: "A",
                otherTags: [SongTag(.artist, "B"), SongTag(.musicBrainzTrackID, "x=y\tz"), SongTag(.performer, "P")],
                size: 1, modified: 2),
        ]
        // ReplayGain values, one of them absent, survive exactly (the shortest Float text round-trips).
        songs[2].replayGain.trackGain = -6.52
        songs[2].replayGain.trackPeak = 0.98765
        songs[2].replayGain.albumGain = 1.0 / 3.0
        songs[1].replayGain.albumPeak = 1
        let times: [String: Int64] = ["": 1, "a\tb": 1_700_000_000, "日本/語": -3]
        let bytes = LibraryCache.encode(root: "/m", updated: 42, songs: songs, directoryTimes: times)
        let decoded = try #require(LibraryCache.decode(bytes, root: "/m"))
        #expect(decoded.updated == 42)
        #expect(decoded.directoryTimes == times)
        // An empty tag reads back as absent, which is how the scanner stores it anyway.
        var expected = songs
        expected[0].genre = nil
        #expect(decoded.songs == expected)
        #expect(LibraryCache.decode(bytes, root: "/m/") == nil)
    }

    /// Songs that name the same Album, AlbumArtist, Disc, Date, Genre and Composer come back sharing one
    /// `SharedSongTags` (one per album here, whatever its tracks and artists; one more where an album straddles two
    /// pieces), and
    /// songs with none of them share `SharedSongTags.none`.
    @Test func decodedSongsOfAnAlbumShareTheirTags() throws {
        let albums = 600
        let songs = (0..<(albums * 10)).map { index in
            Song(
                uri: String(format: "d%04d/%02d.flac", index / 10, index % 10), title: "T\(index)",
                artist: "Artist \(index % 3)", album: "Album number \(index / 10)", track: "\(index % 10 + 1)",
                date: "2001")
        } + [Song(uri: "untagged/a.flac"), Song(uri: "untagged/b.flac", title: "only a title")]
        let bytes = LibraryCache.encode(root: "/m", updated: 7, songs: songs)
        let decoded = try #require(LibraryCache.decode(bytes, root: "/m")).songs
        #expect(decoded == songs)
        let pieces = (songs.count + LibraryCache.songsPerPiece - 1) / LibraryCache.songsPerPiece
        let objects = Set(decoded.dropLast(2).map { ObjectIdentifier($0.sharedTags) })
        #expect(objects.count >= albums && objects.count < albums + pieces)
        #expect(decoded.suffix(2).allSatisfy { $0.sharedTags === SharedSongTags.none })
    }

    /// 5,000 songs are two pieces, read on two threads: the seam loses, duplicates and reorders nothing, the counts
    /// `stats` shows come back, and a cache cut short, with a count that does not match, with two songs out of order
    /// (within a piece, or exactly at the seam, which only the check across pieces sees) or with a reference past
    /// the shared values is refused.
    @Test func largeCacheDecodesInPiecesAndRefusesDamage() throws {
        let songs = (0..<5000).map { index in
            Song(
                uri: String(format: "d%03d/%05d.flac", index / 10, index), title: "T\(index)", artist: "Artist \(index % 7)",
                album: "Album number \(index / 10)", duration: Double(index), size: Int64(index), modified: 1)
        }
        #expect(songs.count > LibraryCache.songsPerPiece && songs.count >= LibraryCache.piecesFrom)
        let bytes = LibraryCache.encode(root: "/m", updated: 7, songs: songs, directoryTimes: ["d000": 3])
        let decoded = try #require(LibraryCache.decode(bytes, root: "/m"))
        #expect(decoded.songs == songs)
        #expect(decoded.directoryTimes == ["d000": 3])
        #expect(decoded.artists == 7 && decoded.albums == 500)
        #expect(LibraryIndex.distinctArtistsAndAlbums(songs) == (7, 500))
        // A Bool, so that a failure does not print 5,000 songs.
        func refused(_ damaged: [UInt8]) -> Bool { LibraryCache.decode(damaged, root: "/m") == nil }
        #expect(refused(Array(bytes.dropLast(40))))
        #expect(refused(Array(bytes.dropLast())))
        #expect(refused(bytes + [0]))
        var miscounted = bytes
        miscounted[miscounted.count - 4] ^= 1  // the trailer's song count
        #expect(refused(miscounted))
        var otherVersion = bytes
        otherVersion[LibraryCache.magic.count - 2] = UInt8(ascii: "5")
        #expect(refused(otherVersion))

        func withURI(of source: Int, at target: Int) -> [UInt8] {
            var damaged = songs
            damaged[target].uri = songs[source].uri
            return LibraryCache.encode(root: "/m", updated: 7, songs: damaged, directoryTimes: ["d000": 3])
        }
        #expect(refused(withURI(of: 2502, at: 2500)))
        let seam = LibraryCache.songsPerPiece
        #expect(refused(withURI(of: seam - 1, at: seam)))

        // Song 0's first shared value ("Artist 0", number 1) pointed past the table of 7 + 500 values.
        let uri = Array(songs[0].uri.utf8)
        let songStart = try #require(bytes.indices.first { bytes[$0...].starts(with: uri) }) - 4
        // URI, size, mtime, flags, duration, title (count + 1 and bytes), then the shared values.
        let artistOffset = songStart + 4 + uri.count + 8 + 8 + 1 + 8 + 4 + "T0".utf8.count
        #expect(Array(bytes[artistOffset..<(artistOffset + 4)]) == [1, 0, 0, 0])
        var pastTable = bytes
        pastTable[artistOffset + 3] = 0x01  // number 16,777,217
        #expect(refused(pastTable))
    }

    @Test func listingsFollowTheDirectoryTree() async throws {
        let root = try Fixture.hostileLibrary()
        defer { Fixture.remove(root) }
        let library = MusicLibrary(root: root, cacheFile: nil, logger: Fixture.quiet)
        _ = await library.scan()

        let top = library.directoryListing("")
        #expect(top.directories == ["Aimer", "Singles", "Tagged", "x"])
        #expect(top.songs.map(\.uri) == ["03. Akeboshi.flac", "link.flac"])
        #expect(library.directoryListing("/").directories == top.directories)
        #expect(library.directoryListing("Aimer").directories == ["Aimer/Dawn"])
        #expect(library.directoryListing("Aimer").songs.isEmpty)
        #expect(library.directoryListing("Aimer/Dawn/").songs.map(\.title) == [nil, "Ref:rain"])
        #expect(library.directoryListing("x/y").directories == ["x/y/z"])
        #expect(library.directoryListing("nope").directories.isEmpty)
        #expect(library.directoryListing("a.flac").directories.isEmpty)
        #expect(library.isDirectory("x/y/z/w") && !library.isDirectory("loop"))

        #expect(library.allSongs(under: "Aimer").map(\.uri) == [
            "Aimer/Dawn/01 - Kataomoi.flac", "Aimer/Dawn/02 - Ref_rain.flac",
        ])
        #expect(library.allSongs(under: "x").map(\.uri) == ["x/y/z/w/04 - Deep.flac"])
        #expect(library.allSongs(under: "").count == 7)
        #expect(library.allSongs(under: "link.flac").map(\.uri) == ["link.flac"])
        #expect(library.allSongs(under: "Aim").isEmpty)
    }

    /// `sort Album` and `sort -Album`: values in byte order either way, songs with one value in their own order
    /// either way (MPD's stable sort), songs without the tag sorted as "".
    @Test func sortByTextIsStableAscendingAndDescending() throws {
        let songs = [
            Song(uri: "1", album: "b"), Song(uri: "2", album: "a"), Song(uri: "3", album: "b"), Song(uri: "4"),
            Song(uri: "5", album: "a"), Song(uri: "6", album: "c"), Song(uri: "7", album: "b"),
        ]
        #expect(try SongOrder("Album").sorted(songs).map(\.uri) == ["4", "2", "5", "1", "3", "7", "6"])
        #expect(try SongOrder("-Album").sorted(songs).map(\.uri) == ["6", "1", "3", "7", "2", "5", "4"])
        #expect(try SongOrder("-Album").sorted([]).isEmpty)
    }

    @Test func absolutePathRefusesEscapes() {
        let library = MusicLibrary(root: "/music/", cacheFile: nil, logger: Fixture.quiet)
        #expect(library.absolutePath(of: "Artist/Album/01 - Song.flac") == "/music/Artist/Album/01 - Song.flac")
        #expect(library.absolutePath(of: "..foo/x..y.flac") == "/music/..foo/x..y.flac")
        for hostile in ["../etc/passwd", "/etc/passwd", "a/../../b.flac", "a/..", "..", "", "a\0b"] {
            #expect(library.absolutePath(of: hostile) == nil, "\(hostile)")
        }
    }

    /// What a reader thread does when a file changed between `readdir` and its turn: a FIFO swapped in is refused
    /// without blocking the thread, a vanished file is a walk failure, a directory is skipped.
    @Test func readersSurviveFilesSwappedAfterTheWalk() throws {
        let root = try Fixture.makeDirectory("swapped")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let fifo = "\(root)/swapped.flac"
        guard mkfifo(fifo, 0o644) == 0 else { throw FixtureError(message: "mkfifo") }
        var info = stat()
        info.st_size = 5000
        let candidate = LibraryWalker.Candidate(uri: "swapped.flac", root: root, stamp: nil)
        guard case .failure(let failure) = TagReadJob.read(candidate, stamp: LibraryWalker.Stamp(info)) else {
            Issue.record("a FIFO was read as a song")
            return
        }
        #expect(failure.uri == "swapped.flac" && failure.reason == "not a regular file")
        guard case .failure(let listed) = LibraryWalker.stamp(ofListed: candidate) else {
            Issue.record("a FIFO was stat'ed as a file")
            return
        }
        #expect(listed.reason == "not a regular file")

        let gone = LibraryWalker.Candidate(uri: "gone.flac", root: root, stamp: nil)
        guard case .failure(let vanished) = LibraryWalker.stamp(ofListed: gone) else {
            Issue.record("a vanished file was stat'ed")
            return
        }
        #expect(vanished.reason == SystemCallError.message(ENOENT))
        try FileManager.default.createDirectory(atPath: "\(root)/dir.flac", withIntermediateDirectories: true)
        let directory = LibraryWalker.Candidate(uri: "dir.flac", root: root, stamp: nil)
        guard case .directory = LibraryWalker.stamp(ofListed: directory) else {
            Issue.record("a directory was not recognised")
            return
        }
    }

    @Test func scanOfAMissingRootIsEmptyAndDoesNotCrash() async {
        let library = MusicLibrary(root: "/nonexistent/elegy-\(getpid())", cacheFile: nil, logger: Fixture.quiet)
        let report = await library.scan()
        #expect(report.total == 0 && report.failed.isEmpty)
        #expect(library.directoryListing("").directories.isEmpty)
    }
}

import ElegyCore

#if canImport(Glibc)
    import Glibc
#endif

/// An immutable snapshot of the library: songs sorted by URI plus the directory tree, built once per scan or
/// cache load and then read by any thread without locking.
final class LibraryIndex: Sendable {
    /// One directory: its immediate subdirectories (full relative paths) and songs (indexes into `songs`), and the
    /// span of `songs` its whole subtree occupies.
    struct Directory: Sendable {
        var subdirectories: [String] = []
        var songs: [Int] = []
        /// First and last index into `songs` of any song under this directory, and how many there are.
        var firstUnder = Int.max
        var lastUnder = -1
        var countUnder = 0

        /// The subtree's songs as one range of `songs`, when they are contiguous (URIs sorted by byte order keep
        /// every subtree together; the check guards against an order in which they are not).
        var rangeUnder: ClosedRange<Int>? {
            countUnder > 0 && lastUnder - firstUnder + 1 == countUnder ? firstUnder...lastUnder : nil
        }

        /// Counts the song at `index` in the subtree's span.
        mutating func extend(with index: Int) {
            firstUnder = min(firstUnder, index)
            lastUnder = max(lastUnder, index)
            countUnder += 1
        }
    }

    /// Sorted by the bytes of their URIs (as Linux names files: two spellings of one name are two files).
    let songs: [Song]
    /// Keyed by relative path, by its bytes as the songs are (a String key hashed the path's normalized form: a
    /// tenth of `listall`, perf 2026-12-07); the root is "". Only directories that contain songs (at any depth)
    /// exist. Read through `directory(_:)`.
    private let directories: [ByteKey: Directory]
    let artistCount: Int
    let albumCount: Int
    let totalSeconds: Double
    /// Modification times (Unix seconds) of the directories the scans walked, by relative path.
    let directoryTimes: [String: Int64]

    static let empty = LibraryIndex(sortedSongs: [])

    /// How many distinct Artist and Album values `songs` hold (the first of each song; MPD's `stats`), told apart
    /// by their bytes as MPD tells them apart.
    static func distinctArtistsAndAlbums(_ songs: [Song]) -> (artists: Int, albums: Int) {
        var artists = Set<ByteKey>()
        var albums = Set<ByteKey>()
        for index in songs.indices {
            if let artist = songs[index].artist { artists.insert(ByteKey(artist)) }
            if let album = songs[index].album { albums.insert(ByteKey(album)) }
        }
        return (artists.count, albums.count)
    }

    /// Builds the index; `sortedSongs` must be sorted by URI with no duplicates (see `init(songs:)`). `counts` are
    /// `distinctArtistsAndAlbums(sortedSongs)` when the caller has them (the cache file stores them): counting
    /// takes longer than building the tree.
    init(sortedSongs: [Song], directoryTimes: [String: Int64] = [:], counts: (artists: Int, albums: Int)? = nil) {
        songs = sortedSongs
        self.directoryTimes = directoryTimes
        var directories: [ByteKey: Directory] = [:]
        directories.reserveCapacity(sortedSongs.count / 8 + 1)
        var seconds = 0.0
        // Songs are sorted, so every directory's subtree is one run of them: the directories from the root down
        // to the current song's are open, gather what they hold, and are stored once, when the run leaves them.
        // (Looking up each song's ancestors in `directories` hashed their paths over and over: most of the time
        // this took for 100,000 songs.)
        var open: [(path: String, directory: Directory)] = [("", Directory())]
        // The open directory's path, as bytes: most songs are in the same directory as the one before, and
        // comparing bytes in place takes no copy of a string.
        var current: [UInt8] = []
        // Songs are read in place: `let song = sortedSongs[index]` copied the whole song, a dozen retains.
        sortedSongs.withUnsafeBufferPointer { sortedSongs in for index in sortedSongs.indices {
            seconds += sortedSongs[index].duration ?? 0
            let inCurrent = current.withUnsafeBufferPointer { current in
                sortedSongs[index].uri.utf8.withContiguousStorageIfAvailable { uri in
                    LibraryIndex.isDirectChild(uri, of: current)
                }
            }
            if inCurrent != true {
                let uri = sortedSongs[index].uri
                let parent = LibraryIndex.parent(of: uri)
                while open.count > 1, !LibraryIndex.contains(scope: open[open.count - 1].path, parent) {
                    let (path, directory) = open.removeLast()
                    LibraryIndex.store(directory, at: path, in: &directories)
                }
                var missing: [String] = []
                var directory = parent
                while directory.utf8.count > open[open.count - 1].path.utf8.count {
                    missing.append(directory)
                    directory = LibraryIndex.parent(of: directory)
                }
                for path in missing.reversed() {
                    open[open.count - 1].directory.subdirectories.append(path)
                    open.append((path, Directory()))
                }
                current = Array(open[open.count - 1].path.utf8)
            }
            open[open.count - 1].directory.songs.append(index)
            for level in open.indices { open[level].directory.extend(with: index) }
        } }
        while let (path, directory) = open.popLast() { LibraryIndex.store(directory, at: path, in: &directories) }
        self.directories = directories
        (artistCount, albumCount) = counts ?? LibraryIndex.distinctArtistsAndAlbums(sortedSongs)
        totalSeconds = seconds
    }

    /// The directory at `path` (relative, already normalized), if it holds songs at any depth.
    func directory(_ path: String) -> Directory? { directories[ByteKey(path)] }

    /// Stores a directory the walk has left, its subdirectories sorted. Each is stored once: songs sorted by the
    /// bytes of their URIs keep every directory's subtree together, and the keys are those bytes too. (With
    /// `String` keys, two spellings of one name were one key, and a second visit had to be merged into the first.)
    private static func store(_ directory: Directory, at path: String, in directories: inout [ByteKey: Directory]) {
        var directory = directory
        directory.subdirectories.sort()
        let key = ByteKey(path)
        assert(directories[key] == nil, "songs out of order: \(path) visited twice")
        directories[key] = directory
    }

    /// Sorts `songs` by URI (keeping the last of duplicate URIs) and builds the index.
    convenience init(songs: [Song]) {
        self.init(sortedSongs: LibraryIndex.sortedByURI(songs))
    }

    /// `songs` sorted by URI, keeping the last of duplicate URIs: what `init(sortedSongs:)` takes.
    static func sortedByURI(_ songs: [Song]) -> [Song] {
        var sorted = songs.sorted { $0.uri.precedesInByteOrder($1.uri) }
        if sorted.count > 1 {
            var unique: [Song] = []
            unique.reserveCapacity(sorted.count)
            for song in sorted {
                if let last = unique.last, last.uri.utf8.elementsEqual(song.uri.utf8) {
                    unique[unique.count - 1] = song
                } else {
                    unique.append(song)
                }
            }
            sorted = unique
        }
        return sorted
    }

    /// The position of the song with this URI: a binary search of the sorted songs, so that loading 100,000 songs
    /// builds no dictionary of their URIs (hashing each, and 3 MB to hold them).
    func position(ofURI uri: String) -> Int? {
        var low = 0
        var high = songs.count
        while low < high {
            let middle = (low + high) / 2
            let order = songs[middle].uri.byteOrder(comparedTo: uri)
            if order == 0 { return middle }
            if order < 0 { low = middle + 1 } else { high = middle }
        }
        return nil
    }

    /// Whether `parent(of: path) == directory`, without building the parent String (asked once per song).
    static func isDirectChild(_ path: String, of directory: String) -> Bool {
        var path = path
        var directory = directory
        // On contiguous UTF-8 (made so if need be): with the generic `starts(with:)` over two UTF8Views this
        // function was about a third of building the index of 100,000 songs (perf, 2026-12-07).
        return path.withUTF8 { bytes in directory.withUTF8 { prefix in isDirectChild(bytes, of: prefix) } }
    }

    /// `isDirectChild` on UTF-8 bytes.
    static func isDirectChild(_ bytes: UnsafeBufferPointer<UInt8>, of prefix: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let start = bytes.baseAddress else { return prefix.isEmpty }
        if prefix.isEmpty { return memchr(start, Int32(UInt8(ascii: "/")), bytes.count) == nil }
        guard bytes.count > prefix.count, bytes[prefix.count] == UInt8(ascii: "/"), let wanted = prefix.baseAddress,
            memcmp(start, wanted, prefix.count) == 0
        else { return false }
        return memchr(start + prefix.count + 1, Int32(UInt8(ascii: "/")), bytes.count - prefix.count - 1) == nil
    }

    /// The directory part of a relative path ("" for a top-level entry).
    static func parent(of path: String) -> String {
        var path = path
        return path.withUTF8 { bytes in
            guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")) else { return "" }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[..<slash]), as: UTF8.self)
        }
    }

    /// `path` without leading and trailing slashes ("/" and "" both mean the root).
    static func normalized(_ path: String) -> String {
        var view = Substring(path)
        while view.first == "/" { view = view.dropFirst() }
        while view.last == "/" { view = view.dropLast() }
        return String(view)
    }

    /// Whether `uri` is `scope` itself or lies under it; the empty scope holds everything.
    static func contains(scope: String, _ uri: String) -> Bool {
        if scope.isEmpty { return true }
        var scope = scope
        var uri = uri
        return uri.withUTF8 { bytes in
            scope.withUTF8 { prefix in
                guard bytes.count >= prefix.count, let start = bytes.baseAddress, let wanted = prefix.baseAddress,
                    memcmp(start, wanted, prefix.count) == 0
                else { return false }
                return bytes.count == prefix.count || bytes[prefix.count] == UInt8(ascii: "/")
            }
        }
    }

    func listing(_ path: String) -> (directories: [String], songs: [Song]) {
        guard let directory = directory(LibraryIndex.normalized(path)) else { return ([], []) }
        return (directory.subdirectories, directory.songs.map { songs[$0] })
    }

    /// Visits `path`'s subtree in MPD's order: each subdirectory (sorted) followed by its own subtree, then the
    /// directory's songs. `path` itself is not visited; a song URI visits just that song.
    func walk(
        _ path: String, directory visitDirectory: (String) -> Void, song visitSong: (UnsafePointer<Song>) -> Void
    ) {
        let scope = LibraryIndex.normalized(path)
        // A local array: its elements are lent to `visitSong` in place instead of copied out of the class.
        let songs = self.songs
        if let index = position(ofURI: scope) {
            songs.withUnsafeBufferPointer { buffer in if let first = buffer.baseAddress { visitSong(first + index) } }
            return
        }
        guard let top = directory(scope) else { return }
        // An explicit stack: a deep tree cannot overflow the thread's stack. A directory's songs are pushed below
        // its subdirectories so that they come after the whole subtree. Each directory is looked up once: a path's
        // hash is the costly part (Swift hashes a String's normalized form), and these are tens of thousands.
        enum Step {
            case directory(String)
            case songs([Int])
        }
        var stack: [Step] = [.songs(top.songs)]
        for child in top.subdirectories.reversed() { stack.append(.directory(child)) }
        // A pointer into the buffer, read in place: a song passed on by value was copied whole (every field retained
        // and released: a fifth of `listall`, perf 2026-12-07).
        songs.withUnsafeBufferPointer { buffer in
            guard let first = buffer.baseAddress else { return }
            while let step = stack.popLast() {
                switch step {
                case .directory(let name):
                    visitDirectory(name)
                    guard let directory = directory(name) else { continue }
                    stack.append(.songs(directory.songs))
                    for child in directory.subdirectories.reversed() { stack.append(.directory(child)) }
                case .songs(let indexes):
                    for index in indexes { visitSong(first + index) }
                }
            }
        }
    }

    func songs(under path: String) -> [Song] {
        let scope = LibraryIndex.normalized(path)
        if scope.isEmpty { return songs }
        if let index = position(ofURI: scope) { return [songs[index]] }
        guard let directory = directory(scope) else { return [] }
        // `add DIR` is a slice of the sorted songs, not a pass over the library.
        if let range = directory.rangeUnder { return Array(songs[range]) }
        return songs.filter { LibraryIndex.contains(scope: scope, $0.uri) }
    }
}

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

        mutating func extend(with run: [Int]) {
            guard let first = run.first, let last = run.last else { return }
            firstUnder = min(firstUnder, first)
            lastUnder = max(lastUnder, last)
            countUnder += run.count
        }
    }

    /// Sorted by the bytes of their URIs (as Linux names files: two spellings of one name are two files).
    let songs: [Song]
    /// Keyed by relative path; the root is "". Only directories that contain songs (at any depth) exist.
    let directories: [String: Directory]
    let artistCount: Int
    let albumCount: Int
    let totalSeconds: Double
    /// Modification times (Unix seconds) of the directories the scans walked, by relative path.
    let directoryTimes: [String: Int64]

    static let empty = LibraryIndex(sortedSongs: [])

    /// Builds the index; `sortedSongs` must be sorted by URI with no duplicates (see `init(songs:)`).
    init(sortedSongs: [Song], directoryTimes: [String: Int64] = [:]) {
        songs = sortedSongs
        self.directoryTimes = directoryTimes
        var directories: [String: Directory] = ["": Directory()]
        var artists = Set<String>()
        var albums = Set<String>()
        var seconds = 0.0
        // Songs are sorted, so a directory's songs come in runs: gather each run before storing it.
        var runParent = ""
        var run: [Int] = []
        // Fields are read one by one: `let song = sortedSongs[index]` copied the whole song, a dozen retains.
        for index in sortedSongs.indices {
            if let artist = sortedSongs[index].artist { artists.insert(artist) }
            if let album = sortedSongs[index].album { albums.insert(album) }
            seconds += sortedSongs[index].duration ?? 0
            let uri = sortedSongs[index].uri
            if LibraryIndex.isDirectChild(uri, of: runParent) {
                run.append(index)
                continue
            }
            let parent = LibraryIndex.parent(of: uri)
            if !run.isEmpty { LibraryIndex.store(run, in: runParent, &directories) }
            runParent = parent
            run = [index]
            // Create the missing chain of ancestors up to one that exists (the root always does), each linked
            // to its parent.
            var directory = parent
            var created: String?
            while directories[directory] == nil {
                directories[directory] = Directory(subdirectories: created.map { [$0] } ?? [])
                created = directory
                directory = LibraryIndex.parent(of: directory)
            }
            if let created { directories[directory, default: Directory()].subdirectories.append(created) }
        }
        if !run.isEmpty { LibraryIndex.store(run, in: runParent, &directories) }
        for key in directories.keys { directories[key]?.subdirectories.sort() }
        self.directories = directories
        artistCount = artists.count
        albumCount = albums.count
        totalSeconds = seconds
    }

    /// Adds a run of songs to `directory` and counts them in its ancestors' spans.
    private static func store(_ run: [Int], in directory: String, _ directories: inout [String: Directory]) {
        directories[directory, default: Directory()].songs += run
        var ancestor = directory
        while true {
            directories[ancestor, default: Directory()].extend(with: run)
            if ancestor.isEmpty { break }
            ancestor = LibraryIndex.parent(of: ancestor)
        }
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
        return path.withUTF8 { bytes in
            directory.withUTF8 { prefix in
                if prefix.isEmpty { return !bytes.contains(UInt8(ascii: "/")) }
                guard bytes.count > prefix.count, bytes[prefix.count] == UInt8(ascii: "/"),
                    let start = bytes.baseAddress, let wanted = prefix.baseAddress, memcmp(start, wanted, prefix.count) == 0
                else { return false }
                return !UnsafeBufferPointer(rebasing: bytes[(prefix.count + 1)...]).contains(UInt8(ascii: "/"))
            }
        }
    }

    /// The directory part of a relative path ("" for a top-level entry).
    static func parent(of path: String) -> String {
        let bytes = path.utf8
        guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")) else { return "" }
        return String(Substring(bytes[..<slash]))
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
        guard uri.utf8.starts(with: scope.utf8) else { return false }
        let rest = uri.utf8.dropFirst(scope.utf8.count)
        return rest.isEmpty || rest.first == UInt8(ascii: "/")
    }

    func listing(_ path: String) -> (directories: [String], songs: [Song]) {
        guard let directory = directories[LibraryIndex.normalized(path)] else { return ([], []) }
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
        guard directories[scope] != nil else { return }
        // An explicit stack: a deep tree cannot overflow the thread's stack. A directory's songs are pushed below
        // its subdirectories so that they come after the whole subtree.
        enum Step {
            case directory(String)
            case songsOf(String)
        }
        var stack: [Step] = [.songsOf(scope)]
        for child in (directories[scope]?.subdirectories ?? []).reversed() { stack.append(.directory(child)) }
        while let step = stack.popLast() {
            switch step {
            case .directory(let name):
                visitDirectory(name)
                stack.append(.songsOf(name))
                for child in (directories[name]?.subdirectories ?? []).reversed() { stack.append(.directory(child)) }
            case .songsOf(let name):
                // A pointer into the buffer, read in place: a song passed on by value was copied whole (every field
                // retained and released: a fifth of `listall`, perf 2026-12-07).
                songs.withUnsafeBufferPointer { buffer in
                    guard let first = buffer.baseAddress else { return }
                    for index in directories[name]?.songs ?? [] { visitSong(first + index) }
                }
            }
        }
    }

    func songs(under path: String) -> [Song] {
        let scope = LibraryIndex.normalized(path)
        if scope.isEmpty { return songs }
        if let index = position(ofURI: scope) { return [songs[index]] }
        guard let directory = directories[scope] else { return [] }
        // `add DIR` is a slice of the sorted songs, not a pass over the library.
        if let range = directory.rangeUnder { return Array(songs[range]) }
        return songs.filter { LibraryIndex.contains(scope: scope, $0.uri) }
    }
}

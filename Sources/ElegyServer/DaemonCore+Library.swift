import ElegyCore

/// The music library: update, browse, find and search.
extension DaemonCore {
    static func addLibraryCommands(_ add: CommandAdder) {
        add("update", 0...1) { context in
            context.response.field("updating_db", context.core.startUpdate(path: context.arguments.first))
        }
        add("rescan", 0...1) { context in
            context.response.field("updating_db", context.core.startUpdate(path: context.arguments.first, rereadAll: true))
        }
        // A file command: at the root it lists the stored playlists' directory too.
        add.files("lsinfo", 0...1) { context throws(ProtocolError) in
            let path = normalizedDirectory(context.arguments.first ?? "")
            if let song = context.library.song(uri: path) {
                context.response.songRecord(song, tagTypes: context.client.tagTypes)
                return
            }
            let listing = context.library.directoryListing(path)
            if !path.isEmpty, listing.directories.isEmpty, listing.songs.isEmpty {
                throw ProtocolError(.noExist, "No such directory")
            }
            for directory in listing.directories {
                context.response.field("directory", directory)
                if let modified = context.library.modified(ofDirectory: directory) {
                    context.response.field("Last-Modified", timestamp: modified)
                }
            }
            for song in listing.songs { context.response.songRecord(song, tagTypes: context.client.tagTypes) }
            if path.isEmpty { try writePlaylistList(context, to: &context.response) }
        }
        // Both walk the tree as MPD does: each directory, then its subtree, then a directory's own songs.
        add.library("listall", 0...1) { context in
            let path = normalizedDirectory(context.arguments.first ?? "")
            if path.isEmpty { context.response.reserve(context.library.songs.count * 72) }  // "file: URI\n"
            context.library.walk(path) { directory in
                context.response.field("directory", directory)
            } song: { song in
                context.response.field("file", song.pointee.uri)
            }
        }
        add.library("listallinfo", 0...1) { context in
            let library = context.library
            let path = normalizedDirectory(context.arguments.first ?? "")
            if path.isEmpty { context.response.reserve(library.songs.count * 280) }  // a record of ten tags
            let tagTypes = context.client.tagTypes
            library.walk(path) { directory in
                context.response.field("directory", directory)
                if let modified = library.modified(ofDirectory: directory) {
                    context.response.field("Last-Modified", timestamp: modified)
                }
            } song: { song in
                context.response.songRecord(at: song, tagTypes: tagTypes)
            }
        }
        add.library("find", 1...Int.max) { context throws(ProtocolError) in
            for song in try context.library.matchingSongs(context.arguments, caseSensitive: true) {
                context.response.songRecord(song, tagTypes: context.client.tagTypes)
            }
        }
        add.library("search", 1...Int.max) { context throws(ProtocolError) in
            for song in try context.library.matchingSongs(context.arguments, caseSensitive: false) {
                context.response.songRecord(song, tagTypes: context.client.tagTypes)
            }
        }
        // The search runs outside the lock; only adding the songs takes it.
        add.library("findadd", 1...Int.max) { context throws(ProtocolError) in
            let found = try context.library.matchingSongs(context.arguments, caseSensitive: true)
            try context.locked { core throws(ProtocolError) in
                _ = try core.player.queue.add(contentsOf: found)
                core.player.queueChanged()
            }
        }
        add.library("searchadd", 1...Int.max) { context throws(ProtocolError) in
            let found = try context.library.matchingSongs(context.arguments, caseSensitive: false)
            try context.locked { core throws(ProtocolError) in
                _ = try core.player.queue.add(contentsOf: found)
                core.player.queueChanged()
            }
        }
        add.files("searchaddpl", 2...Int.max) { context throws(ProtocolError) in
            let found = try context.library.matchingSongs(Array(context.arguments.dropFirst()), caseSensitive: false)
            let existing = try storedPlaylistSongs(context.arguments[0], context, missingIsEmpty: true)
            try context.storedPlaylists.write(context.arguments[0], songs: existing + found)
            try context.locked { core in core.changed(.storedPlaylist) }
        }
        add.library("count", 1...Int.max) { context throws(ProtocolError) in
            var filterArguments = context.arguments
            let groups = try splitGroups(&filterArguments, conflictingWith: nil)
            guard groups.count <= 1 else { throw ProtocolError(.arg, "Too many group clauses") }
            let songs = filterArguments.isEmpty
                ? context.library.songs : try context.library.matchingSongs(filterArguments, caseSensitive: true)
            guard let group = groups.first else {
                writeCount(songs.count, songs.reduce(0) { $0 + ($1.duration ?? 0) }, to: &context.response)
                return
            }
            // Per value of the group tag, in byte order, with `list`'s fallbacks; songs without any value count
            // under the empty one, as in MPD.
            var totals: [ByteKey: (songs: Int, seconds: Double)] = [:]
            // Songs read in place through the buffer: passed by value, each one would be copied whole.
            songs.withUnsafeBufferPointer { buffer in
                guard let first = buffer.baseAddress else { return }
                // A run of songs with the value of the one that began it is counted in place and added once.
                var runValue: String?
                var run: (songs: Int, seconds: Double) = (0, 0)
                func endRun() {
                    guard let value = runValue else { return }
                    // One hash lookup: the total is changed in place.
                    Self.add(run, to: &totals[ByteKey(value), default: (0, 0)])
                    runValue = nil
                }
                for index in buffer.indices {
                    let song = first + index
                    let seconds = buffer[index].duration ?? 0
                    if let value = runValue, group.hasSingleListValue(value, at: song) {
                        run = (run.songs + 1, run.seconds + seconds)
                        continue
                    }
                    endRun()
                    if let single = group.singleListValue(at: song) {
                        runValue = single
                        run = (1, seconds)
                    } else {
                        group.forEachListValue(at: song) { value in
                            Self.add((1, seconds), to: &totals[ByteKey(value), default: (0, 0)])
                        }
                    }
                }
                endRun()
            }
            let counted = Array(totals)
            for index in ByteOrderSort.permutation(of: counted.map(\.key.string)) {
                context.response.field(group.rawValue, counted[index].key.string)
                writeCount(counted[index].value.songs, counted[index].value.seconds, to: &context.response)
            }
        }
        add.library("list", 1...Int.max) { context throws(ProtocolError) in
            guard let tag = TagType(name: context.arguments[0]), tag != .name else {
                throw ProtocolError(.arg, "Unknown tag type: \(context.arguments[0])")
            }
            var filterArguments = Array(context.arguments.dropFirst())
            let groups = try splitGroups(&filterArguments, conflictingWith: tag)
            if tag == .album, filterArguments.count == 1 {
                // The old form `list album ARTIST`.
                filterArguments = ["artist", filterArguments[0]]
            }
            let songs = filterArguments.isEmpty
                ? context.library.songs : try context.library.matchingSongs(filterArguments, caseSensitive: true)
            // The last group clause is the outermost, as in MPD; the listed tag is the innermost level.
            var tree = ValueTree()
            let levels = groups.reversed() + [tag]
            songs.withUnsafeBufferPointer { buffer in
                guard let first = buffer.baseAddress else { return }
                // A song with the values of the last one inserted adds nothing: skipped without hashing. (`last`
                // is empty after a song with several values of a level, which is always inserted.)
                var last: [String] = []
                for index in buffer.indices {
                    let song = first + index
                    if !last.isEmpty, levels.indices.allSatisfy({ levels[$0].hasSingleListValue(last[$0], at: song) }) {
                        continue
                    }
                    tree.insert(song, levels: levels[...])
                    last.removeAll(keepingCapacity: true)
                    for tag in levels {
                        guard let value = tag.singleListValue(at: song) else {
                            last.removeAll(keepingCapacity: true)
                            break
                        }
                        last.append(value)
                    }
                }
            }
            tree.write(levels: levels[...], to: &context.response)
        }
    }

    private static func add(_ run: (songs: Int, seconds: Double), to total: inout (songs: Int, seconds: Double)) {
        total.songs += run.songs
        total.seconds += run.seconds
    }

    /// Takes trailing `group TAG` clauses off `arguments`, in the order they were written. An unknown tag, or the
    /// listed tag itself, is an ACK.
    private static func splitGroups(_ arguments: inout [String], conflictingWith listed: TagType?) throws(ProtocolError)
        -> [TagType]
    {
        var groups: [TagType] = []
        while arguments.count >= 2, arguments[arguments.count - 2].lowercased() == "group" {
            let name = arguments[arguments.count - 1]
            guard let tag = TagType(name: name), tag != .name else { throw ProtocolError(.arg, "Unknown tag type: \(name)") }
            guard tag != listed else { throw ProtocolError(.arg, "Conflicting group") }
            groups.insert(tag, at: 0)
            arguments.removeLast(2)
        }
        return groups
    }

    /// `songs:` and `playtime:` (whole seconds, truncated as MPD prints them).
    private static func writeCount(_ songs: Int, _ seconds: Double, to response: inout ResponseBuilder) {
        response.field("songs", songs)
        response.field("playtime", Int(seconds))
    }

    /// How many skipped files one scan names in the log.
    static let loggedScanFailures = 200

    /// Starts a background scan; returns its job id at once. A scan already running is joined, not doubled.
    /// `rereadAll` (`rescan`) reads every file again instead of only new and changed ones. While the watches follow
    /// everything (`watchesVerified`), an `update` looks only at the directories they named since the last walk,
    /// and one they named none in finishes without a walk. `named` is for the auto-update: `path` is what events
    /// named, to be walked as it is.
    func startUpdate(path: String?, rereadAll: Bool = false, named: Bool = false) -> Int {
        let (job, isNew) = updates.begin()
        guard isNew else { return job }
        changed(.update)
        let requested = path.map(normalizedDirectory).flatMap { $0.isEmpty ? nil : $0 }
        let followed = !rereadAll && !named && watchesVerified && watcher?.followsEverything == true
        let watcher = self.watcher
        Task(executorPreference: taskExecutor) {
            var scanPath = requested
            if followed, let watcher {
                // Off the core lock: reading the queued events may add watches (file work).
                watcher.readQueuedEvents()
                let (walk, later) = DaemonCore.updateScope(requested ?? "", changed: watcher.takePending())
                guard let scope = walk else {
                    self.queue.async { self.locked { core in
                        core.pendingAutoUpdate += later
                        core.updates.finish()
                        core.logger.debug(
                            "library update: the watches saw no change", metadata: ["path": "\(requested ?? "/")"])
                        core.changed(.update)
                        core.startPendingAutoUpdate()
                    } }
                    return
                }
                if !later.isEmpty { self.queue.async { self.locked { core in core.pendingAutoUpdate += later } } }
                scanPath = scope.isEmpty ? nil : scope
            }
            // A walk of everything that began once every directory was watched: what it misses, an event reports.
            let verifies = scanPath == nil && watcher?.followsEverything == true
            let report = await self.library.scan(path: scanPath, rereadAll: rereadAll)
            // Name every file the scan skipped (a corrupt file, a FIFO, a symlink loop), not only their count.
            for failure in report.failed.prefix(DaemonCore.loggedScanFailures) {
                self.logger.warning(
                    "library: skipped a file", metadata: ["file": "\(failure.uri)", "reason": "\(failure.reason)"])
            }
            if report.failed.count > DaemonCore.loggedScanFailures {
                self.logger.warning("library: skipped \(report.failed.count - DaemonCore.loggedScanFailures) more files")
            }
            self.queue.async { self.locked { core in
                core.updates.finish()
                if verifies, core.watcher?.followsEverything == true { core.watchesVerified = true }
                defer { core.startPendingAutoUpdate() }
                core.logger.info(
                    "library updated",
                    metadata: [
                        "songs": "\(report.total)", "added": "\(report.added)", "updated": "\(report.updated)",
                        "removed": "\(report.removed)", "failed": "\(report.failed.count)",
                    ])
                if report.changedIndex { core.changed(.update, .database) } else { core.changed(.update) }
            } }
        }
        return job
    }
}

extension DaemonCore {
    /// Under the lock: the watcher saw `directories` change. One update of the deepest directory holding them all;
    /// while an update runs, they wait for its end (it may have passed them already).
    func autoUpdate(_ directories: [String]) {
        pendingAutoUpdate += directories
        if updates.running == nil { startPendingAutoUpdate() }
    }

    /// What an `update` of `scope` must walk when the watches follow everything and named the directories `changed`
    /// since the last walk: `walk` is nil when none is in the scope, `scope` itself when one holds it (its own
    /// entries may have changed), else the deepest directory holding those inside it; `later` are the named
    /// directories not inside the scope, left for the auto-update after this one.
    static func updateScope(_ scope: String, changed: [String]) -> (walk: String?, later: [String]) {
        var inside: [String] = []
        var later: [String] = []
        var holdsScope = false
        for directory in changed {
            if LibraryIndex.contains(scope: scope, directory) {
                inside.append(directory)
            } else {
                // An ancestor's other entries, outside the scope, may have changed too.
                if LibraryIndex.contains(scope: directory, scope) { holdsScope = true }
                later.append(directory)
            }
        }
        if holdsScope { return (scope, later) }
        return (inside.isEmpty ? nil : LibraryWatcher.commonDirectory(inside), later)
    }

    /// Starts the update the watcher asked for meanwhile, if any.
    func startPendingAutoUpdate() {
        guard !pendingAutoUpdate.isEmpty, updates.running == nil else { return }
        let directory = LibraryWatcher.commonDirectory(pendingAutoUpdate)
        pendingAutoUpdate.removeAll()
        _ = startUpdate(path: directory.isEmpty ? nil : directory, named: true)
    }
}

/// A directory argument without surrounding slashes ("" is the root).
func normalizedDirectory(_ path: String) -> String {
    var trimmed = Substring(path)
    while trimmed.hasPrefix("/") { trimmed = trimmed.dropFirst() }
    while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
    return String(trimmed)
}

extension MusicLibrary {
    /// Songs of the library matching a `find`/`search` filter, then ordered by a trailing `sort TAG` (`-TAG`
    /// descending, `Last-Modified`) and cut to a trailing `window START:END`, as MPD does. `position` (for
    /// `findadd`/`searchadd`) is accepted and not used.
    func matchingSongs(_ arguments: [String], caseSensitive: Bool) throws(ProtocolError) -> [Song] {
        var filterArguments = arguments
        var sortText: String?
        var window: Range<Int>?
        trailing: while filterArguments.count >= 2 {
            let value = filterArguments[filterArguments.count - 1]
            switch filterArguments[filterArguments.count - 2].lowercased() {
            case "sort": sortText = value
            case "window": window = try Arguments.parseRange(value)
            case "position": break
            default: break trailing
            }
            filterArguments.removeLast(2)
        }
        let order = try sortText.map { text throws(ProtocolError) in try SongOrder(text) }
        let filter = try Filter.parse(arguments: filterArguments, caseSensitiveDefault: caseSensitive)
        let songs = self.songs
        var matching = filter.matchingPositions(in: songs).map { songs[$0] }
        if let order { matching = order.sorted(matching) }
        if let window { matching = Array(matching[window.clamped(to: 0..<matching.count)]) }
        return matching
    }
}

/// MPD's `sort` of `find`/`search` results: by a tag's sort value (its own first value, else its fallback's, else
/// ""), Track and Disc by number, others by bytes; or by modification time. Stable: equal songs keep their order.
struct SongOrder {
    let tag: TagType?
    let descending: Bool

    init(_ text: String) throws(ProtocolError) {
        descending = text.hasPrefix("-")
        let name = descending ? String(text.dropFirst()) : text
        if name.lowercased() == "last-modified" {
            tag = nil
        } else if let tag = TagType(name: name), tag != .name {
            self.tag = tag
        } else {
            throw ProtocolError(.arg, "Unknown sort tag")
        }
    }

    func sorted(_ songs: [Song]) -> [Song] {
        // Keys made once per song, not once per comparison.
        var numbers: [Int] = []
        var texts: [String] = []
        switch tag {
        case nil: numbers = songs.indices.map { Int(songs[$0].modified) }
        case .track?, .disc?: numbers = songs.indices.map { SongOrder.leadingNumber(sortValue(songs[$0])) }
        default: texts = songs.indices.map { sortValue(songs[$0]) }
        }
        if !texts.isEmpty {
            // Equal values keep the songs' order, ascending or descending.
            var ordered = ByteOrderSort.permutation(of: texts)
            if descending { ordered = Self.reversedKeepingTies(ordered, texts) }
            return ordered.map { songs[$0] }
        }
        let precedes: (Int, Int) -> Bool = { numbers[$0] < numbers[$1] }
        let ordered = songs.indices.sorted { left, right in
            let (a, b) = descending ? (right, left) : (left, right)
            if precedes(a, b) { return true }
            if precedes(b, a) { return false }
            return left < right
        }
        return ordered.map { songs[$0] }
    }

    /// `ascending` (indexes into `texts` in byte order, ties in index order) with the values in the opposite order
    /// and the ties still in index order.
    private static func reversedKeepingTies(_ ascending: [Int], _ texts: [String]) -> [Int] {
        var runs: [ArraySlice<Int>] = []
        var start = 0
        for position in ascending.indices.dropFirst()
        where !texts[ascending[position]].hasSameBytes(as: texts[ascending[position - 1]]) {
            runs.append(ascending[start..<position])
            start = position
        }
        if !ascending.isEmpty { runs.append(ascending[start...]) }
        return Array(runs.reversed().joined())
    }

    /// The tag's first value, else its fallback's, else "" (MPD's `GetSortValue`).
    private func sortValue(_ song: Song) -> String {
        guard let tag else { return "" }
        var value = ""
        tag.forEachListValue(in: song) { if value.isEmpty { value = $0 } }
        return value
    }

    /// The number a value starts with, as C's `strtol` reads it ("3/12" is 3, "x" is 0).
    static func leadingNumber(_ text: String) -> Int {
        var digits = Substring(text.drop { $0 == " " })
        var sign = 1
        if digits.first == "-" || digits.first == "+" {
            sign = digits.first == "-" ? -1 : 1
            digits = digits.dropFirst()
        }
        return sign * (Int(digits.prefix { $0.isASCII && $0.isNumber }) ?? 0)
    }
}

/// `list`'s nested answer: the values of the outermost tag, each with the values of the next tag among its songs,
/// and so on; every level in byte order, as MPD's sorted maps give it.
private struct ValueTree {
    var children: [ByteKey: ValueTree] = [:]

    /// Adds the song `song` points to (read in place, not copied).
    mutating func insert(_ song: UnsafePointer<Song>, levels: ArraySlice<TagType>) {
        guard let tag = levels.first else { return }
        tag.forEachListValue(at: song) { value in
            children[ByteKey(value), default: ValueTree()].insert(song, levels: levels.dropFirst())
        }
    }

    func write(levels: ArraySlice<TagType>, to response: inout ResponseBuilder) {
        guard let tag = levels.first else { return }
        let values = Array(children)
        for index in ByteOrderSort.permutation(of: values.map(\.key.string)) {
            response.field(tag.rawValue, values[index].key.string)
            values[index].value.write(levels: levels.dropFirst(), to: &response)
        }
    }
}

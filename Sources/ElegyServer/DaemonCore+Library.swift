import ElegyCore

/// The music library: update, browse, find and search.
extension DaemonCore {
    static func addLibraryCommands(_ add: CommandAdder) {
        add("update", 0...1) { core, arguments, _, response in
            response.field("updating_db", core.startUpdate(path: arguments.first))
        }
        add("rescan", 0...1) { core, arguments, _, response in
            response.field("updating_db", core.startUpdate(path: arguments.first, rereadAll: true))
        }
        add("lsinfo", 0...1) { core, arguments, client, response throws(ProtocolError) in
            let path = normalizedDirectory(arguments.first ?? "")
            if let song = core.library.song(uri: path) {
                response.songRecord(song, tagTypes: client.tagTypes)
                return
            }
            let listing = core.library.directoryListing(path)
            if !path.isEmpty, listing.directories.isEmpty, listing.songs.isEmpty {
                throw ProtocolError(.noExist, "No such directory")
            }
            for directory in listing.directories { response.field("directory", directory) }
            for song in listing.songs { response.songRecord(song, tagTypes: client.tagTypes) }
            if path.isEmpty { core.writePlaylistList(to: &response) }
        }
        add("listall", 0...1) { core, arguments, _, response in
            let path = normalizedDirectory(arguments.first ?? "")
            var directories: Set<String> = []
            for song in core.library.allSongs(under: path) {
                var parent = song.uri
                var parents: [String] = []
                while let slash = parent.lastIndex(of: "/") {
                    parent = String(parent[..<slash])
                    if directories.insert(parent).inserted { parents.append(parent) } else { break }
                }
                for directory in parents.reversed() { response.field("directory", directory) }
                response.field("file", song.uri)
            }
        }
        add("listallinfo", 0...1) { core, arguments, client, response in
            for song in core.library.allSongs(under: normalizedDirectory(arguments.first ?? "")) {
                response.songRecord(song, tagTypes: client.tagTypes)
            }
        }
        add("find", 1...Int.max) { core, arguments, client, response throws(ProtocolError) in
            for song in try core.matchingSongs(arguments, caseSensitive: true) {
                response.songRecord(song, tagTypes: client.tagTypes)
            }
        }
        add("search", 1...Int.max) { core, arguments, client, response throws(ProtocolError) in
            for song in try core.matchingSongs(arguments, caseSensitive: false) {
                response.songRecord(song, tagTypes: client.tagTypes)
            }
        }
        add("findadd", 1...Int.max) { core, arguments, _, _ throws(ProtocolError) in
            _ = try core.playQueue.add(contentsOf: core.matchingSongs(arguments, caseSensitive: true))
            core.queueChanged()
        }
        add("searchadd", 1...Int.max) { core, arguments, _, _ throws(ProtocolError) in
            _ = try core.playQueue.add(contentsOf: core.matchingSongs(arguments, caseSensitive: false))
            core.queueChanged()
        }
        add("searchaddpl", 2...Int.max) { core, arguments, _, _ throws(ProtocolError) in
            let found = try core.matchingSongs(Array(arguments.dropFirst()), caseSensitive: false)
            let existing = try core.storedPlaylistSongs(arguments[0], missingIsEmpty: true)
            try core.storedPlaylists.write(arguments[0], songs: existing + found)
            core.changed(.storedPlaylist)
        }
        add("count", 1...Int.max) { core, arguments, _, response throws(ProtocolError) in
            let songs = try core.matchingSongs(arguments, caseSensitive: true)
            response.field("songs", songs.count)
            response.field("playtime", Int(songs.reduce(0) { $0 + ($1.duration ?? 0) }))
        }
        add("list", 1...Int.max) { core, arguments, _, response throws(ProtocolError) in
            guard let tag = TagType(name: arguments[0]) ?? (arguments[0].lowercased() == "file" ? nil : nil) else {
                throw ProtocolError(.arg, "Unknown tag type: \(arguments[0])")
            }
            var filterArguments = Array(arguments.dropFirst())
            if filterArguments.count >= 2, filterArguments[filterArguments.count - 2].lowercased() == "group" {
                filterArguments.removeLast(2)
            }
            if tag == .album, filterArguments.count == 1 {
                // The old form `list album ARTIST`.
                filterArguments = ["artist", filterArguments[0]]
            }
            let songs = filterArguments.isEmpty
                ? core.library.songs : try core.matchingSongs(filterArguments, caseSensitive: true)
            var values: Set<String> = []
            for song in songs { if let value = tag.value(in: song) { values.insert(value) } }
            for value in values.sorted() { response.field(tag.rawValue, value) }
        }
    }

    /// Songs of the library matching a `find`/`search` filter (trailing `sort`/`window` are accepted, unused).
    func matchingSongs(_ arguments: [String], caseSensitive: Bool) throws(ProtocolError) -> [Song] {
        var filterArguments = arguments
        while filterArguments.count >= 2,
            ["sort", "window", "position"].contains(filterArguments[filterArguments.count - 2].lowercased())
        {
            filterArguments.removeLast(2)
        }
        let filter = try Filter.parse(arguments: filterArguments, caseSensitiveDefault: caseSensitive)
        return library.songs.filter(filter.matches)
    }

    /// How many skipped files one scan names in the log.
    static let loggedScanFailures = 200

    /// Starts a background scan; returns its job id at once. A scan already running is joined, not doubled.
    /// `rereadAll` (`rescan`) reads every file again instead of only new and changed ones.
    func startUpdate(path: String?, rereadAll: Bool = false) -> Int {
        if let running = runningUpdate { return running }
        updateJobID += 1
        let job = updateJobID
        runningUpdate = job
        changed(.update)
        let scanPath = path.map(normalizedDirectory).flatMap { $0.isEmpty ? nil : $0 }
        Task(executorPreference: taskExecutor) {
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
                core.runningUpdate = nil
                core.libraryVersion += 1
                core.resolverCache = nil
                core.logger.info(
                    "library updated",
                    metadata: [
                        "songs": "\(report.total)", "added": "\(report.added)", "updated": "\(report.updated)",
                        "removed": "\(report.removed)", "failed": "\(report.failed.count)",
                    ])
                core.changed(.update, .database)
            } }
        }
        return job
    }
}

/// A directory argument without surrounding slashes ("" is the root).
func normalizedDirectory(_ path: String) -> String {
    var trimmed = Substring(path)
    while trimmed.hasPrefix("/") { trimmed = trimmed.dropFirst() }
    while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
    return String(trimmed)
}

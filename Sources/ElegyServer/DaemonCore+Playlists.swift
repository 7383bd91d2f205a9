import ElegyCore

/// Stored playlists: the user's M3U files, and the curated playlists (read-only, resolved against the library).
extension DaemonCore {
    static func addStoredPlaylistCommands(_ add: CommandAdder) {
        add("listplaylists", 0...0) { core, _, _, response in core.writePlaylistList(to: &response) }
        add("listplaylist", 1...2) { core, arguments, _, response throws(ProtocolError) in
            for song in try core.playlistSongs(arguments[0]) { response.field("file", song.uri) }
        }
        add("listplaylistinfo", 1...2) { core, arguments, client, response throws(ProtocolError) in
            for song in try core.playlistSongs(arguments[0]) { response.songRecord(song, tagTypes: client.tagTypes) }
        }
        add("load", 1...3) { core, arguments, _, _ throws(ProtocolError) in
            var songs = try core.playlistSongs(arguments[0])
            if arguments.count > 1 {
                let range = try Arguments.parseRange(arguments[1])
                let end = min(range.upperBound, songs.count)
                guard range.lowerBound <= end else { throw .badSongIndex }
                songs = Array(songs[range.lowerBound..<end])
            }
            let position = try arguments.count > 2 ? core.insertPosition(arguments[2]) : nil
            _ = try core.playQueue.add(contentsOf: songs.map { (song: $0, curatedKey: nil) }, at: position)
            core.lastLoadedPlaylist = arguments[0]
            core.queueChanged()
        }
        add("save", 1...2) { core, arguments, _, _ throws(ProtocolError) in
            let name = arguments[0]
            let mode = arguments.count > 1 ? arguments[1] : "create"
            var songs = core.playQueue.entries.map(\.song)
            switch mode {
            case "create":
                try StoredPlaylists.validate(name)
                guard !core.storedPlaylists.exists(name) else { throw ProtocolError(.exist, "Playlist already exists") }
            case "append": songs = try core.storedPlaylistSongs(name, missingIsEmpty: true) + songs
            case "replace": break
            default: throw ProtocolError(.arg, "Unrecognized save mode: \(mode)")
            }
            try core.storedPlaylists.write(name, songs: songs)
            core.changed(.storedPlaylist)
        }
        add("rm", 1...1) { core, arguments, _, _ throws(ProtocolError) in
            try core.storedPlaylists.delete(arguments[0])
            core.changed(.storedPlaylist)
        }
        add("rename", 2...2) { core, arguments, _, _ throws(ProtocolError) in
            try core.storedPlaylists.rename(arguments[0], to: arguments[1])
            core.changed(.storedPlaylist)
        }
        add("playlistadd", 2...3) { core, arguments, _, _ throws(ProtocolError) in
            var songs = try core.storedPlaylistSongs(arguments[0], missingIsEmpty: true)
            let added = try core.songs(forURI: arguments[1])
            let position = try arguments.count > 2 ? Arguments.parseUnsigned(arguments[2]) : songs.count
            guard position <= songs.count else { throw .badSongIndex }
            songs.insert(contentsOf: added, at: position)
            try core.storedPlaylists.write(arguments[0], songs: songs)
            core.changed(.storedPlaylist)
        }
        add("playlistclear", 1...1) { core, arguments, _, _ throws(ProtocolError) in
            try core.storedPlaylists.write(arguments[0], songs: [])
            core.changed(.storedPlaylist)
        }
        add("playlistdelete", 2...2) { core, arguments, _, _ throws(ProtocolError) in
            var songs = try core.storedPlaylistSongs(arguments[0], missingIsEmpty: false)
            let range = try Arguments.parseRange(arguments[1])
            let end = min(range.upperBound, songs.count)
            guard range.lowerBound < end else { throw .badSongIndex }
            songs.removeSubrange(range.lowerBound..<end)
            try core.storedPlaylists.write(arguments[0], songs: songs)
            core.changed(.storedPlaylist)
        }
        add("playlistmove", 3...3) { core, arguments, _, _ throws(ProtocolError) in
            var songs = try core.storedPlaylistSongs(arguments[0], missingIsEmpty: false)
            let from = try Arguments.parseUnsigned(arguments[1])
            let to = try Arguments.parseUnsigned(arguments[2])
            guard from < songs.count, to < songs.count else { throw .badSongIndex }
            songs.insert(songs.remove(at: from), at: to)
            try core.storedPlaylists.write(arguments[0], songs: songs)
            core.changed(.storedPlaylist)
        }
    }

    /// `playlist:` records for the user's playlists, then the curated ones the user has not shadowed.
    func writePlaylistList(to response: inout ResponseBuilder) {
        let stored = storedPlaylists.list()
        let storedNames = Set(stored.map(\.name))
        for playlist in stored {
            response.field("playlist", playlist.name)
            response.field("Last-Modified", timestamp: playlist.modified)
        }
        for curated in catalog.playlists where !storedNames.contains(curated.name) {
            response.field("playlist", curated.name)
            response.field("Last-Modified", timestamp: startUnixTime)
        }
    }

    /// A stored playlist's songs: the user's M3U if it exists, else a curated list resolved against the library.
    func playlistSongs(_ name: String) throws(ProtocolError) -> [Song] {
        if storedPlaylists.exists(name) { return try storedPlaylistSongs(name, missingIsEmpty: false) }
        guard let curated = catalog.playlist(named: name) else { throw ProtocolError(.noExist, "No such playlist") }
        let resolutions = resolver().resolve(curated.songs)
        let found = resolutions.compactMap { $0.uri.flatMap(library.song(uri:)) }
        let missing = resolutions.count - found.count
        if missing > 0 {
            logger.info(
                "curated playlist partly found in the library",
                metadata: ["playlist": "\(name)", "found": "\(found.count)", "missing": "\(missing)"])
        }
        return found
    }

    /// The songs of the user's M3U `name`; entries the library does not know are kept as bare URIs.
    func storedPlaylistSongs(_ name: String, missingIsEmpty: Bool) throws(ProtocolError) -> [Song] {
        try StoredPlaylists.validate(name)
        guard storedPlaylists.exists(name) else {
            if missingIsEmpty { return [] }
            throw ProtocolError(.noExist, "No such playlist")
        }
        return try storedPlaylists.read(name).map { library.song(uri: $0) ?? Song(uri: $0) }
    }

    /// The resolver for the current library (rebuilt after a library update).
    func resolver() -> Resolver {
        if let cached = resolverCache, cached.libraryVersion == libraryVersion { return cached.resolver }
        let built = Resolver(library: library.songs, pins: settings.pins)
        resolverCache = (libraryVersion, built)
        return built
    }
}

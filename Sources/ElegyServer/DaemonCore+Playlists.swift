import ElegyCore

/// Stored playlists: the user's M3U files, and the curated playlists (read-only, resolved against the library).
///
/// Every command here touches files, so each runs on the core queue without the core lock (`add.files`): it reads
/// the queue or catalog under the lock, reads and writes the playlist directory without it, and commits (the queue,
/// the `stored_playlist` change) under it again.
extension DaemonCore {
    static func addStoredPlaylistCommands(_ add: CommandAdder) {
        add.files("listplaylists", 0...0) { context throws(ProtocolError) in
            try writePlaylistList(context, to: &context.response)
        }
        add.files("listplaylist", 1...2) { context throws(ProtocolError) in
            for song in try playlistSongs(context.arguments[0], context) { context.response.field("file", song.uri) }
        }
        add.files("listplaylistinfo", 1...2) { context throws(ProtocolError) in
            for song in try playlistSongs(context.arguments[0], context) {
                context.response.songRecord(song, tagTypes: context.client.tagTypes)
            }
        }
        add.files("load", 1...3) { context throws(ProtocolError) in
            let name = context.arguments[0]
            var songs = try playlistSongs(name, context)
            if context.arguments.count > 1 {
                songs = Array(songs[try Arguments.parseRange(context.arguments[1]).clipped(to: songs.count)])
            }
            let positionText = context.arguments.count > 2 ? context.arguments[2] : nil
            try context.locked { core throws(ProtocolError) in
                let position = try positionText.map { text throws(ProtocolError) in try core.insertPosition(text) }
                _ = try core.player.queue.add(contentsOf: songs.map { (song: $0, curatedKey: nil) }, at: position)
                core.lastLoadedPlaylist = name
                core.player.queueChanged()
            }
        }
        add.files("save", 1...2) { context throws(ProtocolError) in
            let name = context.arguments[0]
            let mode = context.arguments.count > 1 ? context.arguments[1] : "create"
            guard ["create", "append", "replace"].contains(mode) else {
                throw ProtocolError(.arg, "Unrecognized save mode: \(mode)")
            }
            // The entries array is shared, not copied: the queue's next change copies it if need be.
            let entries = try context.locked { core in core.player.queue.entries }
            let stored = context.storedPlaylists
            var existing: [Song] = []
            if mode == "create" {
                try StoredPlaylists.validate(name)
                guard !stored.exists(name) else { throw ProtocolError(.exist, "Playlist already exists") }
            } else if mode == "append" {
                existing = try storedPlaylistSongs(name, context, missingIsEmpty: true)
            }
            try stored.write(name, songs: existing, thenQueue: entries)
            try context.locked { core in core.changed(.storedPlaylist) }
        }
        add.files("rm", 1...1) { context throws(ProtocolError) in
            try context.storedPlaylists.delete(context.arguments[0])
            try context.locked { core in core.changed(.storedPlaylist) }
        }
        add.files("rename", 2...2) { context throws(ProtocolError) in
            try context.storedPlaylists.rename(context.arguments[0], to: context.arguments[1])
            try context.locked { core in core.changed(.storedPlaylist) }
        }
        add.files("playlistadd", 2...3) { context throws(ProtocolError) in
            var songs = try storedPlaylistSongs(context.arguments[0], context, missingIsEmpty: true)
            let added = try context.library.songs(forURI: context.arguments[1])
            let position = try context.arguments.count > 2 ? Arguments.parseUnsigned(context.arguments[2]) : songs.count
            guard position <= songs.count else { throw .badSongIndex }
            songs.insert(contentsOf: added, at: position)
            try context.storedPlaylists.write(context.arguments[0], songs: songs)
            try context.locked { core in core.changed(.storedPlaylist) }
        }
        add.files("playlistclear", 1...1) { context throws(ProtocolError) in
            try context.storedPlaylists.write(context.arguments[0], songs: [])
            try context.locked { core in core.changed(.storedPlaylist) }
        }
        add.files("playlistdelete", 2...2) { context throws(ProtocolError) in
            var songs = try storedPlaylistSongs(context.arguments[0], context, missingIsEmpty: false)
            let range = try Arguments.parseRange(context.arguments[1]).clipped(to: songs.count)
            guard !range.isEmpty else { throw .badSongIndex }
            songs.removeSubrange(range)
            try context.storedPlaylists.write(context.arguments[0], songs: songs)
            try context.locked { core in core.changed(.storedPlaylist) }
        }
        add.files("playlistmove", 3...3) { context throws(ProtocolError) in
            var songs = try storedPlaylistSongs(context.arguments[0], context, missingIsEmpty: false)
            let from = try Arguments.parseUnsigned(context.arguments[1])
            let to = try Arguments.parseUnsigned(context.arguments[2])
            guard from < songs.count, to < songs.count else { throw .badSongIndex }
            songs.insert(songs.remove(at: from), at: to)
            try context.storedPlaylists.write(context.arguments[0], songs: songs)
            try context.locked { core in core.changed(.storedPlaylist) }
        }
    }

    /// `playlist:` records for the user's playlists, then the curated ones the user has not shadowed. Lists the
    /// directory outside the lock.
    static func writePlaylistList(_ context: FileCommandContext, to response: inout ResponseBuilder)
        throws(ProtocolError)
    {
        let stored = context.storedPlaylists.list()
        let (curatedNames, started) = try context.locked { core in
            (core.curation.catalog.playlists.map(\.name), core.startUnixTime)
        }
        let storedNames = Set(stored.map(\.name))
        for playlist in stored {
            response.field("playlist", playlist.name)
            response.field("Last-Modified", timestamp: playlist.modified)
        }
        for name in curatedNames where !storedNames.contains(name) {
            response.field("playlist", name)
            response.field("Last-Modified", timestamp: started)
        }
    }

    /// A stored playlist's songs: the user's M3U if it exists, else a curated list resolved against the library
    /// (the resolver built outside the lock).
    static func playlistSongs(_ name: String, _ context: FileCommandContext) throws(ProtocolError) -> [Song] {
        if context.storedPlaylists.exists(name) { return try storedPlaylistSongs(name, context, missingIsEmpty: false) }
        guard let curated = try context.locked({ core in core.curation.catalog.playlist(named: name) }) else {
            throw ProtocolError(.noExist, "No such playlist")
        }
        let resolutions = context.resolver().resolve(curated.songs)
        let found = resolutions.compactMap { $0.uri.flatMap(context.library.song(uri:)) }
        let missing = resolutions.count - found.count
        if missing > 0 {
            context.logger.info(
                "curated playlist partly found in the library",
                metadata: ["playlist": "\(name)", "found": "\(found.count)", "missing": "\(missing)"])
        }
        return found
    }

    /// The songs of the user's M3U `name`; entries the library does not know are kept as bare URIs.
    static func storedPlaylistSongs(_ name: String, _ context: FileCommandContext, missingIsEmpty: Bool)
        throws(ProtocolError) -> [Song]
    {
        try StoredPlaylists.validate(name)
        guard context.storedPlaylists.exists(name) else {
            if missingIsEmpty { return [] }
            throw ProtocolError(.noExist, "No such playlist")
        }
        return try context.storedPlaylists.read(name).map { context.library.song(uri: $0) ?? Song(uri: $0) }
    }

    /// The resolver for the current library, built under the lock if the core queue has not built it yet.
    func resolver() -> Resolver {
        let version = updates.libraryVersion
        if let kept = curation.resolver(for: version) { return kept }
        let built = Resolver(library: library.songs, pins: settings.pins)
        curation.keep(built, for: version)
        return built
    }
}

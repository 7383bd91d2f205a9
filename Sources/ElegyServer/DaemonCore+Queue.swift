import ElegyCore

/// The play queue: adding, removing, reordering and listing.
extension DaemonCore {
    static func addQueueCommands(_ add: CommandAdder) {
        add("add", 1...2) { context throws(ProtocolError) in
            let songs = try context.core.library.songs(forURI: context.arguments[0])
            let position = try context.arguments.count > 1 ? context.core.insertPosition(context.arguments[1]) : nil
            _ = try context.core.player.queue.add(contentsOf: songs, at: position)
            context.core.player.queueChanged()
        }
        add("addid", 1...2) { context throws(ProtocolError) in
            guard let song = context.core.library.song(uri: context.arguments[0]) else {
                throw ProtocolError(.noExist, "No such song")
            }
            let position = try context.arguments.count > 1 ? context.core.insertPosition(context.arguments[1]) : nil
            let id = try context.core.player.queue.add(song, at: position)
            context.response.field("Id", id)
            context.core.player.queueChanged()
        }
        add("clear", 0...0) { context in
            context.core.engine.stop()
            DaemonCore.trimAfterRemoving(context.core.player.queue.count)
            context.core.player.queue.clear()
            context.core.lastLoadedPlaylist = nil
            context.core.curation.currentMood = nil
            context.core.player.queueChanged()
            context.core.changed(.player)
        }
        add("delete", 1...1) { context throws(ProtocolError) in
            let range = try Arguments.parseRange(context.arguments[0])
            let removedCurrent: Bool
            if range.upperBound == Int.max || range.count > 1 {
                let clipped = try range.clipped(to: context.core.player.queue.count)
                guard !clipped.isEmpty || range.isEmpty else { throw .badSongIndex }
                removedCurrent = try context.core.player.queue.delete(clipped)
                DaemonCore.trimAfterRemoving(clipped.count)
            } else {
                removedCurrent = try context.core.player.queue.delete(at: range.lowerBound)
            }
            context.core.player.afterDelete(removedCurrent)
        }
        add("deleteid", 1...1) { context throws(ProtocolError) in
            context.core.player.afterDelete(try context.core.player.queue.delete(id: Arguments.parseUnsigned(context.arguments[0])))
        }
        add("move", 2...2) { context throws(ProtocolError) in
            let range = try Arguments.parseRange(context.arguments[0])
            let destination = try Arguments.parseUnsigned(context.arguments[1])
            try context.core.player.queue.move(range.clipped(to: context.core.player.queue.count), to: destination)
            context.core.player.queueChanged()
        }
        add("moveid", 2...2) { context throws(ProtocolError) in
            try context.core.player.queue.move(
                id: Arguments.parseUnsigned(context.arguments[0]), to: Arguments.parseUnsigned(context.arguments[1]))
            context.core.player.queueChanged()
        }
        add("swap", 2...2) { context throws(ProtocolError) in
            try context.core.player.queue.swap(Arguments.parseUnsigned(context.arguments[0]), Arguments.parseUnsigned(context.arguments[1]))
            context.core.player.queueChanged()
        }
        add("swapid", 2...2) { context throws(ProtocolError) in
            try context.core.player.queue.swap(
                id: Arguments.parseUnsigned(context.arguments[0]), id: Arguments.parseUnsigned(context.arguments[1]))
            context.core.player.queueChanged()
        }
        add("shuffle", 0...1) { context throws(ProtocolError) in
            let range = try context.arguments.first.map { text throws(ProtocolError) in try Arguments.parseRange(text) }
            try context.core.player.queue.shuffle(range)
            context.core.player.queueChanged()
        }
        add("prio", 2...Int.max) { _ in }
        add("prioid", 2...Int.max) { _ in }
        add("rangeid", 2...2) { _ in }
        add("playlistinfo", 0...1) { context throws(ProtocolError) in
            let range = try context.core.listingRange(context.arguments.first)
            for position in range {
                context.response.queueRecord(context.core.player.queue.entries[position], position: position, tagTypes: context.client.tagTypes)
            }
        }
        add("playlist", 0...0) { context in
            for (position, entry) in context.core.player.queue.entries.enumerated() {
                context.response.field("\(position)", "file: \(entry.song.uri)")
            }
        }
        add("playlistid", 0...1) { context throws(ProtocolError) in
            if let text = context.arguments.first {
                let id = try Arguments.parseUnsigned(text)
                guard let position = context.core.player.queue.position(ofID: id) else { throw .noSuchSong }
                context.response.queueRecord(context.core.player.queue.entries[position], position: position, tagTypes: context.client.tagTypes)
                return
            }
            for (position, entry) in context.core.player.queue.entries.enumerated() {
                context.response.queueRecord(entry, position: position, tagTypes: context.client.tagTypes)
            }
        }
        add("plchanges", 1...2) { context throws(ProtocolError) in
            let version = UInt32(clamping: try Arguments.parseUnsigned(context.arguments[0]))
            for change in context.core.player.queue.changes(since: version) {
                context.response.queueRecord(change.entry, position: change.position, tagTypes: context.client.tagTypes)
            }
        }
        add("plchangesposid", 1...2) { context throws(ProtocolError) in
            let version = UInt32(clamping: try Arguments.parseUnsigned(context.arguments[0]))
            for change in context.core.player.queue.changes(since: version) {
                context.response.positionAndID(position: change.position, id: change.entry.id)
            }
        }
        add("playlistfind", 1...Int.max) { context throws(ProtocolError) in
            try context.core.writeQueueMatches(context.arguments, caseSensitive: true, client: context.client, to: &context.response)
        }
        add("playlistsearch", 1...Int.max) { context throws(ProtocolError) in
            try context.core.writeQueueMatches(context.arguments, caseSensitive: false, client: context.client, to: &context.response)
        }
    }


    /// An `add`/`addid` position: absolute, or `+N`/`-N` relative to the current entry.
    func insertPosition(_ text: String) throws(ProtocolError) -> Int {
        try Arguments.parseInsertPosition(text, current: player.queue.currentPosition, count: player.queue.count)
    }

    /// The positions a `playlistinfo [POS|START:END]` lists.
    func listingRange(_ argument: String?) throws(ProtocolError) -> Range<Int> {
        guard let argument else { return 0..<player.queue.count }
        let range = try Arguments.parseRange(argument)
        let clipped = try range.clipped(to: player.queue.count)
        guard !clipped.isEmpty || range.isEmpty || range.upperBound == Int.max else { throw .badSongIndex }
        return clipped
    }

    func writeQueueMatches(
        _ arguments: [String], caseSensitive: Bool, client: ClientContext, to response: inout ResponseBuilder
    ) throws(ProtocolError) {
        let filter = try Filter.parse(arguments: arguments, caseSensitiveDefault: caseSensitive)
        let entries = player.queue.entries
        for position in filter.matchingPositions(in: entries) {
            response.queueRecord(entries[position], position: position, tagTypes: client.tagTypes)
        }
    }

}

extension MusicLibrary {
    /// Songs an `add` URI names: one file, or a directory's songs recursively ("" or "/" is everything).
    func songs(forURI uri: String) throws(ProtocolError) -> [Song] {
        let trimmed = uri.hasSuffix("/") ? String(uri.dropLast()) : uri
        if let song = song(uri: trimmed) { return [song] }
        let songs = allSongs(under: trimmed)
        guard !songs.isEmpty else { throw ProtocolError(.noExist, "No such directory") }
        return songs
    }
}

extension DaemonCore {
    /// Removing thousands of queue entries frees their songs (216 bytes each, plus their storage and strings),
    /// which glibc keeps unless asked: a trim is asked for, a second later and off this thread.
    static func trimAfterRemoving(_ entries: Int) {
        if entries >= 1000 { MemoryTuning.releaseFreeMemorySoon() }
    }
}

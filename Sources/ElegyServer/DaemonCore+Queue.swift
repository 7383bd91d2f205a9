import ElegyCore

/// The play queue: adding, removing, reordering and listing.
extension DaemonCore {
    static func addQueueCommands(_ add: CommandAdder) {
        add("add", 1...2) { core, arguments, _, _ throws(ProtocolError) in
            let songs = try core.songs(forURI: arguments[0])
            let position = try arguments.count > 1 ? core.insertPosition(arguments[1]) : nil
            _ = try core.playQueue.add(contentsOf: songs, at: position)
            core.queueChanged()
        }
        add("addid", 1...2) { core, arguments, _, response throws(ProtocolError) in
            guard let song = core.library.song(uri: arguments[0]) else {
                throw ProtocolError(.noExist, "No such song")
            }
            let position = try arguments.count > 1 ? core.insertPosition(arguments[1]) : nil
            let id = try core.playQueue.add(song, at: position)
            response.field("Id", id)
            core.queueChanged()
        }
        add("clear", 0...0) { core, _, _, _ in
            core.engine.stop()
            core.playQueue.clear()
            core.lastLoadedPlaylist = nil
            core.currentMood = nil
            core.queueChanged()
            core.changed(.player)
        }
        add("delete", 1...1) { core, arguments, _, _ throws(ProtocolError) in
            let range = try Arguments.parseRange(arguments[0])
            let removedCurrent: Bool
            if range.upperBound == Int.max || range.count > 1 {
                let end = min(range.upperBound, core.playQueue.count)
                guard range.lowerBound < end || range.lowerBound == end && range.isEmpty else { throw .badSongIndex }
                removedCurrent = try core.playQueue.delete(range.lowerBound..<end)
            } else {
                removedCurrent = try core.playQueue.delete(at: range.lowerBound)
            }
            core.afterDelete(removedCurrent)
        }
        add("deleteid", 1...1) { core, arguments, _, _ throws(ProtocolError) in
            core.afterDelete(try core.playQueue.delete(id: Arguments.parseUnsigned(arguments[0])))
        }
        add("move", 2...2) { core, arguments, _, _ throws(ProtocolError) in
            let range = try Arguments.parseRange(arguments[0])
            let destination = try Arguments.parseUnsigned(arguments[1])
            let end = min(range.upperBound, core.playQueue.count)
            try core.playQueue.move(range.lowerBound..<max(range.lowerBound, end), to: destination)
            core.queueChanged()
        }
        add("moveid", 2...2) { core, arguments, _, _ throws(ProtocolError) in
            try core.playQueue.move(
                id: Arguments.parseUnsigned(arguments[0]), to: Arguments.parseUnsigned(arguments[1]))
            core.queueChanged()
        }
        add("swap", 2...2) { core, arguments, _, _ throws(ProtocolError) in
            try core.playQueue.swap(Arguments.parseUnsigned(arguments[0]), Arguments.parseUnsigned(arguments[1]))
            core.queueChanged()
        }
        add("swapid", 2...2) { core, arguments, _, _ throws(ProtocolError) in
            try core.playQueue.swap(
                id: Arguments.parseUnsigned(arguments[0]), id: Arguments.parseUnsigned(arguments[1]))
            core.queueChanged()
        }
        add("shuffle", 0...1) { core, arguments, _, _ throws(ProtocolError) in
            // PlayQueue.shuffle checks the start and clips the end itself (clipping here built `5..<3` and trapped).
            let range = try arguments.first.map { text throws(ProtocolError) in try Arguments.parseRange(text) }
            try core.playQueue.shuffle(range)
            core.queueChanged()
        }
        add("prio", 2...Int.max) { _, _, _, _ in }
        add("prioid", 2...Int.max) { _, _, _, _ in }
        add("rangeid", 2...2) { _, _, _, _ in }
        add("playlistinfo", 0...1) { core, arguments, client, response throws(ProtocolError) in
            let range = try core.listingRange(arguments.first)
            for position in range {
                response.queueRecord(core.playQueue.entries[position], position: position, tagTypes: client.tagTypes)
            }
        }
        add("playlist", 0...0) { core, _, _, response in
            for (position, entry) in core.playQueue.entries.enumerated() {
                response.field("\(position)", "file: \(entry.song.uri)")
            }
        }
        add("playlistid", 0...1) { core, arguments, client, response throws(ProtocolError) in
            if let text = arguments.first {
                let id = try Arguments.parseUnsigned(text)
                guard let position = core.playQueue.position(ofID: id) else { throw .noSuchSong }
                response.queueRecord(core.playQueue.entries[position], position: position, tagTypes: client.tagTypes)
                return
            }
            for (position, entry) in core.playQueue.entries.enumerated() {
                response.queueRecord(entry, position: position, tagTypes: client.tagTypes)
            }
        }
        add("plchanges", 1...2) { core, arguments, client, response throws(ProtocolError) in
            let version = UInt32(clamping: try Arguments.parseUnsigned(arguments[0]))
            for change in core.playQueue.changes(since: version) {
                response.queueRecord(change.entry, position: change.position, tagTypes: client.tagTypes)
            }
        }
        add("plchangesposid", 1...2) { core, arguments, _, response throws(ProtocolError) in
            let version = UInt32(clamping: try Arguments.parseUnsigned(arguments[0]))
            for change in core.playQueue.changes(since: version) {
                response.positionAndID(position: change.position, id: change.entry.id)
            }
        }
        add("playlistfind", 1...Int.max) { core, arguments, client, response throws(ProtocolError) in
            try core.writeQueueMatches(arguments, caseSensitive: true, client: client, to: &response)
        }
        add("playlistsearch", 1...Int.max) { core, arguments, client, response throws(ProtocolError) in
            try core.writeQueueMatches(arguments, caseSensitive: false, client: client, to: &response)
        }
    }

    /// Songs an `add` URI names: one file, or a directory's songs recursively ("" or "/" is everything).
    func songs(forURI uri: String) throws(ProtocolError) -> [Song] {
        let trimmed = uri.hasSuffix("/") ? String(uri.dropLast()) : uri
        if let song = library.song(uri: trimmed) { return [song] }
        let songs = library.allSongs(under: trimmed)
        guard !songs.isEmpty else { throw ProtocolError(.noExist, "No such directory") }
        return songs
    }

    /// An `add`/`addid` position: absolute, or `+N`/`-N` relative to the current entry.
    func insertPosition(_ text: String) throws(ProtocolError) -> Int {
        try Arguments.parseInsertPosition(text, current: playQueue.currentPosition, count: playQueue.count)
    }

    /// The positions a `playlistinfo [POS|START:END]` lists.
    func listingRange(_ argument: String?) throws(ProtocolError) -> Range<Int> {
        guard let argument else { return 0..<playQueue.count }
        let range = try Arguments.parseRange(argument)
        if range.upperBound == Int.max { return min(range.lowerBound, playQueue.count)..<playQueue.count }
        guard range.lowerBound < playQueue.count || (range.isEmpty && range.lowerBound <= playQueue.count) else {
            throw .badSongIndex
        }
        return range.lowerBound..<min(range.upperBound, playQueue.count)
    }

    func writeQueueMatches(
        _ arguments: [String], caseSensitive: Bool, client: ClientContext, to response: inout ResponseBuilder
    ) throws(ProtocolError) {
        let filter = try Filter.parse(arguments: arguments, caseSensitiveDefault: caseSensitive)
        for (position, entry) in playQueue.entries.enumerated() where filter.matches(entry.song) {
            response.queueRecord(entry, position: position, tagTypes: client.tagTypes)
        }
    }

    func queueChanged() {
        refreshUpcoming()
        changed(.playlist)
    }

    func afterDelete(_ removedCurrent: Bool) {
        if removedCurrent { currentEntryRemoved() } else { refreshUpcoming() }
        changed(.playlist)
    }
}

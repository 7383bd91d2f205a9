import ElegyAudio
import ElegyCore

/// The command table: MPD's names, argument counts and handlers (grouped by domain in the files
/// `DaemonCore+*.swift`). A handler does no socket work; what it throws becomes an ACK.
extension DaemonCore {
    static func commandTable() -> [String: CommandSpec] {
        var table: [String: CommandSpec] = [:]
        func add(_ name: String, _ arguments: ClosedRange<Int>, _ handler: @escaping CommandSpec.Handler) {
            table[name] = CommandSpec(arguments: arguments, handler: handler)
        }
        // Connection and server.
        add("ping", 0...0) { _, _, _, _ in }
        add("commands", 0...0) { core, _, _, response in
            for name in core.commands.keys.sorted() { response.field("command", name) }
            for name in ["close", "command_list_begin", "command_list_end", "command_list_ok_begin", "idle", "noidle"]
            {
                response.field("command", name)
            }
        }
        add("notcommands", 0...0) { _, _, _, _ in }
        add("tagtypes", 0...Int.max) { _, arguments, client, response throws(ProtocolError) in
            try client.tagTypes.handleTagTypes(arguments, into: &response)
        }
        add("outputs", 0...0) { core, _, _, response in
            response.field("outputid", 0)
            response.field("outputname", core.settings.outputDevice)
            response.field("plugin", "alsa")
            response.field("outputenabled", 1)
            response.field("attribute", "device=\(core.settings.outputDevice)")
        }
        add("enableoutput", 1...1) { _, arguments, _, _ throws(ProtocolError) in try requireOutputZero(arguments) }
        add("disableoutput", 1...1) { _, arguments, _, _ throws(ProtocolError) in try requireOutputZero(arguments) }
        // The one output always plays: toggling it is accepted, as enabling and disabling are (`mpc toggleoutput`).
        add("toggleoutput", 1...1) { _, arguments, _, _ throws(ProtocolError) in try requireOutputZero(arguments) }
        // The largest chunk of a binary answer (`albumart`) for this client; MPD's minimum is 64.
        add("binarylimit", 1...1) { _, arguments, client, _ throws(ProtocolError) in
            let limit = try Arguments.parseUnsigned(arguments[0])
            guard limit >= 64 else { throw ProtocolError(.arg, "Value too small") }
            client.binaryLimit = min(limit, 1 << 24)
        }
        add("decoders", 0...0) { _, _, _, response in
            let plugins: [(String, [String], [String])] = [
                ("sndfile", ["wav", "wave", "aif", "aiff", "aifc", "flac", "oga", "ogg", "opus", "mp3", "caf", "w64"],
                 ["audio/wav", "audio/x-aiff", "audio/flac", "audio/ogg", "audio/opus", "audio/mpeg"]),
            ]
            for (name, suffixes, types) in plugins {
                response.field("plugin", name)
                for suffix in suffixes { response.field("suffix", suffix) }
                for type in types { response.field("mime_type", type) }
            }
        }
        add("urlhandlers", 0...0) { _, _, _, _ in }
        add("clearerror", 0...0) { core, _, _, _ in
            core.daemonError = nil
            core.engine.clearError()
            core.changed(.player)
        }
        add("stats", 0...0) { core, _, _, response in core.writeStats(to: &response) }
        add("status", 0...0) { core, _, _, response in core.statusSnapshot().write(to: &response) }
        add("currentsong", 0...0) { core, _, client, response in
            if let entry = core.playQueue.currentEntry, let position = core.playQueue.currentPosition {
                response.queueRecord(entry, position: position, tagTypes: client.tagTypes)
            }
        }
        addPlaybackCommands(add)
        addQueueCommands(add)
        addLibraryCommands(add)
        addStoredPlaylistCommands(add)
        addElegyCommands(add)
        addMessageCommands(add)
        addAlbumArtCommands(add)
        addListFilesCommands(add)
        return table
    }

    func writeStats(to response: inout ResponseBuilder) {
        let stats = library.stats
        response.field("artists", stats.artists)
        response.field("albums", stats.albums)
        response.field("songs", stats.songs)
        response.field("uptime", Int(startTime.secondsSince))
        response.field("db_playtime", Int(stats.totalSeconds))
        response.field("db_update", library.lastUpdate)
        response.field("playtime", Int(startTime.secondsSince))
    }
}

/// Elegy has one output, id 0.
private func requireOutputZero(_ arguments: [String]) throws(ProtocolError) {
    guard try Arguments.parseUnsigned(arguments[0]) == 0 else { throw ProtocolError(.noExist, "No such audio output") }
}

typealias CommandAdder = (String, ClosedRange<Int>, @escaping CommandSpec.Handler) -> Void

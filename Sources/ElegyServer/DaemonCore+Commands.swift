import ElegyAudio
import ElegyCore

/// The command table: MPD's names, argument counts, where each runs, and handlers (grouped by domain in the files
/// `DaemonCore+*.swift`). A handler does no socket work; what it throws becomes an ACK.
extension DaemonCore {
    static func commandTable() -> CommandTable {
        let add = CommandTableBuilder()
        for name in ConnectionSession.sessionCommands { add.session(name) }
        // Connection and server.
        add("ping", 0...0) { _ in }
        // Every command of the table, sorted; Elegy has no passwords, so no client is refused any (`notcommands`).
        add("commands", 0...0) { context in
            for command in DaemonCore.commands.entries { context.response.field("command", command.name) }
        }
        add("notcommands", 0...0) { _ in }
        add("tagtypes", 0...Int.max) { context throws(ProtocolError) in
            try context.client.tagTypes.handleTagTypes(context.arguments, into: &context.response)
        }
        add("outputs", 0...0) { context in
            context.response.field("outputid", 0)
            context.response.field("outputname", context.core.settings.outputDevice)
            context.response.field("plugin", "alsa")
            context.response.field("outputenabled", 1)
            context.response.field("attribute", "device=\(context.core.settings.outputDevice)")
            context.response.field("attribute", "buffer_time=\(context.core.settings.bufferMilliseconds)")
            // Since the daemon started; the log says when each happens.
            context.response.field("attribute", "underruns=\(context.core.engine.status.underruns)")
        }
        add("enableoutput", 1...1) { context throws(ProtocolError) in try requireOutputZero(context.arguments) }
        add("disableoutput", 1...1) { context throws(ProtocolError) in try requireOutputZero(context.arguments) }
        // The one output always plays: toggling it is accepted, as enabling and disabling are (`mpc toggleoutput`).
        add("toggleoutput", 1...1) { context throws(ProtocolError) in try requireOutputZero(context.arguments) }
        // The largest chunk of a binary answer (`albumart`) for this client; MPD's minimum is 64.
        add("binarylimit", 1...1) { context throws(ProtocolError) in
            let limit = try Arguments.parseUnsigned(context.arguments[0])
            guard limit >= 64 else { throw ProtocolError(.arg, "Value too small") }
            context.client.binaryLimit = min(limit, 1 << 24)
        }
        add("decoders", 0...0) { context in
            for plugin in DecoderPlugin.allCases {
                context.response.field("plugin", plugin.rawValue)
                for suffix in plugin.suffixes { context.response.field("suffix", suffix) }
                for type in plugin.mimeTypes { context.response.field("mime_type", type) }
            }
        }
        add("urlhandlers", 0...0) { _ in }
        add("clearerror", 0...0) { context in
            context.core.player.error = nil
            context.core.engine.clearError()
            context.core.changed(.player)
        }
        add("stats", 0...0) { context in context.core.writeStats(to: &context.response) }
        add("status", 0...0) { context in context.core.statusSnapshot().write(to: &context.response) }
        add("currentsong", 0...0) { context in
            if let entry = context.core.player.queue.currentEntry, let position = context.core.player.queue.currentPosition {
                context.response.queueRecord(entry, position: position, tagTypes: context.client.tagTypes)
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
        return CommandTable(add.commands)
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

typealias CommandAdder = CommandTableBuilder

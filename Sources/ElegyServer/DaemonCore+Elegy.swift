import ElegyCore

/// Elegy's own commands (names MPD does not use): moods, mood, resolve, sleep.
extension DaemonCore {
    static func addElegyCommands(_ add: CommandAdder) {
        add("moods", 0...0) { context in
            for mood in context.core.curation.catalog.moods {
                context.response.field("mood", mood.name)
                context.response.field("description", mood.description)
            }
        }
        add.resolver("mood", 1...1) { context throws(ProtocolError) in try context.core.startMood(context.arguments[0]) }
        add.resolver("resolve", 0...1) { context throws(ProtocolError) in
            let playlists: [CuratedPlaylist]
            if let name = context.arguments.first {
                guard let playlist = context.core.curation.catalog.playlist(named: name) else {
                    throw ProtocolError(.noExist, "No such curated playlist")
                }
                playlists = [playlist]
            } else {
                playlists = context.core.curation.catalog.playlists
            }
            let resolver = context.core.resolver()
            for playlist in playlists {
                context.response.field("playlist", playlist.name)
                for resolution in resolver.resolve(playlist.songs) { writeResolution(resolution, to: &context.response) }
            }
        }
        add("sleep", 0...1) { context throws(ProtocolError) in
            guard let argument = context.arguments.first else {
                if let remaining = context.core.engine.status.sleepRemaining {
                    context.response.field("elegy_sleep", Int(min(remaining, 1e15).rounded(.up)))
                }
                return
            }
            if argument == "off" || argument == "0" {
                context.core.engine.setSleep(nil)
            } else {
                // At most a year: a timer of Int.max seconds does not fit an Int once it is a Double.
                guard let seconds = DurationText.parse(argument), seconds > 0, seconds <= 366 * 86_400 else {
                    throw ProtocolError(.arg, "Bad duration: \(argument) (try 30m, 1h, 90s or off)")
                }
                context.core.engine.setSleep(Double(seconds))
            }
            context.core.changed(.player, .options)
        }
    }

    /// `mood NAME`: the queue becomes the mood's songs found in the library, in its order, and plays.
    func startMood(_ name: String) throws(ProtocolError) {
        guard let mood = curation.catalog.mood(named: name) else {
            throw ProtocolError(.noExist, "No such mood: \(name)")
        }
        let (found, missing) = curation.songs(of: mood, resolver: resolver(), in: library)
        guard !found.isEmpty else {
            throw ProtocolError(.noExist, "No song of the mood \(name) is in the library (see `elegy resolve`)")
        }
        engine.stop()
        player.queue.clear()
        _ = try player.queue.add(contentsOf: found)
        if mood.order == .shuffle { try player.queue.shuffle(nil) }
        if let volume = mood.volume, settings.softwareMixer {
            engine.setVolume(volume)
            changed(.mixer)
        }
        if let sleep = mood.sleepSeconds { engine.setSleep(Double(sleep)) }
        curation.currentMood = mood.name
        lastLoadedPlaylist = nil
        logger.info(
            "mood started",
            metadata: ["mood": "\(name)", "found": "\(found.count)", "missing": "\(missing)"])
        _ = try player.queue.play(at: 0)
        player.startCurrent()
        changed(.playlist, .options)
    }
}

/// One curated song's resolution in the `resolve` wire format the client reads.
private func writeResolution(_ resolution: Resolution, to response: inout ResponseBuilder) {
    response.field("title", resolution.song.title)
    response.field("artist", resolution.song.artist)
    response.field("status", resolution.status.rawValue)
    if let uri = resolution.uri, resolution.status == .found {
        response.field("resolved", uri)
        response.field("score", formatScore(resolution.score))
        // A found song still says which same-titled files a rule refused (off-vocal, cover, another song).
        for refused in resolution.rejected {
            response.field("rejected", refused.uri)
            response.field("rejected_score", formatScore(refused.score))
            response.field("rejected_reason", refused.reason)
        }
    } else {
        for candidate in resolution.candidates {
            response.field("candidate", candidate.uri)
            response.field("candidate_score", formatScore(candidate.score))
            response.field("candidate_reason", candidate.reason)
        }
    }
}

/// A score with two decimals ("0.97").
func formatScore(_ score: Double) -> String {
    let hundredths = Int((min(1, max(0, score)) * 100).rounded())
    return hundredths == 100 ? "1.00" : "0.\(hundredths < 10 ? "0" : "")\(hundredths)"
}

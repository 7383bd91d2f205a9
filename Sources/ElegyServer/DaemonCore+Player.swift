import ElegyAudio
import ElegyCore

/// The glue between the queue (what should play) and the engine (what plays). Under the core lock only.
extension DaemonCore {
    /// How many following tracks the engine is told about, so that a few unplayable files in a row are skipped
    /// without a gap and a run of very short tracks does not outrun the core. The engine waits for more rather
    /// than end when it plays them all first (`Upcoming.reachesEnd`).
    static let upcomingCount = 8

    /// What follows an entry in play order, as the engine is told it.
    struct Upcoming {
        var tracks: [Track] = []
        /// Whether the queue ends after `tracks` (false with repeat, or when there are more than `upcomingCount`).
        var reachesEnd = true
    }

    /// The engine's view of the queue entry at `position`.
    func track(at position: Int) -> Track? {
        guard playQueue.entries.indices.contains(position) else { return nil }
        let entry = playQueue.entries[position]
        guard let path = library.absolutePath(of: entry.song.uri) else { return nil }
        return Track(id: entry.id, path: path)
    }

    /// The tracks that follow `position` in play order (honouring random, repeat, single, consume), and whether
    /// the queue ends after them.
    func upcomingTracks(after position: Int) -> Upcoming {
        var upcoming = Upcoming()
        var seen: Set<Int> = [position]
        var next = playQueue.nextPosition(after: position)
        while let candidate = next {
            guard upcoming.tracks.count < DaemonCore.upcomingCount else {
                upcoming.reachesEnd = false
                break
            }
            if let track = track(at: candidate) { upcoming.tracks.append(track) }
            guard seen.insert(candidate).inserted else {
                upcoming.reachesEnd = false  // repeat: the order comes round again
                break
            }
            next = playQueue.nextPosition(after: candidate)
        }
        // Repeat with single: the same entry again.
        if upcoming.tracks.isEmpty, playQueue.repeatMode, playQueue.single.isEnabled, let same = track(at: position) {
            upcoming.tracks.append(same)
            upcoming.reachesEnd = false
        }
        return upcoming
    }

    /// Starts the engine on the queue's current entry.
    func startCurrent(at seconds: Double = 0, paused: Bool = false) {
        guard let position = playQueue.currentPosition, let track = track(at: position) else {
            engine.stop()
            playQueue.stop()
            changed(.player)
            return
        }
        requestedStart = track.id
        let upcoming = upcomingTracks(after: position)
        engine.play(
            track, from: seconds, paused: paused, upcoming: upcoming.tracks, upcomingReachesEnd: upcoming.reachesEnd)
        daemonError = nil
        changed(.player)
    }

    /// After the queue or a mode changed: keep the engine's idea of what follows up to date.
    func refreshUpcoming() {
        guard engine.status.state != .stop, let current = playQueue.currentEntry,
            let position = playQueue.currentPosition
        else { return }
        let upcoming = upcomingTracks(after: position)
        engine.setUpcoming(upcoming.tracks, after: current.id, reachesEnd: upcoming.reachesEnd)
    }

    /// After a delete that removed the playing entry: play what is now current, or stop.
    func currentEntryRemoved() {
        if playQueue.currentPosition != nil, engine.status.state != .stop {
            startCurrent(paused: engine.status.state == .pause)
        } else {
            engine.stop()
            playQueue.stop()
            changed(.player)
        }
    }

    /// Reacts to the engine (under the core lock).
    func handle(engineEvent event: EngineEvent) {
        guard !isStale(event) else { return }
        switch event {
        case .trackStarted(let id):
            failedSinceTrackStarted = []
            lastFailedID = nil
            if playQueue.currentEntry?.id != id {
                // The engine moved on by itself (gapless): the queue follows.
                let hadConsume = playQueue.consume.isEnabled
                _ = playQueue.advance(.songFinished)
                if playQueue.currentEntry?.id != id, let position = playQueue.position(ofID: id) {
                    _ = try? playQueue.play(at: position)
                }
                if hadConsume { changed(.playlist) }
            }
            if let position = playQueue.currentPosition {
                let upcoming = upcomingTracks(after: position)
                engine.setUpcoming(upcoming.tracks, after: id, reachesEnd: upcoming.reachesEnd)
            }
            let playback = engine.status
            if playback.converted, let format = playback.format {
                logger.notice(
                    "the device does not take this format exactly: ALSA's plug layer converts it",
                    metadata: ["device": "\(settings.outputDevice)", "format": "\(format)"])
            }
            changed(.player)
        case .trackFailed(let id, let message):
            let uri = playQueue.entry(id: id)?.song.uri ?? "#\(id)"
            logger.error("cannot play a file", metadata: ["file": "\(uri)", "reason": "\(message)"])
            failedSinceTrackStarted.insert(id)
            lastFailedID = id
            changed(.player)
        case .endOfQueue:
            if continueAfterFailures() { return }
            let hadConsume = playQueue.consume.isEnabled
            switch playQueue.advance(.songFinished) {
            case .play(let position), .pause(let position):
                // Single mode (or a queue edited at the last moment): stop, with the next entry current.
                _ = position
                playQueue.stop()
            case .stop:
                playQueue.stop()
            }
            if hadConsume { changed(.playlist) }
            changed(.player)
        case .outputFailed(let message):
            logger.error(
                "output failed",
                metadata: [
                    "device": "\(settings.outputDevice)", "reason": "\(message)",
                    "alsa": "\(ALSADiagnostics.last ?? "")",
                ])
            playQueue.stop()
            changed(.player, .output)
        case .stateChanged:
            changed(.player)
        case .underrun(let count):
            logger.warning(
                "output underrun: the device ran out of audio (a gap was heard)",
                metadata: ["device": "\(settings.outputDevice)", "underruns": "\(count)"])
            changed(.output)
        }
    }

    /// Whether `event` comes from before the last start the daemon asked for (a `play 0` then `next` sent at
    /// once: the first track's `trackStarted` arrives after `next` moved the queue on). The requested track's own
    /// `trackStarted` or `trackFailed` (after which the engine moves on by itself) ends the wait.
    private func isStale(_ event: EngineEvent) -> Bool {
        guard let requested = requestedStart else { return false }
        switch event {
        case .trackStarted(let id):
            guard id == requested else { return true }
            requestedStart = nil
            return false
        case .trackFailed(let id, _):
            if id == requested { requestedStart = nil }
            return false
        case .endOfQueue:
            return true
        case .outputFailed, .stateChanged, .underrun:
            return false
        }
    }

    /// The engine stopped because every track it was given (the current one and the few it looks ahead) failed
    /// to open: start the entry after the last failed one, unless every entry has failed since the last track
    /// started (a queue of broken files must stop, not spin) or single mode asks to stop anyway.
    func continueAfterFailures() -> Bool {
        guard let failed = lastFailedID, !playQueue.single.isEnabled,
            failedSinceTrackStarted.count < playQueue.count,
            let failedPosition = playQueue.position(ofID: failed),
            let next = playQueue.nextPosition(after: failedPosition),
            (try? playQueue.play(at: next)) != nil
        else { return false }
        lastFailedID = nil
        startCurrent()
        return true
    }

    /// `status` as MPD prints it, from the queue and the engine's snapshot.
    func statusSnapshot() -> StatusSnapshot {
        var snapshot = StatusSnapshot(queue: playQueue)
        let playback = engine.status
        snapshot.volume = settings.softwareMixer ? playback.volume : nil
        snapshot.lastLoadedPlaylist = lastLoadedPlaylist
        snapshot.mood = currentMood
        snapshot.error = daemonError ?? playback.error
        snapshot.updatingDB = runningUpdate
        switch playback.state {
        case .stop: snapshot.state = .stop
        case .play: snapshot.state = .play
        case .pause: snapshot.state = .pause
        }
        if playback.state != .stop {
            snapshot.elapsed = playback.elapsed
            snapshot.duration = playback.duration ?? playQueue.currentEntry?.song.duration
            snapshot.bitrate = playback.bitrate ?? 0
            snapshot.audio = playback.format
        }
        snapshot.sleepRemaining = playback.sleepRemaining.map { Int(min($0, 1e15).rounded(.up)) }
        snapshot.underruns = playback.underruns
        return snapshot
    }
}

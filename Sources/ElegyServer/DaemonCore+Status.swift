import ElegyAudio
import ElegyCore

extension DaemonCore {
    /// `status` as MPD prints it, from the queue and the engine's snapshot.
    func statusSnapshot() -> StatusSnapshot {
        var snapshot = StatusSnapshot(queue: player.queue)
        let playback = engine.status
        snapshot.volume = settings.softwareMixer ? playback.volume : nil
        snapshot.lastLoadedPlaylist = lastLoadedPlaylist
        snapshot.mood = curation.currentMood
        snapshot.error = player.error ?? playback.error
        snapshot.updatingDB = updates.running
        switch playback.state {
        case .stop: snapshot.state = .stop
        case .play: snapshot.state = .play
        case .pause: snapshot.state = .pause
        }
        if playback.state != .stop {
            snapshot.elapsed = playback.elapsed
            snapshot.duration = playback.duration ?? player.queue.currentEntry?.song.duration
            snapshot.bitrate = playback.bitrate ?? 0
            snapshot.audio = playback.format
        }
        snapshot.sleepRemaining = playback.sleepRemaining.map { Int(min($0, 1e15).rounded(.up)) }
        snapshot.underruns = playback.underruns
        snapshot.watchLimitReached = watcher?.limitReached ?? false
        return snapshot
    }
}

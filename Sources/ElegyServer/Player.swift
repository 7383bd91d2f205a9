import ElegyAudio
import ElegyCore
import Logging

/// The player: the queue (what should play), the engine (what plays), and the glue between them: what the engine
/// is told comes next, how its events move the queue, how a run of unplayable files is stepped over, and the
/// daemon's own playback error.
///
/// Owned by `DaemonCore` and used only under its lock. It tells the core which subsystems changed through
/// `takeChanges`, which the core turns into idle events and state saves.
final class Player {
    var queue = PlayQueue()
    let engine: PlaybackEngine
    /// An error that is the daemon's, not the engine's; cleared when a track starts and by `clearerror`.
    var error: String?
    private let library: MusicLibrary
    private let logger: Logger
    private let outputDevice: String
    /// The queue id last handed to `engine.play` whose `trackStarted` has not arrived yet. Engine events are
    /// delivered late: until that one arrives, another track's `trackStarted` or an `endOfQueue` predates the
    /// start and must not move the queue.
    private var requestedStart: Int?
    /// Entries the engine could not open since it last started a track, and the last of them: when the engine
    /// runs out of tracks because all it was given failed, playback goes on after them.
    private var failedSinceTrackStarted: Set<Int> = []
    private var lastFailedID: Int?
    /// Subsystems changed since the core last took them.
    private var changes: [IdleSubsystem] = []

    init(engine: PlaybackEngine, library: MusicLibrary, logger: Logger, outputDevice: String) {
        self.engine = engine
        self.library = library
        self.logger = logger
        self.outputDevice = outputDevice
    }

    /// Marks subsystems as changed (the core broadcasts them when the command or event is done).
    func changed(_ subsystems: IdleSubsystem...) { changes += subsystems }

    /// The subsystems changed since the last call.
    func takeChanges() -> [IdleSubsystem] {
        defer { changes.removeAll(keepingCapacity: true) }
        return changes
    }

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
        guard queue.entries.indices.contains(position) else { return nil }
        let entry = queue.entries[position]
        guard let path = library.absolutePath(of: entry.song.uri) else { return nil }
        return Track(id: entry.id, path: path)
    }

    /// The tracks that follow `position` in play order (honouring random, repeat, single, consume), and whether
    /// the queue ends after them.
    func upcomingTracks(after position: Int) -> Upcoming {
        var upcoming = Upcoming()
        var seen: Set<Int> = [position]
        var next = queue.nextPosition(after: position)
        while let candidate = next {
            guard upcoming.tracks.count < Player.upcomingCount else {
                upcoming.reachesEnd = false
                break
            }
            if let track = track(at: candidate) { upcoming.tracks.append(track) }
            guard seen.insert(candidate).inserted else {
                upcoming.reachesEnd = false  // repeat: the order comes round again
                break
            }
            next = queue.nextPosition(after: candidate)
        }
        // Repeat with single: the same entry again.
        if upcoming.tracks.isEmpty, queue.repeatMode, queue.single.isEnabled, let same = track(at: position) {
            upcoming.tracks.append(same)
            upcoming.reachesEnd = false
        }
        return upcoming
    }

    /// Starts the engine on the queue's current entry.
    func startCurrent(at seconds: Double = 0, paused: Bool = false) {
        guard let position = queue.currentPosition, let track = track(at: position) else {
            engine.stop()
            queue.stop()
            changed(.player)
            return
        }
        requestedStart = track.id
        let upcoming = upcomingTracks(after: position)
        engine.play(
            track, from: seconds, paused: paused, upcoming: upcoming.tracks, upcomingReachesEnd: upcoming.reachesEnd)
        error = nil
        changed(.player)
    }

    /// After the queue or a mode changed: keep the engine's idea of what follows up to date.
    func refreshUpcoming() {
        guard engine.status.state != .stop, let current = queue.currentEntry,
            let position = queue.currentPosition
        else { return }
        let upcoming = upcomingTracks(after: position)
        engine.setUpcoming(upcoming.tracks, after: current.id, reachesEnd: upcoming.reachesEnd)
    }

    /// After a delete that removed the playing entry: play what is now current, or stop.
    func currentEntryRemoved() {
        if queue.currentPosition != nil, engine.status.state != .stop {
            startCurrent(paused: engine.status.state == .pause)
        } else {
            engine.stop()
            queue.stop()
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
            if queue.currentEntry?.id != id {
                // The engine moved on by itself (gapless): the queue follows.
                let hadConsume = queue.consume.isEnabled
                _ = queue.advance(.songFinished)
                if queue.currentEntry?.id != id, let position = queue.position(ofID: id) {
                    _ = try? queue.play(at: position)
                }
                if hadConsume { changed(.playlist) }
            }
            if let position = queue.currentPosition {
                let upcoming = upcomingTracks(after: position)
                engine.setUpcoming(upcoming.tracks, after: id, reachesEnd: upcoming.reachesEnd)
            }
            let playback = engine.status
            if playback.converted, let format = playback.format {
                logger.notice(
                    "the device does not take this format exactly: ALSA's plug layer converts it",
                    metadata: ["device": "\(outputDevice)", "format": "\(format)"])
            }
            changed(.player)
        case .trackFailed(let id, let message):
            let uri = queue.entry(id: id)?.song.uri ?? "#\(id)"
            logger.error("cannot play a file", metadata: ["file": "\(uri)", "reason": "\(message)"])
            failedSinceTrackStarted.insert(id)
            lastFailedID = id
            changed(.player)
        case .endOfQueue:
            if continueAfterFailures() { return }
            let hadConsume = queue.consume.isEnabled
            switch queue.advance(.songFinished) {
            case .play(let position), .pause(let position):
                // Single mode (or a queue edited at the last moment): stop, with the next entry current.
                _ = position
                queue.stop()
            case .stop:
                queue.stop()
            }
            if hadConsume { changed(.playlist) }
            changed(.player)
        case .outputFailed(let message):
            logger.error(
                "output failed",
                metadata: [
                    "device": "\(outputDevice)", "reason": "\(message)",
                    "alsa": "\(ALSADiagnostics.last ?? "")",
                ])
            queue.stop()
            changed(.player, .output)
        case .stateChanged:
            changed(.player)
        case .underrun(let count):
            logger.warning(
                "output underrun: the device ran out of audio (a gap was heard)",
                metadata: ["device": "\(outputDevice)", "underruns": "\(count)"])
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
        guard let failed = lastFailedID, !queue.single.isEnabled,
            failedSinceTrackStarted.count < queue.count,
            let failedPosition = queue.position(ofID: failed),
            let next = queue.nextPosition(after: failedPosition),
            (try? queue.play(at: next)) != nil
        else { return false }
        lastFailedID = nil
        startCurrent()
        return true
    }

    /// `play [POS]`: start the entry (or resume / restart the current one).
    func play(position: Int?) throws(ProtocolError) {
        let state = engine.status.state
        if position == nil, state == .pause {
            engine.setPaused(false)
            changed(.player)
            return
        }
        if position == nil, state == .play { return }
        guard try queue.play(at: position) != nil else { return }
        startCurrent()
    }

    /// Seeks in the current entry, or starts another entry at `time`.
    func seek(toPosition position: Int, time: Double) throws(ProtocolError) {
        let state = engine.status.state
        if position == queue.currentPosition, state != .stop {
            engine.seek(to: time)
            changed(.player)
            return
        }
        _ = try queue.play(at: position)
        startCurrent(at: time, paused: state == .pause)
    }

    func modesChanged() {
        refreshUpcoming()
        changed(.options)
    }

    /// After an edit of the queue: keep the engine's next tracks right.
    func queueChanged() {
        refreshUpcoming()
        changed(.playlist)
    }

    /// After a delete: the playing entry may be gone.
    func afterDelete(_ removedCurrent: Bool) {
        if removedCurrent { currentEntryRemoved() } else { refreshUpcoming() }
        changed(.playlist)
    }
}

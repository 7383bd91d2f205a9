import Dispatch
import ElegyAudio
import ElegyCore

/// Saving and restoring the queue, position, volume and modes (under the core lock).
extension DaemonCore {
    /// What belongs in state.json right now; `queue` is the queue's entries when the caller has them already.
    func persistedState(queue: [PersistedState.Entry]? = nil) -> PersistedState {
        let playback = engine.status
        let playState: PersistedState.PlayState =
            switch playback.state {
            case .play: .play
            case .pause: .pause
            case .stop: .stop
            }
        return PersistedState(
            queue: queue
                ?? player.queue.entries.map { PersistedState.Entry(uri: $0.song.uri, curatedKey: $0.curatedKey) },
            currentPosition: player.queue.currentPosition,
            elapsed: playback.state == .stop ? 0 : playback.elapsed,
            playState: playState, volume: playback.volume, repeat: player.queue.repeatMode,
            random: player.queue.random, single: player.queue.single, consume: player.queue.consume,
            playlist: lastLoadedPlaylist, mood: curation.currentMood, sleepRemaining: playback.sleepRemaining)
    }

    /// Puts a saved state back: the queue, modes and volume; the current song paused at its position (or playing
    /// when `resumePlaying` and it was playing). Files that vanished from the library are dropped.
    public func restore(_ state: PersistedState, resumePlaying: Bool) {
        var songs: [(song: Song, curatedKey: String?)] = []
        var positionMap: [Int: Int] = [:]
        for (index, entry) in state.queue.enumerated() {
            guard let song = library.song(uri: entry.uri) else { continue }
            positionMap[index] = songs.count
            songs.append((song, entry.curatedKey))
        }
        player.queue.clear()
        _ = try? player.queue.add(contentsOf: songs)
        player.queue.repeatMode = state.repeat
        player.queue.setRandom(state.random)
        player.queue.single = state.single
        player.queue.consume = state.consume
        lastLoadedPlaylist = state.playlist
        curation.currentMood = state.mood
        if settings.softwareMixer { engine.setVolume(state.volume) }
        if let sleep = state.sleepRemaining { engine.setSleep(sleep) }
        if let saved = state.currentPosition, let position = positionMap[saved] {
            _ = try? player.queue.play(at: position)
            switch state.playState {
            case .play, .pause:
                player.startCurrent(at: state.elapsed, paused: !(resumePlaying && state.playState == .play))
            case .stop:
                player.queue.stop()
            }
        }
        changed(.playlist, .player, .mixer, .options)
    }
}

/// Writes state.json within a second of any change, every second while playing (so that `kill -9` loses at most
/// a second of position), and at shutdown. The writes run on a queue of their own, never on the core queue: with a
/// 16,000-song queue each save cost about 50 ms of CPU (bench/playing-load.py, 2026-12-07), and file commands
/// waited behind it every second while playing. The snapshot is taken under the core lock and reuses the queue's
/// entries while the queue is unchanged, so that the store writes the queue file only after a change.
public final class StateSaver: @unchecked Sendable {
    private let store: StateStore
    private let notifySystemd: Bool
    /// Where the snapshots are written, one at a time.
    private let writes = DispatchQueue(label: "elegy.state-save", qos: .utility)
    /// Set once by `attach`, under the core's lock, before any command runs.
    private var core: DaemonCore?
    // Guarded by the core's lock (set where state changes, under it):
    private var scheduled = false
    /// The queue's entries as last saved, and the queue version they are of.
    private var savedQueue: (version: UInt32, count: Int, entries: [PersistedState.Entry])?
    // Touched only on `writes`:
    private var lastSaved: PersistedState?
    private var lastStatus = ""

    public init(store: StateStore, notifySystemd: Bool) {
        self.store = store
        self.notifySystemd = notifySystemd
    }

    /// Hooks into the core: every state change schedules a save. Call once, under the core's lock, from the startup
    /// job (`Daemon.start`'s `restore`), so that no change made by a client goes unsaved.
    public func attach(to core: DaemonCore) {
        self.core = core
        core.onStateChange = { [self] in self.schedule() }
    }

    /// Under the core lock: a save within one second, unless one is already pending.
    func schedule() {
        guard core != nil, !scheduled else { return }
        scheduled = true
        writes.asyncAfter(deadline: .now() + 1) { [self] in saveScheduled() }
    }

    /// On `writes`: the scheduled save.
    private func saveScheduled() {
        guard let core else { return }
        let taken: (snapshot: (state: PersistedState, status: String), playing: Bool) = core.locked { core in
            scheduled = false
            return (snapshot(of: core), core.engine.status.state == .play)
        }
        write(taken.snapshot)
        // While playing the position moves on: keep it fresh without any timer when idle or paused.
        if taken.playing { core.locked { _ in schedule() } }
    }

    /// Saves at once (shutdown); returns when written. Blocks: call from the main thread only.
    public func saveFinal() {
        guard let core else { return }
        // Behind every batch already handed to the core queue (docs/ARCHITECTURE.md, Shutdown): their changes are
        // saved even when their answers no longer reach a client.
        core.queue.sync {}
        writes.sync { write(core.locked { snapshot(of: $0) }) }
    }

    /// Under the core lock: the state to save and the systemd status line.
    private func snapshot(of core: DaemonCore) -> (state: PersistedState, status: String) {
        let queue = core.player.queue
        let entries: [PersistedState.Entry]
        if let saved = savedQueue, saved.version == queue.version, saved.count == queue.count {
            entries = saved.entries
        } else {
            entries = queue.entries.map { PersistedState.Entry(uri: $0.song.uri, curatedKey: $0.curatedKey) }
            savedQueue = (queue.version, queue.count, entries)
        }
        let state = core.persistedState(queue: entries)
        let status: String
        if let entry = queue.currentEntry, state.playState != .stop {
            let name = [entry.song.artist, entry.song.title].compactMap { $0 }.joined(separator: " - ")
            status = "\(state.playState == .play ? "Playing" : "Paused"): \(name.isEmpty ? entry.song.uri : name)"
        } else {
            status = "Stopped; \(state.queue.count) songs in the queue"
        }
        return (state, status)
    }

    /// On `writes`, outside the lock: writes the state if it differs from the last write.
    private func write(_ snapshot: (state: PersistedState, status: String)) {
        if notifySystemd, snapshot.status != lastStatus {
            lastStatus = snapshot.status
            _ = Systemd.notify("STATUS=\(snapshot.status)")
        }
        guard snapshot.state != lastSaved else { return }
        do {
            try store.save(snapshot.state)
            lastSaved = snapshot.state
        } catch {
            core?.logger.error("cannot save state", metadata: ["path": "\(store.path)", "error": "\(error)"])
        }
    }
}

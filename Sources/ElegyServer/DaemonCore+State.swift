import Dispatch
import ElegyAudio
import ElegyCore

/// Saving and restoring the queue, position, volume and modes (under the core lock).
extension DaemonCore {
    /// What belongs in state.json right now.
    func persistedState() -> PersistedState {
        let playback = engine.status
        let playState: PersistedState.PlayState =
            switch playback.state {
            case .play: .play
            case .pause: .pause
            case .stop: .stop
            }
        return PersistedState(
            queue: player.queue.entries.map { PersistedState.Entry(uri: $0.song.uri, curatedKey: $0.curatedKey) },
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
/// a second of position), and at shutdown. Runs its writes on the core queue: small blocking file work that never
/// touches an event loop or the Swift concurrency pool.
public final class StateSaver: @unchecked Sendable {
    private let store: StateStore
    private let notifySystemd: Bool
    /// Set once by `attach`, under the core's lock, before any command runs.
    private var core: DaemonCore?
    /// Guarded by the core's lock (set where state changes, under it).
    private var scheduled = false
    // Touched only on the core queue, outside the lock (file writes never hold it):
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
        guard let core, !scheduled else { return }
        scheduled = true
        core.queue.asyncAfter(deadline: .now() + 1) { [self] in saveScheduled() }
    }

    /// Core queue: the scheduled save.
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
        core.queue.sync { write(core.locked { snapshot(of: $0) }) }
    }

    /// Under the core lock: the state to save and the systemd status line.
    private func snapshot(of core: DaemonCore) -> (state: PersistedState, status: String) {
        let state = core.persistedState()
        let status: String
        if let entry = core.player.queue.currentEntry, state.playState != .stop {
            let name = [entry.song.artist, entry.song.title].compactMap { $0 }.joined(separator: " - ")
            status = "\(state.playState == .play ? "Playing" : "Paused"): \(name.isEmpty ? entry.song.uri : name)"
        } else {
            status = "Stopped; \(state.queue.count) songs in the queue"
        }
        return (state, status)
    }

    /// Core queue, outside the lock: writes the state if it differs from the last write.
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

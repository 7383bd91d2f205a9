/// Everything `status` reports, gathered by the server from the queue, the player and the library.
public struct StatusSnapshot: Sendable, Hashable {
    /// The player's state as `status` spells it.
    public enum State: String, Sendable, Hashable {
        case play, stop, pause
    }

    /// 0–100; `nil` when there is no mixer (then the line is left out).
    public var volume: Int?
    public var repeatMode = false
    public var random = false
    public var single = ToggleMode.off
    public var consume = ToggleMode.off
    public var partition = "default"
    /// The queue version (`playlist:`).
    public var playlistVersion: UInt32 = 1
    public var playlistLength = 0
    public var state = State.stop
    public var lastLoadedPlaylist: String?
    /// Seconds of cross-fade; printed only when above zero.
    public var crossfade = 0
    public var song: Int?
    public var songID: Int?
    /// Seconds into the current song (reported only when not stopped).
    public var elapsed: Double = 0
    /// Length of the current song, if known.
    public var duration: Double?
    /// kbit/s; `0` when unknown, as MPD prints it.
    public var bitrate = 0
    public var audio: AudioFormat?
    /// The running update job's id.
    public var updatingDB: Int?
    public var error: String?
    public var nextSong: Int?
    public var nextSongID: Int?
    /// Elegy extension: seconds left on the sleep timer.
    public var sleepRemaining: Int?
    /// Elegy extension: the mood that filled the queue.
    public var mood: String?
    /// Elegy extension: output underruns since the daemon started (sent only when there were any).
    public var underruns = 0
    /// Elegy extension: `auto_update` reached the kernel's inotify watch limit (sent only then).
    public var watchLimitReached = false

    public init() {}

    /// Takes modes, version, length, current and next entries from the queue.
    public init(queue: PlayQueue) {
        repeatMode = queue.repeatMode
        random = queue.random
        single = queue.single
        consume = queue.consume
        playlistVersion = queue.version
        playlistLength = queue.count
        if let position = queue.currentPosition {
            song = position
            songID = queue[position].id
        }
        if let position = queue.nextPosition() {
            nextSong = position
            nextSongID = queue[position].id
        }
    }

    /// Writes the `status` lines in MPD's order (without the closing `OK`).
    public func write(to response: inout ResponseBuilder) {
        if let volume { response.field("volume", volume) }
        response.field("repeat", repeatMode)
        response.field("random", random)
        response.field("single", single.mpdValue)
        response.field("consume", consume.mpdValue)
        response.field("partition", partition)
        response.field("playlist", playlistVersion)
        response.field("playlistlength", playlistLength)
        response.field("mixrampdb", "0.000000")
        response.field("state", state.rawValue)
        if let lastLoadedPlaylist { response.field("lastloadedplaylist", lastLoadedPlaylist) }
        if crossfade > 0 { response.field("xfade", crossfade) }
        if let song, let songID {
            response.field("song", song)
            response.field("songid", songID)
        }
        if state != .stop {
            let total = duration.map { ResponseBuilder.roundedSeconds($0) } ?? 0
            response.field("time", "\(ResponseBuilder.roundedSeconds(elapsed)):\(total)")
            response.field("elapsed", milliseconds: max(elapsed, 0))
            response.field("bitrate", bitrate)
            if let duration { response.field("duration", milliseconds: duration) }
            if let audio { response.field("audio", audio.mpdDescription) }
        }
        if let updatingDB { response.field("updating_db", updatingDB) }
        if let error { response.field("error", error) }
        if let nextSong, let nextSongID {
            response.field("nextsong", nextSong)
            response.field("nextsongid", nextSongID)
        }
        if let mood { response.field("elegy_mood", mood) }
        if let sleepRemaining { response.field("elegy_sleep", sleepRemaining) }
        if underruns > 0 { response.field("elegy_underruns", underruns) }
        if watchLimitReached { response.field("elegy_auto_update", "watch limit reached") }
    }
}

/// What the daemon writes to `state.json` so that a restart (or a crash) resumes where it left off.
///
/// JSON keys are snake_case; `single` and `consume` are written as `status` prints them (`"0"`, `"1"`,
/// `"oneshot"`). Optional fields are left out when nil.
public struct PersistedState: Codable, Sendable, Equatable {
    /// The format this build writes; `StateStore` refuses (and moves aside) files of any other version.
    public static let currentVersion = 1

    /// Whether playback was running, paused or stopped.
    public enum PlayState: String, Codable, Sendable, Equatable, CaseIterable {
        case play, pause, stop
    }

    /// One queued song: its URI and, if it came from a curated playlist, its curated identity.
    public struct Entry: Codable, Sendable, Equatable {
        public var uri: String
        /// `QueueEntry.curatedKey`, if any.
        public var curatedKey: String?

        public init(uri: String, curatedKey: String? = nil) {
            self.uri = uri
            self.curatedKey = curatedKey
        }

        enum CodingKeys: String, CodingKey {
            case uri
            case curatedKey = "curated_key"
        }
    }

    public var version: Int
    public var queue: [Entry]
    /// Queue position of the current song, nil when there is none.
    public var currentPosition: Int?
    /// Seconds into the current song.
    public var elapsed: Double
    public var playState: PlayState
    /// 0–100.
    public var volume: Int
    public var `repeat`: Bool
    public var random: Bool
    public var single: ToggleMode
    /// A toggle rather than a flag because the queue supports `consume oneshot`, as MPD 0.24 does.
    public var consume: ToggleMode
    /// The curated playlist last loaded, if any.
    public var playlist: String?
    /// The mood last started, if any.
    public var mood: String?
    /// Seconds left on the sleep timer, nil when it is not armed.
    public var sleepRemaining: Double?

    public init(
        version: Int = PersistedState.currentVersion, queue: [Entry] = [], currentPosition: Int? = nil,
        elapsed: Double = 0, playState: PlayState = .stop, volume: Int = 100, repeat: Bool = false,
        random: Bool = false, single: ToggleMode = .off, consume: ToggleMode = .off, playlist: String? = nil,
        mood: String? = nil, sleepRemaining: Double? = nil
    ) {
        self.version = version
        self.queue = queue
        self.currentPosition = currentPosition
        self.elapsed = elapsed
        self.playState = playState
        self.volume = volume
        self.repeat = `repeat`
        self.random = random
        self.single = single
        self.consume = consume
        self.playlist = playlist
        self.mood = mood
        self.sleepRemaining = sleepRemaining
    }

    enum CodingKeys: String, CodingKey {
        case version, queue, elapsed, volume, random, single, consume, playlist, mood
        case currentPosition = "current_position"
        case playState = "play_state"
        case `repeat` = "repeat"
        case sleepRemaining = "sleep_remaining"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decode(Int.self, forKey: .version)
        queue = try container.decode([Entry].self, forKey: .queue)
        currentPosition = try container.decodeIfPresent(Int.self, forKey: .currentPosition)
        elapsed = try container.decode(Double.self, forKey: .elapsed)
        playState = try container.decode(PlayState.self, forKey: .playState)
        volume = try container.decode(Int.self, forKey: .volume)
        self.repeat = try container.decode(Bool.self, forKey: .repeat)
        random = try container.decode(Bool.self, forKey: .random)
        single = try Self.decodeToggle(container, .single)
        consume = try Self.decodeToggle(container, .consume)
        playlist = try container.decodeIfPresent(String.self, forKey: .playlist)
        mood = try container.decodeIfPresent(String.self, forKey: .mood)
        sleepRemaining = try container.decodeIfPresent(Double.self, forKey: .sleepRemaining)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(version, forKey: .version)
        try container.encode(queue, forKey: .queue)
        try container.encodeIfPresent(currentPosition, forKey: .currentPosition)
        try container.encode(elapsed, forKey: .elapsed)
        try container.encode(playState, forKey: .playState)
        try container.encode(volume, forKey: .volume)
        try container.encode(self.repeat, forKey: .repeat)
        try container.encode(random, forKey: .random)
        try container.encode(single.mpdValue, forKey: .single)
        try container.encode(consume.mpdValue, forKey: .consume)
        try container.encodeIfPresent(playlist, forKey: .playlist)
        try container.encodeIfPresent(mood, forKey: .mood)
        try container.encodeIfPresent(sleepRemaining, forKey: .sleepRemaining)
    }

    /// Reads `"0"`, `"1"` or `"oneshot"`.
    private static func decodeToggle(_ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws
        -> ToggleMode
    {
        let text = try container.decode(String.self, forKey: key)
        guard let mode = ToggleMode.allCases.first(where: { $0.mpdValue == text }) else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: container, debugDescription: "expected \"0\", \"1\" or \"oneshot\", found \"\(text)\"")
        }
        return mode
    }
}

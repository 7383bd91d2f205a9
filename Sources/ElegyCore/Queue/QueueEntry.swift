/// One song in the play queue, with the id that stays with it while it is queued.
///
/// The song is held by reference: an entry is a few words, so that moving, shuffling and deleting ranges of a
/// 16,384-song queue moves small entries instead of copying every song's tag strings (each copy retains a dozen).
public struct QueueEntry: Sendable, Hashable {
    /// Stable while the entry stays in the queue (moves and shuffles keep it); never reused within a queue.
    public let id: Int
    /// The queued song; setting it replaces the shared copy, which is never changed in place.
    public var song: Song {
        _read { yield storage.song.pointee }
        set { storage = SongStorage(newValue) }
    }
    /// The queue version at which this entry last changed (added, moved, edited); `plchanges` compares it.
    public internal(set) var version: UInt32
    /// The curated playlist song this entry was resolved from, if any (`playlist/index` or similar).
    public var curatedKey: String?
    @usableFromInline private(set) var storage: SongStorage

    public init(id: Int, song: Song, version: UInt32, curatedKey: String? = nil) {
        self.id = id
        self.storage = SongStorage(song)
        self.version = version
        self.curatedKey = curatedKey
    }

    /// Calls `body` with a pointer to the song where it is stored, valid only during the call: reading a few
    /// fields of each of 16,000 entries through `song` from another module copied every song whole.
    /// Inlinable so that a caller in another module gets it specialized: perf showed the generic version, called
    /// from `save`, with outlined copies of the entry's storage.
    @inlinable
    public func withSong<Result>(_ body: (UnsafePointer<Song>) throws -> Result) rethrows -> Result {
        try withExtendedLifetime(storage) { storage in try body(storage.song) }
    }

    public static func == (left: QueueEntry, right: QueueEntry) -> Bool {
        left.id == right.id && left.version == right.version && left.curatedKey == right.curatedKey
            && (left.storage === right.storage || left.song == right.song)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(id)
        hasher.combine(version)
        hasher.combine(curatedKey)
        hasher.combine(song)
    }
}

/// An immutable song shared by the queue entries that copy one another, stored in one object (a `ManagedBuffer`
/// header) so that `withSong` lends the address of the stored song itself. `withUnsafePointer(to: storage.song)` of
/// a class property lent the address of whatever copy the compiler chose to make; whether it made one was up to the
/// optimizer.
@usableFromInline
struct SongStorage: @unchecked Sendable {
    // @unchecked: `ManagedBuffer` is not Sendable, but this one's song is written once, by `init`, before the
    // object is shared, and never again.
    private final class Box: ManagedBuffer<Song, Void> {}

    private let box: Box

    init(_ song: Song) {
        box = unsafeDowncast(Box.create(minimumCapacity: 0) { _ in song }, to: Box.self)
    }

    /// The song, where it is stored; valid while this storage lives.
    @usableFromInline var song: UnsafePointer<Song> {
        box.withUnsafeMutablePointerToHeader { UnsafePointer($0) }
    }

    /// Whether both are one stored song.
    static func === (left: SongStorage, right: SongStorage) -> Bool { left.box === right.box }
}

/// Why playback moves to another entry.
public enum AdvanceReason: Sendable, Hashable {
    /// The current song played to its end (single and consume modes apply).
    case songFinished
    /// The `next` command (single mode does not apply, as in MPD).
    case userNext
}

/// What the player should do after `PlayQueue.advance`.
public enum Advance: Sendable, Hashable {
    /// Start the entry at this position.
    case play(Int)
    /// Single mode: make this entry current but paused at its start (MPD pauses at the song border).
    case pause(Int)
    /// Nothing follows: stop; the queue has no current entry any more.
    case stop
}

/// SplitMix64: a small, seedable generator so that the queue stays a plain value with reproducible tests
/// (also the fuzzers' and benchmarks' generator).
public struct SplitMix64: RandomNumberGenerator, Sendable, Hashable, Codable {
    public var state: UInt64

    public init(state: UInt64) { self.state = state }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

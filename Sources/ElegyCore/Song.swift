/// One file of the music library, as the scanner indexed it.
public struct Song: Sendable, Hashable {
    /// Path relative to `music_directory`, as MPD spells URIs.
    public var uri: String
    public var title: String?
    /// Kept with the song, not in `sharedTags`: the songs of a compilation each have their own.
    public var artist: String?
    public var track: String?
    /// Album, AlbumArtist, Disc, Date, Genre and Composer, held in one object that the songs of an album share
    /// (`StringInterner.sharingTagValues`, `LibraryCache`): six `String?` of 16 bytes each were close to half of a
    /// song's 216 bytes, for values that a song has in common with the one before it. Changed through the fields
    /// below, copy on write.
    public var sharedTags: SharedSongTags
    public var album: String? { get { sharedTags.album } set { changeSharedTags { $0.album = newValue } } }
    public var albumArtist: String? {
        get { sharedTags.albumArtist } set { changeSharedTags { $0.albumArtist = newValue } }
    }
    public var disc: String? { get { sharedTags.disc } set { changeSharedTags { $0.disc = newValue } } }
    public var date: String? { get { sharedTags.date } set { changeSharedTags { $0.date = newValue } } }
    public var genre: String? { get { sharedTags.genre } set { changeSharedTags { $0.genre = newValue } } }
    public var composer: String? { get { sharedTags.composer } set { changeSharedTags { $0.composer = newValue } } }
    /// Every other tag value, in the file's order: tags without a field above (Performer, the MusicBrainz IDs, ...)
    /// and the second and later values of multi-valued ones (two ARTIST comments). Empty for most songs.
    public var otherTags: [SongTag]
    /// Length in seconds, if known.
    public var duration: Double? {
        get { durationBits == Song.noDuration ? nil : Double(bitPattern: durationBits) }
        set { durationBits = newValue?.bitPattern ?? Song.noDuration }
    }
    public var format: AudioFormat? {
        get { Song.unpack(formatBits) }
        set { formatBits = Song.pack(newValue) }
    }
    // Both stored packed in 8 bytes: as `Double?` and `AudioFormat?` they took 56 of a song's 256 (4 MB of
    // 100,000 songs). `==` and `hash` compare the bits.
    private var durationBits = Song.noDuration
    private var formatBits: UInt64 = 0
    /// The file's ReplayGain values, kept for loudness normalisation (nothing reads them yet).
    public var replayGain = ReplayGain()
    /// File size in bytes and modification time (Unix seconds): a rescan re-reads only changed files.
    public var size: Int64
    public var modified: Int64

    public init(
        uri: String, title: String? = nil, artist: String? = nil, album: String? = nil,
        albumArtist: String? = nil, track: String? = nil, disc: String? = nil, date: String? = nil,
        genre: String? = nil, composer: String? = nil, otherTags: [SongTag] = [], duration: Double? = nil,
        format: AudioFormat? = nil, size: Int64 = 0, modified: Int64 = 0
    ) {
        self.uri = uri
        self.title = title
        self.artist = artist
        self.track = track
        if album == nil, albumArtist == nil, disc == nil, date == nil, genre == nil, composer == nil {
            sharedTags = SharedSongTags.none
        } else {
            sharedTags = SharedSongTags(
                album: album, albumArtist: albumArtist, disc: disc, date: date, genre: genre,
                composer: composer)
        }
        self.otherTags = otherTags
        self.size = size
        self.modified = modified
        self.duration = duration
        self.format = format
    }

    /// Adds one value of `tag` as a file gives it: into its field when that is still empty, otherwise to
    /// `otherTags`. As in MPD, empty values are dropped and Track and Disc lose their total ("3/12" is "3").
    public mutating func add(_ tag: TagType, _ value: String) {
        var value = value
        if tag == .track || tag == .disc, let slash = value.utf8.firstIndex(of: UInt8(ascii: "/")) {
            value = String(value[..<slash])
        }
        guard !value.isEmpty else { return }
        switch tag {
        case .title where title == nil: title = value
        case .artist where artist == nil: artist = value
        case .album where album == nil: album = value
        case .albumArtist where albumArtist == nil: albumArtist = value
        case .track where track == nil: track = value
        case .disc where disc == nil: disc = value
        case .date where date == nil: date = value
        case .genre where genre == nil: genre = value
        case .composer where composer == nil: composer = value
        default: otherTags.append(SongTag(tag, value))
        }
    }

    /// A song with `sharedTags` already made (the cache decoder's, which shares them between songs).
    public init(
        uri: String, title: String?, artist: String?, track: String?, sharedTags: SharedSongTags, otherTags: [SongTag],
        duration: Double?, format: AudioFormat?, size: Int64, modified: Int64
    ) {
        self.uri = uri
        self.title = title
        self.artist = artist
        self.track = track
        self.sharedTags = sharedTags
        self.otherTags = otherTags
        self.size = size
        self.modified = modified
        self.duration = duration
        self.format = format
    }

    /// Changes the shared tags of this song alone: in place when no other song holds them, on a copy otherwise.
    private mutating func changeSharedTags(_ change: (SharedSongTags) -> Void) {
        if !isKnownUniquelyReferenced(&sharedTags) { sharedTags = sharedTags.copy() }
        change(sharedTags)
    }

    /// A NaN that no length is: the stored form of "no duration".
    private static let noDuration: UInt64 = 0x7FF8_0000_E1E6_0001

    private static let sampleTypes: [AudioFormat.SampleType] = [.int16, .int32, .float32]

    /// Rate in bits 0-31, channels 32-47, sample type + 1 in 48-55 (0: no format), bits per sample 56-63.
    private static func pack(_ format: AudioFormat?) -> UInt64 {
        guard let format, let type = sampleTypes.firstIndex(of: format.sampleType) else { return 0 }
        return UInt64(UInt32(clamping: format.sampleRate)) | UInt64(UInt16(clamping: format.channels)) << 32
            | UInt64(type + 1) << 48 | UInt64(UInt8(clamping: format.bitsPerSample)) << 56
    }

    private static func unpack(_ bits: UInt64) -> AudioFormat? {
        let type = Int(bits >> 48 & 0xFF)
        guard type > 0, type <= sampleTypes.count else { return nil }
        return AudioFormat(
            sampleRate: Int(bits & 0xFFFF_FFFF), channels: Int(bits >> 32 & 0xFFFF), sampleType: sampleTypes[type - 1],
            bitsPerSample: Int(bits >> 56))
    }

    /// The file extension, lower-cased, without the dot ("flac").
    public var fileExtension: String {
        guard let dot = uri.lastIndex(of: "."), !uri[dot...].contains("/") else { return "" }
        return uri[uri.index(after: dot)...].lowercased()
    }

    /// True for formats that keep every sample (FLAC, WAV, AIFF, ...).
    public var isLossless: Bool {
        ["flac", "wav", "wave", "aif", "aiff", "aifc", "alac", "ape", "wv", "caf", "w64"].contains(fileExtension)
    }
}

/// The tag values a song has in common with the rest of its album, as a rule. Songs share one object
/// (`Song.sharedTags`); it is changed only through `Song`'s fields, and only while a single song holds it, so no
/// thread can see it change.
public final class SharedSongTags: Hashable, @unchecked Sendable {
    public fileprivate(set) var album: String?
    public fileprivate(set) var albumArtist: String?
    public fileprivate(set) var disc: String?
    public fileprivate(set) var date: String?
    public fileprivate(set) var genre: String?
    public fileprivate(set) var composer: String?

    /// The tags of a song with none of them, shared by all such songs.
    public static let none = SharedSongTags()

    public init(
        album: String? = nil, albumArtist: String? = nil, disc: String? = nil, date: String? = nil,
        genre: String? = nil, composer: String? = nil
    ) {
        self.album = album
        self.albumArtist = albumArtist
        self.disc = disc
        self.date = date
        self.genre = genre
        self.composer = composer
    }

    /// A new object with the same values, each made by `share` (which may swap a value for an equal shared one).
    public func copy(sharing share: (String) -> String = { $0 }) -> SharedSongTags {
        SharedSongTags(
            album: album.map(share), albumArtist: albumArtist.map(share),
            disc: disc.map(share), date: date.map(share), genre: genre.map(share), composer: composer.map(share))
    }

    /// Equal values compare their UTF-8 bytes, as MPD compares tag values (String's `==` would also merge two
    /// spellings of one Unicode text).
    public static func == (left: SharedSongTags, right: SharedSongTags) -> Bool {
        if left === right { return true }
        func same(_ one: String?, _ other: String?) -> Bool { one.map(ByteKey.init) == other.map(ByteKey.init) }
        return same(left.album, right.album)
            && same(left.albumArtist, right.albumArtist) && same(left.disc, right.disc)
            && same(left.date, right.date) && same(left.genre, right.genre) && same(left.composer, right.composer)
    }

    public func hash(into hasher: inout Hasher) {
        for value in [album, albumArtist, disc, date, genre, composer] { hasher.combine(value.map(ByteKey.init)) }
    }
}

/// One tag value of a song beyond its named fields.
public struct SongTag: Sendable, Hashable {
    public var tag: TagType
    public var value: String

    public init(_ tag: TagType, _ value: String) {
        self.tag = tag
        self.value = value
    }
}

/// A file's ReplayGain values: gains in dB, peaks as linear sample values; NaN where the file has none. Read from
/// REPLAYGAIN_TRACK/ALBUM_GAIN/PEAK (Vorbis comments, ID3 TXXX, APE, MP4 freeform) and from Opus's R128_TRACK/ALBUM_GAIN
/// (Q7.8 dB relative to −23 LUFS, moved to ReplayGain's −18 LUFS reference by adding 5 dB). Four floats: 16 bytes a
/// song, so that 100,000 songs carry them for 1.6 MB.
public struct ReplayGain: Sendable, Hashable {
    public var trackGain = Float.nan
    public var trackPeak = Float.nan
    public var albumGain = Float.nan
    public var albumPeak = Float.nan

    public init() {}

    /// Whether the file has any of the values.
    public var isEmpty: Bool { trackGain.isNaN && trackPeak.isNaN && albumGain.isNaN && albumPeak.isNaN }

    /// Whether `key` may name a ReplayGain value (REPLAYGAIN_*, R128_*, any case): a reader calls `take` only then.
    public static func isKey(_ key: String) -> Bool {
        let upper = key.uppercased()
        return upper.hasPrefix("REPLAYGAIN_") || upper.hasPrefix("R128_")
    }

    /// Takes the value of a tag key that holds one (any case); false for other keys. A value that is not a number
    /// is ignored, as MPD ignores it.
    public mutating func take(_ key: String, _ value: String) -> Bool {
        switch key.uppercased() {
        case "REPLAYGAIN_TRACK_GAIN": trackGain = ReplayGain.number(value) ?? trackGain
        case "REPLAYGAIN_TRACK_PEAK": trackPeak = ReplayGain.number(value) ?? trackPeak
        case "REPLAYGAIN_ALBUM_GAIN": albumGain = ReplayGain.number(value) ?? albumGain
        case "REPLAYGAIN_ALBUM_PEAK": albumPeak = ReplayGain.number(value) ?? albumPeak
        case "R128_TRACK_GAIN": trackGain = ReplayGain.r128(value) ?? trackGain
        case "R128_ALBUM_GAIN": albumGain = ReplayGain.r128(value) ?? albumGain
        default: return false
        }
        return true
    }

    /// The number a value starts with ("-6.52 dB" is -6.52); nil when it starts with none.
    static func number(_ text: String) -> Float? {
        let trimmed = text.drop { $0 == " " }
        let numeric = trimmed.prefix { $0.isASCII && ($0.isNumber || "+-.eE".contains($0)) }
        return Float(numeric).flatMap { $0.isFinite ? $0 : nil }
    }

    private static func r128(_ text: String) -> Float? {
        Int(text.drop { $0 == " " }.prefix { $0 != " " }).map { Float($0) / 256 + 5 }
    }

    // NaN means "absent": two absent values are equal.
    public static func == (left: ReplayGain, right: ReplayGain) -> Bool {
        left.bits == right.bits
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(bits.0)
        hasher.combine(bits.1)
        hasher.combine(bits.2)
        hasher.combine(bits.3)
    }

    private var bits: (UInt32, UInt32, UInt32, UInt32) {
        func canonical(_ value: Float) -> UInt32 { value.isNaN ? Float.nan.bitPattern : value.bitPattern }
        return (canonical(trackGain), canonical(trackPeak), canonical(albumGain), canonical(albumPeak))
    }
}

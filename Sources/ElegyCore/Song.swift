/// One file of the music library, as the scanner indexed it.
public struct Song: Sendable, Hashable, Codable {
    /// Path relative to `music_directory`, as MPD spells URIs.
    public var uri: String
    public var title: String?
    public var artist: String?
    public var album: String?
    public var albumArtist: String?
    public var track: String?
    public var disc: String?
    public var date: String?
    public var genre: String?
    public var composer: String?
    /// Every other tag value, in the file's order: tags without a field above (Performer, the MusicBrainz IDs, ...)
    /// and the second and later values of multi-valued ones (two ARTIST comments). Empty for most songs.
    public var otherTags: [SongTag]
    /// Length in seconds, if known.
    public var duration: Double?
    public var format: AudioFormat?
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
        self.album = album
        self.albumArtist = albumArtist
        self.track = track
        self.disc = disc
        self.date = date
        self.genre = genre
        self.composer = composer
        self.otherTags = otherTags
        self.duration = duration
        self.format = format
        self.size = size
        self.modified = modified
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

/// One tag value of a song beyond its named fields.
public struct SongTag: Sendable, Hashable, Codable {
    public var tag: TagType
    public var value: String

    public init(_ tag: TagType, _ value: String) {
        self.tag = tag
        self.value = value
    }
}

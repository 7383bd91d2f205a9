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
    /// Length in seconds, if known.
    public var duration: Double?
    public var format: AudioFormat?
    /// File size in bytes and modification time (Unix seconds): a rescan re-reads only changed files.
    public var size: Int64
    public var modified: Int64

    public init(
        uri: String, title: String? = nil, artist: String? = nil, album: String? = nil,
        albumArtist: String? = nil, track: String? = nil, disc: String? = nil, date: String? = nil,
        genre: String? = nil, composer: String? = nil, duration: Double? = nil, format: AudioFormat? = nil,
        size: Int64 = 0, modified: Int64 = 0
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
        self.duration = duration
        self.format = format
        self.size = size
        self.modified = modified
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

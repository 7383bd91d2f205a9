/// Where a song sits in its show.
public enum SongRole: String, Sendable, Hashable, Codable, CaseIterable {
    case opening, ending, insert, ost, theme
}

/// A song named by a curated playlist: who and what it is, not where the file is.
public struct CuratedSong: Sendable, Hashable, Codable {
    public var title: String
    /// Other spellings of the title: romaji, English, Japanese script.
    public var aliases: [String]
    public var artist: String
    public var anime: String
    public var role: SongRole
    /// Mood names (keys of moods.toml) this song belongs to.
    public var moods: [String]
    /// One line in our own words.
    public var note: String
    /// The recording wanted when several exist: "original", "full", "tv-size", "short", "live", "acoustic",
    /// "piano", "orchestral", "remix", "instrumental", or any other words of a version label ("10 years after").
    public var version: String?
    /// Who sings the wanted recording, when that is not (only) `artist`: files by this performer are preferred.
    public var performer: String?

    public init(
        title: String, aliases: [String] = [], artist: String, anime: String, role: SongRole,
        moods: [String], note: String = "", version: String? = nil, performer: String? = nil
    ) {
        self.title = title
        self.aliases = aliases
        self.artist = artist
        self.anime = anime
        self.role = role
        self.moods = moods
        self.note = note
        self.version = version
        self.performer = performer
    }
}

/// One curated list (`Playlists/NAME.toml`).
public struct CuratedPlaylist: Sendable, Hashable, Codable {
    /// The file stem; what `load NAME` and `listplaylists` use.
    public var name: String
    public var title: String
    public var description: String
    /// Title of the article the list is drawn from.
    public var source: String
    public var songs: [CuratedSong]

    public init(name: String, title: String, description: String, source: String, songs: [CuratedSong]) {
        self.name = name
        self.title = title
        self.description = description
        self.source = source
        self.songs = songs
    }
}

/// A named mood (`Playlists/moods.toml`): which curated songs it takes and how it plays them.
public struct Mood: Sendable, Hashable, Codable {
    public enum Order: String, Sendable, Hashable, Codable { case curated, shuffle }

    public var name: String
    public var description: String
    /// A song qualifies if any of its moods is in `include` and none is in `exclude`.
    public var include: [String]
    public var exclude: [String]
    public var order: Order
    /// Volume 0–100 to set when the mood starts, if any.
    public var volume: Int?
    /// Sleep timer in seconds to arm when the mood starts, if any.
    public var sleepSeconds: Int?

    public init(
        name: String, description: String, include: [String], exclude: [String] = [], order: Order = .curated,
        volume: Int? = nil, sleepSeconds: Int? = nil
    ) {
        self.name = name
        self.description = description
        self.include = include
        self.exclude = exclude
        self.order = order
        self.volume = volume
        self.sleepSeconds = sleepSeconds
    }

    /// Whether a song with these mood tags belongs to this mood.
    public func admits(_ tags: [String]) -> Bool {
        tags.contains(where: include.contains) && !tags.contains(where: exclude.contains)
    }
}

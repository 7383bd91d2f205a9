#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import TOMLKit

/// A problem in a curated-playlist or mood file, located as precisely as we can: file, line, key.
public struct CatalogError: Error, CustomStringConvertible, Equatable {
    /// The file as given (a path or just a name); `description` shows only its last component.
    public var file: String
    public var line: Int?
    /// The key at fault, dotted: `rain.volume`, `songs[3].title` (songs counted from 1, as in the file).
    public var key: String?
    public var message: String

    public init(file: String, line: Int? = nil, key: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    /// `moods.toml:7: rain.volume: expected an integer 0-100`, leaving out the parts that are unknown.
    public var description: String {
        var text = file.split(separator: "/").last.map(String.init) ?? file
        if let line { text += ":\(line)" }
        if let key { text += ": \(key)" }
        return text + ": " + message
    }
}

/// All curated playlists and moods, as loaded from the shipped directory and the user's overrides.
public struct CuratedCatalog: Sendable {
    /// Sorted by name.
    public var playlists: [CuratedPlaylist]
    /// Sorted by name.
    public var moods: [Mood]

    public init(playlists: [CuratedPlaylist], moods: [Mood]) {
        self.playlists = playlists
        self.moods = moods
    }

    // MARK: - Lookup

    public func playlist(named name: String) -> CuratedPlaylist? {
        playlists.first { $0.name == name }
    }

    public func mood(named name: String) -> Mood? {
        moods.first { $0.name == name }
    }

    /// The songs `mood` admits, across playlists in name order and in each playlist's curated order, each
    /// song once (same title and artist, ignoring case and surrounding space). Shuffling is the queue's job.
    public func songs(for mood: Mood) -> [CuratedSong] {
        var seen = Set<String>()
        var result: [CuratedSong] = []
        for playlist in playlists {
            for song in playlist.songs where mood.admits(song.moods) {
                if seen.insert(Self.identity(of: song)).inserted { result.append(song) }
            }
        }
        return result
    }

    /// Human-readable problems with the catalog's content; empty when every song has a title, artist, show
    /// and at least one mood, every mood a song names exists, no list repeats a song, and every mood admits
    /// at least one song.
    public func validationProblems() -> [String] {
        var problems: [String] = []
        let moodNames = Set(moods.map(\.name))
        for playlist in playlists {
            if playlist.songs.isEmpty { problems.append("\(playlist.name): has no songs") }
            var firstIndex: [String: Int] = [:]
            for (offset, song) in playlist.songs.enumerated() {
                let label = "\(playlist.name): song \(offset + 1) (\"\(song.title)\")"
                for (field, value) in [("title", song.title), ("artist", song.artist), ("anime", song.anime)]
                where DurationText.trimmed(value).isEmpty {
                    problems.append("\(label): empty \(field)")
                }
                if song.moods.isEmpty { problems.append("\(label): has no moods") }
                for tag in song.moods where !moodNames.contains(tag) {
                    problems.append("\(label): mood \"\(tag)\" is not defined in moods.toml")
                }
                let identity = Self.identity(of: song)
                if let earlier = firstIndex[identity] {
                    problems.append("\(label): repeats song \(earlier + 1) (same title and artist)")
                } else {
                    firstIndex[identity] = offset
                }
            }
        }
        for mood in moods where songs(for: mood).isEmpty {
            problems.append("mood \"\(mood.name)\": admits no song")
        }
        return problems
    }

    /// The key songs are deduplicated by: lowercased, trimmed title and artist.
    static func identity(of song: CuratedSong) -> String {
        DurationText.trimmed(song.title).lowercased() + "\u{1F}" + DurationText.trimmed(song.artist).lowercased()
    }

    // MARK: - Loading

    /// One catalog file's text, as read by the caller (Core reads no files).
    public struct SourceFile: Sendable {
        /// The path, for error messages.
        public var path: String
        /// The text of the file.
        public var text: String

        public init(path: String, text: String) {
            self.path = path
            self.text = text
        }
    }

    /// Whether a directory entry is a catalog file: `*.toml`, not hidden.
    public static func isCatalogFile(named name: String) -> Bool {
        name.hasSuffix(".toml") && !name.hasPrefix(".")
    }

    /// Parses catalog files in order: `moods.toml` as moods, any other file as the playlist named by its stem. A
    /// later file's playlist or mood replaces an earlier one of the same name (user overrides come last).
    public static func parse(files: [SourceFile]) throws(CatalogError) -> CuratedCatalog {
        var playlists: [String: CuratedPlaylist] = [:]
        var moods: [String: Mood] = [:]
        for file in files {
            let entry = file.path.split(separator: "/").last.map(String.init) ?? file.path
            if entry == "moods.toml" {
                for mood in try parseMoods(toml: file.text, file: file.path) { moods[mood.name] = mood }
            } else {
                let name = entry.hasSuffix(".toml") ? String(entry.dropLast(".toml".count)) : entry
                playlists[name] = try parsePlaylist(name: name, toml: file.text, file: file.path)
            }
        }
        return CuratedCatalog(
            playlists: playlists.values.sorted { $0.name < $1.name },
            moods: moods.values.sorted { $0.name < $1.name }
        )
    }

    /// Parses one playlist file. Top-level keys: `title` (defaults to `name`), `description`, `source`,
    /// `moods` (default moods for songs that name none) and `[[songs]]`; unknown keys are errors.
    public static func parsePlaylist(name: String, toml: String, file: String) throws(CatalogError)
        -> CuratedPlaylist
    {
        let reader = CatalogTOMLReader(file: file, source: toml)
        let root = try reader.parse()
        let top = CatalogTOMLReader.Place(table: root, path: [], arrayIndex: nil, keyPrefix: "")
        try reader.rejectUnknownKeys(in: top, allowed: ["title", "description", "source", "moods", "songs"])
        let title = try reader.string(top, "title") ?? name
        let description = try reader.string(top, "description") ?? ""
        let source = try reader.string(top, "source") ?? ""
        let defaultMoods = try reader.strings(top, "moods") ?? []

        var songs: [CuratedSong] = []
        if let value = root["songs"] {
            guard let array = value.array else {
                throw reader.error(at: top, "songs", "expected an array of tables ([[songs]]), found \(value.type)")
            }
            for index in 0..<array.count {
                let keyPrefix = "songs[\(index + 1)]."
                guard let table = array[index].table else {
                    throw reader.error(
                        at: top, "songs", "expected an array of tables ([[songs]]), found \(array[index].type)")
                }
                let place = CatalogTOMLReader.Place(table: table, path: ["songs"], arrayIndex: index, keyPrefix: keyPrefix)
                songs.append(try reader.song(at: place, defaultMoods: defaultMoods))
            }
        }
        return CuratedPlaylist(name: name, title: title, description: description, source: source, songs: songs)
    }

    /// Parses `moods.toml`: one table per mood, keyed by its name, with `description`, `include` (defaults
    /// to the mood's own name), `exclude`, `order` (`curated` or `shuffle`), `volume` (0–100) and `sleep`
    /// (a duration such as "45m", or seconds). Returns the moods sorted by name.
    public static func parseMoods(toml: String, file: String) throws(CatalogError) -> [Mood] {
        let reader = CatalogTOMLReader(file: file, source: toml)
        let root = try reader.parse()
        let top = CatalogTOMLReader.Place(table: root, path: [], arrayIndex: nil, keyPrefix: "")
        var moods: [Mood] = []
        for name in root.keys.sorted() {
            guard let table = root[name]?.table else {
                throw reader.error(at: top, name, "expected a table ([\(name)]) describing the mood")
            }
            let place = CatalogTOMLReader.Place(table: table, path: [name], arrayIndex: nil, keyPrefix: name + ".")
            try reader.rejectUnknownKeys(
                in: place, allowed: ["description", "include", "exclude", "order", "volume", "sleep"])
            let description = try reader.string(place, "description") ?? ""
            let include = try reader.strings(place, "include") ?? [name]
            let exclude = try reader.strings(place, "exclude") ?? []
            var order = Mood.Order.curated
            if let text = try reader.string(place, "order") {
                guard let parsed = Mood.Order(rawValue: text) else {
                    throw reader.error(at: place, "order", "expected \"curated\" or \"shuffle\", found \"\(text)\"")
                }
                order = parsed
            }
            var volume: Int? = nil
            if let value = table["volume"] {
                guard let number = value.int, (0...100).contains(number) else {
                    throw reader.error(at: place, "volume", "expected an integer 0-100")
                }
                volume = number
            }
            var sleep: Int? = nil
            if let value = table["sleep"] {
                if let number = value.int, number >= 0 {
                    sleep = number
                } else if let text = value.string, let seconds = DurationText.parse(text) {
                    sleep = seconds
                } else {
                    throw reader.error(
                        at: place, "sleep", "expected a duration such as \"90s\", \"30m\", \"1h30m\" or a number of seconds")
                }
            }
            moods.append(
                Mood(
                    name: name, description: description, include: include, exclude: exclude, order: order,
                    volume: volume, sleepSeconds: sleep))
        }
        return moods
    }
}

/// Typed access to a parsed TOML document that turns every mismatch into a located `CatalogError`.
struct CatalogTOMLReader {
    var file: String
    var source: String

    /// A table inside the document and how to name and find it.
    struct Place {
        var table: TOMLTable
        var path: [String]
        var arrayIndex: Int?
        var keyPrefix: String
    }

    func parse() throws(CatalogError) -> TOMLTable {
        do {
            return try TOMLTable(string: source)
        } catch let error as TOMLParseError {
            throw CatalogError(file: file, line: error.source.begin.line, message: error.description)
        } catch {
            throw CatalogError(file: file, message: "\(error)")
        }
    }

    /// An error about `key` in `place`, on the key's line if it is written there, else the table's line.
    func error(at place: Place, _ key: String, _ message: String) -> CatalogError {
        let line =
            TOMLSourceLines.line(of: key, inTable: place.path, arrayIndex: place.arrayIndex, in: source)
            ?? tableLine(place)
        return CatalogError(file: file, line: line, key: place.keyPrefix + key, message: message)
    }

    func tableLine(_ place: Place) -> Int? {
        place.path.isEmpty
            ? nil : TOMLSourceLines.line(ofTable: place.path, arrayIndex: place.arrayIndex, in: source)
    }

    func rejectUnknownKeys(in place: Place, allowed: Set<String>) throws(CatalogError) {
        for key in place.table.keys.sorted() where !allowed.contains(key) {
            throw error(at: place, key, "unknown key (expected one of: \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    /// The string at `key`, nil if absent; an error if it is something else.
    func string(_ place: Place, _ key: String) throws(CatalogError) -> String? {
        guard let value = place.table[key] else { return nil }
        guard let text = value.string else { throw error(at: place, key, "expected a string, found \(value.type)") }
        return text
    }

    /// The string at `key`; an error if it is absent, empty or not a string.
    func requiredString(_ place: Place, _ key: String) throws(CatalogError) -> String {
        guard let text = try string(place, key) else {
            throw CatalogError(
                file: file, line: tableLine(place), key: place.keyPrefix + key, message: "missing required key")
        }
        guard !DurationText.trimmed(text).isEmpty else { throw error(at: place, key, "must not be empty") }
        return text
    }

    /// The array of strings at `key`, nil if absent; an error if it is anything else.
    func strings(_ place: Place, _ key: String) throws(CatalogError) -> [String]? {
        guard let value = place.table[key] else { return nil }
        guard let array = value.array else {
            throw error(at: place, key, "expected an array of strings, found \(value.type)")
        }
        var result: [String] = []
        for element in array {
            guard let text = element.string else {
                throw error(at: place, key, "expected an array of strings, found an element of type \(element.type)")
            }
            result.append(text)
        }
        return result
    }

    func song(at place: Place, defaultMoods: [String]) throws(CatalogError) -> CuratedSong {
        try rejectUnknownKeys(
            in: place,
            allowed: ["title", "aliases", "artist", "anime", "role", "moods", "note", "version", "performer"])
        let title = try requiredString(place, "title")
        let artist = try requiredString(place, "artist")
        let anime = try requiredString(place, "anime")
        let roleText = try requiredString(place, "role")
        guard let role = SongRole(rawValue: roleText) else {
            let known = SongRole.allCases.map(\.rawValue).joined(separator: ", ")
            throw error(at: place, "role", "unknown role \"\(roleText)\" (expected one of: \(known))")
        }
        return CuratedSong(
            title: title,
            aliases: try strings(place, "aliases") ?? [],
            artist: artist,
            anime: anime,
            role: role,
            moods: try strings(place, "moods") ?? defaultMoods,
            note: try string(place, "note") ?? "",
            version: try optionalNonEmptyString(place, "version"),
            performer: try optionalNonEmptyString(place, "performer")
        )
    }

    /// The string at `key`, nil if absent; an error if it is empty or not a string.
    func optionalNonEmptyString(_ place: Place, _ key: String) throws(CatalogError) -> String? {
        guard let text = try string(place, key) else { return nil }
        guard !DurationText.trimmed(text).isEmpty else { throw error(at: place, key, "must not be empty") }
        return DurationText.trimmed(text)
    }
}

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import ElegySystem
import TOMLKit

/// The daemon's settings from `elegy.toml`, with every key that is not written at its default.
public struct ElegyConfig: Sendable, Equatable {
    /// How volume is applied: scaled in software, or not at all (the device's own level stays as it is).
    public enum Mixer: String, Sendable, Equatable, CaseIterable {
        case software
        /// Written `"none"` in the file; named so that it never reads as `Optional.none`.
        case disabled = "none"
    }

    /// The range `max_connections` must lie in.
    public static let maxConnectionsRange = 1...1024
    /// The range `connection_timeout` (seconds) must lie in.
    public static let connectionTimeoutRange = 1...86_400

    /// Absolute path of the music library (`music_directory`, `~` expanded).
    public var musicDirectory: String
    /// ALSA device name (`output.device`).
    public var outputDevice: String
    /// `output.mixer`.
    public var mixer: Mixer
    /// How much audio ALSA holds, in milliseconds (`output.buffer_time`, MPD's ALSA option but in ms).
    public var bufferMilliseconds = 250
    /// The `buffer_time` values accepted: below 20 ms no machine keeps up, above 10 s commands lag.
    public static let bufferTimeRange = 20...10_000
    /// Extra curated-playlist directories (`playlists`), loaded after the built-in one so they override it.
    public var playlistDirectories: [String]
    /// Whether a restored session starts paused (`restore_paused`); false resumes playing.
    public var restorePaused: Bool
    /// Most client connections served at once (`max_connections`).
    public var maxConnections: Int
    /// Seconds of silence after which a client is disconnected, unless it waits in `idle` (`connection_timeout`,
    /// MPD's option and default).
    public var connectionTimeout: Int = 60
    /// Most KiB one answer may hold (`max_output_buffer_size`, MPD's option and unit). `listallinfo` of the
    /// benchmark's 100,000 songs is 29 MB, so MPD's default of 8 MiB refuses it from about 29,000 songs on; this
    /// one holds it up to about 450,000.
    public var maxOutputBufferKiB = ElegyConfig.defaultMaxOutputBytes / 1024
    /// `maxOutputBufferKiB`'s default in bytes, for daemons started without a config.
    public static let defaultMaxOutputBytes = 131_072 * 1024
    /// The `max_output_buffer_size` values accepted (KiB): 64 KiB to 4 GiB.
    public static let maxOutputBufferRange = 64...4_194_304
    /// Follow the music directory with inotify (`auto_update`, MPD's option; on by default).
    public var autoUpdate = true
    /// Socket path override (`socket`); nil means `$XDG_RUNTIME_DIR/elegy/socket`.
    public var socketPath: String?
    /// Song title → file path relative to `musicDirectory` (`[pins]`), for curated songs the library
    /// cannot match on its own.
    public var pins: [String: String]
    /// User moods (`[moods.NAME]`), sorted by name; they replace curated moods of the same name.
    public var moods: [Mood]

    public init(
        musicDirectory: String, outputDevice: String = "default", mixer: Mixer = .software,
        playlistDirectories: [String] = [], restorePaused: Bool = true, maxConnections: Int = 256,
        socketPath: String? = nil, pins: [String: String] = [:], moods: [Mood] = []
    ) {
        self.musicDirectory = musicDirectory
        self.outputDevice = outputDevice
        self.mixer = mixer
        self.playlistDirectories = playlistDirectories
        self.restorePaused = restorePaused
        self.maxConnections = maxConnections
        self.socketPath = socketPath
        self.pins = pins
        self.moods = moods
    }

    /// The settings used when no config file exists: music in `$XDG_MUSIC_DIR`, else `~/Music`.
    public static func defaults(paths: Paths) -> ElegyConfig {
        ElegyConfig(musicDirectory: paths.musicDirectory)
    }

    // MARK: - Parsing

    /// Parses config text. Type and value errors name `file`, the line and the dotted key
    /// (`elegy.toml:7: output.device: expected a string`); unknown keys come back as warnings in the same form.
    public static func parse(toml: String, file: String, paths: Paths) throws(CatalogError)
        -> (ElegyConfig, warnings: [String])
    {
        var reader = ConfigReader(base: CatalogTOMLReader(file: file, source: toml))
        let root = try reader.base.parse()
        var config = defaults(paths: paths)
        let top = CatalogTOMLReader.Place(table: root, path: [], arrayIndex: nil, keyPrefix: "")
        reader.warnUnknownKeys(
            in: top,
            allowed: [
                "music_directory", "output", "playlists", "restore_paused", "max_connections", "connection_timeout",
                "socket", "pins", "moods", "auto_update", "max_output_buffer_size",
            ])

        if let text = try reader.path(top, "music_directory", paths: paths) { config.musicDirectory = text }
        if let directories = try reader.strings(top, "playlists") {
            config.playlistDirectories = []
            for directory in directories {
                guard let expanded = Paths.absolute(paths.expandingTilde(directory)) else {
                    throw reader.error(top, "playlists", Self.pathMessage)
                }
                config.playlistDirectories.append(expanded)
            }
        }
        if let flag = try reader.bool(top, "restore_paused") { config.restorePaused = flag }
        if let flag = try reader.bool(top, "auto_update") { config.autoUpdate = flag }
        if let number = try reader.integer(top, "max_connections", in: maxConnectionsRange, "an integer") {
            config.maxConnections = number
        }
        if let seconds = try reader.integer(top, "connection_timeout", in: connectionTimeoutRange, "seconds, an integer")
        {
            config.connectionTimeout = seconds
        }
        if let kibibytes = try reader.integer(
            top, "max_output_buffer_size", in: maxOutputBufferRange, "KiB, an integer")
        {
            config.maxOutputBufferKiB = kibibytes
        }
        config.socketPath = try reader.path(top, "socket", paths: paths)

        if let output = try reader.table(top, "output") {
            reader.warnUnknownKeys(in: output, allowed: ["device", "mixer", "buffer_time"])
            if let device = try reader.nonEmptyString(output, "device") { config.outputDevice = device }
            if let milliseconds = try reader.integer(
                output, "buffer_time", in: bufferTimeRange, "milliseconds, an integer")
            {
                config.bufferMilliseconds = milliseconds
            }
            if let text = try reader.string(output, "mixer") {
                guard let mixer = Mixer(rawValue: text) else {
                    throw reader.error(output, "mixer", "expected \"software\" or \"none\", found \"\(text)\"")
                }
                config.mixer = mixer
            }
        }

        if let pins = try reader.table(top, "pins") {
            for title in pins.table.keys.sorted() {
                guard let target = try reader.nonEmptyString(pins, title) else { continue }
                guard !target.hasPrefix("/") else {
                    throw reader.error(pins, title, "expected a path relative to music_directory")
                }
                config.pins[title] = target
            }
        }

        if let moods = try reader.table(top, "moods") {
            for name in moods.table.keys.sorted() {
                guard let place = try reader.table(moods, name) else { continue }
                config.moods.append(try reader.mood(named: name, at: place))
            }
        }
        return (config, reader.warnings)
    }

    static let pathMessage = "expected an absolute path or one starting with ~/"
}

/// Typed access to the config document: wrong types are located errors, unknown keys become warnings.
private struct ConfigReader {
    var base: CatalogTOMLReader
    var warnings: [String] = []

    /// Records a warning for every key of `place` not in `allowed`.
    mutating func warnUnknownKeys(in place: CatalogTOMLReader.Place, allowed: Set<String>) {
        for key in place.table.keys.sorted() where !allowed.contains(key) {
            let located = base.error(at: place, key, "unknown key, ignored")
            warnings.append(
                CatalogError(
                    file: located.file, line: located.line, key: place.keyPrefix + Self.quoted(key),
                    message: located.message
                ).description)
        }
    }

    func string(_ place: CatalogTOMLReader.Place, _ key: String) throws(CatalogError) -> String? {
        guard let value = place.table[key] else { return nil }
        guard let text = value.string else { throw error(place, key, "expected a string") }
        return text
    }

    func nonEmptyString(_ place: CatalogTOMLReader.Place, _ key: String) throws(CatalogError) -> String? {
        guard let text = try string(place, key) else { return nil }
        guard !DurationText.trimmed(text).isEmpty else { throw error(place, key, "must not be empty") }
        return text
    }

    /// An absolute path or one starting with `~/`, expanded.
    func path(_ place: CatalogTOMLReader.Place, _ key: String, paths: Paths) throws(CatalogError) -> String? {
        guard let text = try string(place, key) else { return nil }
        guard let path = Paths.absolute(paths.expandingTilde(text)) else {
            throw error(place, key, ElegyConfig.pathMessage)
        }
        return path
    }

    /// An integer within `range`; the error reads "expected <what> <low>-<high>".
    func integer(_ place: CatalogTOMLReader.Place, _ key: String, in range: ClosedRange<Int>, _ what: String)
        throws(CatalogError) -> Int?
    {
        guard let value = place.table[key] else { return nil }
        guard let number = value.int, range.contains(number) else {
            throw error(place, key, "expected \(what) \(range.lowerBound)-\(range.upperBound)")
        }
        return number
    }

    func bool(_ place: CatalogTOMLReader.Place, _ key: String) throws(CatalogError) -> Bool? {
        guard let value = place.table[key] else { return nil }
        guard let flag = value.bool else { throw error(place, key, "expected true or false") }
        return flag
    }

    func strings(_ place: CatalogTOMLReader.Place, _ key: String) throws(CatalogError) -> [String]? {
        guard let value = place.table[key] else { return nil }
        guard let array = value.array else { throw error(place, key, "expected an array of strings") }
        var result: [String] = []
        for element in array {
            guard let text = element.string else { throw error(place, key, "expected an array of strings") }
            result.append(text)
        }
        return result
    }

    /// The sub-table at `key`, nil if absent; an error if `key` holds anything else.
    func table(_ place: CatalogTOMLReader.Place, _ key: String) throws(CatalogError) -> CatalogTOMLReader.Place? {
        guard let value = place.table[key] else { return nil }
        guard let table = value.table else { throw error(place, key, "expected a table") }
        return CatalogTOMLReader.Place(
            table: table, path: place.path + [key], arrayIndex: nil,
            keyPrefix: place.keyPrefix + Self.quoted(key) + ".")
    }

    /// One `[moods.NAME]` table, with the schema and messages of `Playlists/moods.toml`.
    mutating func mood(named name: String, at place: CatalogTOMLReader.Place) throws(CatalogError) -> Mood {
        warnUnknownKeys(in: place, allowed: ["description", "include", "exclude", "order", "volume", "sleep"])
        let description = try string(place, "description") ?? ""
        let include = try strings(place, "include") ?? [name]
        let exclude = try strings(place, "exclude") ?? []
        var order = Mood.Order.curated
        if let text = try string(place, "order") {
            guard let parsed = Mood.Order(rawValue: text) else {
                throw error(place, "order", "expected \"curated\" or \"shuffle\", found \"\(text)\"")
            }
            order = parsed
        }
        var volume: Int? = nil
        if let value = place.table["volume"] {
            guard let number = value.int, (0...100).contains(number) else {
                throw error(place, "volume", "expected an integer 0-100")
            }
            volume = number
        }
        var sleep: Int? = nil
        if let value = place.table["sleep"] {
            if let number = value.int, number >= 0 {
                sleep = number
            } else if let text = value.string, let seconds = DurationText.parse(text) {
                sleep = seconds
            } else {
                throw error(
                    place, "sleep", "expected a duration such as \"90s\", \"30m\", \"1h30m\" or a number of seconds")
            }
        }
        return Mood(
            name: name, description: description, include: include, exclude: exclude, order: order, volume: volume,
            sleepSeconds: sleep)
    }

    /// A located error whose key is quoted where TOML would need quotes (`pins."Song title"`).
    func error(_ place: CatalogTOMLReader.Place, _ key: String, _ message: String) -> CatalogError {
        var located = base.error(at: place, key, message)
        located.key = place.keyPrefix + Self.quoted(key)
        return located
    }

    /// `key` as written bare in TOML if it can be, else in double quotes.
    static func quoted(_ key: String) -> String {
        let bare = !key.isEmpty && key.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar == "_" || scalar == "-" || scalar.properties.isAlphabetic
                || ("0"..."9").contains(scalar))
        }
        return bare ? key : "\"" + key.replacing("\"", with: "\\\"") + "\""
    }
}

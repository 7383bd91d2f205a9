/// The daemon's `status` answer, typed.
struct Status: Equatable, Sendable {
    var record: Record

    init(_ pairs: [Pair]) {
        record = Record(pairs)
    }

    /// `play`, `pause` or `stop`.
    var state: String { record["state"] ?? "stop" }
    var volume: Int? { record["volume"].flatMap { Int($0) }.flatMap { $0 < 0 ? nil : $0 } }
    var repeatMode: Bool { record["repeat"] == "1" }
    var random: Bool { record["random"] == "1" }
    /// `on`, `off` or `oneshot`.
    var single: String { Status.mode(record["single"]) }
    /// `on`, `off` or `oneshot`.
    var consume: String { Status.mode(record["consume"]) }
    /// The current song's 0-based queue position.
    var song: Int? { record["song"].flatMap { Int($0) } }
    var queueLength: Int { record["playlistlength"].flatMap { Int($0) } ?? 0 }
    /// Seconds into the song: `elapsed`, else the first half of `time`.
    var elapsed: Double? {
        record["elapsed"].flatMap { Double($0) } ?? timeParts.map { Double($0.0) }
    }
    /// The song's length in seconds: `duration`, else the second half of `time`.
    var duration: Double? {
        record["duration"].flatMap { Double($0) } ?? timeParts.map { Double($0.1) }
    }
    var error: String? { record["error"] }
    var updatingDB: Int? { record["updating_db"].flatMap { Int($0) } }
    /// Elegy extension: seconds until the sleep timer pauses playback.
    var sleep: Int? { record["elegy_sleep"].flatMap { Int($0) ?? Double($0).map { Int($0) } } }
    /// Elegy extension: the mood now playing.
    var mood: String? { record["elegy_mood"] }
    /// Elegy extension: times the output ran dry since the daemon started (absent when none).
    var underruns: Int { record["elegy_underruns"].flatMap { Int($0) } ?? 0 }
    /// Elegy extension: why the library does not follow the disk everywhere (absent when it does).
    var autoUpdateProblem: String? { record["elegy_auto_update"] }

    private var timeParts: (Int, Int)? {
        guard let time = record["time"] else { return nil }
        let parts = time.split(separator: ":")
        guard parts.count == 2, let elapsed = Int(parts[0]), let total = Int(parts[1]) else { return nil }
        return (elapsed, total)
    }

    private static func mode(_ value: String?) -> String {
        switch value {
        case "1": "on"
        case "oneshot": "oneshot"
        default: "off"
        }
    }
}

/// One song record (`currentsong`, `playlistinfo`, `search`), typed.
struct Song: Equatable, Sendable {
    var record: Record

    init(_ record: Record) {
        self.record = record
    }

    var file: String { record["file"] ?? "" }
    var title: String? { record["Title"] }
    var artist: String? { record["Artist"] }
    var album: String? { record["Album"] }
    var name: String? { record["Name"] }
    /// Seconds: `duration`, else `Time`.
    var duration: Double? { record["duration"].flatMap { Double($0) } ?? record["Time"].flatMap { Double($0) } }
    /// 0-based queue position, for queue entries.
    var position: Int? { record["Pos"].flatMap { Int($0) } }
    var id: Int? { record["Id"].flatMap { Int($0) } }

    /// What mpc shows: `Artist - Title`, `Title`, the stream name, or the file.
    var displayName: String {
        if let title, !title.isEmpty {
            if let artist, !artist.isEmpty { return "\(artist) - \(title)" }
            return title
        }
        if let name, !name.isEmpty { return name }
        return file
    }
}

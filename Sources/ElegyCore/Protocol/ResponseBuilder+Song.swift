extension ResponseBuilder {
    /// A song record in MPD's order: `file`, `Last-Modified`, `Format`, the enabled tags, `Time`, `duration`, and
    /// for queue entries `Pos` and `Id`. `file:` comes first because clients split records on it.
    public mutating func songRecord(_ song: Song, position: Int? = nil, id: Int? = nil, tagTypes: TagTypeSet = .all) {
        withUnsafePointer(to: song) { songRecord(at: $0, position: position, id: id, tagTypes: tagTypes) }
    }

    /// `songRecord` of a song read in place (a library walk lends songs through their array's buffer): a `Song`
    /// passed by value from another module is copied whole, every field retained and released.
    public mutating func songRecord(
        at song: UnsafePointer<Song>, position: Int? = nil, id: Int? = nil, tagTypes: TagTypeSet = .all
    ) {
        field("file", song.pointee.uri)
        if song.pointee.modified > 0 { field("Last-Modified", timestamp: song.pointee.modified) }
        if let format = song.pointee.format { field("Format", format: format) }
        // `supported` lists the tags with fields first; the others can only come from `otherTags`.
        let tags =
            song.pointee.otherTags.isEmpty ? TagType.supported.prefix(TagType.fieldOrder.count) : TagType.supported[...]
        for tag in tags where tagTypes.contains(tag) {
            tag.forEachValue(at: song) { value in if !value.isEmpty { field(tag.rawValue, value) } }
        }
        if let duration = song.pointee.duration, duration.isFinite, duration >= 0 {
            field("Time", ResponseBuilder.roundedSeconds(duration))
            field("duration", milliseconds: duration)
        }
        if let position { field("Pos", position) }
        if let id { field("Id", id) }
    }

    /// A queue entry's record (`Pos` and `Id` included).
    public mutating func queueRecord(_ entry: QueueEntry, position: Int, tagTypes: TagTypeSet = .all) {
        songRecord(entry.song, position: position, id: entry.id, tagTypes: tagTypes)
    }

    /// `cpos: N` and `Id: N`, one entry of `plchangesposid`.
    public mutating func positionAndID(position: Int, id: Int) {
        field("cpos", position)
        field("Id", id)
    }

    /// Whole seconds as MPD prints `Time:`: milliseconds rounded half up, then divided.
    public static func roundedSeconds(_ seconds: Double) -> Int64 {
        guard seconds.isFinite, seconds > 0, seconds < 9.0e15 else { return 0 }
        let milliseconds = Int64(seconds * 1000)
        return (milliseconds + 500) / 1000
    }
}

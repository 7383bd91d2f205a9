#if canImport(Glibc)
    import Glibc
#endif

/// MPD's tag names, in MPD's order (the order `tagtypes` lists them in).
public enum TagType: String, Sendable, Hashable, CaseIterable, Codable {
    case artist = "Artist"
    case artistSort = "ArtistSort"
    case album = "Album"
    case albumSort = "AlbumSort"
    case albumArtist = "AlbumArtist"
    case albumArtistSort = "AlbumArtistSort"
    case title = "Title"
    case track = "Track"
    case name = "Name"
    case genre = "Genre"
    case date = "Date"
    case originalDate = "OriginalDate"
    case composer = "Composer"
    case composerSort = "ComposerSort"
    case performer = "Performer"
    case conductor = "Conductor"
    case work = "Work"
    case movement = "Movement"
    case movementNumber = "MovementNumber"
    case ensemble = "Ensemble"
    case location = "Location"
    case grouping = "Grouping"
    case comment = "Comment"
    case disc = "Disc"
    case label = "Label"
    case musicBrainzArtistID = "MUSICBRAINZ_ARTISTID"
    case musicBrainzAlbumID = "MUSICBRAINZ_ALBUMID"
    case musicBrainzAlbumArtistID = "MUSICBRAINZ_ALBUMARTISTID"
    case musicBrainzTrackID = "MUSICBRAINZ_TRACKID"
    case musicBrainzReleaseTrackID = "MUSICBRAINZ_RELEASETRACKID"
    case musicBrainzWorkID = "MUSICBRAINZ_WORKID"

    /// The tags a `Song` carries, in the order song records print them: every MPD tag but `Name` (a stream's), the
    /// ones with a field of their own first.
    public static let supported: [TagType] = fieldOrder + TagType.allCases.filter { $0 != .name && !fieldTags.contains($0) }

    /// The tags with a field of their own in `Song`, in record order.
    static let fieldOrder: [TagType] = [.artist, .albumArtist, .title, .album, .track, .date, .genre, .disc, .composer]

    /// The tag a file's tag key stands for, as MPD maps it: Vorbis comment names and TagLib's unified property
    /// names (which TagLib derives from ID3 frames, MP4 atoms and APE items), ASCII case-insensitive. Nil for keys
    /// MPD ignores.
    public init?(fileKey key: String) {
        let upper = key.uppercased()
        if let tag = TagType.fileKeys[upper] {
            self = tag
        } else if let tag = TagType.byUpperName[upper], tag != .name {
            self = tag
        } else {
            return nil
        }
    }

    /// File keys whose spelling differs from MPD's tag name.
    private static let fileKeys: [String: TagType] = [
        "TRACKNUMBER": .track, "DISCNUMBER": .disc, "ALBUM ARTIST": .albumArtist, "DESCRIPTION": .comment,
        "MOVEMENTNAME": .movement, "CONTENTGROUP": .grouping, "ORIGINALYEAR": .originalDate,
    ]

    private static let byUpperName: [String: TagType] = Dictionary(
        uniqueKeysWithValues: TagType.allCases.map { ($0.rawValue.uppercased(), $0) })

    /// Parses a tag name case-insensitively (`artist`, `ALBUMARTIST`).
    public init?(name: String) {
        let lowered = name.lowercased()
        guard let match = TagType.allCases.first(where: { $0.rawValue.lowercased() == lowered }) else { return nil }
        self = match
    }

    /// This tag's first value in `song`, if it has one.
    public func value(in song: Song) -> String? {
        withUnsafePointer(to: song) { value(at: $0) }
    }

    /// `value(in:)` of a song read in place: only the one field is read, the song is not copied.
    func value(at song: UnsafePointer<Song>) -> String? {
        switch self {
        case .artist: song.pointee.artist
        case .albumArtist: song.pointee.albumArtist
        case .title: song.pointee.title
        case .album: song.pointee.album
        case .track: song.pointee.track
        case .date: song.pointee.date
        case .genre: song.pointee.genre
        case .disc: song.pointee.disc
        case .composer: song.pointee.composer
        default: song.pointee.otherTags.first { $0.tag == self }?.value
        }
    }

    /// Calls `body` with each of this tag's values in `song`, the first one first.
    public func forEachValue(in song: Song, _ body: (String) -> Void) {
        withUnsafePointer(to: song) { forEachValue(at: $0, body) }
    }

    /// `forEachValue(in:)` of a song read in place.
    func forEachValue(at song: UnsafePointer<Song>, _ body: (String) -> Void) {
        if let first = value(at: song) { body(first) }
        guard !song.pointee.otherTags.isEmpty else { return }
        var skippedFirst = hasField
        for other in song.pointee.otherTags where other.tag == self {
            // Tags without a field: `value(in:)` already gave the first of `otherTags`.
            if !skippedFirst {
                skippedFirst = true
                continue
            }
            body(other.value)
        }
    }

    /// Whether any of this tag's values in `song` passes `test`.
    public func anyValue(in song: Song, _ test: (String) -> Bool) -> Bool {
        if let first = value(in: song), test(first) { return true }
        return song.otherTags.contains { $0.tag == self && test($0.value) }
    }

    /// The tag MPD reads instead when a song lacks this one (`list` and `count … group`): the sort tags fall back to
    /// their tag, AlbumArtist to Artist.
    public var fallback: TagType? {
        switch self {
        case .albumArtist, .artistSort: .artist
        case .albumArtistSort: .albumArtist
        case .albumSort: .album
        case .composerSort: .composer
        default: nil
        }
    }

    /// Calls `body` once with each distinct value of `listValues(in:)`, without building an array for the usual
    /// song that has one value (`list` and `count … group` call it for every song of the library).
    public func forEachListValue(in song: Song, _ body: (String) -> Void) {
        withUnsafePointer(to: song) { forEachListValue(at: $0, body) }
    }

    /// `forEachListValue(in:)` of a song read in place (a song of an array, through its buffer): a `Song` passed
    /// by value across modules is copied whole, every field retained and released, and over 100,000 songs that
    /// copy was most of `list … group` (perf, 2026-12-07).
    public func forEachListValue(at song: UnsafePointer<Song>, _ body: (String) -> Void) {
        if let single = singleListValue(at: song) { return body(single) }
        var distinct: [String] = []
        for value in listValues(in: song.pointee) where !distinct.contains(value) {
            distinct.append(value)
            body(value)
        }
    }

    /// The one value `listValues(in:)` gives for `song`, read in place, when it gives exactly one (its own single
    /// value, else its fallback's, else ""); nil when the song has several, which `forEachListValue` then sorts out.
    public func singleListValue(at song: UnsafePointer<Song>) -> String? {
        var tag = self
        while true {
            if let first = tag.value(at: song) {
                // `Song.add` keeps no empty values; a song built by hand may hold one, and the slow path skips it.
                return first.isEmpty || tag.hasFurtherValues(at: song) ? nil : first
            }
            // No first value: a field tag may still have values in `otherTags` when a song was built by hand.
            if !song.pointee.otherTags.isEmpty, song.pointee.otherTags.contains(where: { $0.tag == tag }) { return nil }
            guard let next = tag.fallback else { return "" }
            tag = next
        }
    }

    /// Whether `song` has one list value of this tag and it has the bytes of `value`: `list` and `count` skip a song
    /// like the one before (songs sorted by URI come album by album), so that most songs cost no hashing.
    public func hasSingleListValue(_ value: String, at song: UnsafePointer<Song>) -> Bool {
        guard let own = singleListValue(at: song) else { return false }
        return own.hasSameBytes(as: value)
    }

    /// Whether `song` has a second value of this tag.
    private func hasFurtherValues(at song: UnsafePointer<Song>) -> Bool {
        guard !song.pointee.otherTags.isEmpty else { return false }
        var count = 0
        for other in song.pointee.otherTags where other.tag == self { count += 1 }
        return count > (hasField ? 0 : 1)
    }

    /// This tag's values in `song` as `list` groups them: its own, else its fallback's (`fallback`), else one
    /// empty value, which MPD lists too.
    public func listValues(in song: Song) -> [String] {
        var tag: TagType? = self
        while let current = tag {
            var values: [String] = []
            current.forEachValue(in: song) { if !$0.isEmpty { values.append($0) } }
            if !values.isEmpty { return values }
            tag = current.fallback
        }
        return [""]
    }

    /// The tags `Song` keeps in named fields.
    static let fieldTags: Set<TagType> = Set(fieldOrder)

    /// Whether `Song` keeps this tag in a named field (`fieldTags`, without hashing: `list` asks for every song).
    var hasField: Bool {
        switch self {
        case .artist, .albumArtist, .title, .album, .track, .date, .genre, .disc, .composer: true
        default: false
        }
    }

    var bit: UInt64 { 1 << UInt64(TagType.allCases.firstIndex(of: self) ?? 0) }
}

/// The tags one client wants in song records, changed with `tagtypes`.
public struct TagTypeSet: Sendable, Hashable {
    private var mask: UInt64

    public static let all = TagTypeSet(mask: TagType.allCases.reduce(0) { $0 | $1.bit })
    public static let none = TagTypeSet(mask: 0)

    private init(mask: UInt64) { self.mask = mask }

    public init(_ tags: some Sequence<TagType>) {
        mask = tags.reduce(0) { $0 | $1.bit }
    }

    public func contains(_ tag: TagType) -> Bool { mask & tag.bit != 0 }
    public mutating func insert(_ tag: TagType) { mask |= tag.bit }
    public mutating func remove(_ tag: TagType) { mask &= ~tag.bit }

    /// Enabled tags that Elegy can actually report, in MPD's order: what `tagtypes` lists.
    public var listed: [TagType] { TagType.allCases.filter { contains($0) && TagType.supported.contains($0) } }

    /// Handles the `tagtypes` command: no argument lists `tagtype: NAME`; `all`, `clear`, `enable NAME…`,
    /// `disable NAME…`, `reset NAME…` change the set; `available` lists every tag Elegy supports.
    /// Tag names are case-insensitive; an unknown one is `ACK [2@0] {tagtypes} Unknown tag type: X`.
    public mutating func handleTagTypes(_ arguments: [String], into response: inout ResponseBuilder)
        throws(ProtocolError)
    {
        guard let subcommand = arguments.first else {
            for tag in listed { response.field("tagtype", tag.rawValue) }
            return
        }
        let names = Array(arguments.dropFirst())
        switch subcommand {
        case "all", "clear", "available":
            guard names.isEmpty else { throw ProtocolError(.arg, "Too many arguments") }
            if subcommand == "all" { self = .all }
            if subcommand == "clear" { self = .none }
            if subcommand == "available" {
                for tag in TagType.supported.sorted(by: { $0.bit < $1.bit }) {
                    response.field("tagtype", tag.rawValue)
                }
            }
        case "enable", "disable", "reset":
            guard !names.isEmpty else { throw ProtocolError(.arg, "Not enough arguments") }
            var parsed = TagTypeSet.none
            for name in names {
                guard let tag = TagType(name: name) else { throw ProtocolError(.arg, "Unknown tag type: \(name)") }
                parsed.insert(tag)
            }
            switch subcommand {
            case "enable": mask |= parsed.mask
            case "disable": mask &= ~parsed.mask
            default: mask = parsed.mask
            }
        default:
            throw ProtocolError(.arg, "Unknown sub command")
        }
    }
}

extension String {
    /// Byte order of the UTF-8, as MPD's sorted maps order tag values; reads native strings' bytes in place.
    public func precedesInByteOrder(_ other: String) -> Bool {
        byteOrder(comparedTo: other) < 0
    }

    /// The first eight bytes of the UTF-8 as one big-endian number, zero-padded: two strings whose prefixes differ
    /// compare as their prefixes do in `byteOrder`; only equal prefixes need the bytes compared.
    public var byteOrderPrefix: UInt64 {
        var prefix: UInt64 = 0
        var taken = 0
        for byte in utf8 {
            prefix |= UInt64(byte) << (56 - 8 * UInt64(taken))
            taken += 1
            if taken == 8 { break }
        }
        return prefix
    }

    /// Whether the two strings hold the same UTF-8 bytes. Most tag values are interned, so the common equal case
    /// is two copies of one string, told by their representation alone, with no retain or byte compared.
    public func hasSameBytes(as other: String) -> Bool {
        // A String is two words; equal words are one shared storage, or one small string stored inline.
        if unsafeBitCast(self, to: (UInt64, UInt64).self) == unsafeBitCast(other, to: (UInt64, UInt64).self) {
            return true
        }
        return utf8.count == other.utf8.count && byteOrder(comparedTo: other) == 0
    }

    /// `memcmp` order of the two strings' UTF-8 (the shorter first on a shared prefix): negative when `self` comes
    /// first, zero when equal, positive after. Native strings are compared in place, without copying.
    public func byteOrder(comparedTo other: String) -> Int {
        let answer = utf8.withContiguousStorageIfAvailable { left in
            other.utf8.withContiguousStorageIfAvailable { right -> Int in
                let shared = Swift.min(left.count, right.count)
                // Interned tag values share their storage: the same bytes need no comparing.
                if left.baseAddress == right.baseAddress { return left.count - right.count }
                if shared > 0, let leftStart = left.baseAddress, let rightStart = right.baseAddress {
                    let order = memcmp(leftStart, rightStart, shared)
                    if order != 0 { return Int(order) }
                }
                return left.count - right.count
            }
        }
        if let answer, let answer { return answer }
        if utf8.elementsEqual(other.utf8) { return 0 }
        return utf8.lexicographicallyPrecedes(other.utf8) ? -1 : 1
    }
}

/// A string as a dictionary key by its UTF-8 bytes: equal only when the bytes are, hashed over the bytes, as MPD's
/// maps of tag values compare them. Swift's own String equality and hashing follow Unicode canonical equivalence:
/// each hash normalizes the string (a third of `list album group albumartist` over 100,000 songs, perf 2026-12-07),
/// and two spellings MPD keeps apart would be merged.
public struct ByteKey: Hashable, Sendable {
    public let string: String

    public init(_ string: String) { self.string = string }

    public static func == (left: ByteKey, right: ByteKey) -> Bool {
        left.string.byteOrder(comparedTo: right.string) == 0
    }

    public func hash(into hasher: inout Hasher) {
        var string = string
        string.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}

/// Sorting by the bytes of strings, as MPD's maps order tag values.
public enum ByteOrderSort {
    /// The indexes of `keys` in the byte order of the keys, equal keys in index order. Each key's first eight bytes
    /// are made one number once, so that most comparisons compare two integers (`list … group` sorts tens of
    /// thousands of values; comparing them byte by byte through `byteOrder` was a fifth of its time).
    public static func permutation(of keys: [String]) -> [Int] {
        let prefixes = keys.map(\.byteOrderPrefix)
        return keys.indices.sorted { left, right in
            if prefixes[left] != prefixes[right] { return prefixes[left] < prefixes[right] }
            let order = keys[left].byteOrder(comparedTo: keys[right])
            return order != 0 ? order < 0 : left < right
        }
    }
}

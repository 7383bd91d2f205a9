import Dispatch
import ElegyCore

#if canImport(Glibc)
    import Glibc
#endif

/// The on-disk index, a binary format read in one pass with no parsing: integers little-endian, strings a `UInt32`
/// byte count and their UTF-8 bytes. Format 7; formats up to 5 were text lines, whose decoding (escapes, numbers,
/// hashing each tag value to share it) took 100–160 ms of a 250 ms start for 100,000 songs. Format 6 is format 7's
/// layout with tags guessed from paths (Title, Artist, Album, Track of files without them) stored as if they were the
/// file's: refused, so that one scan after the upgrade drops them.
///
/// ```
/// "elegy-library 7\n"
/// root, updated (Int64), distinct artists and albums (UInt32 each, what `stats` counts)
/// directories: count, then (path, mtime Int64) each
/// tag names: count, then the MPD names the songs' extra tags refer to by position
/// shared values: count, then the strings; a song names its Artist … Composer by position + 1 (0: none)
/// songs: count, then the pieces: count, then (songs UInt32, bytes UInt64) each, then the pieces' songs
/// "elegy-end\n", the song count again
/// ```
/// A song is: URI, size (Int64), mtime (Int64), a flags byte (1 duration, 2 format, 4 ReplayGain), the duration
/// (Float64), the format (rate UInt32, channels UInt16, sample type UInt8, bits UInt8), the title (count + 1, 0 for
/// none), the eight shared values (UInt32 each), the extra tags (UInt16 count, then tag name UInt16 and value each),
/// the four ReplayGain values (Float32). Songs come sorted by URI, in pieces that the decoder reads on every
/// processor at once. Anything out of place (a count or length past the end, an unknown reference, songs out of
/// order) makes the whole file unusable, and the library is scanned again.
enum LibraryCache {
    static let magic = Array("elegy-library 7\n".utf8)
    private static let trailer = Array("elegy-end\n".utf8)
    /// Songs per piece: pieces small enough to share out evenly, large enough that their table stays small.
    static let songsPerPiece = 4096
    /// Fewer songs are read on one thread: starting threads would cost more than it saves.
    static let piecesFrom = 2000

    private enum Flag {
        static let duration: UInt8 = 1
        static let format: UInt8 = 2
        static let replayGain: UInt8 = 4
    }

    private static let sampleTypes: [AudioFormat.SampleType] = [.int16, .int32, .float32]

    /// The fields kept in the shared table, in file order (`readSong` reads them in the same order).
    private static func sharedValues(of song: Song) -> [String?] {
        [song.artist, song.album, song.albumArtist, song.track, song.disc, song.date, song.genre, song.composer]
    }

    // MARK: Encoding

    /// The cache file's bytes for `songs` (sorted by URI) of the library at `root`. `counts` are
    /// `LibraryIndex.distinctArtistsAndAlbums(songs)` when the caller has them.
    static func encode(
        root: String, updated: Int64, songs: [Song], directoryTimes: [String: Int64] = [:],
        counts: (artists: Int, albums: Int)? = nil
    ) -> [UInt8] {
        var writer = Writer()
        writer.out.reserveCapacity(songs.count * 120 + 4096)
        writer.out += magic
        writer.string(root)
        writer.integer(updated)
        let counts = counts ?? LibraryIndex.distinctArtistsAndAlbums(songs)
        writer.integer(UInt32(clamping: counts.artists))
        writer.integer(UInt32(clamping: counts.albums))
        writer.integer(UInt32(directoryTimes.count))
        for (path, modified) in directoryTimes.sorted(by: { $0.key.precedesInByteOrder($1.key) }) {
            writer.string(path)
            writer.integer(modified)
        }
        writer.integer(UInt32(TagType.allCases.count))
        for tag in TagType.allCases { writer.string(tag.rawValue) }
        let tagPositions = Dictionary(uniqueKeysWithValues: TagType.allCases.enumerated().map { ($1, UInt16($0)) })

        // The shared values, numbered from 1 in the order songs first name them.
        var shared: [ByteKey: UInt32] = [:]
        var table: [String] = []
        for index in songs.indices {
            for value in sharedValues(of: songs[index]) {
                guard let value, !value.isEmpty, shared[ByteKey(value)] == nil else { continue }
                table.append(value)
                shared[ByteKey(value)] = UInt32(table.count)
            }
        }
        writer.integer(UInt32(table.count))
        for value in table { writer.string(value) }

        writer.integer(UInt32(songs.count))
        let pieceCount = (songs.count + songsPerPiece - 1) / songsPerPiece
        writer.integer(UInt32(pieceCount))
        let pieceTable = writer.out.count
        writer.out += [UInt8](repeating: 0, count: pieceCount * 12)
        for piece in 0..<pieceCount {
            let start = writer.out.count
            let range = (piece * songsPerPiece)..<min(songs.count, (piece + 1) * songsPerPiece)
            for index in range {
                writeSong(songs[index], shared: shared, tagPositions: tagPositions, to: &writer)
            }
            writer.patch(UInt32(range.count), at: pieceTable + piece * 12)
            writer.patch(UInt64(writer.out.count - start), at: pieceTable + piece * 12 + 4)
        }
        writer.out += trailer
        writer.integer(UInt32(songs.count))
        return writer.out
    }

    private static func writeSong(
        _ song: Song, shared: [ByteKey: UInt32], tagPositions: [TagType: UInt16], to writer: inout Writer
    ) {
        writer.string(song.uri)
        writer.integer(song.size)
        writer.integer(song.modified)
        var flags: UInt8 = 0
        if song.duration != nil { flags |= Flag.duration }
        if song.format != nil { flags |= Flag.format }
        if !song.replayGain.isEmpty { flags |= Flag.replayGain }
        writer.out.append(flags)
        if let duration = song.duration { writer.integer(duration.bitPattern) }
        if let format = song.format {
            writer.integer(UInt32(clamping: format.sampleRate))
            writer.integer(UInt16(clamping: format.channels))
            writer.out.append(UInt8(sampleTypes.firstIndex(of: format.sampleType) ?? 0))
            writer.out.append(UInt8(clamping: format.bitsPerSample))
        }
        if let title = song.title {
            writer.string(title, countPlusOne: true)
        } else {
            writer.integer(UInt32(0))
        }
        for value in sharedValues(of: song) {
            writer.integer(value.flatMap { $0.isEmpty ? nil : shared[ByteKey($0)] } ?? 0)
        }
        writer.integer(UInt16(clamping: song.otherTags.count))
        for other in song.otherTags.prefix(Int(UInt16.max)) {
            writer.integer(tagPositions[other.tag] ?? 0)
            writer.string(other.value)
        }
        if !song.replayGain.isEmpty {
            let gain = song.replayGain
            for value in [gain.trackGain, gain.trackPeak, gain.albumGain, gain.albumPeak] {
                writer.integer(value.bitPattern)
            }
        }
    }

    private struct Writer {
        var out: [UInt8] = []

        mutating func integer<Value: FixedWidthInteger>(_ value: Value) {
            withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
        }

        /// The byte count (plus one with `countPlusOne`, which leaves 0 to mean "none") and the UTF-8 bytes.
        mutating func string(_ text: String, countPlusOne: Bool = false) {
            var text = text
            text.withUTF8 { bytes in
                integer(UInt32(bytes.count + (countPlusOne ? 1 : 0)))
                out.append(contentsOf: bytes)
            }
        }

        mutating func patch<Value: FixedWidthInteger>(_ value: Value, at offset: Int) {
            withUnsafeBytes(of: value.littleEndian) { bytes in
                for (index, byte) in bytes.enumerated() { out[offset + index] = byte }
            }
        }
    }

    // MARK: Decoding

    /// What a cache file holds.
    struct Contents {
        var songs: [Song]
        var updated: Int64
        var directoryTimes: [String: Int64]
        /// Distinct Artist and Album values, as `LibraryIndex.distinctArtistsAndAlbums` counted them.
        var artists: Int
        var albums: Int
    }

    /// The songs (sorted by URI), last-update time, directory times and counts in `bytes`, or nil when the content
    /// is not a complete cache of the library at `root` (wrong version, other root, truncated, malformed).
    static func decode(_ bytes: [UInt8], root: String) -> Contents? {
        bytes.withUnsafeBytes { buffer in decode(buffer, root: root) }
    }

    private static func decode(_ bytes: UnsafeRawBufferPointer, root: String) -> Contents? {
        var reader = Reader(bytes: bytes)
        guard let head = reader.take(magic.count), head.elementsEqual(magic),
            let storedRoot = reader.string(), storedRoot == root,
            let updated = reader.integer(Int64.self),
            let artists = reader.integer(UInt32.self), let albums = reader.integer(UInt32.self),
            let directoryCount = reader.count()
        else { return nil }
        var times: [String: Int64] = [:]
        times.reserveCapacity(directoryCount)
        for _ in 0..<directoryCount {
            guard let path = reader.string(), let modified = reader.integer(Int64.self) else { return nil }
            times[path] = modified
        }
        guard let tagCount = reader.count() else { return nil }
        var tags: [TagType] = []
        for _ in 0..<tagCount {
            guard let name = reader.string(), let tag = TagType(rawValue: name) else { return nil }
            tags.append(tag)
        }
        guard let tableCount = reader.count() else { return nil }
        var table: [String] = []
        table.reserveCapacity(tableCount)
        for _ in 0..<tableCount {
            guard let value = reader.string() else { return nil }
            table.append(value)
        }
        guard let songCount = reader.count(), let pieceCount = reader.count() else { return nil }
        var pieces: [Piece] = []
        var start = 0
        var offset = reader.position + pieceCount * 12
        for _ in 0..<pieceCount {
            guard let songs = reader.integer(UInt32.self), let length = reader.integer(UInt64.self),
                length <= UInt64(bytes.count)
            else { return nil }
            pieces.append(Piece(firstSong: start, songCount: Int(songs), bytes: offset..<(offset + Int(length))))
            start += Int(songs)
            offset += Int(length)
        }
        reader.position = offset
        guard start == songCount, let end = reader.take(trailer.count), end.elementsEqual(trailer),
            reader.integer(UInt32.self) == UInt32(songCount), reader.position == bytes.count,
            let songs = songs(in: bytes, pieces: pieces, count: songCount, tags: tags, table: table)
        else { return nil }
        return Contents(
            songs: songs, updated: updated, directoryTimes: times, artists: Int(artists), albums: Int(albums))
    }

    /// A run of songs: where they go in the song array and which bytes hold them.
    private struct Piece {
        let firstSong: Int
        let songCount: Int
        let bytes: Range<Int>
    }

    /// Exactly `count` songs, sorted by URI, their pieces read on every processor.
    private static func songs(
        in bytes: UnsafeRawBufferPointer, pieces: [Piece], count: Int, tags: [TagType], table: [String]
    ) -> [Song]? {
        var failed = false
        let songs = [Song](unsafeUninitializedCapacity: count) { buffer, initialized in
            // `made[i]` is how many songs piece i initialized, -1 when it failed.
            let made = UnsafeMutableBufferPointer<Int>.allocate(capacity: pieces.count)
            defer { made.deallocate() }
            let target = SlotsBox(bytes: bytes, pieces: pieces, tags: tags, table: table, buffer: buffer, made: made)
            let decodeOne: @Sendable (Int) -> Void = { piece in
                target.made[piece] = decodePiece(
                    target.pieces[piece], of: target.bytes, tags: target.tags, table: target.table,
                    into: target.buffer)
            }
            if count < piecesFrom || pieces.count < 2 {
                for piece in pieces.indices { decodeOne(piece) }
            } else {
                DispatchQueue.concurrentPerform(iterations: pieces.count, execute: decodeOne)
            }
            failed = made.contains(-1)
            // Each piece checked its own order; the songs on either side of each seam are checked here.
            for piece in pieces.dropFirst() where !failed && piece.songCount > 0 && piece.firstSong > 0 {
                if !buffer[piece.firstSong - 1].uri.precedesInByteOrder(buffer[piece.firstSong].uri) { failed = true }
            }
            if failed {
                for (index, piece) in pieces.enumerated() where made[index] > 0 {
                    UnsafeMutableBufferPointer(rebasing: buffer[piece.firstSong..<(piece.firstSong + made[index])])
                        .deinitialize()
                }
                initialized = 0
            } else {
                initialized = count
            }
        }
        return failed ? nil : songs
    }

    /// What the threads of `concurrentPerform` share (each piece writes only its own slots).
    private struct SlotsBox: @unchecked Sendable {
        let bytes: UnsafeRawBufferPointer
        let pieces: [Piece]
        let tags: [TagType]
        let table: [String]
        let buffer: UnsafeMutableBufferPointer<Song>
        let made: UnsafeMutableBufferPointer<Int>
    }

    /// Reads `piece`'s songs into their slots of `buffer`; how many, or -1 (after deinitializing them) when a song
    /// is malformed, out of order, or the piece's bytes hold more or fewer songs than it says.
    private static func decodePiece(
        _ piece: Piece, of bytes: UnsafeRawBufferPointer, tags: [TagType], table: [String],
        into buffer: UnsafeMutableBufferPointer<Song>
    ) -> Int {
        guard piece.bytes.upperBound <= bytes.count, piece.firstSong + piece.songCount <= buffer.count,
            let base = buffer.baseAddress
        else { return -1 }
        var reader = Reader(bytes: UnsafeRawBufferPointer(rebasing: bytes[piece.bytes]))
        var sharing = TagSetSharing(table: table)
        var made = 0
        while made < piece.songCount {
            guard let song = readSong(&reader, tags: tags, sharing: &sharing), !song.uri.isEmpty,
                made == 0 || buffer[piece.firstSong + made - 1].uri.precedesInByteOrder(song.uri)
            else { break }
            (base + piece.firstSong + made).initialize(to: song)
            made += 1
        }
        guard made == piece.songCount, reader.position == reader.bytes.count else {
            (base + piece.firstSong).deinitialize(count: made)
            return -1
        }
        return made
    }

    private static func readSong(_ reader: inout Reader, tags: [TagType], sharing: inout TagSetSharing) -> Song? {
        guard let uri = reader.string(), let size = reader.integer(Int64.self),
            let modified = reader.integer(Int64.self), let flags = reader.take(1)?.first
        else { return nil }
        var duration: Double?
        if flags & Flag.duration != 0 {
            guard let bits = reader.integer(UInt64.self) else { return nil }
            let value = Double(bitPattern: bits)
            guard value.isFinite, value >= 0 else { return nil }
            duration = value
        }
        var format: AudioFormat?
        if flags & Flag.format != 0 {
            guard let rate = reader.integer(UInt32.self), let channels = reader.integer(UInt16.self),
                let type = reader.take(1)?.first, Int(type) < sampleTypes.count, let bits = reader.take(1)?.first
            else { return nil }
            format = AudioFormat(
                sampleRate: Int(rate), channels: Int(channels), sampleType: sampleTypes[Int(type)],
                bitsPerSample: Int(bits))
        }
        guard let titleCount = reader.integer(UInt32.self) else { return nil }
        var title: String?
        if titleCount > 0 {
            guard let text = reader.text(count: Int(titleCount) - 1) else { return nil }
            title = text
        }
        // In `sharedValues` order: Artist, Album, AlbumArtist, Track, Disc, Date, Genre, Composer.
        var references = TagSetSharing.References()
        for field in 0..<8 {
            guard let reference = reader.integer(UInt32.self), reference <= sharing.table.count else { return nil }
            references[field] = reference
        }
        guard let otherCount = reader.integer(UInt16.self) else { return nil }
        var otherTags: [SongTag] = []
        if otherCount > 0 {
            otherTags.reserveCapacity(Int(otherCount))
            for _ in 0..<otherCount {
                guard let tag = reader.integer(UInt16.self), Int(tag) < tags.count, let value = reader.string() else {
                    return nil
                }
                otherTags.append(SongTag(tags[Int(tag)], value))
            }
        }
        // Made in one go: each change to a made song was a copy of all of it.
        var song = Song(
            uri: uri, title: title, artist: sharing.value(references[0]), track: sharing.value(references[3]),
            sharedTags: sharing.tags(for: references), otherTags: otherTags, duration: duration, format: format,
            size: size, modified: modified)
        if flags & Flag.replayGain != 0 {
            guard let trackGain = reader.integer(UInt32.self), let trackPeak = reader.integer(UInt32.self),
                let albumGain = reader.integer(UInt32.self), let albumPeak = reader.integer(UInt32.self)
            else { return nil }
            song.replayGain.trackGain = Float(bitPattern: trackGain)
            song.replayGain.trackPeak = Float(bitPattern: trackPeak)
            song.replayGain.albumGain = Float(bitPattern: albumGain)
            song.replayGain.albumPeak = Float(bitPattern: albumPeak)
        }
        return song
    }

    /// One `SharedSongTags` for all the songs of a piece that name the same shared values: consecutive songs mostly
    /// do (one album), so the song before is tried first.
    private struct TagSetSharing {
        /// A song's eight references into the table, in `sharedValues` order; Artist (0) and Track (3) are the
        /// song's own.
        typealias References = SIMD8<UInt32>

        let table: [String]
        private var previous: (key: References, tags: SharedSongTags)?
        private var known: [References: SharedSongTags] = [:]

        init(table: [String]) { self.table = table }

        /// The table's value for a reference checked against the table (0: none).
        func value(_ reference: UInt32) -> String? {
            reference == 0 ? nil : table[Int(reference) - 1]
        }

        mutating func tags(for references: References) -> SharedSongTags {
            var key = references
            key[0] = 0
            key[3] = 0
            if let previous, previous.key == key { return previous.tags }
            let tags: SharedSongTags
            if let existing = known[key] {
                tags = existing
            } else if key == References.zero {
                tags = SharedSongTags.none
            } else {
                tags = SharedSongTags(
                    album: value(key[1]), albumArtist: value(key[2]), disc: value(key[4]),
                    date: value(key[5]), genre: value(key[6]), composer: value(key[7]))
                known[key] = tags
            }
            previous = (key, tags)
            return tags
        }
    }

    /// Reads the file front to back; every read checks that the bytes are there (nil past the end).
    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var position = 0

        init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        mutating func take(_ count: Int) -> UnsafeRawBufferPointer? {
            guard count >= 0, count <= bytes.count - position else { return nil }
            defer { position += count }
            return UnsafeRawBufferPointer(rebasing: bytes[position..<(position + count)])
        }

        // One function a width: the generic one went unspecialized, and looked up type metadata on every call.
        mutating func integer(_: UInt16.Type) -> UInt16? {
            take(2).map { UInt16(littleEndian: $0.loadUnaligned(as: UInt16.self)) }
        }

        mutating func integer(_: UInt32.Type) -> UInt32? {
            take(4).map { UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) }
        }

        mutating func integer(_: UInt64.Type) -> UInt64? {
            take(8).map { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        }

        mutating func integer(_: Int64.Type) -> Int64? {
            take(8).map { Int64(littleEndian: $0.loadUnaligned(as: Int64.self)) }
        }

        /// A count that the rest of the file could hold (each item takes at least one byte).
        mutating func count() -> Int? {
            guard let value = integer(UInt32.self), Int(value) <= bytes.count - position else { return nil }
            return Int(value)
        }

        mutating func string() -> String? {
            guard let count = integer(UInt32.self) else { return nil }
            return text(count: Int(count))
        }

        /// `count` bytes as a String; nil when they are not there. The encoder wrote valid UTF-8; a damaged byte
        /// reads as U+FFFD (`String(validating:)`, which would refuse it, goes through the generic path and looked
        /// up type metadata for every string).
        mutating func text(count: Int) -> String? {
            guard let raw = take(count) else { return nil }
            return String(decoding: raw.bindMemory(to: UInt8.self), as: UTF8.self)
        }
    }
}

import Dispatch
import ElegyCore

#if canImport(Glibc)
    import Glibc
#endif

/// The on-disk index: a line format, one song a line, tab-separated fields with `\\`, `\t`, `\n`, `\r`
/// escaped. Chosen over JSON because it loads 5,000 songs several times faster (see the library report);
/// a header names the format version and the music directory, and a trailer holds the song count.
///
/// ```
/// elegy-library 5
/// root<TAB>/home/me/Music
/// updated<TAB>1763776000
/// directories<TAB>600
/// Artist/Album<TAB>1763770000
/// songs<TAB>5000
/// uri  size  mtime  duration  rate:channels:type:bits  title  artist  album  albumartist  track  disc ...  composer
///   [Tag=value ...]
/// end<TAB>5000
/// ```
/// The directory lines hold each walked directory's modification time. The fields after `composer` are the song's
/// `otherTags`, each `MPD tag name=value`, and its ReplayGain values when it has any,
/// `~replaygain=TRACK_GAIN,TRACK_PEAK,ALBUM_GAIN,ALBUM_PEAK` ("nan" for an absent one). The song lines come last and
/// nothing but song lines lies between `songs` and `end`, so that the decoder can cut them into pieces at any line
/// break and read the pieces on every processor at once (format 5; format 4 had the directories after the songs).
enum LibraryCache {
    static let magic = "elegy-library 5"
    /// The extra field holding a song's ReplayGain values.
    private static let replayGainKey = "~replaygain"
    private static let fieldCount = 14

    /// The cache file's bytes for `songs` (sorted by URI) of the library at `root`.
    static func encode(root: String, updated: Int64, songs: [Song], directoryTimes: [String: Int64] = [:]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(songs.count * 160 + 256)
        let tab = UInt8(ascii: "\t")
        append("\(magic)\nroot\t", to: &out)
        field(root, to: &out)
        append("\nupdated\t\(updated)\n", to: &out)
        append("directories\t\(directoryTimes.count)\n", to: &out)
        for (path, modified) in directoryTimes.sorted(by: { $0.key < $1.key }) {
            field(path, to: &out)
            out.append(tab)
            number(modified, to: &out)
            out.append(UInt8(ascii: "\n"))
        }
        append("songs\t\(songs.count)\n", to: &out)
        for song in songs {
            field(song.uri, to: &out)
            out.append(tab)
            number(song.size, to: &out)
            out.append(tab)
            number(song.modified, to: &out)
            out.append(tab)
            if let duration = song.duration { append(duration.description, to: &out) }
            out.append(tab)
            if let format = song.format {
                number(Int64(format.sampleRate), to: &out)
                out.append(UInt8(ascii: ":"))
                number(Int64(format.channels), to: &out)
                out.append(UInt8(ascii: ":"))
                append(format.sampleType.rawValue, to: &out)
                out.append(UInt8(ascii: ":"))
                number(Int64(format.bitsPerSample), to: &out)
            }
            for tag in [
                song.title, song.artist, song.album, song.albumArtist, song.track, song.disc, song.date, song.genre,
                song.composer,
            ] {
                out.append(tab)
                field(tag, to: &out)
            }
            for other in song.otherTags {
                out.append(tab)
                append(other.tag.rawValue, to: &out)
                out.append(UInt8(ascii: "="))
                field(other.value, to: &out)
            }
            if !song.replayGain.isEmpty {
                let gain = song.replayGain
                append("\t\(replayGainKey)=\(gain.trackGain),\(gain.trackPeak),\(gain.albumGain),\(gain.albumPeak)", to: &out)
            }
            out.append(UInt8(ascii: "\n"))
        }
        append("end\t\(songs.count)\n", to: &out)
        return out
    }

    private static func append(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { out.append(contentsOf: $0) }
    }

    /// Appends `text` with `\\`, tab, newline and carriage return escaped; nothing for nil. Text without any of them
    /// (nearly all) is copied in one go.
    private static func field(_ text: String?, to out: inout [UInt8]) {
        guard var text else { return }
        text.withUTF8 { bytes in
            let special = bytes.contains {
                $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r")
            }
            guard special else {
                out.append(contentsOf: bytes)
                return
            }
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "\t"): out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "t"))
                case UInt8(ascii: "\n"): out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n"))
                case UInt8(ascii: "\r"): out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "r"))
                default: out.append(byte)
                }
            }
        }
    }

    /// Appends `value` in decimal, as `String(value)` spells it, without building a String.
    private static func number(_ value: Int64, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        let start = out.count
        var magnitude = value.magnitude
        repeat {
            out.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        out[start...].reverse()
    }

    /// What a cache file holds.
    struct Contents {
        var songs: [Song]
        var updated: Int64
        var directoryTimes: [String: Int64]
    }

    /// The songs (sorted by URI), last-update time and directory times in `bytes`, or nil when the content is not a
    /// complete cache of the library at `root` (wrong version, other root, truncated, malformed).
    static func decode(_ bytes: [UInt8], root: String) -> Contents? {
        bytes.withUnsafeBufferPointer { buffer in decode(buffer, root: root) }
    }

    private static func decode(_ bytes: UnsafeBufferPointer<UInt8>, root: String) -> Contents? {
        var lines = LineReader(bytes: bytes)
        guard let first = lines.next(), string(first) == magic,
            let rootLine = lines.next(), let rootFields = split(rootLine), rootFields.count == 2,
            string(rootFields[0]) == "root", string(rootFields[1]) == root,
            let updatedLine = lines.next(), let updatedFields = split(updatedLine), updatedFields.count == 2,
            string(updatedFields[0]) == "updated", let updated = string(updatedFields[1]).flatMap({ Int64($0) }),
            let directoryCount = count(lines.next(), named: "directories")
        else { return nil }
        var times: [String: Int64] = [:]
        times.reserveCapacity(directoryCount)
        for _ in 0..<directoryCount {
            guard let line = lines.next(), let entry = split(line), entry.count == 2,
                let modified = entry[1].flatMap({ Int64($0) })
            else { return nil }
            times[entry[0] ?? ""] = modified
        }
        guard let songCount = count(lines.next(), named: "songs"),
            let endStart = lastLineStart(of: bytes), endStart >= lines.position,
            count(UnsafeBufferPointer(rebasing: bytes[endStart..<(bytes.count - 1)]), named: "end") == songCount,
            let songs = songLines(UnsafeBufferPointer(rebasing: bytes[lines.position..<endStart]), count: songCount)
        else { return nil }
        return Contents(songs: songs, updated: updated, directoryTimes: times)
    }

    /// The number on a `name<TAB>N` line.
    private static func count(_ line: UnsafeBufferPointer<UInt8>?, named name: String) -> Int? {
        guard let line, let fields = split(line), fields.count == 2, string(fields[0]) == name,
            let number = string(fields[1]).flatMap({ Int($0) }), number >= 0
        else { return nil }
        return number
    }

    /// Where the file's last line begins; nil when the file does not end with a line break.
    private static func lastLineStart(of bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard bytes.last == UInt8(ascii: "\n") else { return nil }
        var start = bytes.count - 1
        while start > 0, bytes[start - 1] != UInt8(ascii: "\n") { start -= 1 }
        return start
    }

    /// Exactly `count` song lines, sorted by URI, read in one piece per processor (each with its own interner: an
    /// artist named in two pieces is held twice, a few kilobytes against halving the load of 100,000 songs).
    private static func songLines(_ region: UnsafeBufferPointer<UInt8>, count: Int) -> [Song]? {
        let parts = pieces(of: region, into: count < piecesFrom ? 1 : ScanThreads.processorCount)
        let lineCounts = parts.map(lineCount)
        guard lineCounts.reduce(0, +) == count else { return nil }
        var starts: [Int] = []
        var next = 0
        for lines in lineCounts {
            starts.append(next)
            next += lines
        }
        var failed = false
        let songs = [Song](unsafeUninitializedCapacity: count) { buffer, initialized in
            // Each piece fills its own slots; `made[i]` is how many piece i initialized, -1 when it failed.
            let made = UnsafeMutableBufferPointer<Int>.allocate(capacity: parts.count)
            defer { made.deallocate() }
            let target = SlotsBox(pieces: parts, starts: starts, buffer: buffer, made: made)
            DispatchQueue.concurrentPerform(iterations: parts.count) { piece in
                target.made[piece] = decodePiece(target.pieces[piece], into: target.buffer, at: target.starts[piece])
            }
            failed = made.contains(-1)
            // The pieces' own order was checked; the songs on either side of each seam are checked here.
            for piece in starts.indices.dropFirst() where !failed && starts[piece] > 0 && starts[piece] < count {
                if !buffer[starts[piece] - 1].uri.precedesInByteOrder(buffer[starts[piece]].uri) { failed = true }
            }
            if failed {
                for piece in starts.indices where made[piece] > 0 {
                    UnsafeMutableBufferPointer(rebasing: buffer[starts[piece]..<(starts[piece] + made[piece])])
                        .deinitialize()
                }
                initialized = 0
            } else {
                initialized = count
            }
        }
        return failed ? nil : songs
    }

    /// Fewer songs are read in one piece: starting threads would cost more than it saves.
    static let piecesFrom = 2000

    /// The slots the pieces fill, shared by the threads of `concurrentPerform` (each writes only its own range).
    private struct SlotsBox: @unchecked Sendable {
        let pieces: [UnsafeBufferPointer<UInt8>]
        let starts: [Int]
        let buffer: UnsafeMutableBufferPointer<Song>
        let made: UnsafeMutableBufferPointer<Int>
    }

    /// Cuts `region` into at most `count` pieces of about equal size, each ending with a line break.
    static func pieces(of region: UnsafeBufferPointer<UInt8>, into count: Int) -> [UnsafeBufferPointer<UInt8>] {
        var pieces: [UnsafeBufferPointer<UInt8>] = []
        var start = 0
        for piece in 1...max(1, count) {
            guard start < region.count else { break }
            var end = piece == count ? region.count : max(start + 1, region.count * piece / count)
            while end < region.count, region[end - 1] != UInt8(ascii: "\n") { end += 1 }
            pieces.append(UnsafeBufferPointer(rebasing: region[start..<end]))
            start = end
        }
        return pieces
    }

    private static func lineCount(_ piece: UnsafeBufferPointer<UInt8>) -> Int {
        var lines = 0
        for byte in piece where byte == UInt8(ascii: "\n") { lines += 1 }
        return lines
    }

    /// Reads the song lines of `piece` into `buffer` from `start` on; how many it initialized, or -1 (after
    /// deinitializing them) when a line is malformed or out of order.
    private static func decodePiece(
        _ piece: UnsafeBufferPointer<UInt8>, into buffer: UnsafeMutableBufferPointer<Song>, at start: Int
    ) -> Int {
        guard let base = buffer.baseAddress else { return piece.isEmpty ? 0 : -1 }
        var lines = LineReader(bytes: piece)
        var interner = StringInterner()
        var fields: [String?] = []
        fields.reserveCapacity(fieldCount + 4)
        var made = 0
        var valid = true
        while let line = lines.next() {
            guard start + made < buffer.count, split(line, into: &fields, interning: &interner, shared: sharedFields),
                fields.count >= fieldCount, let song = song(fields),
                made == 0 || buffer[start + made - 1].uri.precedesInByteOrder(song.uri)
            else {
                valid = false
                break
            }
            (base + start + made).initialize(to: song)
            made += 1
        }
        guard valid, lines.position == piece.count else {
            (base + start).deinitialize(count: made)
            return -1
        }
        return made
    }

    private static func song(_ fields: [String?]) -> Song? {
        guard let uri = fields[0], !uri.isEmpty, let size = fields[1].flatMap({ Int64($0) }),
            let modified = fields[2].flatMap({ Int64($0) })
        else { return nil }
        var duration: Double?
        if let text = fields[3] {
            guard let value = Double(text), value.isFinite, value >= 0 else { return nil }
            duration = value
        }
        var format: AudioFormat?
        if let text = fields[4] {
            let parts = text.utf8.split(separator: UInt8(ascii: ":"))
            guard parts.count == 4, let rate = Int(Substring(parts[0])), let channels = Int(Substring(parts[1])),
                let type = AudioFormat.SampleType(rawValue: String(Substring(parts[2]))),
                let bits = Int(Substring(parts[3]))
            else { return nil }
            format = AudioFormat(sampleRate: rate, channels: channels, sampleType: type, bitsPerSample: bits)
        }
        var otherTags: [SongTag] = []
        var replayGain = ReplayGain()
        for extra in fields[fieldCount...] {
            guard let extra, let equals = extra.utf8.firstIndex(of: UInt8(ascii: "=")) else { return nil }
            let key = String(extra[..<equals])
            let value = extra[extra.utf8.index(after: equals)...]
            if key == replayGainKey {
                let numbers = value.split(separator: ",", omittingEmptySubsequences: false).map { Float(String($0)) }
                guard numbers.count == 4, let trackGain = numbers[0], let trackPeak = numbers[1],
                    let albumGain = numbers[2], let albumPeak = numbers[3]
                else { return nil }
                (replayGain.trackGain, replayGain.trackPeak) = (trackGain, trackPeak)
                (replayGain.albumGain, replayGain.albumPeak) = (albumGain, albumPeak)
                continue
            }
            guard let tag = TagType(rawValue: key) else { return nil }
            otherTags.append(SongTag(tag, String(value)))
        }
        var song = Song(
            uri: uri, title: fields[5], artist: fields[6], album: fields[7], albumArtist: fields[8],
            track: fields[9], disc: fields[10], date: fields[11], genre: fields[12], composer: fields[13],
            otherTags: otherTags, duration: duration, format: format, size: size, modified: modified)
        song.replayGain = replayGain
        return song
    }

    /// The fields that repeat from song to song (Artist … Composer): interned.
    private static let sharedFields: Range<Int> = 6..<14

    /// A line's tab-separated fields, unescaped; empty fields are nil. Nil when a field is not valid UTF-8 or
    /// holds an unknown escape.
    private static func split(_ line: UnsafeBufferPointer<UInt8>) -> [String?]? {
        var unused = StringInterner()
        var fields: [String?] = []
        return split(line, into: &fields, interning: &unused, shared: 0..<0) ? fields : nil
    }

    /// Replaces `fields` with the tab-separated fields of `line`, unescaped; those at `shared` positions through
    /// `interner`. False when a field is not valid UTF-8 or holds an unknown escape. One array for every line.
    private static func split(
        _ line: UnsafeBufferPointer<UInt8>, into fields: inout [String?], interning interner: inout StringInterner,
        shared: Range<Int>
    ) -> Bool {
        fields.removeAll(keepingCapacity: true)
        var start = 0
        var index = 0
        while index <= line.count {
            if index == line.count || line[index] == UInt8(ascii: "\t") {
                let slice = UnsafeBufferPointer(rebasing: line[start..<index])
                if slice.isEmpty {
                    fields.append(nil)
                } else if shared.contains(fields.count), !slice.contains(UInt8(ascii: "\\")) {
                    guard let text = interner.intern(slice, make: text) else { return false }
                    fields.append(text)
                } else {
                    guard let text = unescape(slice) else { return false }
                    fields.append(text)
                }
                start = index + 1
            }
            index += 1
        }
        return true
    }

    private static func unescape(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard bytes.contains(UInt8(ascii: "\\")) else { return text(bytes) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var escaped = false
        for byte in bytes {
            if escaped {
                switch byte {
                case UInt8(ascii: "\\"): out.append(byte)
                case UInt8(ascii: "t"): out.append(UInt8(ascii: "\t"))
                case UInt8(ascii: "n"): out.append(UInt8(ascii: "\n"))
                case UInt8(ascii: "r"): out.append(UInt8(ascii: "\r"))
                default: return nil
                }
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else {
                out.append(byte)
            }
        }
        return escaped ? nil : out.withUnsafeBufferPointer { text($0) }
    }

    /// The bytes as a String; nil when they are not valid UTF-8. ASCII (the common case) takes the fast path.
    private static func text(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        if bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func string(_ line: UnsafeBufferPointer<UInt8>) -> String? { text(line) }

    private static func string(_ field: String?) -> String? { field }

    /// Splits a buffer on newlines; the final newline ends the last line (no empty line after it).
    private struct LineReader {
        let bytes: UnsafeBufferPointer<UInt8>
        private(set) var position = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        mutating func next() -> UnsafeBufferPointer<UInt8>? {
            guard position < bytes.count, let base = bytes.baseAddress,
                let found = memchr(base + position, Int32(UInt8(ascii: "\n")), bytes.count - position)
            else { return nil }  // at the end, or a line without its newline: truncated
            let end = position + (UnsafeRawPointer(found) - UnsafeRawPointer(base + position))
            let line = UnsafeBufferPointer(rebasing: bytes[position..<end])
            position = end + 1
            return line
        }
    }
}

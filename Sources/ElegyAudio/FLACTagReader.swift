import CFLAC
import CSndFile
import ElegyCore

#if canImport(Glibc)
    import Glibc
#endif

/// The scanner's fast path for native FLAC files: reads the STREAMINFO and VORBIS_COMMENT blocks with libFLAC's
/// metadata API (as MPD does) instead of setting up libsndfile's decoder.
///
/// Every comment MPD maps becomes a tag value (`TagType(fileKey:)`, in the file's order, each value up to a NUL
/// byte, trimmed), so it gives what TagLib's FLAC reader gives for the same file. It refuses every file whose audio
/// libsndfile could see differently — bit depths libsndfile does not open (anything but 8, 16 and 24), layouts
/// `Decoder` rejects, no or several STREAMINFO blocks, Ogg FLAC, damaged metadata — so that the caller falls back to
/// libsndfile and TagLib, which then read the file or give libsndfile's error message.
///
/// Thread-safe: libFLAC's metadata API keeps no global state, so scanner threads read in parallel (libsndfile's
/// `sf_open` has to be serialised, see `Decoder`). Reads through a descriptor the caller opened and checked, never
/// through a path, so a FIFO swapped in since cannot block the thread.
enum FLACTagReader {
    /// What a FLAC file says about itself, in `Song`'s terms.
    struct Info: Equatable {
        /// Every mapped comment, in the file's order.
        var tags: [SongTag]
        /// The REPLAYGAIN_* and R128_* comments.
        var replayGain = ReplayGain()
        var duration: Double?
        var format: AudioFormat
    }

    /// Bytes read at a time; the STREAMINFO and VORBIS_COMMENT blocks of a typical file fit in the first read.
    static let bufferSize = 4096

    /// Whether `path` names a file this reader should try first (a `.flac` extension, any case).
    static func handles(_ path: String) -> Bool {
        let utf8 = path.utf8
        guard utf8.count > 5 else { return false }
        var index = utf8.index(utf8.endIndex, offsetBy: -5)
        for expected in ".flac".utf8 {
            var byte = utf8[index]
            if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { byte += 32 }
            guard byte == expected else { return false }
            index = utf8.index(after: index)
        }
        return true
    }

    /// Reads the metadata of the FLAC file open at `fd` (a regular file of `size` bytes; the descriptor's offset is
    /// not used). Nil when libFLAC cannot read it or libsndfile might read it differently: fall back to libsndfile.
    static func read(fileDescriptor fd: Int32, size: Int64) -> Info? {
        guard let chain = FLAC__metadata_chain_new() else { return nil }
        defer { FLAC__metadata_chain_delete(chain) }
        let read = withUnsafeTemporaryAllocation(byteCount: bufferSize, alignment: 16) { buffer -> Bool in
            guard let base = buffer.baseAddress else { return false }
            var source = Source(fd: fd, size: size, buffer: base, capacity: buffer.count)
            return withUnsafeMutablePointer(to: &source) { pointer in
                FLAC__metadata_chain_read_with_callbacks(chain, UnsafeMutableRawPointer(pointer), Source.callbacks) != 0
            }
        }
        guard read, let iterator = FLAC__metadata_iterator_new() else { return nil }
        defer { FLAC__metadata_iterator_delete(iterator) }
        FLAC__metadata_iterator_init(iterator, chain)

        var streamInfo: FLAC__StreamMetadata_StreamInfo?
        var tags: [SongTag] = []
        var replayGain = ReplayGain()
        var first = true
        repeat {
            guard let block = FLAC__metadata_iterator_get_block(iterator) else { return nil }
            let type = block.pointee.type
            if type == FLAC__METADATA_TYPE_STREAMINFO {
                // libsndfile's decoder would see a second STREAMINFO as a format change: leave such files to it.
                guard streamInfo == nil else { return nil }
                streamInfo = block.pointee.data.stream_info
            } else if first {
                return nil  // the format requires STREAMINFO first
            } else if type == FLAC__METADATA_TYPE_VORBIS_COMMENT {
                readComments(block.pointee.data.vorbis_comment, into: &tags, replayGain: &replayGain)
            }
            first = false
        } while FLAC__metadata_iterator_next(iterator) != 0

        guard let info = streamInfo else { return nil }
        // The layouts libsndfile's FLAC reader opens (`flac_open`) and `Decoder` accepts; anything else falls back.
        let subFormat: Int32
        switch info.bits_per_sample {
        case 8: subFormat = Int32(SF_FORMAT_PCM_S8)
        case 16: subFormat = Int32(SF_FORMAT_PCM_16)
        case 24: subFormat = Int32(SF_FORMAT_PCM_24)
        default: return nil
        }
        guard (1...32).contains(info.channels), (1...768_000).contains(info.sample_rate) else { return nil }
        let (sampleType, bits) = Decoder.sampleLayout(subFormat: subFormat)
        let rate = Int(info.sample_rate)
        // libsndfile reports an unknown length (0 samples) as SF_COUNT_MAX, which `Decoder` turns into nil.
        let frames = info.total_samples
        let duration = frames > 0 && frames < UInt64(Int64.max) ? Double(Int64(frames)) / Double(rate) : nil
        return Info(
            tags: tags, replayGain: replayGain, duration: duration,
            format: AudioFormat(
                sampleRate: rate, channels: Int(info.channels), sampleType: sampleType, bitsPerSample: bits))
    }

    /// Appends the block's comments that name an MPD tag, each value up to its first NUL byte and trimmed.
    private static func readComments(
        _ block: FLAC__StreamMetadata_VorbisComment, into tags: inout [SongTag], replayGain: inout ReplayGain
    ) {
        guard let comments = block.comments else { return }
        for index in 0..<Int(block.num_comments) {
            let entry = comments[index]
            guard let bytes = entry.entry else { continue }
            let length = Int(entry.length)
            guard let equals = memchr(bytes, Int32(UInt8(ascii: "=")), length) else { continue }
            let nameLength = UnsafeRawPointer(equals) - UnsafeRawPointer(bytes)
            let name = String(decoding: UnsafeBufferPointer(start: bytes, count: nameLength), as: UTF8.self)
            let tag = TagType(fileKey: name)
            guard tag != nil || ReplayGain.isKey(name) else { continue }
            let value = UnsafeBufferPointer(start: bytes + nameLength + 1, count: length - nameLength - 1)
            let end = value.firstIndex(of: 0) ?? value.count
            var text = String(decoding: UnsafeBufferPointer(rebasing: value[..<end]), as: UTF8.self)
            // `trimmingWhitespace` walks Characters; most values have nothing to trim, which their ends show.
            if let first = text.utf8.first, let last = text.utf8.last, isPadding(first) || isPadding(last) {
                text = text.trimmingWhitespace()
            }
            if let tag {
                if !text.isEmpty { tags.append(SongTag(tag, text)) }
            } else {
                _ = replayGain.take(name, text)
            }
        }
    }

    /// The bytes `trimmingWhitespace` can remove at either end (CR LF is one Character it keeps; such values take
    /// the slow path anyway, as their last byte is LF).
    private static func isPadding(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
            || byte == 0
    }
}

/// libFLAC's I/O handle: a descriptor read with `pread` through a small buffer (libFLAC reads metadata a few bytes at
/// a time), and large reads (pictures) straight into libFLAC's memory.
private struct Source {
    let fd: Int32
    let size: Int64
    let buffer: UnsafeMutableRawPointer
    let capacity: Int
    var position: Int64 = 0
    var bufferStart: Int64 = 0
    var bufferCount = 0

    init(fd: Int32, size: Int64, buffer: UnsafeMutableRawPointer, capacity: Int) {
        self.fd = fd
        self.size = size
        self.buffer = buffer
        self.capacity = capacity
    }

    /// Copies up to `count` bytes at `position` to `destination`; fewer at the end of the file or on an error.
    mutating func read(into destination: UnsafeMutableRawPointer, count: Int) -> Int {
        var done = 0
        while done < count {
            if position >= bufferStart, position < bufferStart + Int64(bufferCount) {
                let offset = Int(position - bufferStart)
                let take = min(count - done, bufferCount - offset)
                memcpy(destination + done, buffer + offset, take)
                done += take
                position += Int64(take)
                continue
            }
            let direct = count - done >= capacity
            let got = direct
                ? pread(fd, destination + done, count - done, off_t(position))
                : pread(fd, buffer, capacity, off_t(position))
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { break }
            if direct {
                done += got
                position += Int64(got)
            } else {
                bufferStart = position
                bufferCount = got
            }
        }
        return done
    }

    static let callbacks = FLAC__IOCallbacks(
        read: { destination, size, count, handle in
            guard let destination, let handle, size > 0 else { return 0 }
            let (total, overflow) = size.multipliedReportingOverflow(by: count)
            guard !overflow else { return 0 }
            let source = handle.assumingMemoryBound(to: Source.self)
            return source.pointee.read(into: destination, count: total) / size
        },
        write: nil,
        seek: { handle, offset, whence in
            guard let handle else { return -1 }
            let source = handle.assumingMemoryBound(to: Source.self)
            let base: Int64
            switch whence {
            case SEEK_SET: base = 0
            case SEEK_CUR: base = source.pointee.position
            case SEEK_END: base = source.pointee.size
            default: return -1
            }
            let (target, overflow) = base.addingReportingOverflow(offset)
            guard !overflow, target >= 0 else { return -1 }
            source.pointee.position = target
            return 0
        },
        tell: { handle in
            guard let handle else { return -1 }
            return handle.assumingMemoryBound(to: Source.self).pointee.position
        },
        eof: { handle in
            guard let handle else { return 1 }
            let source = handle.assumingMemoryBound(to: Source.self).pointee
            return source.position >= source.size ? 1 : 0
        },
        close: nil)
}

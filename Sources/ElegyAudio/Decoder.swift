import CSndFile
import ElegyCore

#if canImport(Glibc)
    import Glibc
#endif

/// Reads PCM from one audio file through libsndfile, in the file's own sample width.
///
/// Not thread-safe: one thread (the audio thread, or a scanner thread) owns a decoder at a time.
public final class Decoder {
    public let path: String
    public let format: AudioFormat
    /// Total frames, or nil when the container does not say.
    public let frameCount: Int64?
    private let subFormat: Int32
    private var handle: OpaquePointer?
    /// Serialises opens whose error message must be exact with reading libsndfile's process-wide message.
    private static let messageLock = Lock()
    /// The file's size in bytes when it was opened.
    private let fileSize: Int64

    /// Opens `path`. Throws libsndfile's message when the file is missing, unreadable or not audio.
    /// The corresponding C function is `sf_open`.
    ///
    /// libsndfile keeps a failed open's message in one process-wide variable, so opens whose message must be exact
    /// (the scanner's, reported per file in `status` and the log) hold `messageLock` across the open
    /// (`exactMessage`). Playback opens (`exactMessage: false`) take no lock, so the audio side never queues
    /// behind the scanner's threads; only when one fails is it opened again under the lock for its message, which
    /// a playback failure at the same instant could still swap (both then name a real, failing file).
    public init(path: String, exactMessage: Bool = true) throws(DecoderError) {
        var info = SF_INFO()
        let (fd, size) = try Decoder.openRegularFile(path)
        var handle: OpaquePointer?
        var failure = ""
        if exactMessage {
            (handle, failure) = Decoder.openUnderMessageLock(fd, &info)
        } else {
            handle = sf_open_fd(fd, Int32(SFM_READ), &info, Int32(SF_TRUE))
            if handle == nil {  // libsndfile closed `fd`: open again, under the lock, for the message
                let (retried, _) = try Decoder.openRegularFile(path)
                (handle, failure) = Decoder.openUnderMessageLock(retried, &info)
            }
        }
        guard let opened = handle else { throw DecoderError(function: "sf_open", path: path, message: failure) }
        guard info.channels > 0, info.channels <= 32, info.samplerate > 0, info.samplerate <= 768_000 else {
            sf_close(opened)
            throw DecoderError(
                function: "sf_open", path: path,
                message: "unsupported layout: \(info.channels) channels at \(info.samplerate) Hz")
        }
        self.path = path
        self.handle = opened
        self.fileSize = size
        self.subFormat = info.format & Int32(SF_FORMAT_SUBMASK)
        self.frameCount = info.frames > 0 && info.frames != Int64.max ? info.frames : nil
        let (sampleType, bits) = Decoder.sampleLayout(subFormat: subFormat)
        self.format = AudioFormat(
            sampleRate: Int(info.samplerate), channels: Int(info.channels), sampleType: sampleType,
            bitsPerSample: bits)
        if sampleType == .float32 {
            // Lossy codecs decode to float: keep libsndfile's own normalised float output.
            sf_command(opened, Int32(SFC_SET_NORM_FLOAT), nil, Int32(SF_TRUE))
        }
    }

    deinit {
        if let handle { sf_close(handle) }
    }

    /// `sf_open_fd` and, when it fails, its message, both under `messageLock`.
    private static func openUnderMessageLock(_ fd: Int32, _ info: inout SF_INFO) -> (OpaquePointer?, String) {
        messageLock.withLock {
            let handle = sf_open_fd(fd, Int32(SFM_READ), &info, Int32(SF_TRUE))
            return (handle, handle == nil ? String(cString: sf_strerror(nil)) : "")
        }
    }

    /// A read descriptor for `path` and the file's size, opened without blocking: a FIFO (or a device) put where a song was would
    /// otherwise block `sf_open` — and its thread — until some writer came.
    private static func openRegularFile(_ path: String) throws(DecoderError) -> (fd: Int32, size: Int64) {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            throw DecoderError(function: "open", path: path, message: String(cString: strerror(errno)))
        }
        var stats = stat()
        guard fstat(fd, &stats) == 0, (stats.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw DecoderError(function: "open", path: path, message: "not a regular file")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        return (fd, Int64(stats.st_size))
    }

    /// Average bit rate in kb/s (file size over duration), for `status`; nil without a duration.
    var averageBitrate: Int? {
        guard let duration, duration > 0 else { return nil }
        return Int((Double(fileSize) * 8 / duration / 1000).rounded())
    }

    /// Which buffer type keeps the file's samples unconverted, and how many bits they carry.
    static func sampleLayout(subFormat: Int32) -> (AudioFormat.SampleType, Int) {
        switch subFormat {
        case Int32(SF_FORMAT_PCM_S8), Int32(SF_FORMAT_PCM_U8): return (.int16, 8)
        case Int32(SF_FORMAT_PCM_16), Int32(SF_FORMAT_ALAC_16), Int32(SF_FORMAT_DWVW_16): return (.int16, 16)
        case Int32(SF_FORMAT_PCM_24), Int32(SF_FORMAT_ALAC_20), Int32(SF_FORMAT_ALAC_24), Int32(SF_FORMAT_DWVW_24):
            return (.int32, 24)
        case Int32(SF_FORMAT_PCM_32), Int32(SF_FORMAT_ALAC_32): return (.int32, 32)
        case Int32(SF_FORMAT_ULAW), Int32(SF_FORMAT_ALAW), Int32(SF_FORMAT_IMA_ADPCM), Int32(SF_FORMAT_MS_ADPCM),
            Int32(SF_FORMAT_GSM610), Int32(SF_FORMAT_G721_32), Int32(SF_FORMAT_DWVW_12):
            return (.int16, 16)
        default: return (.float32, 32)  // float, double and every lossy codec (Vorbis, Opus, MPEG)
        }
    }


    /// Reads up to `frames` frames into `buffer` (which holds at least `frames * format.bytesPerFrame` bytes),
    /// in the file's own width. Returns the frames read; 0 at the end. Throws when the file is damaged.
    /// The corresponding C functions are `sf_readf_short`, `sf_readf_int` and `sf_readf_float`.
    public func read(into buffer: UnsafeMutableRawPointer, frames: Int) throws(DecoderError) -> Int {
        guard let handle else { return 0 }
        let got: Int64
        switch format.sampleType {
        case .int16:
            got = sf_readf_short(handle, buffer.assumingMemoryBound(to: Int16.self), Int64(frames))
        case .int32:
            got = sf_readf_int(handle, buffer.assumingMemoryBound(to: Int32.self), Int64(frames))
        case .float32:
            got = sf_readf_float(handle, buffer.assumingMemoryBound(to: Float.self), Int64(frames))
        }
        if got <= 0 {
            let code = sf_error(handle)
            if code != 0 {
                throw DecoderError(function: "sf_readf", path: path, message: String(cString: sf_strerror(handle)))
            }
            return 0
        }
        return Int(got)
    }

    /// Moves to `frame` (clamped to the file). Sample-accurate on lossless files.
    /// The corresponding C function is `sf_seek`.
    public func seek(toFrame frame: Int64) throws(DecoderError) {
        guard let handle else { return }
        var target = max(0, frame)
        if let frameCount { target = min(target, frameCount) }
        if sf_seek(handle, target, SEEK_SET) < 0 {
            throw DecoderError(function: "sf_seek", path: path, message: String(cString: sf_strerror(handle)))
        }
    }

    /// Duration in seconds when the frame count is known.
    public var duration: Double? {
        frameCount.map { Double($0) / Double(format.sampleRate) }
    }

    /// A tag string (`SF_STR_TITLE`, ...), trimmed, or nil when absent or empty.
    func tag(_ kind: Int32) -> String? {
        guard let handle, let raw = sf_get_string(handle, kind) else { return nil }
        let value = String(cString: raw).trimmingWhitespace()
        return value.isEmpty ? nil : value
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines.
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\0" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}

import CElegyFFmpeg
import CSndFile
import ElegyCore

#if canImport(Glibc)
    import Glibc
#endif

/// Reads PCM from one audio file, in the file's own sample width: through libsndfile, or through FFmpeg for the
/// formats `DecoderPlugin.ffmpeg` lists.
///
/// Not thread-safe: one thread (the audio thread, or a scanner thread) owns a decoder at a time.
public final class Decoder {
    public let path: String
    public let format: AudioFormat
    /// Total frames, or nil when the container does not say.
    public let frameCount: Int64?
    /// Which library decodes this file.
    public let plugin: DecoderPlugin
    /// libsndfile's handle, or nil for an FFmpeg file.
    private var handle: OpaquePointer?
    /// The FFmpeg stream (see CElegyFFmpeg), or nil for a libsndfile file.
    private var stream: OpaquePointer?
    /// The codec's own bit rate (FFmpeg), in bits per second; 0 when unknown.
    private let codecBitRate: Int64
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
    public convenience init(path: String, exactMessage: Bool = true) throws(DecoderError) {
        if DecoderPlugin.forPath(path) == .ffmpeg {
            try self.init(ffmpegPath: path)
        } else {
            try self.init(sndfilePath: path, exactMessage: exactMessage)
        }
    }

    /// Opens `path` through libsndfile (see `init(path:exactMessage:)`).
    private init(sndfilePath path: String, exactMessage: Bool) throws(DecoderError) {
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
        self.plugin = .sndfile
        self.handle = opened
        self.stream = nil
        self.codecBitRate = 0
        self.fileSize = size
        self.frameCount = info.frames > 0 && info.frames != Int64.max ? info.frames : nil
        let (sampleType, bits) = Decoder.sampleLayout(subFormat: info.format & Int32(SF_FORMAT_SUBMASK))
        self.format = AudioFormat(
            sampleRate: Int(info.samplerate), channels: Int(info.channels), sampleType: sampleType,
            bitsPerSample: bits)
        if sampleType == .float32 {
            // Lossy codecs decode to float: keep libsndfile's own normalised float output.
            sf_command(opened, Int32(SFC_SET_NORM_FLOAT), nil, Int32(SF_TRUE))
        }
    }

    /// Opens `path` through FFmpeg (`elegy_av_open`). The descriptor check comes first, so that a FIFO put where a
    /// song was fails at once instead of blocking libavformat's open.
    private init(ffmpegPath path: String) throws(DecoderError) {
        let (fd, size) = try Decoder.openRegularFile(path)
        close(fd)
        var info = ElegyAVInfo()
        var message = [CChar](repeating: 0, count: 256)
        guard let opened = elegy_av_open(path, &info, &message, message.count) else {
            throw DecoderError(function: "avformat_open_input", path: path, message: Decoder.text(message))
        }
        let sampleType: AudioFormat.SampleType =
            switch info.sample_kind {
            case ELEGY_AV_INT16: .int16
            case ELEGY_AV_INT32: .int32
            default: .float32
            }
        self.path = path
        self.plugin = .ffmpeg
        self.handle = nil
        self.stream = opened
        self.fileSize = size
        self.codecBitRate = info.bit_rate
        self.frameCount = info.frames > 0 ? info.frames : nil
        self.format = AudioFormat(
            sampleRate: Int(info.sample_rate), channels: Int(info.channels), sampleType: sampleType,
            bitsPerSample: Int(info.bits))
        guard info.channels <= 32, info.sample_rate <= 768_000 else {
            throw DecoderError(
                function: "avformat_open_input", path: path,
                message: "unsupported layout: \(info.channels) channels at \(info.sample_rate) Hz")
        }
    }

    /// The format and duration of an FFmpeg file read from its container alone (`elegy_av_probe`), for the library
    /// scan; nil when the codec needs a decoder opened to tell (then open a `Decoder`). Throws when FFmpeg cannot
    /// read the file or it is not a regular file.
    public static func probeContainer(path: String) throws(DecoderError) -> (format: AudioFormat, duration: Double?)? {
        let (fd, _) = try Decoder.openRegularFile(path)
        close(fd)
        var info = ElegyAVInfo()
        var message = [CChar](repeating: 0, count: 256)
        let probed = elegy_av_probe(path, &info, &message, message.count)
        if probed < 0 {
            throw DecoderError(function: "avformat_open_input", path: path, message: Decoder.text(message))
        }
        guard probed == 1, info.channels <= 32, info.sample_rate <= 768_000 else { return nil }
        let sampleType: AudioFormat.SampleType =
            switch info.sample_kind {
            case ELEGY_AV_INT16: .int16
            case ELEGY_AV_INT32: .int32
            default: .float32
            }
        let format = AudioFormat(
            sampleRate: Int(info.sample_rate), channels: Int(info.channels), sampleType: sampleType,
            bitsPerSample: Int(info.bits))
        return (format, info.frames > 0 ? Double(info.frames) / Double(info.sample_rate) : nil)
    }

    deinit {
        if let handle { sf_close(handle) }
        if let stream { elegy_av_close(stream) }
    }

    /// A NUL-terminated C message buffer as a String.
    private static func text(_ message: [CChar]) -> String {
        let bytes = message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
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

    /// Average bit rate in kb/s (the codec's own where FFmpeg knows it, else file size over duration), for `status`;
    /// nil without either.
    var averageBitrate: Int? {
        if codecBitRate > 0 { return Int((Double(codecBitRate) / 1000).rounded()) }
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
        if let stream {
            var message = [CChar](repeating: 0, count: 256)
            let got = elegy_av_read(stream, buffer, frames, &message, message.count)
            guard got >= 0 else {
                throw DecoderError(function: "avcodec_receive_frame", path: path, message: Decoder.text(message))
            }
            return got
        }
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
        var target = max(0, frame)
        if let frameCount { target = min(target, frameCount) }
        if let stream {
            var message = [CChar](repeating: 0, count: 256)
            guard elegy_av_seek(stream, target, &message, message.count) == 0 else {
                throw DecoderError(function: "av_seek_frame", path: path, message: Decoder.text(message))
            }
            return
        }
        guard let handle else { return }
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

import CElegyFFmpeg
/// The decoding libraries Elegy uses and which files go to each: libsndfile for what it reads, FFmpeg's
/// libavformat/libavcodec for what it lacks (AAC and ALAC in MP4, WavPack, APE, WMA, ...). One table, read by the
/// decoder, the library scan and the `decoders` command.
public enum DecoderPlugin: String, Sendable, CaseIterable {
    case sndfile
    case ffmpeg

    /// Unloads FFmpeg's libraries if no FFmpeg stream is open; true when they were unloaded. A scan calls it when
    /// it ends: reading M4A files loads FFmpeg, about 20 MB resident, which FLAC and MP3 playback never needs (the
    /// next M4A opened loads it again, in a few milliseconds).
    @discardableResult
    public static func unloadUnusedLibraries() -> Bool {
        elegy_av_unload_if_unused() == 1
    }

    /// File name suffixes (lower-case, without the dot) this plugin decodes.
    public var suffixes: [String] {
        switch self {
        case .sndfile: ["wav", "wave", "aif", "aiff", "aifc", "flac", "oga", "ogg", "opus", "mp3", "caf", "w64"]
        case .ffmpeg: ["m4a", "m4b", "mp4", "aac", "alac", "wv", "ape", "wma", "asf", "mka", "tta", "mpc", "ac3"]
        }
    }

    /// MIME types, as `decoders` lists them.
    public var mimeTypes: [String] {
        switch self {
        case .sndfile: ["audio/wav", "audio/x-aiff", "audio/flac", "audio/ogg", "audio/opus", "audio/mpeg"]
        case .ffmpeg:
            ["audio/mp4", "audio/aac", "audio/x-m4a", "audio/x-wavpack", "audio/x-ape", "audio/x-ms-wma",
             "audio/x-matroska", "audio/x-tta", "audio/x-musepack", "audio/ac3"]
        }
    }

    /// Every suffix of every plugin: the files a scan indexes.
    public static let allSuffixes: [String] = allCases.flatMap(\.suffixes)

    /// The plugin for a path, by its suffix (case-insensitive); libsndfile for anything unknown.
    public static func forPath(_ path: String) -> DecoderPlugin {
        guard let dot = path.utf8.lastIndex(of: UInt8(ascii: ".")) else { return .sndfile }
        let suffix = path[path.utf8.index(after: dot)...]
        guard suffix.utf8.count <= 4, !suffix.utf8.contains(UInt8(ascii: "/")) else { return .sndfile }
        return ffmpegSuffixes.contains(suffix.lowercased()) ? .ffmpeg : .sndfile
    }

    private static let ffmpegSuffixes = Set(DecoderPlugin.ffmpeg.suffixes)
}

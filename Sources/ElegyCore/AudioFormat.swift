/// The PCM layout of a decoded stream: what the decoder produces and what the output is asked to accept.
public struct AudioFormat: Sendable, Hashable, Codable, CustomStringConvertible {
    /// How one sample is stored in memory.
    public enum SampleType: String, Sendable, Hashable, Codable {
        /// Signed 16-bit integer (16-bit PCM files).
        case int16
        /// Signed 32-bit integer holding 24- or 32-bit PCM, left-justified as libsndfile delivers it.
        case int32
        /// 32-bit IEEE float (float files and lossy codecs).
        case float32

        /// Bytes one sample occupies in a buffer.
        public var byteWidth: Int { self == .int16 ? 2 : 4 }
    }

    public var sampleRate: Int
    public var channels: Int
    public var sampleType: SampleType
    /// Significant bits of the source (16, 24, 32); shown in `audio:` and `Format:` as MPD does.
    public var bitsPerSample: Int

    public init(sampleRate: Int, channels: Int, sampleType: SampleType, bitsPerSample: Int) {
        self.sampleRate = sampleRate
        self.channels = channels
        self.sampleType = sampleType
        self.bitsPerSample = bitsPerSample
    }

    /// Bytes of one frame (one sample per channel).
    public var bytesPerFrame: Int { channels * sampleType.byteWidth }

    /// MPD's `rate:bits:channels` spelling, with `f` for float.
    public var mpdDescription: String {
        let bits = sampleType == .float32 ? "f" : String(bitsPerSample)
        return "\(sampleRate):\(bits):\(channels)"
    }

    public var description: String { mpdDescription }
}

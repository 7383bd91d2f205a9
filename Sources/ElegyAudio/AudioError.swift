/// A failure of libsndfile: which call failed, on which file, and libsndfile's own message.
public struct DecoderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The C function that failed ("sf_open", "sf_readf_int", ...).
    public var function: String
    public var path: String
    public var message: String

    public init(function: String, path: String, message: String) {
        self.function = function
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}

/// A failure of ALSA: which call failed, on which device, the return code and `snd_strerror`'s text.
public struct ALSAError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The C function that failed ("snd_pcm_open", "snd_pcm_writei", ...).
    public var function: String
    public var device: String
    public var code: Int32
    public var message: String

    public init(function: String, device: String, code: Int32, message: String) {
        self.function = function
        self.device = device
        self.code = code
        self.message = message
    }

    public var description: String { "output \"\(device)\": \(function): \(message)" }
}

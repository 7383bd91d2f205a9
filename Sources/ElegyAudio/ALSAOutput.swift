import CALSA
import ElegyCore

#if canImport(Glibc)
    import Glibc
#endif

/// A playback PCM opened by ALSA name (`default`, `hw:0,0`, `pulse`, `null`, `file:FILE=/x.raw,FORMAT=raw`).
///
/// Owned by the audio thread: every method is called from that thread only.
final class ALSAOutput {
    let device: String
    private(set) var format: AudioFormat?
    private var pcm: OpaquePointer?
    /// Whether the last `configure` had to go through the plug layer (the device refused the exact format).
    private(set) var convertedByPlug = false
    /// Whether `snd_pcm_pause` works on this PCM (decided on the first pause).
    private var pauseUnsupported = false

    /// The buffer asked of ALSA, in microseconds (`snd_pcm_set_params`' latency).
    private let bufferMicroseconds: UInt32
    /// Underruns (ALSA ran out of frames: `snd_pcm_writei` said -EPIPE) since the output was created.
    private(set) var underruns = 0

    /// The control side's wake-up descriptor: a blocked write returns early when it becomes readable.
    private let wakeDescriptor: Int32
    /// The PCM's poll descriptors plus `wakeDescriptor` last; allocated when the PCM opens.
    private var pollDescriptors: UnsafeMutablePointer<pollfd>?
    private var pcmDescriptorCount = 0

    init(device: String, wakeDescriptor: Int32, bufferMilliseconds: Int) {
        self.device = device
        self.wakeDescriptor = wakeDescriptor
        self.bufferMicroseconds = UInt32(clamping: bufferMilliseconds * 1000)
        ALSAOutput.routeLibraryErrors()
    }

    deinit { close() }

    var isOpen: Bool { pcm != nil }

    /// Opens the device (if needed) and sets it to `format`. Tries the exact format first; if the device refuses
    /// it, retries through ALSA's `plug` layer, which converts (and says so through `convertedByPlug`).
    /// The corresponding C functions are `snd_pcm_open` and `snd_pcm_set_params`.
    func configure(_ newFormat: AudioFormat) throws(ALSAError) {
        if pcm != nil, format == newFormat { return }
        close()
        do {
            try open(name: device, format: newFormat)
            convertedByPlug = false
        } catch {
            // Only a format the device refuses is worth a plug retry; a missing device stays missing.
            guard error.code == -EINVAL || error.code == -ENOTSUP || error.function == "snd_pcm_set_params",
                !device.hasPrefix("plug")
            else { throw error }
            let plugged = "plug:'\(device.replacingAll("'", with: ""))'"
            do {
                try open(name: plugged, format: newFormat)
                convertedByPlug = true
            } catch {
                throw ALSAError(function: error.function, device: device, code: error.code, message: error.message)
            }
        }
        format = newFormat
    }

    private func open(name: String, format: AudioFormat) throws(ALSAError) {
        var handle: OpaquePointer?
        var rc = snd_pcm_open(&handle, name, SND_PCM_STREAM_PLAYBACK, 0)
        guard rc >= 0, let opened = handle else { throw error(rc, "snd_pcm_open") }
        rc = snd_pcm_set_params(
            opened, ALSAOutput.alsaFormat(format.sampleType), SND_PCM_ACCESS_RW_INTERLEAVED,
            UInt32(format.channels), UInt32(format.sampleRate), 0, bufferMicroseconds)
        guard rc >= 0 else {
            snd_pcm_close(opened)
            throw error(rc, "snd_pcm_set_params")
        }
        snd_pcm_nonblock(opened, 1)
        let count = max(0, Int(snd_pcm_poll_descriptors_count(opened)))
        let descriptors = UnsafeMutablePointer<pollfd>.allocate(capacity: count + 1)
        snd_pcm_poll_descriptors(opened, descriptors, UInt32(count))
        descriptors[count] = pollfd(fd: wakeDescriptor, events: Int16(POLLIN), revents: 0)
        pcm = opened
        pollDescriptors = descriptors
        pcmDescriptorCount = count
        pauseUnsupported = false
    }

    static func alsaFormat(_ type: AudioFormat.SampleType) -> snd_pcm_format_t {
        switch type {
        case .int16: return SND_PCM_FORMAT_S16_LE
        case .int32: return SND_PCM_FORMAT_S32_LE
        case .float32: return SND_PCM_FORMAT_FLOAT_LE
        }
    }

    /// Writes `frames` frames, waiting (in `poll`, not spinning) while the device's buffer is full. Returns early,
    /// with the count written so far, when the wake descriptor becomes readable: a command is waiting.
    /// Recovers underruns and suspends (-EPIPE, -ESTRPIPE); anything else is thrown.
    /// The corresponding C functions are `snd_pcm_writei` and `snd_pcm_poll_descriptors_revents`.
    func write(_ buffer: UnsafeRawPointer, frames: Int) throws(ALSAError) -> Int {
        guard let pcm, let format, let descriptors = pollDescriptors else { return frames }
        var done = 0
        while done < frames {
            let rc = snd_pcm_writei(pcm, buffer + done * format.bytesPerFrame, snd_pcm_uframes_t(frames - done))
            if rc >= 0 {
                done += Int(rc)
                continue
            }
            if rc == -Int(EAGAIN) {
                if try waitUntilWritable(pcm, descriptors) { continue }
                return done
            }
            if rc == -Int(EPIPE) { underruns += 1 }
            let recovered = snd_pcm_recover(pcm, Int32(rc), 1)
            if recovered < 0 { throw error(recovered, "snd_pcm_writei") }
        }
        return done
    }

    /// Sleeps until the PCM can take frames (true) or a command is waiting (false).
    private func waitUntilWritable(_ pcm: OpaquePointer, _ descriptors: UnsafeMutablePointer<pollfd>)
        throws(ALSAError) -> Bool
    {
        let total = pcmDescriptorCount + 1
        while true {
            for index in 0..<total { descriptors[index].revents = 0 }
            let ready = poll(descriptors, nfds_t(total), -1)
            if ready < 0 {
                if errno == EINTR { continue }
                throw error(-errno, "poll")
            }
            if descriptors[pcmDescriptorCount].revents != 0 { return false }
            var events: UInt16 = 0
            let rc = snd_pcm_poll_descriptors_revents(pcm, descriptors, UInt32(pcmDescriptorCount), &events)
            if rc < 0 { throw error(rc, "snd_pcm_poll_descriptors_revents") }
            if events & UInt16(POLLERR) != 0 {
                // An xrun or a suspend: let snd_pcm_writei report it and snd_pcm_recover mend it.
                return true
            }
            if events & UInt16(POLLOUT) != 0 { return true }
        }
    }

    /// Frames handed to ALSA that have not been heard yet (0 when unknown).
    /// The corresponding C function is `snd_pcm_delay`.
    func delay() -> Int {
        guard let pcm else { return 0 }
        var frames: snd_pcm_sframes_t = 0
        guard snd_pcm_delay(pcm, &frames) >= 0 else { return 0 }
        return max(0, frames)
    }

    /// Plays out what is buffered, then returns. The corresponding C function is `snd_pcm_drain`.
    func drain() {
        guard let pcm else { return }
        snd_pcm_nonblock(pcm, 0)
        snd_pcm_drain(pcm)
        snd_pcm_prepare(pcm)
        snd_pcm_nonblock(pcm, 1)
    }

    /// Discards what is buffered and makes the PCM ready for new frames.
    /// The corresponding C functions are `snd_pcm_drop` and `snd_pcm_prepare`.
    func discard() {
        guard let pcm else { return }
        snd_pcm_drop(pcm)
        snd_pcm_prepare(pcm)
    }

    /// Holds or releases playback without losing the buffer. Returns false when the device cannot pause
    /// (the caller then discards and re-seeks). The corresponding C function is `snd_pcm_pause`.
    func setPaused(_ paused: Bool) -> Bool {
        guard let pcm, !pauseUnsupported else { return false }
        if snd_pcm_pause(pcm, paused ? 1 : 0) < 0 {
            pauseUnsupported = true
            return false
        }
        return true
    }

    /// Closes the PCM, releasing the device. The corresponding C function is `snd_pcm_close`.
    func close() {
        if let pcm { snd_pcm_close(pcm) }
        pollDescriptors?.deallocate()
        pollDescriptors = nil
        pcm = nil
        format = nil
    }

    private func error(_ code: some BinaryInteger, _ function: String) -> ALSAError {
        ALSAError(function: function, device: device, code: Int32(code), message: String(cString: snd_strerror(Int32(code))))
    }

    /// Sends libasound's own error messages to `ALSADiagnostics` instead of stderr (once per process).
    private static func routeLibraryErrors() {
        _ = routeOnce
    }

    private static let routeOnce: Void = {
        _ = CALSA_route_errors { message in
            guard let message else { return }
            ALSADiagnostics.record(String(cString: message))
        }
    }()
}

/// The last message libasound printed, kept for the log instead of being written to the terminal.
public enum ALSADiagnostics {
    private static let lastMessage = Lock<String?>(nil)

    static func record(_ message: String) { lastMessage.withLock { $0 = message } }

    /// The most recent libasound message, if any.
    public static var last: String? { lastMessage.withLock { $0 } }
}

extension String {
    /// Replaces every occurrence of `target` (used for quoting device names).
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for character in self { if character == target { out += replacement } else { out.append(character) } }
        return out
    }
}

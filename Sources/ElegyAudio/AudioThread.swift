import CALSA
import ElegyCore

#if canImport(Glibc)
    import Glibc
#endif

/// Where the frames of one track begin in the stream written to the open PCM.
struct Segment {
    var trackId: Int
    /// Stream frame (counted since the PCM was last configured or emptied) of this segment's first frame.
    var start: Int64
    /// Frame of the track at `start` (non-zero after a seek or a resume).
    var offset: Int64
    var format: AudioFormat
    var duration: Double?
    var bitrate: Int?
}

/// The playback loop. Runs on its own thread; see the rules at the top of PlaybackEngine.swift.
final class AudioThread {
    private let control: ControlBlock
    private let output: ALSAOutput
    /// The one sample buffer, sized for the widest frame libsndfile can give (32 channels of 4 bytes).
    private let buffer: UnsafeMutableRawPointer
    private static let bufferBytes = PlaybackEngine.chunkFrames * 32 * 4

    private var state = PlaybackState.stop
    private var decoder: Decoder?
    private var current: Track?
    private var upcoming: [Track] = []
    /// Whether the queue ends after `upcoming` (else the core sends more before the engine needs them, or the
    /// engine waits for them).
    private var upcomingReachesEnd = true
    /// A track of `upcoming` was dropped because it could not be opened: if they all were, the engine ends and
    /// the core decides what comes next (see `DaemonCore.continueAfterFailures`).
    private var upcomingHadFailures = false
    private var nextDecoder: Decoder?
    /// The track the opener is opening for `nextDecoder`.
    private var pendingOpen: Track?
    /// The current track has ended and the next is not here yet (not opened, or not sent by the core): the
    /// thread waits, the PCM stays open, and the join is made when it comes. The finished track's format.
    private var starvedFormat: AudioFormat?
    private let opener: DecoderOpener
    /// Underruns already published.
    private var publishedUnderruns = 0
    private var volume = 100
    private var sleepRemaining: Double?
    /// Whether the PCM is held by `snd_pcm_pause` (rather than emptied).
    private var heldByALSA = false
    /// Frames written since the PCM was configured or emptied.
    private var streamFrames: Int64 = 0
    private var segment: Segment?
    private var previousSegment: Segment?
    /// Frames decoded into `buffer`, and how many of them ALSA has taken (a write returns early for commands).
    private var chunkFrames = 0
    private var chunkWritten = 0
    /// Frames heard can never run ahead of the clock: some devices (PulseAudio) under-report their delay just
    /// after a start or a seek. Heard frames are capped at `clockBase` plus real time since `clockStart`.
    private var clockBase: Int64 = 0
    private var clockStart = ContinuousClock.now

    private init(control: ControlBlock) {
        self.control = control
        self.output = ALSAOutput(
            device: control.device, wakeDescriptor: control.wakeDescriptor,
            bufferMilliseconds: control.bufferMilliseconds)
        self.buffer = UnsafeMutableRawPointer.allocate(byteCount: AudioThread.bufferBytes, alignment: 16)
        self.opener = DecoderOpener { [control] opened in control.post { $0.opened = opened } }
    }

    deinit { buffer.deallocate() }

    /// Starts the thread, named `elegy-audio`.
    static func start(control: ControlBlock) {
        let box = Unmanaged.passRetained(AudioThread(control: control))
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { raw in
            guard let raw else { return nil }
            let audio = Unmanaged<AudioThread>.fromOpaque(raw).takeRetainedValue()
            CALSA_name_current_thread("elegy-audio")
            audio.run()
            return nil
        }, box.toOpaque())
        if rc != 0 {
            box.release()
            control.publish(force: true) { $0.error = "cannot start the audio thread (pthread_create: \(rc))" }
            control.markExited()
        } else {
            pthread_detach(thread)
        }
    }

    private func run() {
        while true {
            let idle = state != .play || decoder == nil
            let commands = control.takeCommands(idle: idle)
            if commands.shutdown { break }
            volume = commands.volume
            apply(commands)
            if state == .play, decoder != nil { playChunk() }
        }
        opener.shutdown()
        output.discard()
        output.close()
        control.events.finish()
        control.markExited()
    }

    // MARK: Commands

    private func apply(_ taken: Mailbox) {
        let commands = AudioThread.folded(taken)
        if commands.stop { stopAll(emit: true) }
        if let start = commands.start { begin(start) }
        if let next = commands.upcoming, let current {
            if current.id == next.afterId {
                replaceUpcoming(next.tracks, reachesEnd: next.reachesEnd)
            } else if let index = next.tracks.firstIndex(where: { $0.id == current.id }) {
                // Sent for a track this thread has since played past: what follows the current one still holds.
                replaceUpcoming(Array(next.tracks[(index + 1)...]), reachesEnd: next.reachesEnd)
            }
        }
        if let opened = commands.opened { received(opened) }
        if let seconds = commands.seek { seek(to: seconds) }
        if let paused = commands.pause { setPaused(paused) }
        if let sleep = commands.sleep { sleepRemaining = sleep }
    }

    /// A start followed by a seek, a pause or a new list of what follows, all taken at once, becomes one start with
    /// them: applied one after the other, each would publish a status in between (a `play` then `pause` would show
    /// `play` for a moment to a client that asked after the pause).
    static func folded(_ taken: Mailbox) -> Mailbox {
        guard var start = taken.start else { return taken }
        var commands = taken
        if let seconds = commands.seek {
            start.seconds = seconds
            commands.seek = nil
        }
        if let paused = commands.pause {
            start.paused = paused
            commands.pause = nil
        }
        if let next = commands.upcoming, next.afterId == start.track.id {
            start.upcoming = next.tracks
            start.reachesEnd = next.reachesEnd
            commands.upcoming = nil
        }
        commands.start = start
        return commands
    }

    private func stopAll(emit: Bool) {
        output.discard()
        output.close()
        heldByALSA = false
        decoder = nil
        nextDecoder = nil
        pendingOpen = nil
        starvedFormat = nil
        current = nil
        upcoming = []
        segment = nil
        resetStream()
        let changed = state != .stop
        state = .stop
        control.publish(force: true) { status in
            status.state = .stop
            status.elapsed = 0
            status.format = nil
            status.bitrate = nil
        }
        if emit && changed { control.events.emit(.stateChanged(.stop)) }
    }

    private func begin(_ start: StartCommand) {
        nextDecoder = nil
        pendingOpen = nil
        starvedFormat = nil
        upcoming = start.upcoming
        upcomingReachesEnd = start.reachesEnd
        upcomingHadFailures = false
        var candidate: Track? = start.track
        var seconds = start.seconds
        while let track = candidate {
            do {
                let opened = try Decoder(path: track.path, exactMessage: false)
                let frame = AudioThread.frame(atSeconds: seconds, in: opened)
                if seconds > 0 { try opened.seek(toFrame: frame) }
                startDecoding(track, with: opened, atFrame: frame, paused: start.paused)
                return
            } catch {
                fail(track, error.description)
                candidate = upcoming.isEmpty ? nil : upcoming.removeFirst()
                seconds = 0
            }
        }
        stopAll(emit: true)
        control.events.emit(.endOfQueue)
    }

    /// Makes `opened` the current decoder on an emptied, configured PCM.
    private func startDecoding(_ track: Track, with opened: Decoder, atFrame frame: Int64, paused: Bool) {
        if output.isOpen && output.format == opened.format {
            output.discard()
        } else {
            guard configureOutput(for: opened.format) else { return }
        }
        heldByALSA = false
        resetStream()
        segment = makeSegment(track, opened, start: 0, offset: frame)
        decoder = opened
        current = track
        state = paused ? .pause : .play
        prefetch()
        publishPosition(force: true)
        control.events.emit(.trackStarted(id: track.id))
    }

    private func replaceUpcoming(_ tracks: [Track], reachesEnd: Bool) {
        let keepsPrepared = tracks.first != nil && tracks.first == upcoming.first
        upcoming = tracks
        upcomingReachesEnd = reachesEnd
        upcomingHadFailures = false
        if !keepsPrepared { nextDecoder = nil }
        prefetch()
        if starvedFormat != nil { advance() }
    }

    /// The opener's answer: the next decoder, or a track to drop.
    private func received(_ opened: OpenedDecoder) {
        guard let pending = pendingOpen, opened.track == pending else { return }  // superseded meanwhile
        pendingOpen = nil
        guard upcoming.first == opened.track else {
            prefetch()
            return
        }
        switch opened.result {
        case .success(let decoder):
            nextDecoder = decoder
        case .failure(let error):
            upcoming.removeFirst()
            upcomingHadFailures = true
            fail(opened.track, error.description)
            prefetch()
        }
        if starvedFormat != nil { advance() }
    }

    private func seek(to seconds: Double) {
        guard let decoder, let current, state != .stop else { return }
        let frame = AudioThread.frame(atSeconds: seconds, in: decoder)
        do {
            try decoder.seek(toFrame: frame)
        } catch {
            control.publish(force: true) { $0.error = error.description }
            return
        }
        output.discard()
        heldByALSA = false
        resetStream()
        segment = makeSegment(current, decoder, start: 0, offset: frame)
        publishPosition(force: true)
    }

    private func setPaused(_ paused: Bool) {
        guard state != .stop, decoder != nil else { return }
        if paused, state == .play {
            restartClock(at: heardFrames())
            if output.setPaused(true) {
                heldByALSA = true
            } else {
                rewindToHeardPosition()
            }
            state = .pause
        } else if !paused, state == .pause {
            if heldByALSA, !output.setPaused(false) { rewindToHeardPosition() }
            heldByALSA = false
            state = .play
            restartClock(at: clockBase)
        } else {
            return
        }
        publishPosition(force: true)
        control.events.emit(.stateChanged(state))
    }

    /// Empties the PCM and moves the decoder back to what was last heard, so that nothing buffered is lost.
    private func rewindToHeardPosition() {
        guard let decoder, let segment else { return }
        let heard = heardFrames()
        let frame = heard >= segment.start ? heard - segment.start + segment.offset : segment.offset
        output.discard()
        try? decoder.seek(toFrame: frame)
        resetStream()
        self.segment?.start = 0
        self.segment?.offset = frame
    }

    // MARK: Playing

    private func playChunk() {
        guard let decoder, let current else { return }
        let format = decoder.format
        if chunkWritten >= chunkFrames {
            let frames: Int
            do {
                frames = try decoder.read(into: buffer, frames: PlaybackEngine.chunkFrames)
            } catch {
                fail(current, error.description)
                advance()
                return
            }
            guard frames > 0 else {
                advance()
                return
            }
            applyGain(frames: frames, format: format)
            chunkFrames = frames
            chunkWritten = 0
        }
        let written: Int
        do {
            written = try output.write(
                buffer + chunkWritten * format.bytesPerFrame, frames: chunkFrames - chunkWritten)
        } catch {
            outputFailed(error.description)
            return
        }
        chunkWritten += written
        streamFrames += Int64(written)
        if let remaining = sleepRemaining {
            let left = remaining - Double(written) / Double(format.sampleRate)
            if left <= 0 {
                sleepRemaining = nil
                setPaused(true)
                return
            }
            sleepRemaining = left
        }
        if output.underruns != publishedUnderruns {
            publishedUnderruns = output.underruns
            let count = publishedUnderruns
            control.publish(force: true) { $0.underruns = count }
            control.events.emit(.underrun(count: count))
        }
        publishPosition(force: false)
    }

    /// The current track ended: continue with the prepared next one, gaplessly when the format is the same. When
    /// it is not here yet and the queue goes on, wait for it (see `starvedFormat`); end only where the queue ends,
    /// or where every track sent has failed to open.
    private func advance() {
        guard let finishedFormat = decoder?.format ?? starvedFormat else { return }
        prefetch()
        guard let next = nextDecoder, let nextTrack = upcoming.first else {
            let waitsForOpener = pendingOpen != nil && !upcoming.isEmpty
            let waitsForCore = upcoming.isEmpty && !upcomingReachesEnd && !upcomingHadFailures
            if waitsForOpener || waitsForCore {
                starvedFormat = finishedFormat
                decoder = nil
                return
            }
            output.drain()
            stopAll(emit: false)
            control.events.emit(.endOfQueue)
            return
        }
        starvedFormat = nil
        upcoming.removeFirst()
        nextDecoder = nil
        if next.format == finishedFormat, output.isOpen {
            previousSegment = segment
            segment = makeSegment(nextTrack, next, start: streamFrames, offset: 0)
        } else {
            output.drain()
            guard configureOutput(for: next.format) else { return }
            resetStream()
            segment = makeSegment(nextTrack, next, start: 0, offset: 0)
        }
        decoder = next
        current = nextTrack
        control.events.emit(.trackStarted(id: nextTrack.id))
        prefetch()
    }

    /// Asks the opener for the first track of `upcoming`, unless it is prepared or being opened already.
    private func prefetch() {
        guard nextDecoder == nil, let track = upcoming.first, pendingOpen != track else { return }
        pendingOpen = track
        opener.request(track)
    }

    private func configureOutput(for format: AudioFormat) -> Bool {
        do {
            try output.configure(format)
            heldByALSA = false
            return true
        } catch {
            outputFailed(error.description)
            return false
        }
    }

    private func fail(_ track: Track, _ message: String) {
        control.publish(force: true) { $0.error = message }
        control.events.emit(.trackFailed(id: track.id, message: message))
    }

    private func outputFailed(_ message: String) {
        stopAll(emit: false)
        control.publish(force: true) { $0.error = message }
        control.events.emit(.outputFailed(message: message))
    }

    private func makeSegment(_ track: Track, _ decoder: Decoder, start: Int64, offset: Int64) -> Segment {
        Segment(
            trackId: track.id, start: start, offset: offset, format: decoder.format, duration: decoder.duration,
            bitrate: decoder.averageBitrate)
    }

    /// Publishes position, track and format. `force` publishes even while a control command waits
    /// (whose optimistic status would otherwise stand until the command is taken).
    private func publishPosition(force: Bool) {
        guard let segment else { return }
        let heard = heardFrames()
        var audible = segment
        if heard < segment.start, let previous = previousSegment {
            audible = previous
        } else {
            previousSegment = nil
        }
        let elapsed = Double(max(0, heard - audible.start) + audible.offset) / Double(audible.format.sampleRate)
        let state = self.state
        let sleep = sleepRemaining
        let converted = output.convertedByPlug
        control.publish(force: force) { status in
            status.state = state
            status.trackId = audible.trackId
            status.elapsed = elapsed
            status.duration = audible.duration
            status.format = audible.format
            status.bitrate = audible.bitrate
            status.sleepRemaining = sleep
            status.converted = converted
        }
    }

    /// The PCM was emptied or reconfigured: the stream, the pending chunk and the clock start again from zero.
    private func resetStream() {
        streamFrames = 0
        chunkFrames = 0
        chunkWritten = 0
        previousSegment = nil
        restartClock(at: 0)
    }

    /// Frames of the stream heard so far: written minus the device's delay, never ahead of the clock.
    private func heardFrames() -> Int64 {
        let reported = max(0, streamFrames - Int64(output.delay()))
        guard state == .play, let rate = segment?.format.sampleRate else { return min(reported, clockBase) }
        let since = ContinuousClock.now - clockStart
        let seconds = Double(since.components.seconds) + Double(since.components.attoseconds) / 1e18
        return min(reported, clockBase + Int64(seconds * Double(rate)))
    }

    /// The frame `seconds` into `decoder`'s stream, at most its end. A client may ask for any finite time
    /// (`seek 0 1e300`), which does not fit an Int64.
    static func frame(atSeconds seconds: Double, in decoder: Decoder) -> Int64 {
        let frames = (seconds * Double(decoder.format.sampleRate)).rounded(.down)
        let end = decoder.frameCount ?? Int64.max / 4
        guard frames > 0 else { return 0 }
        return frames < Double(end) ? Int64(frames) : end
    }

    private func restartClock(at frames: Int64) {
        clockBase = frames
        clockStart = ContinuousClock.now
    }

    // MARK: Volume

    /// Scales the chunk in place by the volume and the sleep fade; at full volume the samples are untouched.
    private func applyGain(frames: Int, format: AudioFormat) {
        var gain = Double(volume) / 100
        if let remaining = sleepRemaining, remaining < PlaybackEngine.sleepFadeSeconds {
            gain *= max(0, remaining / PlaybackEngine.sleepFadeSeconds)
        }
        guard gain < 1 else { return }
        let count = frames * format.channels
        switch format.sampleType {
        case .int16:
            let factor = Int32(gain * 32768)
            let samples = buffer.assumingMemoryBound(to: Int16.self)
            for index in 0..<count { samples[index] = Int16(truncatingIfNeeded: (Int32(samples[index]) * factor) >> 15) }
        case .int32:
            let factor = Int64(gain * 2_147_483_648)
            let samples = buffer.assumingMemoryBound(to: Int32.self)
            for index in 0..<count { samples[index] = Int32(truncatingIfNeeded: (Int64(samples[index]) * factor) >> 31) }
        case .float32:
            let factor = Float(gain)
            let samples = buffer.assumingMemoryBound(to: Float.self)
            for index in 0..<count { samples[index] *= factor }
        }
    }
}

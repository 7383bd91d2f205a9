import CALSA
import ElegyCore

#if canImport(Glibc)
    import Glibc
#endif

// The audio thread's rules (everything below `AudioThread` runs on it):
// - no allocation in the steady state: one sample buffer is allocated when the thread starts;
// - no logging, no actors, no `await`, no Swift concurrency pool;
// - no file opens at a gapless join: the next track's file is opened by `DecoderOpener` on its own thread
//   (`elegy-open`) and handed over through the mailbox; if it is not there in time, the thread waits (the output
//   runs dry, and the underrun is counted) rather than open it itself. Only a start (`play`, which empties the
//   output anyway) opens a file on this thread;
// - locks it takes, each only to copy values in or out and never across `snd_pcm_writei`, `snd_pcm_drain` or a
//   decoder call: the control lock (`ControlBlock`), the opener's request lock (`DecoderOpener.request`), and
//   whatever the event sink takes;
// - events leave through an `EngineEventSink`: an `AsyncStream` continuation, or the owner's handler (the daemon's
//   `EngineEventInbox`: a short mutex and a preallocated buffer, then a wake-up that does not allocate); neither
//   waits for its reader.

/// A file to play, named by the queue entry it came from.
public struct Track: Sendable, Hashable {
    /// The queue entry id (stable while the entry stays in the queue).
    public var id: Int
    /// Absolute path of the file.
    public var path: String

    public init(id: Int, path: String) {
        self.id = id
        self.path = path
    }
}

/// Whether the engine is playing, paused or stopped; spelled as MPD's `state:`.
public enum PlaybackState: String, Sendable, Hashable, Codable {
    case stop, play, pause
}

/// What the engine is doing, as of the last chunk written. Taken without waiting on audio.
public struct EngineStatus: Sendable, Hashable {
    public var state: PlaybackState = .stop
    /// The queue id of the track being heard (or about to be).
    public var trackId: Int?
    /// Seconds of the current track heard so far: frames handed to ALSA minus the device's delay.
    public var elapsed: Double = 0
    public var duration: Double?
    public var format: AudioFormat?
    /// Average bit rate of the current file in kb/s.
    public var bitrate: Int?
    /// Software volume 0–100.
    public var volume: Int = 100
    /// The last error (bad file, device failure), until cleared.
    public var error: String?
    /// Times the output ran dry (ALSA underruns) since the engine started.
    public var underruns = 0
    /// Seconds of playback left before the sleep timer pauses, when armed.
    public var sleepRemaining: Double?
    /// Whether the device could not take the track's format and ALSA's plug layer converts it.
    public var converted = false
}

/// Something the rest of the daemon should react to.
public enum EngineEvent: Sendable, Hashable {
    /// The engine began reading this track (the one it was asked to start, or the next one, gaplessly).
    case trackStarted(id: Int)
    /// This track could not be played (open or decode failed); the engine moved on without it.
    case trackFailed(id: Int, message: String)
    /// The last track ended and nothing followed: the engine stopped.
    case endOfQueue
    /// The output device failed; the engine stopped (the error is in the status).
    case outputFailed(message: String)
    /// The output ran dry (an ALSA underrun): an audible gap. `count` is the total since the engine started.
    case underrun(count: Int)
    /// Playing, paused or stopped changed, or the sleep timer fired.
    case stateChanged(PlaybackState)
}

/// Plays tracks gaplessly and bit-perfectly through one ALSA device, on its own thread.
///
/// Every public method may be called from any thread; none of them waits for audio. The queue belongs to the
/// caller: it starts a track with `play` and keeps `upcoming` filled with what follows in play order.
public final class PlaybackEngine: Sendable {
    /// Frames per chunk: a command takes effect within one chunk (23 ms at 44.1 kHz).
    public static let chunkFrames = 1024
    /// The sleep timer's fade length.
    public static let sleepFadeSeconds = 10.0
    /// How much audio ALSA buffers unless the output's `buffer_time` says otherwise: long enough to ride out a
    /// busy machine, short enough that drain at the end of the queue and a format change stay quick.
    public static let defaultBufferMilliseconds = 250

    private let control: ControlBlock
    /// Events for the daemon; buffered, so the audio thread never waits for a reader. Empty (and finished) when
    /// the engine was created with an `eventHandler`.
    public let events: AsyncStream<EngineEvent>

    /// Creates the engine and starts its threads, `elegy-audio` and `elegy-open`. Nothing is opened until `play`.
    /// `bufferMilliseconds` is how much audio ALSA holds (MPD's `buffer_time`, in ms).
    ///
    /// With `eventHandler`, events are handed to it on the audio thread as they happen instead of through `events`,
    /// so that the owner can take the ones already emitted before it acts on a command (a stream's reader learns of
    /// them later). The handler must return at once: store the event and wake a thread of the owner's.
    public init(
        device: String, bufferMilliseconds: Int = PlaybackEngine.defaultBufferMilliseconds,
        eventHandler: (@Sendable (EngineEvent) -> Void)? = nil
    ) {
        let (stream, continuation) = AsyncStream<EngineEvent>.makeStream(bufferingPolicy: .bufferingNewest(1024))
        events = stream
        let sink: EngineEventSink
        if let eventHandler {
            continuation.finish()
            sink = EngineEventSink(emit: eventHandler, finish: {})
        } else {
            sink = EngineEventSink(emit: { continuation.yield($0) }, finish: { continuation.finish() })
        }
        control = ControlBlock(device: device, bufferMilliseconds: bufferMilliseconds, events: sink)
        AudioThread.start(control: control)
    }

    /// Stops the thread and closes the device. The engine cannot be used afterwards.
    public func shutdown() {
        control.post { $0.shutdown = true }
        control.waitForExit()
    }

    /// Starts `track` at `seconds` (paused if `paused`), with `upcoming` the tracks that follow in play order.
    /// `upcomingReachesEnd` says whether the queue ends after them: if not, and the engine plays them all before
    /// `setUpcoming` brings more, it waits for more instead of ending.
    public func play(
        _ track: Track, from seconds: Double = 0, paused: Bool = false, upcoming: [Track],
        upcomingReachesEnd: Bool = true
    ) {
        control.post { mailbox in
            mailbox.start = StartCommand(
                track: track, seconds: seconds, paused: paused, upcoming: upcoming, reachesEnd: upcomingReachesEnd)
            mailbox.stop = false
            mailbox.seek = nil
            mailbox.pause = nil
        } publish: { status in
            status.state = paused ? .pause : .play
            status.trackId = track.id
            status.elapsed = seconds
            status.error = nil
        }
    }

    /// Replaces what follows the track `currentId` (`reachesEnd`: the queue ends after them). When the engine has
    /// since moved on to a track of `upcoming`, what follows that one is taken; any other track ignores it.
    public func setUpcoming(_ upcoming: [Track], after currentId: Int, reachesEnd: Bool = true) {
        control.post { $0.upcoming = UpcomingCommand(afterId: currentId, tracks: upcoming, reachesEnd: reachesEnd) }
    }

    /// Pauses or resumes. Ignored when stopped.
    public func setPaused(_ paused: Bool) {
        control.post { $0.pause = paused } publish: { status in
            if status.state != .stop { status.state = paused ? .pause : .play }
        }
    }

    /// Stops and releases the device.
    public func stop() {
        control.post { mailbox in
            mailbox.stop = true
            mailbox.start = nil
            mailbox.seek = nil
            mailbox.pause = nil
        } publish: { status in
            status.state = .stop
            status.elapsed = 0
        }
    }

    /// Moves within the current track to `seconds`.
    public func seek(to seconds: Double) {
        control.post { $0.seek = max(0, seconds) } publish: { status in
            if status.state != .stop { status.elapsed = max(0, seconds) }
        }
    }

    /// Sets the software volume (0–100; 100 leaves samples untouched).
    public func setVolume(_ volume: Int) {
        let clamped = min(100, max(0, volume))
        control.post { $0.volume = clamped } publish: { $0.volume = clamped }
    }

    /// Arms the sleep timer: after `seconds` of playback, fading over the last 10 s, the engine pauses.
    /// `nil` disarms it.
    public func setSleep(_ seconds: Double?) {
        control.post { $0.sleep = .some(seconds) } publish: { $0.sleepRemaining = seconds }
    }

    /// Forgets the last error.
    public func clearError() {
        control.post(nil) { $0.error = nil }
    }

    /// The current status; never waits on audio.
    public var status: EngineStatus { control.readStatus() }
}

/// A request to start a track.
struct StartCommand: Sendable {
    var track: Track
    var seconds: Double
    var paused: Bool
    var upcoming: [Track]
    var reachesEnd = true
}

/// A new list of tracks to follow the given one.
struct UpcomingCommand: Sendable {
    var afterId: Int
    var tracks: [Track]
    var reachesEnd = true
}

/// A file `DecoderOpener` opened for the audio thread. The decoder's ownership moves with it: the opener keeps no
/// reference, so only one thread ever uses it.
struct OpenedDecoder: @unchecked Sendable {
    var track: Track
    var result: Result<Decoder, DecoderError>
}

/// Commands waiting for the audio thread. Later commands override earlier ones of the same kind.
struct Mailbox: Sendable {
    var start: StartCommand?
    var upcoming: UpcomingCommand?
    var pause: Bool?
    var stop = false
    var seek: Double?
    var volume = 100
    /// `.some(nil)` disarms the timer, `.some(x)` arms it, `nil` leaves it alone.
    var sleep: Double??
    var shutdown = false
    /// The opener's answer to the audio thread's last request.
    var opened: OpenedDecoder?

    /// Whether any command waits (the volume is a setting, not a command).
    var hasCommand: Bool {
        start != nil || upcoming != nil || pause != nil || stop || seek != nil || sleep != nil || shutdown
            || opened != nil
    }

    /// Whether a waiting command published an optimistic status (start, stop, seek, pause) that the audio
    /// thread's view, older than that command, must not overwrite.
    var hasOptimisticStatus: Bool {
        start != nil || pause != nil || stop || seek != nil
    }
}

/// Where the audio thread sends its events: neither call waits for a reader.
struct EngineEventSink: Sendable {
    let emit: @Sendable (EngineEvent) -> Void
    /// Called once when the thread exits.
    let finish: @Sendable () -> Void
}

/// State shared between control calls and the audio thread, guarded by one lock.
final class ControlBlock: @unchecked Sendable {
    let device: String
    let bufferMilliseconds: Int
    let events: EngineEventSink
    private let lock = Lock()
    /// Readable while a command waits: wakes the audio thread out of `poll` in a blocked write.
    let wakeDescriptor: Int32 = CALSA_make_wake_descriptor()
    // Guarded by `lock`:
    private var mailbox = Mailbox()
    private var published = EngineStatus()
    private var exited = false

    init(device: String, bufferMilliseconds: Int, events: EngineEventSink) {
        self.device = device
        self.bufferMilliseconds = bufferMilliseconds
        self.events = events
    }

    deinit { close(wakeDescriptor) }

    /// Queues a command (and optionally updates the published status at once, so that a client that asks
    /// right after sees its command's effect), then wakes the audio thread.
    func post(_ command: ((inout Mailbox) -> Void)?, publish: ((inout EngineStatus) -> Void)? = nil) {
        lock.withLock {
            command?(&mailbox)
            publish?(&published)
            lock.broadcast()
        }
        if command != nil {
            var one: UInt64 = 1
            _ = Glibc.write(wakeDescriptor, &one, 8)
        }
    }

    func readStatus() -> EngineStatus { lock.withLock { published } }

    /// Audio thread: takes the waiting commands; if `idle`, sleeps until there is one.
    func takeCommands(idle: Bool) -> Mailbox {
        var count: UInt64 = 0
        _ = Glibc.read(wakeDescriptor, &count, 8)
        return lock.withLock {
            while idle && !mailbox.hasCommand { lock.wait() }
            let taken = mailbox
            mailbox.start = nil
            mailbox.upcoming = nil
            mailbox.pause = nil
            mailbox.stop = false
            mailbox.seek = nil
            mailbox.sleep = nil
            mailbox.opened = nil
            return taken
        }
    }

    /// Audio thread: publishes its view of the status. It is skipped while a command with an optimistic status
    /// waits (even with `force`), so that the command's status stands until the audio thread has acted on it:
    /// a client that sends `play` then `seekcur 5` and asks at once must see 5, not the start it overtook.
    /// Unless `force`, it is also skipped while any other control command waits.
    func publish(force: Bool, _ update: (inout EngineStatus) -> Void) {
        lock.withLock {
            if force ? !mailbox.hasOptimisticStatus : !mailbox.hasCommand { update(&published) }
        }
    }

    func markExited() {
        lock.withLock {
            exited = true
            lock.broadcast()
        }
    }

    func waitForExit() {
        lock.withLock { while !exited { lock.wait() } }
    }
}

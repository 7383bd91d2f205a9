import CALSA
import ElegyCore

#if canImport(Glibc)
    import Glibc
#endif

/// Opens the next track's file on a thread of its own (`elegy-open`), so that the audio thread never waits on a
/// disk, a network mount or libsndfile's header parsing at a gapless join (MPD's decoder thread plays this part).
///
/// The audio thread asks with `request` (a short lock, never held across an open) and gets the result in its
/// mailbox (`Mailbox.opened`), which wakes it. One request is outstanding at a time: a newer one replaces a request
/// not yet started; an answer for a track the audio thread no longer wants is dropped by the audio thread.
final class DecoderOpener: @unchecked Sendable {
    private let lock = Lock()
    private let deliver: @Sendable (OpenedDecoder) -> Void
    // Guarded by `lock`:
    private var waiting: Track?
    private var stopping = false
    private var exited = false

    /// Starts the thread; `deliver` is called on it with each opened file.
    init(deliver: @escaping @Sendable (OpenedDecoder) -> Void) {
        self.deliver = deliver
        let box = Unmanaged.passRetained(self)
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { raw in
            guard let raw else { return nil }
            let opener = Unmanaged<DecoderOpener>.fromOpaque(raw).takeRetainedValue()
            CALSA_name_current_thread("elegy-open")
            opener.run()
            return nil
        }, box.toOpaque())
        if rc != 0 {
            box.release()
            exited = true
        } else {
            pthread_detach(thread)
        }
    }

    /// Audio thread: asks for `track` to be opened. Returns at once. If the thread could not start, the track is
    /// reported as failed rather than opened here.
    func request(_ track: Track) {
        let running = lock.withLock {
            waiting = track
            lock.broadcast()
            return !exited
        }
        if !running {
            deliver(OpenedDecoder(
                track: track,
                result: .failure(DecoderError(function: "pthread_create", path: track.path, message: "no opener thread"))))
        }
    }

    /// Stops the thread and waits for it to finish the open in progress.
    func shutdown() {
        lock.withLock {
            stopping = true
            lock.broadcast()
            while !exited { lock.wait() }
        }
    }

    private func run() {
        while true {
            let next: Track? = lock.withLock {
                while waiting == nil && !stopping { lock.wait() }
                defer { waiting = nil }
                return stopping ? nil : waiting
            }
            guard let track = next else { break }
            let result = Result { () throws(DecoderError) in try Decoder(path: track.path, exactMessage: false) }
            deliver(OpenedDecoder(track: track, result: result))
        }
        lock.withLock {
            exited = true
            lock.broadcast()
        }
    }
}

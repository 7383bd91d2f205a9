import ElegyAudio

/// Engine events waiting for the core, in the order the audio thread emitted them.
///
/// The audio thread appends (`post`, never waiting on anything but this inbox's own short lock) and asks for one
/// wake-up until the core takes what is waiting. The core takes the events at the start of everything it does under
/// its lock (`DaemonCore.locked`), so a command never acts before an event that was emitted before it began.
final class EngineEventInbox: @unchecked Sendable {
    private struct Waiting {
        var events: [EngineEvent] = []
        /// A wake-up was asked for and the events have not been taken since.
        var wakeRequested = false
        var wake: (@Sendable () -> Void)?
    }

    private let lock = PthreadMutex()
    /// Guarded by `lock`.
    private var waiting = Waiting()

    /// Sets what `post` calls to have the events taken (once per batch of events).
    func setWake(_ wake: @escaping @Sendable () -> Void) {
        lock.withLock { waiting.wake = wake }
    }

    /// Audio thread: stores `event` and, unless one is pending, asks for a wake-up.
    func post(_ event: EngineEvent) {
        let wake: (@Sendable () -> Void)? = lock.withLock {
            waiting.events.append(event)
            guard !waiting.wakeRequested else { return nil }
            waiting.wakeRequested = true
            return waiting.wake
        }
        wake?()
    }

    /// Takes every waiting event, oldest first.
    func take() -> [EngineEvent] {
        lock.withLock {
            waiting.wakeRequested = false
            guard !waiting.events.isEmpty else { return [] }
            let taken = waiting.events
            waiting.events = []
            return taken
        }
    }
}

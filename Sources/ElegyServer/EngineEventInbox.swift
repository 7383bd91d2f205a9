import ElegyAudio
import ElegyCore

/// Engine events waiting for the core, in the order the audio thread emitted them.
///
/// The audio thread appends (`post`, never waiting on anything but this inbox's own short lock) and asks for one
/// wake-up until the core takes what is waiting. Preallocated: both buffers reserve `capacity` events and the
/// wake-up is a dispatch source made once (`DaemonCore.engineWake`), so a post does not allocate unless more than
/// `capacity` events pile up before the core takes them. The core takes the events at the start of everything it does under
/// its lock (`DaemonCore.locked`), so a command never acts before an event that was emitted before it began.
final class EngineEventInbox: @unchecked Sendable {
    /// Events one batch holds without growing its buffer (a track start, a failure or two, a state change).
    static let capacity = 16

    private struct Waiting {
        var events: [EngineEvent] = {
            var buffer: [EngineEvent] = []
            buffer.reserveCapacity(EngineEventInbox.capacity)
            return buffer
        }()
        /// A wake-up was asked for and the events have not been taken since.
        var wakeRequested = false
        var wake: (@Sendable () -> Void)?
    }

    private let lock = Lock()
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

    /// Moves every waiting event, oldest first, into `buffer` (emptied first), and gives the inbox `buffer`'s
    /// storage in exchange: the two buffers keep their capacity, so the audio thread's `post` does not allocate.
    func take(into buffer: inout [EngineEvent]) {
        buffer.removeAll(keepingCapacity: true)
        lock.withLock {
            waiting.wakeRequested = false
            if !waiting.events.isEmpty { swap(&buffer, &waiting.events) }
        }
    }
}

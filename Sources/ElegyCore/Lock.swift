#if canImport(Glibc)
    import Glibc
#endif

/// The one lock of the tree: a pthread mutex guarding a value, with a condition variable for the few places that
/// wait (the audio thread's mailbox, the opener's request, the scanner's work queue).
///
/// pthread rather than `Synchronization.Mutex`: ThreadSanitizer models pthread locks, while `Mutex`'s raw futex
/// calls made every access inside it look like a race (the sanitizer run needed per-type suppressions). One type
/// means one answer to that question for every lock.
public final class Lock<State>: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// Held by address: the body's `inout` is this storage, never a copy, even while `wait` lets others in.
    private let state = UnsafeMutablePointer<State>.allocate(capacity: 1)

    public init(_ initial: State) {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
        state.initialize(to: initial)
    }

    deinit {
        state.deinitialize(count: 1)
        state.deallocate()
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Runs `body` with the mutex held and the guarded value.
    public func withLock<T, E: Error>(_ body: (inout State) throws(E) -> T) throws(E) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&state.pointee)
    }

    /// Waits (releasing the mutex meanwhile) until `ready` holds for the guarded value, then runs `body` with it.
    /// The value is read again after every wake-up: a loop on the `inout` value inside `withLock` could be compiled
    /// to read it once, since an `inout` is exclusive for the body's whole length.
    public func withLock<T, E: Error>(
        waitingUntil ready: (State) -> Bool, _ body: (inout State) throws(E) -> T
    ) throws(E) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while !ready(state.pointee) { pthread_cond_wait(condition, mutex) }
        return try body(&state.pointee)
    }

    /// Inside `withLock` only, for a `Lock<Void>` guarding properties of its owner (read again through `self` after
    /// the wait): releases the mutex until `broadcast`, then holds it again. Callers loop on their condition
    /// (wake-ups may be spurious). For a guarded value, use `withLock(waitingUntil:_:)`.
    public func wait() { pthread_cond_wait(condition, mutex) }

    /// Wakes every thread in `wait`; call inside `withLock`.
    public func broadcast() { pthread_cond_broadcast(condition) }
}

extension Lock where State == Void {
    /// A lock that guards code rather than a value.
    public convenience init() { self.init(()) }

    /// Runs `body` with the mutex held.
    public func withLock<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        try withLock { (_: inout Void) throws(E) in try body() }
    }
}

#if canImport(Glibc)
    import Glibc
#endif

/// A plain pthread mutex, for the locks shared by the event loops, the core queue and the audio thread (the core's
/// state, the engine-event inbox).
///
/// Not `Synchronization.Mutex`: that one locks with raw futex calls, which ThreadSanitizer cannot see, so every
/// access made under it is reported as a race and real races would drown among them. glibc's mutex takes the same
/// futex fast path when uncontended.
final class PthreadMutex: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    init() {
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with the mutex held.
    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}

import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A value behind a `Mutex`, readable and writable from any thread.
final class LockedValue<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func get() -> Value { mutex.withLock { $0 } }
    func set(_ value: Value) { mutex.withLock { $0 = value } }
}

/// A mutex with a condition variable: the audio thread sleeps on it while there is nothing to play,
/// and control calls wake it. (`Synchronization.Mutex` has no condition variable.)
final class ConditionLock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        condition.deallocate()
    }

    /// Runs `body` with the mutex held.
    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// Waits for `signal()`; call only inside `withLock`.
    func wait() { pthread_cond_wait(condition, mutex) }

    /// Wakes every waiting thread; call inside `withLock`.
    func signal() { pthread_cond_broadcast(condition) }
}

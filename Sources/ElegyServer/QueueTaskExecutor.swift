import Dispatch

/// Runs Swift tasks on a serial dispatch queue of the daemon's own instead of the Swift concurrency pool.
///
/// The pool's worker threads are watched by libdispatch's workqueue monitor, a timer that then wakes the process
/// every second for good, idle or not; a serial queue's threads are not watched. The daemon's few tasks (a library
/// scan waiting for its threads) prefer this executor, so an idle elegyd never wakes up.
final class QueueTaskExecutor: TaskExecutor, @unchecked Sendable {
    private let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: label)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let unownedJob = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { unownedJob.runSynchronously(on: executor) }
    }
}

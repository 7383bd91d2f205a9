import ElegyCore
import NIOCore
import Synchronization

/// Per-client facts a command handler may read or change (the client's tag types for song records).
public struct ClientContext: Sendable {
    public var id: Int
    public var tagTypes: TagTypeSet
}

/// The connected clients: admission against the connection limit, and idle-event delivery to each one's loop.
/// Safe to use from any thread.
final class ClientRegistry: Sendable {
    /// Delivers changed subsystems to one client; runs on that client's event loop.
    typealias Listener = @Sendable ([IdleSubsystem]) -> Void

    private struct State {
        var admitted = 0
        var lastID = 0
        var listeners: [Int: (eventLoop: any EventLoop, listener: Listener)] = [:]
    }

    let limit: Int
    private let state = Mutex(State())

    init(limit: Int) { self.limit = limit }

    /// Counts a new connection in; false when the limit is reached (the caller refuses it).
    func admit() -> Bool {
        state.withLock { state in
            guard state.admitted < limit else { return false }
            state.admitted += 1
            return true
        }
    }

    func nextID() -> Int { state.withLock { $0.lastID += 1; return $0.lastID } }

    func register(_ id: Int, eventLoop: any EventLoop, listener: @escaping Listener) {
        state.withLock { $0.listeners[id] = (eventLoop, listener) }
    }

    func unregister(_ id: Int) {
        state.withLock { state in
            if state.listeners.removeValue(forKey: id) != nil { state.admitted -= 1 }
        }
    }

    var connectedCount: Int { state.withLock { $0.listeners.count } }

    /// Tells every client what changed, each on its own event loop; never waits for them.
    func broadcast(_ changes: [IdleSubsystem]) {
        guard !changes.isEmpty else { return }
        let targets = state.withLock { Array($0.listeners.values) }
        for target in targets {
            let listener = target.listener
            target.eventLoop.execute { listener(changes) }
        }
    }
}

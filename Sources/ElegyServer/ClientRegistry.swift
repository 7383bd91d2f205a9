import ElegyCore
import NIOCore

/// Per-client facts a command handler may read or change (the client's tag types for song records, its limit for
/// binary chunks).
public struct ClientContext: Sendable {
    /// MPD's default `binarylimit`: the largest chunk of a binary answer (`albumart`).
    public static let defaultBinaryLimit = 8192

    public var id: Int
    public var tagTypes: TagTypeSet
    public var binaryLimit = ClientContext.defaultBinaryLimit
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
        /// Client-to-client messages: each client's channels, and the messages waiting for its `readmessages`.
        var subscriptions: [Int: Set<String>] = [:]
        var inboxes: [Int: [ChannelMessage]] = [:]
    }

    /// One message sent to a channel (`sendmessage`), waiting in a subscriber's inbox.
    struct ChannelMessage: Sendable, Equatable {
        var channel: String
        var text: String
    }

    /// Why a subscription or a message was refused.
    enum MessagingError: Error {
        case alreadySubscribed, notSubscribed, tooManySubscriptions, nobodySubscribed
    }

    /// MPD's limits: channels per client and messages waiting per client (older ones are dropped beyond it).
    static let maxSubscriptions = 16
    static let maxWaitingMessages = 64

    let limit: Int
    private let state = Lock(State())

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
            state.subscriptions[id] = nil
            state.inboxes[id] = nil
        }
    }

    /// `subscribe`: client `id` receives what is sent to `channel` from now on.
    func subscribe(_ id: Int, to channel: String) throws(MessagingError) {
        try state.withLock { (state) throws(MessagingError) in
            var channels = state.subscriptions[id] ?? []
            guard !channels.contains(channel) else { throw .alreadySubscribed }
            guard channels.count < ClientRegistry.maxSubscriptions else { throw .tooManySubscriptions }
            channels.insert(channel)
            state.subscriptions[id] = channels
        }
    }

    /// `unsubscribe`.
    func unsubscribe(_ id: Int, from channel: String) throws(MessagingError) {
        try state.withLock { (state) throws(MessagingError) in
            guard state.subscriptions[id]?.remove(channel) != nil else { throw .notSubscribed }
        }
    }

    /// `channels`: every channel someone is subscribed to, sorted.
    func channels() -> [String] {
        state.withLock { state in Set(state.subscriptions.values.joined()).sorted() }
    }

    /// `sendmessage`: queues `text` for every subscriber of `channel` and wakes them with the `message` event.
    func send(_ text: String, to channel: String) throws(MessagingError) {
        let recipients = try state.withLock { (state) throws(MessagingError) in
            let subscribers = state.subscriptions.filter { $0.value.contains(channel) }.map(\.key)
            guard !subscribers.isEmpty else { throw .nobodySubscribed }
            for id in subscribers {
                var inbox = state.inboxes[id] ?? []
                if inbox.count >= ClientRegistry.maxWaitingMessages { inbox.removeFirst() }
                inbox.append(ChannelMessage(channel: channel, text: text))
                state.inboxes[id] = inbox
            }
            return subscribers.compactMap { state.listeners[$0] }
        }
        for target in recipients {
            let listener = target.listener
            target.eventLoop.execute { listener([.message]) }
        }
    }

    /// `readmessages`: takes the messages waiting for client `id`, oldest first.
    func takeMessages(for id: Int) -> [ChannelMessage] {
        state.withLock { state in state.inboxes.removeValue(forKey: id) ?? [] }
    }


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

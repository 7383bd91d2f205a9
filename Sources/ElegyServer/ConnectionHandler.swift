import ElegyCore
import Logging
import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// What the kernel says about the process at the other end of a Unix socket (`struct ucred`).
struct PeerCredentials: Sendable {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
}

/// One client connection: frames lines, keeps the protocol session, sends batches to the core and writes answers.
///
/// Runs on its channel's event loop only. Quick in-memory commands are answered at once on the loop (under the core's
/// lock); commands that touch files run on the core's queue, and while such a batch runs, further input waits in
/// the framer so that answers keep their order.
///
/// Back-pressure: a client that sends without reading answers, or faster than the core runs its commands, is not
/// read from while its answers are not written out (the channel is not writable) or while a batch runs and more than
/// `inputHighWater` bytes already wait in the framer. Without it a `status` flood grew the daemon to 1 GB in 15 s.
final class ConnectionHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Unprocessed input above which reading pauses while a batch runs.
    static let inputHighWater = 64 * 1024

    static let greeting = "OK MPD 0.23.5\n"

    private let core: DaemonCore
    private let registry: ClientRegistry
    private let logger: Logger
    /// A client silent this long is disconnected, unless it waits in `idle` or for a batch (`connection_timeout`).
    private let silenceTimeout: TimeAmount
    private var framer = RequestFramer()
    private var session = ConnectionSession()
    private var clientID = 0
    private var context: ChannelHandlerContext?
    /// A batch of file-touching commands is on the core queue; input waits until its answer is written.
    private var busy = false
    private var closed = false
    /// A read the channel asked for and this handler holds back (see back-pressure above).
    private var readHeld = false
    /// The client's `binarylimit` (kept here between batches, like its tag types in `session`).
    private var binaryLimit = ClientContext.defaultBinaryLimit
    /// The channel's writability as last reported by `channelWritabilityChanged` (asking the channel costs an
    /// existential call and an atomic load, several times per request).
    private var writable = true
    /// When input last arrived; the silence timer checks it when it fires (one timer, not one per read).
    private var lastInput = NIODeadline.now()
    private var silenceTimer: Scheduled<Void>?
    /// Answers waiting to go out in chunks (see `write`), oldest first, with how much of the first is written.
    private var outgoing: [[UInt8]] = []
    private var outgoingOffset = 0
    /// Chunks handed to the channel and not yet written to the socket.
    private var chunksInFlight = 0
    /// The connection closes once `outgoing` is written (an answer that ends the connection, such as `close`'s).
    private var closesWhenWritten = false
    /// A `resumeChunks` task is queued on the event loop.
    private var resumeScheduled = false
    /// Answers from this size on are written in chunks of `chunkBytes` (see `write`).
    private let chunkedFrom: Int
    private let chunkBytes: Int

    /// `chunks`: from what size answers go out in chunks, and the chunk size; 64 KiB is under glibc's mapping
    /// threshold (`MemoryTuning.mmapThreshold`). Tests make them small.
    init(
        core: DaemonCore, registry: ClientRegistry, silenceTimeout: TimeAmount, logger: Logger,
        chunks: (from: Int, size: Int) = (1 << 20, 64 * 1024)
    ) {
        self.silenceTimeout = silenceTimeout
        chunkedFrom = chunks.from
        chunkBytes = max(1, chunks.size)
        self.core = core
        self.registry = registry
        self.logger = logger
    }

    func channelActive(context: ChannelHandlerContext) {
        self.context = context
        guard registry.admit() else {
            logger.warning("refusing a connection: too many clients", metadata: ["limit": "\(registry.limit)"])
            write(Array("ACK [52@0] {} too many connections\n".utf8), context: context)
            context.flush()  // a close with the ACK still unflushed would drop it
            context.close(promise: nil)
            closed = true
            return
        }
        clientID = registry.nextID()
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        registry.register(clientID, eventLoop: context.eventLoop) { changes in
            loopBound.value.deliver(changes)
        }
        verifyPeer(context: context)
        lastInput = .now()
        armSilenceTimer(context: context, at: lastInput + silenceTimeout)
        write(Array(ConnectionHandler.greeting.utf8), context: context)
        context.flush()
        context.fireChannelActive()
    }

    /// Closes connections from other users: the socket is private to its owner, as the DESIGN asks.
    private func verifyPeer(context: ChannelHandlerContext) {
        guard let provider = context.channel as? any SocketOptionProvider else { return }
        let ownUID = getuid()
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let future: EventLoopFuture<PeerCredentials> = provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
        future.whenComplete { result in
            let handler = loopBound.value
            switch result {
            case .success(let peer) where peer.uid == ownUID:
                break
            case .success(let peer):
                handler.logger.warning("refusing a connection from another user", metadata: ["peer.uid": "\(peer.uid)"])
                handler.closeNow()
            case .failure:
                // Not a Unix socket (a configured TCP listener): nothing to check.
                break
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        outgoing = []
        silenceTimer?.cancel()
        silenceTimer = nil
        if clientID != 0 { registry.unregister(clientID) }
        self.context = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closed else { return }
        lastInput = .now()
        let buffer = unwrapInboundIn(data)
        framer.append(buffer.readableBytesView)
        processInput()
    }

    private func armSilenceTimer(context: ChannelHandlerContext, at deadline: NIODeadline) {
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        silenceTimer = context.eventLoop.scheduleTask(deadline: deadline) { loopBound.value.silenceTimerFired() }
    }

    /// Whether the client waits on the daemon (in `idle`, or for a batch on the core queue): not being silent.
    private var waitsOnDaemon: Bool {
        if case .idle = session.state { return true }
        return busy
    }

    /// Closes a connection silent for `silenceTimeout`; re-arms for `silenceTimeout` after the last input when
    /// input came since. A client waiting on the daemon keeps no timer at all (no wake-up per idle client):
    /// `rearmSilenceTimer` starts one again when it stops waiting.
    private func silenceTimerFired() {
        silenceTimer = nil
        guard let context, !closed, !waitsOnDaemon else { return }
        let deadline = lastInput + silenceTimeout
        if deadline > .now() {
            armSilenceTimer(context: context, at: deadline)
            return
        }
        logger.debug("closing a silent connection", metadata: ["client.id": "\(clientID)"])
        closeNow()
    }

    /// After input was processed: a client that stopped waiting on the daemon gets its silence timer back.
    private func rearmSilenceTimer(_ context: ChannelHandlerContext) {
        guard silenceTimer == nil, !closed, !waitsOnDaemon else { return }
        armSilenceTimer(context: context, at: .now() + silenceTimeout)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("connection error", metadata: ["client.id": "\(clientID)", "error": "\(error)"])
        closeNow()
    }

    /// Outbound `read`: held while the client must first take its answers or while enough input waits.
    func read(context: ChannelHandlerContext) {
        if holdsInput(context) {
            readHeld = true
            return
        }
        context.read()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        writable = context.channel.isWritable
        if writable { processInput() }
        context.fireChannelWritabilityChanged()
    }

    private func holdsInput(_ context: ChannelHandlerContext) -> Bool {
        !canAnswer || (busy && framer.bufferedByteCount >= ConnectionHandler.inputHighWater)
    }

    /// Whether more answers may be made: the channel takes writes and no big answer is still going out in chunks
    /// (its chunks keep the channel writable, so the channel alone would let a client pile up answers).
    private var canAnswer: Bool { writable && outgoing.isEmpty }

    private func releaseHeldRead(_ context: ChannelHandlerContext) {
        guard readHeld, !closed, !holdsInput(context) else { return }
        readHeld = false
        context.read()
    }

    /// Runs every complete request in the framer, in order, stopping while a batch is on the core or while the
    /// answers already written wait for the client to read them.
    private func processInput() {
        guard let context else { return }
        while !busy, !closed, !closesWhenWritten, canAnswer, let action = session.next(from: &framer) {
            switch action {
            case .nothing:
                continue
            case .reply(let bytes), .endIdle(let bytes):
                write(bytes, context: context)
            case .startIdle:
                // Events that arrived while the client was busy are answered at once.
                if let bytes = session.notify([]) { write(bytes, context: context) }
            case .close(let bytes):
                if !bytes.isEmpty { write(bytes, context: context) }
                closeAfterWriting()
            case .execute(let batch):
                var client = ClientContext(id: clientID, tagTypes: session.tagTypes, binaryLimit: binaryLimit)
                if let outcome = core.executeInline(batch, client: &client) {
                    session.tagTypes = client.tagTypes
                    binaryLimit = client.binaryLimit
                    write(outcome.bytes, context: context)
                    if outcome.closesConnection { closeAfterWriting() }
                    continue
                }
                busy = true
                let eventLoop = context.eventLoop
                let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
                core.execute(batch, client: client) { outcome, updatedClient in
                    eventLoop.execute { loopBound.value.finish(outcome, client: updatedClient) }
                }
            }
        }
        if !busy || !canAnswer { context.flush() }
        releaseHeldRead(context)
        rearmSilenceTimer(context)
    }

    /// Event loop: writes a batch's answer and resumes reading input.
    private func finish(_ outcome: BatchOutcome, client: ClientContext) {
        busy = false
        guard let context, !closed else { return }
        session.tagTypes = client.tagTypes
        binaryLimit = client.binaryLimit
        write(outcome.bytes, context: context)
        if outcome.closesConnection {
            closeAfterWriting()
            return
        }
        processInput()
    }

    /// Event loop: the core reports changed subsystems; an idling client hears about them now, a busy one later.
    private func deliver(_ changes: [IdleSubsystem]) {
        guard let context, !closed else { return }
        if let bytes = session.notify(changes) {
            write(bytes, context: context)
            context.flush()
            rearmSilenceTimer(context)  // the idle ended with this answer
        }
    }

    /// Writes an answer. A big one goes out in chunks of `chunkBytes`, at most two at a time, each copied into a
    /// channel buffer only when the one before it reached the socket: copied whole, a 28 MB `listallinfo` needed a
    /// second 28 MB buffer, freshly mapped (glibc maps blocks of 128 KiB and more) and faulted in page by page. The
    /// faults of the two buffers were a quarter of the answer's CPU time (perf, 2026-12-07); chunks under the mapping
    /// threshold reuse the same heap, and only the answer's own buffer is faulted in.
    /// Answers that come while one is going out wait behind it, in order.
    private func write(_ bytes: [UInt8], context: ChannelHandlerContext) {
        guard !bytes.isEmpty else { return }
        // An answer of megabytes (listallinfo, a search of everything) leaves freed heap behind it, which glibc
        // keeps unless asked: 3.3 MB after a round of big answers over 100,000 songs.
        if bytes.count >= ConnectionHandler.bigAnswerBytes { MemoryTuning.releaseFreeMemorySoon() }
        guard outgoing.isEmpty, bytes.count < chunkedFrom else {
            outgoing.append(bytes)
            writeChunks(context)
            return
        }
        var buffer = context.channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        context.write(wrapOutboundOut(buffer), promise: nil)
    }

    /// Answers from this size on ask for the heap to be trimmed once they are sent.
    static let bigAnswerBytes = 1 << 20

    /// Hands the channel the next chunks of `outgoing`, up to two in flight.
    private func writeChunks(_ context: ChannelHandlerContext) {
        while !closed, chunksInFlight < 2, let answer = outgoing.first {
            let end = min(answer.count, outgoingOffset + chunkBytes)
            var buffer = context.channel.allocator.buffer(capacity: end - outgoingOffset)
            _ = answer.withUnsafeBytes { buffer.writeBytes(UnsafeRawBufferPointer(rebasing: $0[outgoingOffset..<end])) }
            if end == answer.count {
                outgoing.removeFirst()
                outgoingOffset = 0
            } else {
                outgoingOffset = end
            }
            chunksInFlight += 1
            let promise = context.eventLoop.makePromise(of: Void.self)
            let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
            promise.futureResult.whenComplete { result in loopBound.value.chunkWritten(result) }
            context.writeAndFlush(wrapOutboundOut(buffer), promise: promise)
        }
    }

    /// Event loop: a chunk reached the socket (or the connection failed, and the rest is dropped). The next chunks
    /// follow in a task of their own: a socket with room completes the write within `writeAndFlush`, and carrying
    /// on from here would nest one call per chunk, in the middle of whatever wrote the answer.
    private func chunkWritten(_ result: Result<Void, any Error>) {
        chunksInFlight -= 1
        guard case .success = result else {
            outgoing = []
            return
        }
        guard let context, !resumeScheduled else { return }
        resumeScheduled = true
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.eventLoop.execute { loopBound.value.resumeChunks() }
    }

    /// Event loop: writes on after `chunkWritten`; once everything is out, takes input again or closes.
    private func resumeChunks() {
        resumeScheduled = false
        guard let context, !closed else { return }
        writeChunks(context)
        guard outgoing.isEmpty else { return }
        if !closesWhenWritten {
            processInput()
        } else if chunksInFlight == 0 {
            closeNow()
        }
    }

    /// Closes once every answer is written (at once when none is going out in chunks).
    private func closeAfterWriting() {
        guard !outgoing.isEmpty || chunksInFlight > 0 else { return closeNow() }
        closesWhenWritten = true
    }

    private func closeNow() {
        guard let context else { return }
        closed = true
        context.flush()
        context.close(promise: nil)
    }
}

import ElegyCore
import Logging
import NIOCore
import NIOEmbedded
import Testing

@testable import ElegyServer

/// `ConnectionHandler` on NIO's `EmbeddedChannel`: greeting, framing across reads, answers in order, ACKs that keep
/// the connection, the connection limit, `idle`/`noidle` and `close`. Only commands the table answers on the loop
/// are sent, so every answer is in the channel's outbound buffer when `writeInbound` returns.
@Suite("Connection handler", .serialized)
struct ConnectionHandlerTests {
    /// A connected embedded channel with the handler over a real core (ALSA `null`, an empty library).
    private func connect(
        _ harness: CoreHarness, registry: ClientRegistry, chunks: (from: Int, size: Int) = (1 << 20, 64 * 1024)
    ) throws -> EmbeddedChannel {
        let handler = ConnectionHandler(
            core: harness.core, registry: registry, silenceTimeout: .seconds(60), logger: Logger(label: "test"),
            chunks: chunks)
        let channel = EmbeddedChannel(handler: handler)
        try channel.connect(to: SocketAddress(unixDomainSocketPath: "/elegy-test")).wait()
        return channel
    }

    private func send(_ channel: EmbeddedChannel, _ text: String) throws {
        try channel.writeInbound(channel.allocator.buffer(string: text))
    }

    /// Everything written to the client so far, as text.
    private func written(_ channel: EmbeddedChannel) throws -> String {
        var text = ""
        while var buffer = try channel.readOutbound(as: ByteBuffer.self) {
            text += buffer.readString(length: buffer.readableBytes) ?? ""
        }
        return text
    }

    @Test func greetsThenAnswersRequestsSplitAcrossReadsInOrder() async throws {
        let harness = try await CoreHarness(songs: 0)
        let channel = try connect(harness, registry: ClientRegistry(limit: 4))
        #expect(try written(channel) == ConnectionHandler.greeting)
        try send(channel, "pi")
        #expect(try written(channel) == "", "answered half a line")
        try send(channel, "ng\nstatus\nping\n")
        let answer = try written(channel)
        #expect(answer.hasPrefix("OK\nvolume: "), "\(answer)")
        #expect(answer.contains("\nstate: stop\n"), "\(answer)")
        #expect(answer.hasSuffix("\nOK\nOK\n"), "\(answer)")
        _ = try channel.finish()
    }

    @Test func anUnknownCommandIsAnAckAndTheConnectionStays() async throws {
        let harness = try await CoreHarness(songs: 0)
        let channel = try connect(harness, registry: ClientRegistry(limit: 4))
        _ = try written(channel)
        try send(channel, "frobnicate 3\nping\n")
        #expect(try written(channel) == "ACK [5@0] {} unknown command \"frobnicate\"\nOK\n")
        #expect(channel.isActive)
        try send(channel, "command_list_ok_begin\nping\nsetvol 500\nping\ncommand_list_end\n")
        let listAnswer = try written(channel)
        #expect(listAnswer == "list_OK\nACK [2@1] {setvol} Number too large: 500\n", "\(listAnswer)")
        _ = try channel.finish()
    }

    @Test func connectionsOverTheLimitAreRefusedWithAnAck() async throws {
        let harness = try await CoreHarness(songs: 0)
        let registry = ClientRegistry(limit: 1)
        let first = try connect(harness, registry: registry)
        #expect(try written(first) == ConnectionHandler.greeting)
        let second = try connect(harness, registry: registry)
        #expect(try written(second) == "ACK [52@0] {} too many connections\n")
        #expect(!second.isActive)
        _ = try first.finish()
        // The first one's slot is free again once it is gone.
        let third = try connect(harness, registry: registry)
        #expect(try written(third) == ConnectionHandler.greeting)
        _ = try third.finish()
    }

    @Test func idleWaitsUntilNoidleAndCloseEndsTheConnection() async throws {
        let harness = try await CoreHarness(songs: 0)
        let channel = try connect(harness, registry: ClientRegistry(limit: 4))
        _ = try written(channel)
        try send(channel, "idle player\n")
        #expect(try written(channel) == "", "idle answered with nothing changed")
        try send(channel, "noidle\n")
        #expect(try written(channel) == "OK\n")
        try send(channel, "close\nping\n")
        #expect(try written(channel) == "")
        #expect(!channel.isActive)
    }

    /// An answer past the chunking size goes out seven bytes at a time and the requests after it wait for it: the
    /// client gets the same bytes, in the same order, as from a handler that writes answers whole. (The embedded
    /// loop runs the next chunk's task at once, so the two-in-flight limit is not seen here.)
    @Test func bigAnswersGoOutInChunksInOrder() async throws {
        let harness = try await CoreHarness(songs: 0)
        let requests = "status\nping\ntagtypes\nping\nstatus\n"
        let whole = try connect(harness, registry: ClientRegistry(limit: 4))
        _ = try written(whole)
        try send(whole, requests)
        let expected = try written(whole)
        _ = try whole.finish()

        let chunked = try connect(harness, registry: ClientRegistry(limit: 4), chunks: (from: 100, size: 7))
        _ = try written(chunked)
        try send(chunked, requests)
        var sizes: [Int] = []
        var text = ""
        for _ in 0..<10_000 {
            chunked.embeddedEventLoop.run()
            guard var buffer = try chunked.readOutbound(as: ByteBuffer.self) else { break }
            sizes.append(buffer.readableBytes)
            text += buffer.readString(length: buffer.readableBytes) ?? ""
        }
        #expect(expected.hasPrefix("volume: ") && expected.contains("\ntagtype: Artist\n"))
        #expect(text == expected)
        // Every answer is over 100 bytes but `ping`'s, and `ping`s that wait behind a chunked answer go out in
        // chunks too.
        #expect(sizes.allSatisfy { $0 <= 7 } && sizes.count >= expected.utf8.count / 7, "\(sizes)")
        #expect(chunked.isActive)
        _ = try chunked.finish()
    }

    /// `close` after a chunked answer closes once the answer is out, and nothing after it is answered.
    @Test func closeAfterAChunkedAnswerWaitsForIt() async throws {
        let harness = try await CoreHarness(songs: 0)
        let channel = try connect(harness, registry: ClientRegistry(limit: 4), chunks: (from: 100, size: 7))
        _ = try written(channel)
        try send(channel, "tagtypes\nclose\nping\n")
        var text = try written(channel)
        for _ in 0..<10_000 where channel.isActive {
            channel.embeddedEventLoop.run()
            text += try written(channel)
        }
        #expect(text.hasPrefix("tagtype: Artist\n") && text.hasSuffix("\nOK\n"), "\(text)")
        #expect(text.contains("tagtype: MUSICBRAINZ_WORKID\nOK\n"), "\(text)")
        #expect(!text.hasSuffix("OK\nOK\n"), "ping was answered after close")
        #expect(!channel.isActive)
    }
}

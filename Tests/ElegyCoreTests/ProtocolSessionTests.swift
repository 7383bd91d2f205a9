import Testing

@testable import ElegyCore

/// A stand-in for the server's command table.
private func handler(_ request: Request, _ response: inout ResponseBuilder) throws(ProtocolError) {
    switch request.command {
    case "ping", "play": break
    case "status":
        response.field("state", "stop")
    case "currentsong":
        response.field("file", "a.flac")
    case "fail":
        response.field("partial", 1)
        throw ProtocolError(.noExist, "No such thing")
    default:
        throw .unknownCommand(request.command)
    }
}

/// Feeds a transcript (whole, then byte by byte) and returns what the server would write, with markers for the
/// other actions.
private func converse(_ input: String, notifyAfter: [Int: [IdleSubsystem]] = [:]) -> String {
    func run(chunks: [[UInt8]]) -> String {
        var framer = RequestFramer()
        var session = ConnectionSession()
        var output = ""
        var linesSeen = 0
        for chunk in chunks {
            framer.append(chunk)
            while let action = session.next(from: &framer) {
                linesSeen += 1
                switch action {
                case .nothing: break
                case .reply(let bytes): output += responseText(bytes)
                case .execute(let batch):
                    let outcome = batch.run(handler)
                    output += responseText(outcome.bytes)
                    if outcome.closesConnection { return output + "<close>" }
                case .startIdle: output += "<idle>"
                case .endIdle(let bytes): output += responseText(bytes)
                case .close(let bytes): return output + responseText(bytes) + "<close>"
                }
                if let events = notifyAfter[linesSeen], let bytes = session.notify(events) {
                    output += responseText(bytes)
                }
            }
        }
        return output
    }
    let bytes = Array(input.utf8)
    let whole = run(chunks: [bytes])
    #expect(whole == run(chunks: bytes.map { [$0] }))
    return whole
}

@Suite struct ProtocolSessionTests {
    @Test func singleCommands() {
        #expect(converse("ping\nstatus\nfoo\n") == "OK\nstate: stop\nOK\nACK [5@0] {} unknown command \"foo\"\n")
    }

    @Test func failingSingleCommandKeepsPartialOutput() {
        #expect(converse("fail\nping\n") == "partial: 1\nACK [50@0] {fail} No such thing\nOK\n")
    }

    @Test func plainCommandList() {
        #expect(converse("command_list_begin\nstatus\ncurrentsong\ncommand_list_end\n")
            == "state: stop\nfile: a.flac\nOK\n")
    }

    @Test func okCommandList() {
        #expect(converse("command_list_ok_begin\nstatus\ncurrentsong\nping\ncommand_list_end\n")
            == "state: stop\nlist_OK\nfile: a.flac\nlist_OK\nlist_OK\nOK\n")
    }

    @Test func failureStopsListWithItsIndex() {
        #expect(converse("command_list_ok_begin\nping\nstatus\nfail\nping\ncommand_list_end\nping\n")
            == "list_OK\nstate: stop\nlist_OK\npartial: 1\nACK [50@2] {fail} No such thing\nOK\n")
        #expect(converse("command_list_begin\nping\nnope\ncommand_list_end\n")
            == "ACK [5@1] {} unknown command \"nope\"\n")
    }

    @Test func unparsableLineInListFailsAtItsIndex() {
        #expect(converse("command_list_begin\nping\nplay \"3\ncommand_list_end\n")
            == "ACK [2@1] {play} Missing closing '\"'\n")
    }

    @Test func emptyList() {
        #expect(converse("command_list_ok_begin\ncommand_list_end\n") == "OK\n")
    }

    @Test func nestedBeginIsUnknown() {
        #expect(converse("command_list_begin\ncommand_list_begin\ncommand_list_end\n")
            == "ACK [5@0] {} unknown command \"command_list_begin\"\n")
    }

    @Test func listEndOutsideListIsUnknown() {
        #expect(converse("command_list_end\n") == "ACK [5@0] {} unknown command \"command_list_end\"\n")
    }

    @Test func closeInsideListClosesAfterEarlierOutput() {
        #expect(converse("command_list_begin\nstatus\nclose\nping\ncommand_list_end\n") == "state: stop\n<close>")
    }

    @Test func listLimitRefusesAndSkipsTheRest() {
        var input = "command_list_begin\n"
        for _ in 0..<4097 { input += "ping\n" }
        input += "ping\ncommand_list_end\nstatus\n"
        #expect(converse(input) == "ACK [2@4096] {} command list too long (limit 4096 commands)\nstate: stop\nOK\n")
        var exact = "command_list_begin\n"
        for _ in 0..<4096 { exact += "ping\n" }
        #expect(converse(exact + "command_list_end\n") == "OK\n")
    }

    /// A command whose answer passes the output limit is answered with an ACK instead of its lines; what the list
    /// answered before stays, and the buffer never holds much more than the limit while the command writes.
    @Test func answerOverTheOutputLimitBecomesAnAck() {
        let limit = 4096
        var largestBuffer = 0
        let batch = CommandBatch(
            listMode: .ok,
            requests: [Request(command: "status", arguments: []), Request(command: "huge", arguments: []),
                       Request(command: "status", arguments: [])])
        let outcome = batch.run(outputLimit: limit) { (request, response) throws(ProtocolError) in
            if request.command == "status" { response.field("state", "stop") }
            guard request.command == "huge" else { return }
            for index in 0..<10_000 {
                response.field("file", "song \(index).flac")
                largestBuffer = max(largestBuffer, response.bytes.count)
            }
        }
        #expect(
            responseText(outcome.bytes)
                == "state: stop\nlist_OK\nACK [52@1] {huge} Output buffer is full: the answer is larger than "
                + "max_output_buffer_size (4 KiB)\n")
        #expect(!outcome.closesConnection)
        #expect(outcome.oversizedCommand == "huge")
        #expect(largestBuffer <= limit + 64, "the dropped lines were kept: \(largestBuffer) bytes")
    }

    @Test func answerUnderTheOutputLimitIsWhole() {
        let outcome = CommandBatch(Request(command: "huge", arguments: [])).run(outputLimit: 4096) {
            (_, response) throws(ProtocolError) in
            for index in 0..<100 { response.field("file", "song \(index).flac") }
        }
        #expect(outcome.oversizedCommand == nil)
        #expect(responseText(outcome.bytes).hasSuffix("file: song 99.flac\nOK\n"))
    }

    @Test func idleAnswersPendingEventsAtOnce() {
        var session = ConnectionSession()
        #expect(session.notify([.player, .mixer]) == nil)
        let reply = session.receive(Request(command: "idle"))
        #expect(reply == .reply(Array("changed: player\nchanged: mixer\nOK\n".utf8)))
        #expect(session.state == .ready)
        #expect(session.events.isEmpty)
    }

    @Test func idleWaitsThenNotifies() {
        var session = ConnectionSession()
        #expect(session.receive(Request(command: "idle", arguments: ["player", "PLAYLIST"]))
            == .startIdle([.player, .playlist]))
        #expect(session.notify([.mixer]) == nil)
        #expect(session.notify([.playlist, .player]).map(responseText) == "changed: playlist\nchanged: player\nOK\n")
        #expect(session.state == .ready)
        // MPD forgets the unsubscribed mixer change when it answers.
        #expect(session.events.isEmpty)
    }

    @Test func noidleEndsIdleWithOK() {
        #expect(converse("idle\nnoidle\nping\n") == "<idle>OK\nOK\n")
        #expect(converse("idle player\nnoidle\n", notifyAfter: [1: [.mixer]]) == "<idle>OK\n")
    }

    @Test func noidleKeepsUnsubscribedEventsPending() {
        var session = ConnectionSession()
        #expect(session.receive(Request(command: "idle", arguments: ["player"])) == .startIdle([.player]))
        #expect(session.notify([.mixer]) == nil)
        #expect(session.receive(Request(command: "noidle")) == .endIdle(reply: Array("OK\n".utf8)))
        #expect(session.events.pending == [.mixer])
        #expect(session.receive(Request(command: "idle")) == .reply(Array("changed: mixer\nOK\n".utf8)))
    }

    @Test func notificationWhileIdle() {
        #expect(converse("idle\nping\n", notifyAfter: [1: [.database, .update]])
            == "<idle>changed: database\nchanged: update\nOK\nOK\n")
    }

    @Test func noidleWhenNotIdlingIsSilent() {
        #expect(converse("noidle\nping\n") == "OK\n")
        #expect(converse("command_list_begin\nnoidle\nping\ncommand_list_end\n") == "OK\n")
    }

    @Test func anythingButNoidleWhileIdlingCloses() {
        #expect(converse("idle\nstatus\nping\n") == "<idle><close>")
    }

    @Test func idleInsideListCloses() {
        #expect(converse("command_list_begin\nping\nidle\n") == "<close>")
    }

    @Test func badIdleSubsystem() {
        #expect(converse("idle player bogus\n") == "ACK [2@0] {idle} Unrecognized idle event: bogus\n")
    }

    @Test func closeGetsNoReply() {
        #expect(converse("close\nping\n") == "<close>")
    }

    @Test func malformedLinesClose() {
        #expect(converse("ping\nGET / HTTP/1.1\nping\n") == "OK\n<close>")
        #expect(converse("\nping\n") == "ACK [5@0] {} No command given\n<close>")
        #expect(converse("play_now-3\n") == "ACK [5@0] {} Invalid word character\n<close>")
        #expect(converse("play \"3\nping\n") == "ACK [2@0] {play} Missing closing '\"'\nOK\n")
    }

    @Test func tooLongLineClosesWithACK() {
        let long = String(repeating: "a", count: 70_000)
        #expect(converse("ping\n\(long)\nping\n") == "OK\nACK [2@0] {} line too long (limit 65536 bytes)\n<close>")
    }

    @Test func closedSessionYieldsNothingMore() {
        var framer = RequestFramer()
        var session = ConnectionSession()
        framer.append(Array("close\nping\n".utf8))
        #expect(session.next(from: &framer) == .close(reply: []))
        #expect(session.next(from: &framer) == nil)
    }

    @Test func idleSubsystemNamesAndOrder() {
        #expect(IdleSubsystem.allCases.map(\.rawValue) == [
            "database", "stored_playlist", "playlist", "player", "mixer", "output", "options", "sticker", "update",
            "subscription", "message", "neighbor", "mount", "partition",
        ])
        var events = IdleEvents()
        events.formUnion([.partition, .database, .player])
        #expect(events.pending == [.database, .player, .partition])
        #expect(responseText(events.changes(matching: Set(IdleSubsystem.allCases)))
            == "changed: database\nchanged: player\nchanged: partition\nOK\n")
    }
}

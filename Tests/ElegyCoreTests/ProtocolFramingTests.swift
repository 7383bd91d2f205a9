import Testing

@testable import ElegyCore

/// Decodes response bytes for readable comparisons.
func responseText(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

/// Every outcome of feeding a framer, in order: lines or the error.
private func frame(_ chunks: [[UInt8]], limit: Int = RequestFramer.defaultMaxLineLength) -> [String] {
    var framer = RequestFramer(maxLineLength: limit)
    var results: [String] = []
    outer: for chunk in chunks {
        framer.append(chunk)
        while true {
            do {
                guard let line = try framer.nextLine() else { break }
                results.append("line:" + responseText(line))
            } catch {
                results.append("error:\(error.code.rawValue)")
                break outer
            }
        }
    }
    return results
}

private func wholeAndByteByByte(_ input: String, limit: Int = RequestFramer.defaultMaxLineLength) -> [String] {
    let bytes = Array(input.utf8)
    let whole = frame([bytes], limit: limit)
    let single = frame(bytes.map { [$0] }, limit: limit)
    #expect(whole == single)
    return whole
}

@Suite struct ProtocolFramerTests {
    @Test func splitsLinesAndStripsTrailingWhitespace() {
        let lines = wholeAndByteByByte("status\nplay \"3\"\r\ncurrentsong  \t\n\nping")
        #expect(lines == ["line:status", "line:play \"3\"", "line:currentsong", "line:"])
    }

    @Test func keepsAnUnfinishedLine() throws {
        var framer = RequestFramer()
        framer.append(Array("stat".utf8))
        #expect(try framer.nextLine() == nil)
        framer.append(Array("us\n".utf8))
        #expect(try framer.nextLine() == Array("status".utf8))
        #expect(try framer.nextLine() == nil)
        #expect(framer.bufferedByteCount == 0)
    }

    @Test func acceptsALineOfExactlyTheLimit() {
        let line = String(repeating: "a", count: 64)
        #expect(wholeAndByteByByte(line + "\n", limit: 64) == ["line:" + line])
        // The limit counts the raw line, trailing `\r` included, whichever way the bytes arrive.
        #expect(wholeAndByteByByte(line + "\r\n", limit: 64) == ["error:2"])
        #expect(wholeAndByteByByte(String(line.dropFirst()) + "\r\n", limit: 64) == ["line:" + line.dropFirst()])
    }

    @Test func refusesALineOverTheLimitWithoutBufferingIt() {
        #expect(wholeAndByteByByte("ping\n" + String(repeating: "a", count: 65) + "\nping\n", limit: 64)
            == ["line:ping", "error:2"])
        // No newline at all: the framer drops the data and fails.
        var framer = RequestFramer(maxLineLength: 64)
        for _ in 0..<1000 { framer.append(Array(repeating: UInt8(0x61), count: 100)) }
        #expect(framer.bufferedByteCount <= 64)
        #expect(throws: ProtocolError.self) { try framer.nextLine() }
        #expect(throws: ProtocolError.self) { try framer.nextLine() }
    }

    @Test func defaultLimitIs64KiB() {
        let ok = String(repeating: "x", count: 65536)
        #expect(frame([Array(("a" + ok.dropFirst() + "\n").utf8)]).count == 1)
        #expect(frame([Array(("a" + ok + "\n").utf8)]) == ["error:2"])
        let error = RequestFramer().lineTooLongError
        #expect(error.closesConnection)
        #expect(responseText(error.ackLine()) == "ACK [2@0] {} line too long (limit 65536 bytes)\n")
    }

    @Test func manySmallLinesCompact() {
        var framer = RequestFramer()
        var count = 0
        for _ in 0..<5000 {
            framer.append(Array("ping\npi".utf8))
            framer.append(Array("ng\n".utf8))
            while let line = try? framer.nextLine() {
                #expect(line == Array("ping".utf8))
                count += 1
            }
        }
        #expect(count == 10000)
        #expect(framer.bufferedByteCount == 0)
    }
}

@Suite struct ProtocolRequestTests {
    @Test func unquotedAndQuotedArguments() throws {
        let request = try Request.parse(line: #"find  artist "Aimer"\#talbum "say \"hi\" \\ ok" x"#)
        #expect(request.command == "find")
        #expect(request.arguments == ["artist", "Aimer", "album", #"say "hi" \ ok"#, "x"])
    }

    @Test func emptyQuotedArgumentAndUnicode() throws {
        let request = try Request.parse(line: #"update "" "ユーザー/雨.flac""#)
        #expect(request == Request(command: "update", arguments: ["", "ユーザー/雨.flac"]))
    }

    @Test func commandOnly() throws {
        #expect(try Request.parse(line: "status") == Request(command: "status"))
        #expect(try Request.parse(line: "command_list_ok_begin").command == "command_list_ok_begin")
    }

    @Test func unterminatedQuoteIsArgumentError() {
        #expect(throws: ProtocolError(.arg, "Missing closing '\"'", command: "play")) {
            try Request.parse(line: #"play "3"#)
        }
        #expect(throws: ProtocolError(.arg, "Missing closing '\"'", command: "play")) {
            try Request.parse(line: #"play "3\"#)
        }
    }

    @Test func garbageAfterClosingQuote() {
        #expect(throws: ProtocolError.self) { try Request.parse(line: #"play "3"x"#) }
        #expect(throws: ProtocolError.self) { try Request.parse(line: #"play a"b"#) }
    }

    @Test func invalidUTF8IsArgumentError() {
        let line: [UInt8] = Array("add ".utf8) + [0xFF, 0xFE]
        #expect(throws: ProtocolError(.arg, "Invalid UTF-8 in argument 1", command: "add")) {
            try Request.parse(line: line)
        }
    }

    @Test func notALowerCaseLetterCloses() {
        for line in ["", "Status", " status", "1play", "\"play\""] {
            #expect(performing: { try Request.parse(line: line) }, throws: { error in
                (error as? ProtocolError)?.closesConnection == true
            })
        }
    }

    @Test func badCommandWordClosesAfterACK() {
        #expect(throws: ProtocolError(.unknown, "Invalid word character", command: "", closesConnection: true)) {
            try Request.parse(line: "play-now 3")
        }
    }

    @Test func tooManyArguments() {
        let line = "add" + String(repeating: " a", count: Request.maxArguments + 1)
        #expect(throws: ProtocolError(.arg, "Too many arguments", command: "add")) { try Request.parse(line: line) }
        #expect((try? Request.parse(line: "add" + String(repeating: " a", count: Request.maxArguments))) != nil)
    }

    @Test func bytesAndStringAgree() throws {
        let line = #"search "(Artist == 'LiSA')" window "0:10""#
        #expect(try Request.parse(line: line) == Request.parse(line: Array(line.utf8)))
    }
}

@Suite struct ProtocolAckTests {
    @Test func formatsACKLines() {
        #expect(responseText(ProtocolError.unknownCommand("foo").ackLine()) == "ACK [5@0] {} unknown command \"foo\"\n")
        #expect(responseText(ProtocolError.notPlaying.ackLine(command: "next")) == "ACK [55@0] {next} Not playing\n")
        #expect(responseText(ProtocolError.badSongIndex.ackLine(index: 3, command: "delete"))
            == "ACK [2@3] {delete} Bad song index\n")
    }

    @Test func codes() {
        #expect(AckCode.allCases.map(\.rawValue) == [1, 2, 3, 4, 5, 50, 51, 52, 53, 54, 55, 56])
    }

    @Test func messagesCannotForgeLines() {
        let error = ProtocolError(.arg, "bad\nOK")
        #expect(responseText(error.ackLine(command: "x")) == "ACK [2@0] {x} bad OK\n")
    }
}

@Suite struct ProtocolFramerChunkingTests {
    /// Any split of the input gives the same lines as the whole.
    @Test func randomChunkingMatchesWhole() {
        let input = Array("command_list_ok_begin\r\nadd \"a b\"\nstatus\n\ncommand_list_end\n".utf8)
            + Array(repeating: UInt8(0x78), count: 100) + Array("\nping\n".utf8)
        let whole = frame([input], limit: 64)
        #expect(whole.last == "error:2")
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            var chunks: [[UInt8]] = []
            var rest = input[...]
            while !rest.isEmpty {
                let size = Int.random(in: 1...min(rest.count, 40), using: &rng)
                chunks.append(Array(rest.prefix(size)))
                rest = rest.dropFirst(size)
            }
            #expect(frame(chunks, limit: 64) == whole)
        }
    }
}

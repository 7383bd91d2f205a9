import Testing

@testable import elegy

@Suite("Protocol lines")
struct ResponseTests {
    @Test func pairs() {
        #expect(Pair(line: "Title: Blue: the song") == Pair("Title", "Blue: the song"))
        #expect(Pair(line: "file: a b.flac") == Pair("file", "a b.flac"))
        #expect(Pair(line: "empty:") == Pair("empty", ""))
        #expect(Pair(line: "weird") == Pair("weird", ""))
    }

    @Test func ackLines() throws {
        let ack = try #require(ACK(line: "ACK [50@0] {load} No such playlist"))
        #expect(ack == ACK(code: 50, index: 0, command: "load", message: "No such playlist"))
        let unknown = try #require(ACK(line: "ACK [5@0] {} unknown command \"foo\""))
        #expect(unknown.code == 5)
        #expect(unknown.command == "")
        #expect(unknown.message == "unknown command \"foo\"")
        let inList = try #require(ACK(line: "ACK [55@2] {next} Not playing"))
        #expect(inList.index == 2)
        #expect(ACK(line: "OK") == nil)
        #expect(ACK(line: "ACK [x@0] {a} b") == nil)
        #expect(ACK(line: "ACK nonsense") == nil)
    }

    @Test func quoting() throws {
        #expect(quoteArgument("plain") == "\"plain\"")
        #expect(quoteArgument("say \"hi\"") == "\"say \\\"hi\\\"\"")
        #expect(quoteArgument("back\\slash") == "\"back\\\\slash\"")
        #expect(quoteArgument("") == "\"\"")
        #expect(try commandLine("play", ["3"]) == "play \"3\"")
        #expect(try commandLine("status", []) == "status")
        #expect(try commandLine("search", ["any", "悲しみ"]) == "search \"any\" \"悲しみ\"")
        #expect(throws: ClientError.self) { try commandLine("add", ["a\nclear"]) }
        #expect(throws: ClientError.self) { try commandLine("add", ["a\r\n"]) }
    }

    @Test func recordsSplitOnFile() {
        let pairs = [
            Pair("directory", "d"), Pair("file", "a.flac"), Pair("Title", "A"), Pair("Pos", "0"),
            Pair("file", "b.flac"), Pair("Title", "B"),
        ]
        let records = splitRecords(pairs)
        #expect(records.count == 2)
        #expect(records[0]["title"] == "A")
        #expect(records[0]["Pos"] == "0")
        #expect(records[1]["file"] == "b.flac")
        #expect(records[1]["Pos"] == nil)
        #expect(splitRecords([]).isEmpty)
    }

    @Test func recordsSplitOnOtherKeys() {
        let pairs = [
            Pair("playlist", "a"), Pair("Last-Modified", "2024-01-01T00:00:00Z"), Pair("playlist", "b"),
        ]
        let records = splitRecords(pairs, startingAt: ["playlist"])
        #expect(records.map { $0["playlist"] } == ["a", "b"])
        #expect(records[0]["last-modified"] == "2024-01-01T00:00:00Z")
        #expect(Record(pairs).all("playlist") == ["a", "b"])
    }
}

@Suite("Argument values")
struct ArgumentValueTests {
    @Test func seekTargets() throws {
        #expect(try SeekTarget.parse("90") == SeekTarget(direction: .absolute, seconds: 90))
        #expect(try SeekTarget.parse("1:30").wire == "90")
        #expect(try SeekTarget.parse("+10").wire == "+10")
        #expect(try SeekTarget.parse("-0:05").wire == "-5")
        #expect(try SeekTarget.parse("1:02:03").wire == "3723")
        #expect(try SeekTarget.parse("+2.5").wire == "+2.5")
        #expect(try SeekTarget.parse("0").wire == "0")
        for bad in ["", "+", "x", "1:60", "1:2:3:4", "1::3", "-1:-2", "1:60:00", "1e3", "inf", "nan", "0x10"] {
            #expect(throws: (any Error).self, "\(bad)") { try SeekTarget.parse(bad) }
        }
    }

    @Test func volumeChanges() throws {
        #expect(try VolumeChange.parse("50") == .set(50))
        #expect(try VolumeChange.parse("0") == .set(0))
        #expect(try VolumeChange.parse("100") == .set(100))
        #expect(try VolumeChange.parse("+5") == .relative(5))
        #expect(try VolumeChange.parse("-10") == .relative(-10))
        #expect(VolumeChange.relative(-10).level(from: 5) == 0)
        #expect(VolumeChange.relative(20).level(from: 90) == 100)
        #expect(VolumeChange.set(40).level(from: 90) == 40)
        for bad in ["", "+", "101", "-", "5%", "abc", "1000", "+1000", " 5"] {
            #expect(throws: (any Error).self, "\(bad)") { try VolumeChange.parse(bad) }
        }
    }

    @Test func sleepDurations() throws {
        #expect(try SleepDuration.parse("30m") == .seconds(1800))
        #expect(try SleepDuration.parse("90s") == .seconds(90))
        #expect(try SleepDuration.parse("1h") == .seconds(3600))
        #expect(try SleepDuration.parse("1h30m") == .seconds(5400))
        #expect(try SleepDuration.parse("OFF") == .off)
        #expect(try SleepDuration.parse("30m").wire == "1800")
        #expect(SleepDuration.off.wire == "off")
        for bad in ["", "30", "m", "0m", "1x", "h1", "-5m", "1.5h", "9999999m"] {
            #expect(throws: (any Error).self, "\(bad)") { try SleepDuration.parse(bad) }
        }
    }

    @Test func modeWireValues() {
        #expect(ModeValue.on.wire == "1")
        #expect(ModeValue.off.wire == "0")
        #expect(ModeValue.oneshot.wire == "oneshot")
    }
}

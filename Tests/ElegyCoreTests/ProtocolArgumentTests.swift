import Testing

@testable import ElegyCore

@Suite struct ProtocolArgumentTests {
    @Test func ranges() throws {
        #expect(try Arguments.parseRange("3:7") == 3..<7)
        #expect(try Arguments.parseRange("3:") == 3..<Int.max)
        #expect(try Arguments.parseRange("5") == 5..<6)
        #expect(try Arguments.parseRange("4:4") == 4..<4)
        #expect(try Arguments.parseRange("-1") == 0..<Int.max)
    }

    @Test func badRanges() {
        #expect(throws: ProtocolError(.arg, "Malformed range: 5:2")) { try Arguments.parseRange("5:2") }
        #expect(throws: ProtocolError(.arg, "Integer or range expected: x")) { try Arguments.parseRange("x") }
        #expect(throws: ProtocolError(.arg, "Integer or range expected: 1:y")) { try Arguments.parseRange("1:y") }
        #expect(throws: ProtocolError(.arg, "Number is negative: -2")) { try Arguments.parseRange("-2") }
        #expect(throws: ProtocolError(.arg, "Number too large: 99999999999")) {
            try Arguments.parseRange("99999999999")
        }
        #expect(throws: ProtocolError.self) { try Arguments.parseRange("") }
    }

    @Test func integersAndBooleans() throws {
        #expect(try Arguments.parseInt("-5") == -5)
        #expect(try Arguments.parseInt("50", in: 0...100) == 50)
        #expect(throws: ProtocolError(.arg, "Number too large: 101")) { try Arguments.parseInt("101", in: 0...100) }
        #expect(throws: ProtocolError(.arg, "Integer expected: 1.5")) { try Arguments.parseInt("1.5") }
        #expect(throws: ProtocolError(.arg, "Number is negative: -3")) { try Arguments.parseUnsigned("-3") }
        #expect(try Arguments.parseBool("1"))
        #expect(try !Arguments.parseBool("0"))
        #expect(throws: ProtocolError(.arg, "Boolean (0/1) expected: yes")) { try Arguments.parseBool("yes") }
    }

    @Test func toggleModes() throws {
        #expect(try Arguments.parseSingleMode("0") == .off)
        #expect(try Arguments.parseSingleMode("1") == .on)
        #expect(try Arguments.parseSingleMode("oneshot") == .oneshot)
        #expect(throws: ProtocolError.self) { try Arguments.parseToggleMode("2") }
        #expect(ToggleMode.oneshot.mpdValue == "oneshot")
    }

    @Test func seekTimes() throws {
        #expect(try Arguments.parseSeekTime("+10") == .relative(10))
        #expect(try Arguments.parseSeekTime("-3.5") == .relative(-3.5))
        #expect(try Arguments.parseSeekTime("42") == .absolute(42))
        #expect(try Arguments.parseSeekTime("0.25") == .absolute(0.25))
        for bad in ["", "+", "abc", "nan", "inf", "1e400", "--1"] {
            #expect(throws: ProtocolError.self) { try Arguments.parseSeekTime(bad) }
        }
    }

    @Test func insertPositions() throws {
        #expect(try Arguments.parseInsertPosition("2", current: nil, count: 5) == 2)
        #expect(try Arguments.parseInsertPosition("5", current: nil, count: 5) == 5)
        #expect(try Arguments.parseInsertPosition("+0", current: 1, count: 5) == 2)
        #expect(try Arguments.parseInsertPosition("-0", current: 1, count: 5) == 1)
        #expect(throws: ProtocolError(.playerSync, "No current song")) {
            try Arguments.parseInsertPosition("+1", current: nil, count: 5)
        }
        #expect(throws: ProtocolError.self) { try Arguments.parseInsertPosition("6", current: nil, count: 5) }
    }
}

private let lisa = Song(
    uri: "LiSA/Unlasting.flac", title: "Unlasting", artist: "LiSA", album: "LEO-NiNE", date: "2019",
    genre: "Anime")
private let aimer = Song(
    uri: "Aimer/Brave Shine.flac", title: "Brave Shine", artist: "Aimer", album: "DAWN", albumArtist: "Aimer",
    genre: "Anime")
private let untagged = Song(uri: "misc/rain.wav")

@Suite struct ProtocolFilterTests {
    private func matches(_ arguments: [String], caseSensitive: Bool = true) throws -> [String] {
        let filter = try Filter.parse(arguments: arguments, caseSensitiveDefault: caseSensitive)
        return [lisa, aimer, untagged].filter(filter.matches).map(\.uri)
    }

    @Test func equality() throws {
        #expect(try matches(["(artist == 'LiSA')"]) == [lisa.uri])
        #expect(try matches(["(Artist == \"lisa\")"]) == [])
        #expect(try matches(["(Artist == \"lisa\")"], caseSensitive: false) == [lisa.uri])
        #expect(try matches(["(ARTIST != 'LiSA')"]) == [aimer.uri, untagged.uri])
    }

    @Test func containsAndStartsWith() throws {
        #expect(try matches(["(title contains 'ast')"]) == [lisa.uri])
        #expect(try matches(["(title !contains 'ast')"]) == [aimer.uri, untagged.uri])
        #expect(try matches(["(file starts_with 'Aimer/')"]) == [aimer.uri])
        #expect(try matches(["(any contains 'Shine')"]) == [aimer.uri])
        #expect(try matches(["(base 'misc')"]) == [untagged.uri])
    }

    @Test func notAndNesting() throws {
        #expect(try matches(["(!(artist == 'LiSA'))"]) == [aimer.uri, untagged.uri])
        #expect(try matches(["((genre == 'Anime') AND (album == 'DAWN'))"]) == [aimer.uri])
        #expect(try matches(["((genre == 'Anime') AND (!(album == 'DAWN')) AND (date == '2019'))"]) == [lisa.uri])
        #expect(try matches(["((genre == 'Anime'))"]) == [lisa.uri, aimer.uri])
    }

    @Test func escapesInValues() throws {
        let song = Song(uri: "q.flac", title: #"It's "quoted" \ done"#)
        let filter = try Filter.parse(
            arguments: [#"(title == 'It\'s "quoted" \\ done')"#], caseSensitiveDefault: true)
        #expect(filter.matches(song))
    }

    /// `search` lowercases ASCII tags as it reads them; the answer must be the one Unicode lowercasing and a byte
    /// comparison give (as MPD compares: "x\u{0301}" contains "x"), and non-ASCII tags take the Unicode path.
    @Test func caseInsensitiveSearchAgreesWithUnicodeLowercasing() throws {
        let titles = [
            "Unlasting", "UNLASTING", "unlasting", "Kataware Doki", "kataware-doki", "", "a", "Lasting Unlasting",
            "カタワレ時", "Café Unlasting", "STRASSE", "Straße", "\u{212A}elvin", "İstanbul", "x\u{0301}",
        ]
        let needles = ["unlasting", "LAST", "doki", "", "a", "ka", "カタ", "é", "strasse", "kelvin", "\u{212A}", "i", "x"]
        for title in titles {
            let song = Song(uri: "t.flac", title: title)
            for needle in needles {
                let lowered = Array(title.lowercased().utf8)
                let folded = Array(needle.lowercased().utf8)
                let contained = folded.isEmpty || (0...max(0, lowered.count - folded.count)).contains { start in
                    lowered.count >= folded.count && Array(lowered[start..<start + folded.count]) == folded
                }
                let cases: [(String, Bool)] = [
                    ("contains", contained),
                    ("==", lowered == folded),
                    ("starts_with", lowered.starts(with: folded)),
                ]
                for (op, expected) in cases {
                    let filter = try Filter.parse(arguments: ["(title \(op) '\(needle)')"], caseSensitiveDefault: false)
                    #expect(filter.matches(song) == expected, "\(title) \(op) \(needle)")
                }
            }
        }
    }

    @Test func albumArtistFallsBackToArtist() throws {
        #expect(try matches(["(albumartist == 'LiSA')"]) == [lisa.uri])
        #expect(try matches(["(album == '')"]) == [untagged.uri])
    }

    @Test func oldStylePairs() throws {
        #expect(try matches(["artist", "Aimer"]) == [aimer.uri])
        #expect(try matches(["artist", "aim"]) == [])
        #expect(try matches(["artist", "aim"], caseSensitive: false) == [aimer.uri])
        #expect(try matches(["genre", "anime", "title", "brave"], caseSensitive: false) == [aimer.uri])
        #expect(try matches(["any", "dawn"], caseSensitive: false) == [aimer.uri])
        #expect(try matches(["file", "rain"], caseSensitive: false) == [untagged.uri])
        #expect(try matches(["(genre == 'Anime')", "title", "Unlasting"]) == [lisa.uri])
    }

    @Test func badFilters() {
        let bad: [[String]] = [
            [], ["artist"], ["bogus", "x"], ["(bogus == 'x')"], ["(artist == x)"], ["(artist == 'x'"],
            ["(artist = 'x')"], ["(artist == 'x') junk"], ["((artist == 'x') OR (title == 'y'))"],
            ["(!(artist == 'x')"], ["(artist == 'unterminated)"], ["(artist starts 'x')"],
            [String(repeating: "(!", count: 100) + "(artist == 'x')" + String(repeating: ")", count: 100)],
        ]
        for arguments in bad {
            #expect(throws: ProtocolError.self, "\(arguments)") {
                try Filter.parse(arguments: arguments, caseSensitiveDefault: true)
            }
        }
    }
}

// In-process fuzzing of the protocol layer: RequestFramer + Request.parse + ConnectionSession + CommandBatch, and the
// argument parsers a command handler would call (Filter, Arguments, IdleSubsystem, DurationText).
//
// Two builds of one file:
//   libFuzzer:  swift build --sanitize=fuzzer -Xswiftc -DELEGY_FUZZ --product ElegyFuzz --scratch-path .build-fuzz
//               .build-fuzz/debug/ElegyFuzz -max_total_time=60 fuzz/corpus
//   plain:      .build/debug/ElegyFuzz [--cases N] [--seed S] [FILE...]   (seeded random inputs, or replays FILEs)
//
// The property checked besides "never traps": feeding the same bytes in different chunk sizes gives exactly the same
// transcript (every action, every byte of every answer), as the server reads whatever the socket delivers.

import ElegyCore

#if canImport(Glibc)
    import Glibc
#endif

/// Small limits so that short inputs reach the "line too long" and "list too long" paths.
let maxLineLength = 96
let maxListLength = 6

/// Everything the session did with the input, in order, as bytes.
func transcript(_ input: [UInt8], chunkSizes: [Int]) -> [UInt8] {
    var framer = RequestFramer(maxLineLength: maxLineLength)
    var session = ConnectionSession(maxCommandListLength: maxListLength)
    var out: [UInt8] = []
    var offset = 0
    var sizeIndex = 0
    var closed = false
    while offset < input.count, !closed {
        let size = max(1, chunkSizes.isEmpty ? input.count : chunkSizes[sizeIndex % chunkSizes.count])
        sizeIndex += 1
        let end = min(input.count, offset + size)
        framer.append(input[offset..<end])
        offset = end
        while !closed, let action = session.next(from: &framer) {
            switch action {
            case .nothing:
                out += Array("<nothing>".utf8)
            case .reply(let bytes):
                out += Array("<reply>".utf8) + bytes
            case .endIdle(let bytes):
                out += Array("<endidle>".utf8) + bytes
            case .startIdle(let subsystems):
                out += Array("<idle \(subsystems.sorted().map(\.rawValue))>".utf8)
                if let bytes = session.notify([.playlist, .mixer]) { out += bytes }
            case .close(let bytes):
                out += Array("<close>".utf8) + bytes
                closed = true
            case .execute(let batch):
                let outcome = batch.run { request, response throws(ProtocolError) in
                    try handle(request, &response)
                }
                out += Array("<batch>".utf8) + outcome.bytes
                if outcome.closesConnection { closed = true }
            }
        }
    }
    return out
}

/// A stand-in for the daemon's command table: runs the pure parsers a real handler would and echoes the request.
func handle(_ request: Request, _ response: inout ResponseBuilder) throws(ProtocolError) {
    let arguments = request.arguments
    for argument in arguments {
        _ = try? Arguments.parseInt(argument)
        _ = try? Arguments.parseUnsigned(argument)
        _ = try? Arguments.parseRange(argument)
        _ = try? Arguments.parseSeekTime(argument)
        _ = try? Arguments.parseToggleMode(argument)
        _ = try? Arguments.parseInsertPosition(argument, current: 3, count: 10)
        _ = try? Arguments.parseInsertPosition(argument, current: nil, count: 0)
        _ = DurationText.parse(argument)
    }
    switch request.command {
    case "find", "search", "count", "playlistfind", "playlistsearch", "findadd", "searchadd":
        _ = try Filter.parse(arguments: arguments, caseSensitiveDefault: request.command.hasPrefix("find"))
    case "idle":
        _ = try IdleSubsystem.parse(arguments)
    case "delete", "playlistinfo", "shuffle":
        if let first = arguments.first { _ = try Arguments.parseRange(first) }
    case "seekcur":
        if let first = arguments.first { _ = try Arguments.parseSeekTime(first) }
    case "setvol":
        if let first = arguments.first { _ = try Arguments.parseInt(first, in: 0...100) }
    case "fail":
        throw ProtocolError(.arg, "asked to fail")
    case "kill":
        throw ProtocolError(.unknown, "asked to close", closesConnection: true)
    default:
        break
    }
    response.field("command", request.command)
    for argument in arguments { response.field("arg", argument) }
}

/// Chunk sizes derived from the input itself (so that libFuzzer explores them too), plus byte-by-byte.
func chunkings(for input: [UInt8]) -> [[Int]] {
    var derived: [Int] = []
    for byte in input.prefix(8) { derived.append(Int(byte % 61) + 1) }
    return [[1], [2, 3, 5], derived.isEmpty ? [7] : derived, [maxLineLength + 1], [4096]]
}

/// Checks one input; traps (as a fuzzer wants) when chunking changes the transcript.
func fuzzOne(_ input: [UInt8]) {
    let whole = transcript(input, chunkSizes: [])
    for sizes in chunkings(for: input) {
        let chunked = transcript(input, chunkSizes: sizes)
        if chunked != whole {
            let shown = String(decoding: input.prefix(300), as: UTF8.self).debugDescription
            fatalError("chunk sizes \(sizes) change the transcript for input \(shown)")
        }
    }
}

#if ELEGY_FUZZ
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        guard let data else { return 0 }
        fuzzOne(Array(UnsafeBufferPointer(start: data, count: size)))
        return 0
    }
#else
    /// The queue's seeded generator (SplitMix64): the same seed gives the same cases on every machine.
    extension SplitMix64 {
        mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    }

    /// Protocol-shaped pieces, so that random cases reach deep paths and not just "not a command".
    let pieces: [String] = [
        "ping\n", "status\n", "command_list_begin\n", "command_list_ok_begin\n", "command_list_end\n", "idle\n",
        "idle player mixer\n", "idle nosuch\n", "noidle\n", "close\n", "fail\n", "kill\n", "find artist \"a b\"\n",
        "find \"(artist == 'x')\"\n", "search \"((((\"\n", "delete 5:2\n", "delete -1\n", "delete 99999999999\n",
        "seekcur +1e300\n", "setvol 101\n", "add \"unterminated\n", "add \"a\\\"b\"x\n", "\n", "\r\n", " \n",
        "\0", "\u{FF}", "Status\n", "lsinfo \"\u{00E9}\"\n", "a\u{7F}b\n", "list_OK\n", "\"\n", "\\", " ",
        "playlistinfo 0:\n", "sleep 9999999999999999999h\n", "x", "ab_C9 1 2 3\n",
    ]

    func randomCase(_ rng: inout SplitMix64) -> [UInt8] {
        var bytes: [UInt8] = []
        for _ in 0..<(1 + rng.below(24)) {
            switch rng.below(10) {
            case 0:
                for _ in 0..<rng.below(40) { bytes.append(UInt8(truncatingIfNeeded: rng.next())) }
            case 1:
                bytes += Array(repeating: UInt8(ascii: "a"), count: maxLineLength - 2 + rng.below(5))
                bytes.append(0x0A)
            case 2:
                bytes += [0xC3, 0x28, 0xE2, 0x82, 0x0A][...rng.below(5)]
            default:
                bytes += Array(pieces[rng.below(pieces.count)].utf8)
            }
        }
        return bytes
    }

    @main
    struct ElegyFuzzReplay {
        static func main() {
            var cases = 10_000
            var seed: UInt64 = 1
            var files: [String] = []
            var arguments = CommandLine.arguments.dropFirst()
            while let argument = arguments.popFirst() {
                switch argument {
                case "--cases": cases = Int(arguments.popFirst() ?? "") ?? cases
                case "--seed": seed = UInt64(arguments.popFirst() ?? "") ?? seed
                default: files.append(argument)
                }
            }
            if !files.isEmpty {
                for path in files { fuzzOne(readAll(path)) }
                print("ElegyFuzz: replayed \(files.count) files, no failure")
                return
            }
            var rng = SplitMix64(state: seed)
            var bytes = 0
            for _ in 0..<cases {
                let input = randomCase(&rng)
                bytes += input.count
                fuzzOne(input)
            }
            print("ElegyFuzz: seed \(seed), \(cases) cases (\(bytes) bytes, 6 chunkings each), no failure")
        }

        static func readAll(_ path: String) -> [UInt8] {
            guard let file = fopen(path, "rb") else { fatalError("cannot open \(path)") }
            defer { fclose(file) }
            var result: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = fread(&buffer, 1, buffer.count, file)
                if count <= 0 { break }
                result += buffer[..<count]
            }
            return result
        }
    }
#endif

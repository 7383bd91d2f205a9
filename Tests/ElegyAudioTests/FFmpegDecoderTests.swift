import CSndFile
import ElegyAudio
import ElegyCore
import Foundation
import Testing

/// The FFmpeg decoder (M4A AAC and ALAC, WavPack), on files made by FFmpeg's and WavPack's own command-line encoders
/// in the test, checked through ALSA's `file` capture as the libsndfile formats are.
@Suite(.serialized) struct FFmpegDecoderTests {
    /// Runs a command-line encoder; fails the test with its stderr when it fails.
    static func run(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/\(tool)")
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestAudioError(message: "\(tool) \(arguments): \(String(decoding: message, as: UTF8.self))")
        }
    }

    /// Encodes `wav` with FFmpeg's command line (`codec` is `alac` or `aac`).
    static func ffmpeg(_ wav: String, to output: String, codec: String, extra: [String] = []) throws {
        try run("ffmpeg", ["-nostdin", "-v", "error", "-y", "-i", wav, "-c:a", codec] + extra + [output])
    }

    /// Plays `paths` as a queue into a capture file and returns the capture's bytes and the events seen.
    func playAndCapture(_ paths: [String], in directory: String) async throws -> ([UInt8], [EngineEvent]) {
        let capture = "\(directory)/capture.raw"
        let engine = PlaybackEngine(device: "file:FILE=\(capture),FORMAT=raw")
        defer { engine.shutdown() }
        let tracks = paths.enumerated().map { Track(id: $0.offset + 1, path: $0.element) }
        engine.play(tracks[0], upcoming: Array(tracks.dropFirst()))
        let (events, ended) = await engine.collectEvents(until: { $0 == .endOfQueue })
        #expect(ended, "the queue never ended; events: \(events)")
        return (TestAudio.readBytes(capture), events)
    }

    @Test func alacIsBitPerfectAndGaplessAtSixteenAndTwentyFourBits() async throws {
        let dir = try TestAudio.makeDirectory("alac")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (bits, subtype, rate) in [(16, SF_FORMAT_PCM_16, Int32(44100)), (24, SF_FORMAT_PCM_24, Int32(96000))] {
            let sources = ["\(dir)/a\(bits).wav", "\(dir)/b\(bits).wav"]
            try TestAudio.write(sources[0], format: Int32(SF_FORMAT_WAV | subtype), frames: 44100 + 77, rate: rate, seed: 21)
            try TestAudio.write(sources[1], format: Int32(SF_FORMAT_WAV | subtype), frames: 30001, rate: rate, seed: 22)
            let alac = sources.map { $0.replacingOccurrences(of: ".wav", with: ".m4a") }
            for (wav, m4a) in zip(sources, alac) { try Self.ffmpeg(wav, to: m4a, codec: "alac") }

            let decoder = try Decoder(path: alac[0])
            #expect(decoder.plugin == .ffmpeg)
            #expect(decoder.format.bitsPerSample == bits)
            #expect(decoder.format.sampleType == (bits == 16 ? .int16 : .int32))
            #expect(decoder.format.sampleRate == Int(rate))
            #expect(decoder.frameCount == Int64(44_177))

            let expected = try sources.flatMap(TestAudio.decodedBytes)
            #expect(try alac.flatMap(TestAudio.decodedBytes) == expected)
            let (captured, events) = try await playAndCapture(alac, in: dir)
            let bytesPerFrame = bits == 16 ? 4 : 8
            #expect(captured.count == (44100 + 77 + 30001) * bytesPerFrame)
            #expect(captured == expected, "\(bits)-bit ALAC capture differs from the WAV samples")
            #expect(!events.contains { if case .trackFailed = $0 { true } else { false } })
        }
    }

    @Test func seekingAnAlacFileLandsOnTheExactFrame() throws {
        let dir = try TestAudio.makeDirectory("alacseek")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try TestAudio.write("\(dir)/a.wav", format: Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16), frames: 100_000, seed: 23)
        try Self.ffmpeg("\(dir)/a.wav", to: "\(dir)/a.m4a", codec: "alac")
        let whole = try TestAudio.decodedBytes("\(dir)/a.wav")
        let decoder = try Decoder(path: "\(dir)/a.m4a")
        for target in [61_234, 4_097, 0, 99_000] {
            try decoder.seek(toFrame: Int64(target))
            var buffer = [UInt8](repeating: 0, count: 500 * 4)
            let got = try buffer.withUnsafeMutableBytes { try decoder.read(into: $0.baseAddress!, frames: 500) }
            #expect(got == 500)
            #expect(buffer == Array(whole[(target * 4)..<(target * 4 + 2000)]), "after a seek to \(target)")
        }
    }

    /// Two AAC files cut from one continuous tone at a point that is no multiple of AAC's 1024-sample frame:
    /// played back to back, the tone goes on with no sample added or lost (the encoder delay and padding FFmpeg
    /// records in the edit list are trimmed).
    @Test func aacTracksCutFromOneToneJoinWithoutAGap() async throws {
        let dir = try TestAudio.makeDirectory("aac")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let lengths = [44100 + 333, 30_000]
        let rate = 44100.0
        let tone = { (frame: Int) in 0.5 * sin(2 * Double.pi * 1000 * Double(frame) / rate) }
        var start = 0
        var paths: [String] = []
        for (index, length) in lengths.enumerated() {
            let wav = "\(dir)/\(index).wav"
            var info = SF_INFO(frames: 0, samplerate: 44100, channels: 1, format: Int32(SF_FORMAT_WAV | SF_FORMAT_FLOAT), sections: 0, seekable: 0)
            let file = try #require(sf_open(wav, Int32(SFM_WRITE), &info))
            let samples = (start..<(start + length)).map(tone)
            #expect(sf_writef_double(file, samples, Int64(length)) == length)
            sf_close(file)
            start += length
            let m4a = "\(dir)/\(index).m4a"
            // The edit list's length is in the movie's time scale, 1/1000 s unless told: at the sample rate it
            // names the exact end, as iTunes' gapless data does.
            try Self.ffmpeg(wav, to: m4a, codec: "aac", extra: ["-b:a", "256k", "-movie_timescale", "44100"])
            paths.append(m4a)
        }
        for (path, length) in zip(paths, lengths) {
            let decoder = try Decoder(path: path)
            #expect(decoder.format.sampleType == .float32)
            #expect(decoder.frameCount == Int64(length), "\(path): the container's trimmed length")
        }
        let (captured, _) = try await playAndCapture(paths, in: dir)
        let samples = captured.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        #expect(samples.count == lengths.reduce(0, +))
        // Each track, past the first 1,536 frames FFmpeg's AAC encoder needs to settle, follows the tone, and
        // follows it best unshifted: a sample added or lost anywhere before shows as a lag other than 0 (a shift of
        // one sample alone moves a 1 kHz tone at 0.5 by up to 0.07).
        var trackStart = 0
        for length in lengths {
            let steady = (trackStart + 1536)..<(trackStart + length)
            func error(lag: Int) -> Double {
                steady.reduce(0.0) { $0 + pow(Double(samples[$1]) - tone($1 + lag), 2) } / Double(steady.count)
            }
            let errors = (-3...3).map { (lag: $0, error: error(lag: $0)) }
            let best = errors.min { $0.error < $1.error }
            #expect(best?.lag == 0, "track at \(trackStart): \(errors)")
            let worst = steady.map { abs(Double(samples[$0]) - tone($0)) }.max() ?? 1
            #expect(worst < 0.03, "track at \(trackStart): largest difference from the tone \(worst)")
            trackStart += length
        }
    }

    @Test func wavPackIsBitPerfect() async throws {
        let dir = try TestAudio.makeDirectory("wavpack")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try TestAudio.write("\(dir)/a.wav", format: Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16), frames: 40_000, seed: 24)
        try Self.run("wavpack", ["-q", "-y", "\(dir)/a.wav", "-o", "\(dir)/a.wv"])
        let decoder = try Decoder(path: "\(dir)/a.wv")
        #expect(decoder.plugin == .ffmpeg)
        #expect(decoder.frameCount == 40_000)
        let (captured, _) = try await playAndCapture(["\(dir)/a.wv"], in: dir)
        #expect(captured == (try TestAudio.decodedBytes("\(dir)/a.wav")))
    }

    /// A cut M4A, random bytes named .m4a and an empty .m4a each fail with FFmpeg's reason; the good files around
    /// them play in full.
    @Test func damagedM4AFilesAreSkippedWithTheirReason() async throws {
        let dir = try TestAudio.makeDirectory("badm4a")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try TestAudio.write("\(dir)/good.wav", format: Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16), frames: 20_000, seed: 25)
        try Self.ffmpeg("\(dir)/good.wav", to: "\(dir)/good.m4a", codec: "alac")
        let whole = TestAudio.readBytes("\(dir)/good.m4a")
        _ = FileManager.default.createFile(atPath: "\(dir)/cut.m4a", contents: Data(whole.prefix(whole.count / 2)))
        var generator = SystemRandomNumberGenerator()
        _ = FileManager.default.createFile(
            atPath: "\(dir)/noise.m4a", contents: Data((0..<5000).map { _ in UInt8.random(in: 0...255, using: &generator) }))
        _ = FileManager.default.createFile(atPath: "\(dir)/empty.m4a", contents: Data())
        for bad in ["cut", "noise", "empty"] {
            #expect(throws: DecoderError.self) { try Decoder(path: "\(dir)/\(bad).m4a") }
            do {
                _ = try Decoder(path: "\(dir)/\(bad).m4a")
            } catch {
                #expect(!error.message.isEmpty)
                #expect(error.path.hasSuffix("\(bad).m4a"))
            }
        }
        let queue = ["\(dir)/good.m4a", "\(dir)/cut.m4a", "\(dir)/noise.m4a", "\(dir)/empty.m4a", "\(dir)/good.m4a"]
        let (captured, events) = try await playAndCapture(queue, in: dir)
        let good = try TestAudio.decodedBytes("\(dir)/good.wav")
        #expect(captured == good + good)
        let failed = events.compactMap { if case .trackFailed(let id, _) = $0 { id } else { nil } }
        #expect(failed == [2, 3, 4])
    }

    /// FFmpeg's libraries are unloaded once no stream is open (not while one is), and load again for the next file,
    /// which decodes as before.
    @Test func ffmpegUnloadsWhenUnusedAndLoadsAgain() throws {
        let dir = try TestAudio.makeDirectory("unload")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try TestAudio.write("\(dir)/a.wav", format: Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16), frames: 20_000, seed: 31)
        try Self.ffmpeg("\(dir)/a.wav", to: "\(dir)/a.m4a", codec: "alac")
        func mapped() throws -> Bool {
            // Read to the end: /proc files report a size of 0.
            let maps = try #require(FileHandle(forReadingAtPath: "/proc/self/maps")).readDataToEndOfFile()
            return String(decoding: maps, as: UTF8.self).contains("libavcodec")
        }
        let expected = try TestAudio.decodedBytes("\(dir)/a.wav")
        do {
            let decoder = try Decoder(path: "\(dir)/a.m4a")
            #expect(!DecoderPlugin.unloadUnusedLibraries(), "unloaded under an open stream")
            #expect(try mapped())
            var buffer = [UInt8](repeating: 0, count: 20_000 * 4)
            let got = try buffer.withUnsafeMutableBytes { try decoder.read(into: $0.baseAddress!, frames: 20_000) }
            #expect(got == 20_000 && buffer == expected)
        }
        #expect(DecoderPlugin.unloadUnusedLibraries())
        #expect(try !mapped())
        #expect(!DecoderPlugin.unloadUnusedLibraries(), "nothing is left to unload")
        #expect(try TestAudio.decodedBytes("\(dir)/a.m4a") == expected)
        #expect(try mapped())
    }

    /// The scan's container-only probe says what opening the decoder says (format and duration to the frame), for
    /// AAC and for ALAC at 16 and 24 bits; WavPack needs its decoder opened, so the probe leaves it to the decoder.
    @Test func theContainerProbeAgreesWithTheDecoder() throws {
        let dir = try TestAudio.makeDirectory("probe")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try TestAudio.write("\(dir)/a.wav", format: Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16), frames: 54_419, seed: 41)
        try TestAudio.write(
            "\(dir)/b.wav", format: Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_24), frames: 30_001, rate: 96000, seed: 42)
        try Self.ffmpeg("\(dir)/a.wav", to: "\(dir)/aac.m4a", codec: "aac")
        try Self.ffmpeg("\(dir)/a.wav", to: "\(dir)/alac16.m4a", codec: "alac")
        try Self.ffmpeg("\(dir)/b.wav", to: "\(dir)/alac24.m4a", codec: "alac")
        for name in ["aac.m4a", "alac16.m4a", "alac24.m4a"] {
            let path = "\(dir)/\(name)"
            let probed = try #require(try Decoder.probeContainer(path: path), "\(name) not probed")
            let decoder = try Decoder(path: path)
            #expect(probed.format == decoder.format, "\(name)")
            #expect(probed.duration == decoder.duration, "\(name)")
            #expect(probed.duration != nil, "\(name)")
        }
        // Named .m4a but an ADTS stream: the MP4 demuxer refuses it, the content decides, and as ADTS headers do not
        // give the layout without packets read, the scan opens the decoder.
        try Self.ffmpeg("\(dir)/a.wav", to: "\(dir)/adts.m4a", codec: "aac", extra: ["-f", "adts"])
        #expect(try Decoder.probeContainer(path: "\(dir)/adts.m4a") == nil)
        let scanned = try TagReader.song(atPath: "\(dir)/adts.m4a", uri: "adts.m4a", size: 1, modified: 1)
        #expect(scanned.format == (try Decoder(path: "\(dir)/adts.m4a")).format)
        try Self.run("wavpack", ["-q", "-y", "\(dir)/a.wav", "-o", "\(dir)/a.wv"])
        #expect(try Decoder.probeContainer(path: "\(dir)/a.wv") == nil)
        #expect(throws: DecoderError.self) { try Decoder.probeContainer(path: "\(dir)/a.wav.missing.m4a") }
    }
}

import CSndFile
import ElegyAudio
import ElegyCore
import Foundation
import Testing

/// Plays through ALSA's `file` plugin, which records exactly what the engine handed to ALSA.
@Suite(.serialized) struct GaplessTests {
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

    @Test func sixteenBitTracksJoinWithoutAGap() async throws {
        let dir = try TestAudio.makeDirectory("gapless16")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let paths = ["\(dir)/a.wav", "\(dir)/b.flac", "\(dir)/c.flac"]
        try TestAudio.write(paths[0], format: Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16), frames: 44100 + 17, seed: 1)
        try TestAudio.write(paths[1], format: Int32(SF_FORMAT_FLAC | SF_FORMAT_PCM_16), frames: 30011, seed: 2)
        try TestAudio.write(paths[2], format: Int32(SF_FORMAT_FLAC | SF_FORMAT_PCM_16), frames: 50000, seed: 3)
        let expected = try paths.flatMap(TestAudio.decodedBytes)
        let (captured, events) = try await playAndCapture(paths, in: dir)
        let totalFrames = 44100 + 17 + 30011 + 50000
        #expect(expected.count == totalFrames * 4)
        #expect(captured.count == expected.count)
        #expect(captured == expected)
        #expect(events.filter { if case .trackStarted = $0 { true } else { false } }.count == 3)
    }

    /// The core may fall behind an unpaced output: when what the engine holds does not reach the end of the
    /// queue, running out of it is a wait for more, not the end; the tracks sent late join on without a sample
    /// lost or added.
    @Test func engineWaitsForTheCoreWhenTheQueueGoesOn() async throws {
        let dir = try TestAudio.makeDirectory("starve")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let paths = (0..<4).map { "\(dir)/\($0).flac" }
        for (index, path) in paths.enumerated() {
            try TestAudio.write(path, format: Int32(SF_FORMAT_FLAC | SF_FORMAT_PCM_16), frames: 2000 + index, seed: UInt64(index))
        }
        let capture = "\(dir)/capture.raw"
        let engine = PlaybackEngine(device: "file:FILE=\(capture),FORMAT=raw")
        defer { engine.shutdown() }
        let tracks = paths.enumerated().map { Track(id: $0.offset + 1, path: $0.element) }
        engine.play(tracks[0], upcoming: [tracks[1]], upcomingReachesEnd: false)
        // Both tracks play (the file device does not pace), and then the engine waits instead of ending.
        let (early, started) = await engine.collectEvents(until: { $0 == .trackStarted(id: 2) })
        #expect(started, "events: \(early)")
        try await Task.sleep(for: .milliseconds(300))
        #expect(engine.status.state == .play)
        // Sent for a track the engine has played past (1): what follows the one it is on (2) is taken.
        engine.setUpcoming([tracks[1], tracks[2], tracks[3]], after: 1, reachesEnd: true)
        let (late, ended) = await engine.collectEvents(until: { $0 == .endOfQueue })
        #expect(ended, "events: \(late)")
        #expect(!late.contains(.endOfQueue) || late.last == .endOfQueue)
        #expect(late.filter { if case .trackStarted = $0 { true } else { false } }.count == 2)
        let expected = try paths.flatMap(TestAudio.decodedBytes)
        #expect(TestAudio.readBytes(capture) == expected)
    }

    @Test func twentyFourBitTracksAreBitPerfect() async throws {
        let dir = try TestAudio.makeDirectory("gapless24")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let paths = ["\(dir)/a.wav", "\(dir)/b.flac"]
        try TestAudio.write(
            paths[0], format: Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_24), frames: 20000, rate: 96000, seed: 4)
        try TestAudio.write(
            paths[1], format: Int32(SF_FORMAT_FLAC | SF_FORMAT_PCM_24), frames: 33333, rate: 96000, seed: 5)
        let expected = try paths.flatMap(TestAudio.decodedBytes)
        let (captured, _) = try await playAndCapture(paths, in: dir)
        let totalFrames = 20000 + 33333
        #expect(expected.count == totalFrames * 8)
        #expect(captured == expected)
        // 24-bit samples reach ALSA left-justified in 32 bits: the low byte is always zero.
        let lowBytes = stride(from: 0, to: captured.count, by: 4).map { captured[$0] }
        #expect(lowBytes.allSatisfy { $0 == 0 })
    }

    @Test func lossyTracksMatchLibsndfilesOwnDecode() async throws {
        let dir = try TestAudio.makeDirectory("lossy")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let paths = ["\(dir)/a.ogg", "\(dir)/b.mp3", "\(dir)/c.mp3"]
        try TestAudio.write(paths[0], format: Int32(SF_FORMAT_OGG | SF_FORMAT_VORBIS), frames: 44100, seed: 6)
        try TestAudio.write(
            paths[1], format: Int32(SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III), frames: 44100, seed: 7)
        try TestAudio.write(
            paths[2], format: Int32(SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III), frames: 30000, seed: 8)
        let expected = try paths.flatMap(TestAudio.decodedBytes)
        #expect(expected.count > 100_000)
        let (captured, _) = try await playAndCapture(paths, in: dir)
        #expect(captured.count == expected.count)
        #expect(captured == expected)
    }

    @Test func badFilesAreSkippedAndGoodOnesPlayInFull() async throws {
        let dir = try TestAudio.makeDirectory("corrupt")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let good = ["\(dir)/1.flac", "\(dir)/3.wav", "\(dir)/6.flac"]
        try TestAudio.write(good[0], format: Int32(SF_FORMAT_FLAC | SF_FORMAT_PCM_16), frames: 22050, seed: 9)
        try TestAudio.write(good[1], format: Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16), frames: 10000, seed: 10)
        try TestAudio.write(good[2], format: Int32(SF_FORMAT_FLAC | SF_FORMAT_PCM_16), frames: 12345, seed: 11)
        // A FLAC cut inside its header, random bytes named .mp3, an empty WAV, a file that does not exist.
        try TestAudio.write("\(dir)/full.flac", format: Int32(SF_FORMAT_FLAC | SF_FORMAT_PCM_16), frames: 1000, seed: 1)
        let flac = TestAudio.readBytes("\(dir)/full.flac")
        _ = FileManager.default.createFile(atPath: "\(dir)/2.flac", contents: Data(flac.prefix(20)))
        var generator = SystemRandomNumberGenerator()
        _ = FileManager.default.createFile(
            atPath: "\(dir)/4.mp3", contents: Data((0..<5000).map { _ in UInt8.random(in: 0...255, using: &generator) }))
        _ = FileManager.default.createFile(atPath: "\(dir)/5.wav", contents: Data())
        let queue = [good[0], "\(dir)/2.flac", good[1], "\(dir)/4.mp3", "\(dir)/5.wav", "\(dir)/missing.flac", good[2]]
        let expected = try good.flatMap(TestAudio.decodedBytes)
        let (captured, events) = try await playAndCapture(queue, in: dir)
        #expect(captured == expected)
        let failed = events.compactMap { if case .trackFailed(let id, _) = $0 { id } else { nil } }
        #expect(failed == [2, 4, 5, 6])
    }

    @Test func missingDeviceIsAnErrorValueAndNullStillPlays() async throws {
        let dir = try TestAudio.makeDirectory("device")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try TestAudio.write("\(dir)/a.flac", format: Int32(SF_FORMAT_FLAC | SF_FORMAT_PCM_16), frames: 4410, seed: 12)
        let broken = PlaybackEngine(device: "hw:9,9")
        broken.play(Track(id: 1, path: "\(dir)/a.flac"), upcoming: [])
        let (events, failed) = await broken.collectEvents(until: {
            if case .outputFailed = $0 { true } else { false }
        })
        #expect(failed, "events: \(events)")
        #expect(broken.status.state == .stop)
        #expect(broken.status.error?.contains("hw:9,9") == true)
        broken.shutdown()

        let working = PlaybackEngine(device: "null")
        working.play(Track(id: 1, path: "\(dir)/a.flac"), upcoming: [])
        let (_, ended) = await working.collectEvents(until: { $0 == .endOfQueue })
        #expect(ended)
        #expect(working.status.error == nil)
        working.shutdown()
    }
}

import CSndFile
import ElegyAudio
import ElegyCore
import Foundation
import Testing

/// Volume and the sleep fade, checked on the samples ALSA received (unpaced `file` capture).
@Suite(.serialized) struct GainTests {
    @Test func volumeScalesSamplesAndFullVolumeIsIdentity() async throws {
        let dir = try TestAudio.makeDirectory("volume")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = "\(dir)/a.flac"
        try TestAudio.write(path, format: Int32(SF_FORMAT_FLAC | SF_FORMAT_PCM_16), frames: 20000, seed: 21)
        let engine = PlaybackEngine(device: "file:FILE=\(dir)/cap.raw,FORMAT=raw")
        defer { engine.shutdown() }
        engine.setVolume(50)
        engine.play(Track(id: 1, path: path), upcoming: [])
        let (_, ended) = await engine.collectEvents(until: { $0 == .endOfQueue })
        #expect(ended)
        let original = try samples16(TestAudio.decodedBytes(path))
        let captured = samples16(TestAudio.readBytes("\(dir)/cap.raw"))
        #expect(captured.count == original.count)
        let halved = zip(original, captured).allSatisfy { abs(Int($0) / 2 - Int($1)) <= 1 }
        #expect(halved)
        #expect(original.contains { abs(Int($0)) > 1000 })
    }

    @Test func sleepTimerFadesThenPauses() async throws {
        let dir = try TestAudio.makeDirectory("sleep")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = "\(dir)/a.wav"
        try TestAudio.write(path, format: Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16), frames: 44100 * 5, seed: 22)
        let engine = PlaybackEngine(device: "file:FILE=\(dir)/cap.raw,FORMAT=raw")
        defer { engine.shutdown() }
        engine.setSleep(2)
        #expect(engine.status.sleepRemaining == 2)
        engine.play(Track(id: 1, path: path), upcoming: [])
        let (events, paused) = await engine.collectEvents(until: { $0 == .stateChanged(.pause) })
        #expect(paused, "events: \(events)")
        #expect(engine.status.state == .pause)
        #expect(engine.status.sleepRemaining == nil)
        let captured = samples16(TestAudio.readBytes("\(dir)/cap.raw"))
        let frames = captured.count / 2
        // Two seconds of playback, to within one chunk.
        #expect(abs(frames - 88200) <= PlaybackEngine.chunkFrames)
        // The fade: the last 0.2 s are much quieter than the first 0.2 s, and the level falls steadily.
        let window = 8820 * 2
        let first = rms(captured[0..<window])
        let last = rms(captured[(captured.count - window)...])
        #expect(last < first * 0.25, "first \(first), last \(last)")
    }

    func samples16(_ bytes: [UInt8]) -> [Int16] {
        stride(from: 0, to: bytes.count - 1, by: 2).map { Int16(bitPattern: UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8) }
    }

    func rms(_ samples: ArraySlice<Int16>) -> Double {
        (samples.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(samples.count)).squareRoot()
    }
}

/// Pause, seek, elapsed and the 50 ms reaction time, on a real-time output (PulseAudio null sink).
@Suite(.serialized) struct PacedTests {
    func server() throws -> PulseServer {
        switch PulseServer.shared {
        case .success(let server): return server
        case .failure(let error): throw error
        }
    }

    func waitUntil(_ timeout: Double = 5, _ condition: () -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(timeout)
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(5))
        }
        return condition()
    }

    @Test func elapsedFollowsTheClockAndPauseSeekTakeEffect() async throws {
        _ = try server()
        let dir = try TestAudio.makeDirectory("paced")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = "\(dir)/a.flac"
        try TestAudio.write(path, format: Int32(SF_FORMAT_FLAC | SF_FORMAT_PCM_16), frames: 44100 * 8, seed: 31)
        let engine = PlaybackEngine(device: "pulse")
        defer { engine.shutdown() }
        engine.play(Track(id: 7, path: path), upcoming: [])
        #expect(try await waitUntil { engine.status.elapsed > 0.05 }, "status: \(engine.status)")
        let started = ContinuousClock.now
        let startElapsed = engine.status.elapsed
        try await Task.sleep(for: .milliseconds(1500))
        let wall = Double((ContinuousClock.now - started).components.attoseconds) / 1e18
            + Double((ContinuousClock.now - started).components.seconds)
        let advanced = engine.status.elapsed - startElapsed
        #expect(abs(advanced - wall) < 0.2, "elapsed advanced \(advanced) s in \(wall) s")
        #expect(engine.status.state == .play)
        #expect(engine.status.trackId == 7)
        #expect(engine.status.format?.mpdDescription == "44100:16:2")

        // Pause: within 50 ms the position stops moving.
        engine.setPaused(true)
        try await Task.sleep(for: .milliseconds(50))
        let frozen = engine.status.elapsed
        try await Task.sleep(for: .milliseconds(500))
        #expect(abs(engine.status.elapsed - frozen) < 0.01, "moved while paused")
        #expect(engine.status.state == .pause)

        // Resume, then seek: the position jumps at once and keeps going from there.
        engine.setPaused(false)
        try await Task.sleep(for: .milliseconds(300))
        #expect(engine.status.elapsed > frozen + 0.15)
        engine.seek(to: 5.0)
        try await Task.sleep(for: .milliseconds(50))
        #expect(abs(engine.status.elapsed - 5.0) < 0.1, "after seek: \(engine.status.elapsed)")
        try await Task.sleep(for: .milliseconds(500))
        #expect(abs(engine.status.elapsed - 5.5) < 0.15, "0.5 s after seek: \(engine.status.elapsed)")

        // Stop takes effect at once and releases the device.
        engine.stop()
        #expect(engine.status.state == .stop)
        let (_, stopped) = await engine.collectEvents(until: { $0 == .stateChanged(.stop) }, timeout: 2)
        #expect(stopped)
    }
}

import CSndFile
import ElegyAudio
import ElegyCore
import Foundation
import Testing

/// Writes deterministic test audio with libsndfile and reads captures back.
enum TestAudio {
    /// A fresh empty directory under /tmp.
    static func makeDirectory(_ label: String) throws -> String {
        let path = "/tmp/elegy-test-\(label)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Writes `frames` frames of a pseudo-random but reproducible signal (seeded by `seed`), so that any
    /// dropped, added or altered sample shows in a byte comparison. `format` is an `SF_FORMAT_*` combination.
    static func write(
        _ path: String, format: Int32, frames: Int, rate: Int32 = 44100, channels: Int32 = 2, seed: UInt64,
        title: String? = nil, artist: String? = nil
    ) throws {
        var info = SF_INFO(frames: 0, samplerate: rate, channels: channels, format: format, sections: 0, seekable: 0)
        guard let file = sf_open(path, Int32(SFM_WRITE), &info) else {
            throw TestAudioError(message: "sf_open(\(path)) for writing: \(String(cString: sf_strerror(nil)))")
        }
        if let title { sf_set_string(file, Int32(SF_STR_TITLE), title) }
        if let artist { sf_set_string(file, Int32(SF_STR_ARTIST), artist) }
        var state = seed &* 6364136223846793005 &+ 1442695040888963407
        var samples = [Double](repeating: 0, count: frames * Int(channels))
        for frame in 0..<frames {
            for channel in 0..<Int(channels) {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                let noise = Double(Int64(bitPattern: state >> 11) % 2000) / 20000.0
                let tone = 0.4 * sin(Double(frame) * (0.05 + 0.01 * Double(channel) + Double(seed % 7) * 0.003))
                samples[frame * Int(channels) + channel] = tone + noise
            }
        }
        let written = sf_writef_double(file, samples, Int64(frames))
        sf_close(file)
        guard written == frames else { throw TestAudioError(message: "short write to \(path)") }
    }

    /// Decodes a file completely with our Decoder (libsndfile, the file's own width) and returns the raw bytes.
    static func decodedBytes(_ path: String) throws -> [UInt8] {
        let decoder = try Decoder(path: path)
        let chunk = 4096
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: chunk * decoder.format.bytesPerFrame)
        while true {
            let frames = try buffer.withUnsafeMutableBytes { raw in
                try decoder.read(into: raw.baseAddress!, frames: chunk)
            }
            if frames == 0 { break }
            bytes.append(contentsOf: buffer[0..<(frames * decoder.format.bytesPerFrame)])
        }
        return bytes
    }

    static func readBytes(_ path: String) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return [UInt8](data)
    }
}

struct TestAudioError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

extension PlaybackEngine {
    /// Waits (up to `timeout` seconds) for an event matching `predicate`; returns every event seen until then.
    func collectEvents(until predicate: @escaping @Sendable (EngineEvent) -> Bool, timeout: Double = 30)
        async -> (events: [EngineEvent], matched: Bool)
    {
        let stream = events
        return await withTaskGroup(of: ([EngineEvent], Bool).self) { group in
            group.addTask {
                var seen: [EngineEvent] = []
                for await event in stream {
                    seen.append(event)
                    if predicate(event) { return (seen, true) }
                }
                return (seen, false)
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(timeout))
                return ([], false)
            }
            let first = await group.next() ?? ([], false)
            group.cancelAll()
            return first
        }
    }
}

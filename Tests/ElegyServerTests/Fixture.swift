import CSndFile
import ElegyCore
import Foundation
import Logging

@testable import ElegyServer

/// Builds music directories with libsndfile in /tmp.
enum Fixture {
    static let quiet = Logger(label: "library-test", factory: { _ in SwiftLogNoOpLogHandler() })

    static func makeDirectory(_ label: String) throws -> String {
        let path = "/tmp/elegy-library-\(label)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Writes a 0.05 s 16-bit FLAC (or WAV for a `.wav` name) with the given tags.
    static func writeAudio(
        _ path: String, title: String? = nil, artist: String? = nil, album: String? = nil, frames: Int = 2205
    ) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let major = path.hasSuffix(".wav") ? SF_FORMAT_WAV : SF_FORMAT_FLAC
        var info = SF_INFO(
            frames: 0, samplerate: 44100, channels: 2, format: Int32(major | SF_FORMAT_PCM_16), sections: 0,
            seekable: 0)
        guard let file = sf_open(path, Int32(SFM_WRITE), &info) else {
            throw FixtureError(message: "sf_open(\(path)): \(String(cString: sf_strerror(nil)))")
        }
        if let title { sf_set_string(file, Int32(SF_STR_TITLE), title) }
        if let artist { sf_set_string(file, Int32(SF_STR_ARTIST), artist) }
        if let album { sf_set_string(file, Int32(SF_STR_ALBUM), album) }
        let samples = (0..<(frames * 2)).map { Int16(truncatingIfNeeded: $0 &* 37) }
        let written = sf_writef_short(file, samples, Int64(frames))
        sf_close(file)
        guard written == frames else { throw FixtureError(message: "short write to \(path)") }
    }

    static func write(_ path: String, _ text: String) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// Moves a file's mtime `seconds` into the future (mtime resolution in the index is one second).
    static func touch(_ path: String, by seconds: Int) throws {
        var info = stat()
        guard stat(path, &info) == 0 else { throw FixtureError(message: "stat(\(path))") }
        let when = info.st_mtim.tv_sec + seconds
        var times = [timeval(tv_sec: when, tv_usec: 0), timeval(tv_sec: when, tv_usec: 0)]
        guard utimes(path, &times) == 0 else { throw FixtureError(message: "utimes(\(path))") }
    }

    /// A library with every kind of entry the scanner must handle; returns its root.
    static func hostileLibrary() throws -> String {
        let root = try makeDirectory("hostile")
        try writeAudio("\(root)/Tagged/song.flac", title: "Kataomoi", artist: "Aimer", album: "Daydream")
        try writeAudio("\(root)/Aimer/Dawn/01 - Kataomoi.flac")
        try writeAudio("\(root)/Aimer/Dawn/02 - Ref_rain.flac", title: "Ref:rain")
        try writeAudio("\(root)/Singles/LiSA - Shirushi.wav")
        try writeAudio("\(root)/03. Akeboshi.flac")
        try writeAudio("\(root)/x/y/z/w/04 - Deep.flac")
        try writeAudio("\(root)/.hidden.flac")
        try write("\(root)/corrupt.flac", String(repeating: "not audio at all ", count: 64))
        try write("\(root)/notes.txt", "ignored")
        try FileManager.default.createDirectory(atPath: "\(root)/a.flac", withIntermediateDirectories: true)
        guard mkfifo("\(root)/fifo.flac", 0o644) == 0 else { throw FixtureError(message: "mkfifo") }
        try FileManager.default.createDirectory(atPath: "\(root)/loop", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: "\(root)/loop/up", withDestinationPath: "..")
        try FileManager.default.createSymbolicLink(atPath: "\(root)/loop/self", withDestinationPath: ".")
        try FileManager.default.createSymbolicLink(atPath: "\(root)/link.flac", withDestinationPath: "Tagged/song.flac")
        try FileManager.default.createSymbolicLink(atPath: "\(root)/dangling.flac", withDestinationPath: "nowhere")
        // A name that is not UTF-8: byte 0xFF.
        let badName: [CChar] = Array("\(root)/bad".utf8CString.dropLast()) + [CChar(bitPattern: 0xFF)]
            + Array(".flac".utf8CString)
        let fd = open(badName, O_WRONLY | O_CREAT, 0o644)
        guard fd >= 0 else { throw FixtureError(message: "open bad name") }
        close(fd)
        return root
    }

    static func remove(_ path: String) { try? FileManager.default.removeItem(atPath: path) }
}

struct FixtureError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}


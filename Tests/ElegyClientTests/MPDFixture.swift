import Foundation
import Testing

@testable import elegy

/// What one run of the `elegy` binary produced.
struct Outcome {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs an executable, waits for it, and returns its status and output.
@discardableResult
func runProcess(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws -> Outcome {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    // An empty stdin through a Pipe, not `FileHandle.nullDevice`: Process closes the descriptor of a FileHandle it
    // is given, and the shared null device's number is then reused elsewhere in this process (other suites' engines
    // lost descriptors that way). A Pipe's ends are Process's to close.
    let input = Pipe()
    process.standardInput = input
    try process.run()
    try input.fileHandleForWriting.close()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Outcome(
        status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
        stderr: String(decoding: stderr, as: UTF8.self)
    )
}

/// The built `elegy` executable: `$ELEGY_BIN`, else next to the test bundle, else `.build/debug/elegy`.
func elegyBinary() throws -> String {
    var candidates: [String] = []
    if let explicit = ProcessInfo.processInfo.environment["ELEGY_BIN"] { candidates.append(explicit) }
    if let bundle = Bundle.main.executableURL {
        candidates.append(bundle.deletingLastPathComponent().appendingPathComponent("elegy").path)
    }
    let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    candidates.append(packageRoot.appendingPathComponent(".build/debug/elegy").path)
    guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
        throw FixtureError("no elegy binary in \(candidates); run `swift build --product elegy` (or set ELEGY_BIN)")
    }
    return found
}

/// The environment for a child process: ours, without the variables that choose a socket.
func cleanEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
    var environment = ProcessInfo.processInfo.environment
    for name in ["ELEGY_SOCKET", "MPD_HOST", "MPD_PORT"] { environment[name] = nil }
    return environment.merging(extra) { _, new in new }
}

/// A test setup failure with a readable message.
struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Debian's real MPD on a temp socket, with a generated library of three 3-second FLAC files.
/// Fails (never skips) when `mpd`, `sox` or `metaflac` is missing.
final class MPDFixture {
    let directory: URL
    let socket: String
    private let process: Process

    /// The generated library: relative path, title, artist.
    static let library = [
        ("Artist/1.flac", "Namida", "Aimer"),
        ("Artist/2.flac", "Secret Base", "ZONE"),
        ("Artist/3.flac", "青い栞", "Galileo Galilei"),
    ]

    init() throws {
        let fileManager = FileManager.default
        directory = fileManager.temporaryDirectory.appendingPathComponent("elegy-client-\(UUID().uuidString)")
        let music = directory.appendingPathComponent("music")
        try fileManager.createDirectory(at: music.appendingPathComponent("Artist"), withIntermediateDirectories: true)
        try fileManager.createDirectory(
            at: directory.appendingPathComponent("playlists"), withIntermediateDirectories: true
        )
        for (index, (path, title, artist)) in Self.library.enumerated() {
            let file = music.appendingPathComponent(path).path
            let tone = "\(440 + index * 110)"
            try Self.tool("sox", ["-n", "-r", "44100", "-c", "2", "-b", "16", file, "synth", "3", "sine", tone])
            try Self.tool(
                "metaflac", ["--set-tag=TITLE=\(title)", "--set-tag=ARTIST=\(artist)", "--set-tag=ALBUM=Test", file]
            )
        }
        socket = directory.appendingPathComponent("socket").path
        let config = """
            music_directory "\(music.path)"
            db_file "\(directory.appendingPathComponent("db").path)"
            playlist_directory "\(directory.appendingPathComponent("playlists").path)"
            bind_to_address "\(socket)"
            zeroconf_enabled "no"
            log_file "\(directory.appendingPathComponent("mpd.log").path)"
            audio_output {
                type "null"
                name "n"
                sync "yes"
                mixer_type "software"
            }

            """
        let configFile = directory.appendingPathComponent("mpd.conf")
        try config.write(to: configFile, atomically: true, encoding: .utf8)
        guard let mpd = Self.which("mpd") else { throw FixtureError("mpd is not installed (apt-get install mpd)") }
        process = Process()
        process.executableURL = URL(fileURLWithPath: mpd)
        // MPD writes its log itself (`log_file`): no FileHandle is handed to Process (see `runProcess`).
        process.arguments = ["--no-daemon", configFile.path]
        try process.run()
        try waitUntilReady()
    }

    deinit {
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Waits (up to 10 s) until MPD answers on its socket and its first database scan has finished.
    private func waitUntilReady() throws {
        for _ in 0..<200 {
            guard process.isRunning else { break }
            if let connection = try? Connection(path: socket, source: "test") {
                let status = Status(try connection.run("status"))
                let stats = Record(try connection.run("stats"))
                if status.updatingDB == nil, stats["songs"] == String(Self.library.count) { return }
            }
            usleep(50_000)
        }
        let log = (try? String(contentsOf: directory.appendingPathComponent("mpd.log"), encoding: .utf8)) ?? ""
        throw FixtureError("mpd did not become ready on \(socket); its log:\n\(log)")
    }

    /// Runs the `elegy` binary against this MPD (adding `--socket` unless told not to).
    func elegy(_ arguments: [String], socketOption: Bool = true, environment: [String: String] = [:]) throws
        -> Outcome
    {
        try runProcess(
            elegyBinary(), arguments + (socketOption ? ["--socket", socket] : []),
            environment: cleanEnvironment(environment)
        )
    }

    /// The absolute path of an executable on PATH, or nil.
    static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    /// Runs a helper tool and throws unless it succeeds.
    private static func tool(_ name: String, _ arguments: [String]) throws {
        guard let executable = which(name) else { throw FixtureError("\(name) is not installed") }
        let outcome = try runProcess(executable, arguments)
        guard outcome.status == 0 else { throw FixtureError("\(name) \(arguments) failed: \(outcome.stderr)") }
    }
}

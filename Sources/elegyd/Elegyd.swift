import ArgumentParser
import ElegyCore
import ElegyServer
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// `elegyd`: the Elegy daemon. Configuration only; the work is in ElegyServer.
@main
struct Elegyd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "elegyd",
        abstract: "Elegy's audio player daemon: curated sad-song playlists, gapless ALSA playback, MPD protocol.")

    @Option(help: "Unix socket to serve (default: $XDG_RUNTIME_DIR/elegy/socket).")
    var socket: String?

    @Option(name: .customLong("music-dir"), help: "The music library (default: $XDG_MUSIC_DIR or ~/Music).")
    var musicDirectory: String?

    @Option(help: "ALSA PCM to play to: default, hw:0,0, plughw:1, pulse, null, file:FILE=/x.raw,FORMAT=raw.")
    var output: String?

    @Option(help: "Configuration file (default: $XDG_CONFIG_HOME/elegy/elegy.toml).")
    var config: String?

    @Option(name: .customLong("playlists"), help: "A directory of curated playlists (repeatable).")
    var playlistDirectories: [String] = []

    @Flag(help: "Log debug messages.")
    var verbose = false

    func run() async throws {
        let environment = ProcessEnvironment.current
        let level: Logger.Level = verbose ? .debug : .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "elegyd")
        let paths = DaemonPaths(environment: environment)
        let options = DaemonOptions(
            socketPath: socket ?? paths.socket,
            musicDirectory: musicDirectory.map(paths.expandingTilde) ?? paths.musicDirectory,
            outputDevice: output ?? "default",
            curatedDirectories: playlistDirectories.isEmpty ? paths.curatedDirectories : playlistDirectories,
            storedPlaylistDirectory: paths.storedPlaylists,
            cacheFile: paths.cacheFile)
        let daemon: Daemon
        do {
            daemon = try await Daemon.start(options, logger: logger)
        } catch {
            logger.critical("\(error)")
            throw ExitCode(1)
        }
        let signal = await waitForTerminationSignal()
        logger.info("stopping", metadata: ["signal": "\(signal)"])
        await daemon.shutdown()
    }
}

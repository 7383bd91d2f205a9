import ArgumentParser
import ElegyCore
import ElegyServer
import ElegySystem
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// `elegyd`: the Elegy daemon. Reads flags and config, then hands over to ElegyServer.
@main
struct Elegyd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "elegyd",
        abstract: "Elegy's audio player daemon: curated sad-song playlists, gapless ALSA playback, MPD protocol.",
        discussion: "Flags override the config file ($XDG_CONFIG_HOME/elegy/elegy.toml).")

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

    @Option(name: .customLong("state"), help: "State file (default: $XDG_STATE_HOME/elegy/state.json).")
    var stateFile: String?

    @Flag(help: "Log debug messages.")
    var verbose = false

    /// Set when the daemon starts this program as its scan worker (see `ScanWorker`): the cache file to write.
    @Option(name: .customLong("scan-worker"), help: .hidden)
    var scanWorkerCache: String?

    @Flag(name: .customLong("scan-fresh"), help: .hidden)
    var scanFresh = false

    @Flag(name: .customLong("scan-reread"), help: .hidden)
    var scanReread = false

    /// sysexits.h: a configuration error.
    static let configurationError: Int32 = 78

    /// Runs on the main thread and blocks it: elegyd uses no Swift concurrency pool (see `QueueTaskExecutor`).
    func run() throws {
        MemoryTuning.apply()
        let paths = Paths.current
        let level: Logger.Level = verbose ? .debug : .info
        LoggingSystem.bootstrap { label in
            var handler = JournalLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "elegyd")
        if let scanWorkerCache {
            guard let musicDirectory else {
                printError("elegyd: --scan-worker needs --music-dir")
                throw ExitCode(64)  // sysexits.h: EX_USAGE
            }
            throw ExitCode(
                ScanWorker.run(
                    root: musicDirectory, cacheFile: scanWorkerCache, fresh: scanFresh, rereadAll: scanReread,
                    logger: logger))
        }
        let loaded: (ElegyConfig, warnings: [String])
        do {
            loaded = try ElegyConfig.load(path: config, paths: paths)
        } catch {
            printError("elegyd: \(error)")
            throw ExitCode(Elegyd.configurationError)
        }
        let settings = loaded.0
        for warning in loaded.warnings { logger.warning("\(warning)") }

        let adopted = Systemd.listenFileDescriptors().first
        // Its format (6 and before) is refused anyway: the index is scanned again and written under the new name.
        unlink(paths.formerCacheFile)
        var options = DaemonOptions(
            socketPath: socket ?? settings.socketPath ?? paths.socket,
            adoptedDescriptor: adopted,
            musicDirectory: musicDirectory.map(paths.expandingTilde) ?? settings.musicDirectory,
            outputDevice: output ?? settings.outputDevice,
            curatedDirectories: (playlistDirectories.isEmpty ? paths.curatedDirectories : playlistDirectories)
                + settings.playlistDirectories,
            storedPlaylistDirectory: paths.storedPlaylists,
            cacheFile: paths.cacheFile,
            pins: settings.pins,
            softwareMixer: settings.mixer == .software,
            maxConnections: settings.maxConnections,
            connectionTimeout: settings.connectionTimeout,
            userMoods: settings.moods)
        options.bufferMilliseconds = settings.bufferMilliseconds
        options.autoUpdate = settings.autoUpdate
        // The running executable itself, even if an upgrade has replaced the file since.
        options.scanWorker = ["/proc/self/exe"]
        options.maxOutputBytes = settings.maxOutputBufferKiB * 1024
        let store = StateStore(path: stateFile ?? paths.stateFile)
        let saver = StateSaver(store: store, notifySystemd: true)
        let resumePlaying = !settings.restorePaused
        let daemon: Daemon
        do {
            daemon = try Daemon.start(options, logger: logger) { core in
                let (saved, warning) = store.load()
                if let warning { logger.warning("\(warning)") }
                if let saved { core.restore(saved, resumePlaying: resumePlaying) }
                saver.attach(to: core)
            }
        } catch {
            logger.critical("\(error)")
            printError("elegyd: \(error)")
            throw ExitCode(1)
        }
        _ = Systemd.notify("READY=1\nSTATUS=Serving \(adopted.map { "socket fd \($0)" } ?? options.socketPath)")

        let signal = waitForTerminationSignal()
        logger.info("stopping", metadata: ["signal": "\(signal)"])
        _ = Systemd.notify("STOPPING=1")
        daemon.shutdown(save: saver.saveFinal)
    }

    private func printError(_ message: String) {
        var line = message + "\n"
        line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }
}

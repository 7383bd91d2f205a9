import ArgumentParser
import Glibc

/// The `elegy` command: configuration only; each subcommand does one thing.
@main
struct Elegy: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "elegy",
        abstract: "Control the Elegy music daemon (or any MPD) over its Unix socket.",
        discussion: helpText,
        subcommands: [
            StatusCommand.self, Play.self, Pause.self, Toggle.self, Stop.self, Next.self, Prev.self, Seek.self,
            Volume.self, Queue.self, Add.self, Clear.self, Playlists.self, Load.self, Save.self, Update.self,
            Search.self, Watch.self, ModeCommand<RandomMode>.self, ModeCommand<RepeatMode>.self,
            ModeCommand<SingleMode>.self, ModeCommand<ConsumeMode>.self, Moods.self, Mood.self, Sleep.self,
            Resolve.self,
        ],
        defaultSubcommand: StatusCommand.self
    )

    static let helpText = """
        SOCKET: --socket PATH, else $ELEGY_SOCKET, else $MPD_HOST when it starts \
        with / (or @ for an abstract socket), else $XDG_RUNTIME_DIR/elegy/socket, \
        else /run/user/$UID/elegy/socket.

        EXIT STATUS: 0 ok; 1 the daemon refused the command (its message on \
        stderr); 2 bad usage; 69 the daemon is unreachable; 76 the daemon's \
        answer made no sense.

        JSON (--json): one object on stdout, keys always present (null if unknown).
          status (and play, pause, toggle, stop, next, prev, seek, volume N):
            {"state": "play"|"pause"|"stop", "song": SONG|null,
             "position": 1-based, "queue_length", "elapsed": s, "duration": s,
             "volume": 0-100, "repeat": bool, "random": bool,
             "single": "on"|"off"|"oneshot", "consume": "on"|"off"|"oneshot",
             "bitrate": kbps, "audio": "44100:16:2", "updating_db": job id,
             "error": text, "mood": name, "sleep": seconds left, "underruns": count,
             "auto_update": "watch limit reached" or null}
          SONG: {"position": 1-based, "id", "file", "title", "artist", "album",
                 "albumartist", "track", "disc", "date", "genre", "name", "duration": s}
          queue:     {"current": 1-based, "songs": [SONG...]}
          search:    {"songs": [SONG...]}
          volume:    {"volume": 0-100}
          playlists: {"playlists": [{"name", "modified": ISO 8601}...]}
          moods:     {"moods": [{"name", "description"}...]}
          resolve:   {"playlists": [{"name", "songs": [SONG_RESOLVED...]}...]}
          SONG_RESOLVED: {"title", "artist", "status": "found", "file", "score"}
            or {"title", "artist", "status": "missing",
                "candidates": [{"file", "score", "reason"}...]}
            a candidate refused by a rule has a reason "rejected: RULE (detail)", RULE one of
            "off-vocal version", "vocal version", "cover by a different artist", "different song with
            the same title"; refused files the daemon lists for a found song are in "rejected": [...]
        """

    /// Parses, runs, and exits with `execute`'s status.
    static func main() {
        unblockInterrupts()
        Glibc.exit(execute(Array(CommandLine.arguments.dropFirst())))
    }

    /// Lets SIGINT, SIGTERM and SIGHUP end the process even when the parent started us with them blocked
    /// (some process launchers do): `watch` and `update --wait` run until interrupted.
    static func unblockInterrupts() {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&set, signal) }
        sigprocmask(SIG_UNBLOCK, &set, nil)
    }

    /// Moves options written before the subcommand (`elegy --socket S next`, as with mpc) to just after it
    /// (`next --socket S`), where the subcommand's option groups parse them. Anything else is left alone.
    static func hoistingLeadingOptions(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var rest = arguments[...]
        while let first = rest.first {
            if first == "--socket", rest.count > 1 {
                leading += rest.prefix(2)
                rest = rest.dropFirst(2)
            } else if first.hasPrefix("--socket=") || first == "--json" || first == "-q" || first == "--quiet" {
                leading.append(first)
                rest = rest.dropFirst()
            } else {
                break
            }
        }
        let names = Set(configuration.subcommands.compactMap { $0.configuration.commandName } + ["help"])
        guard !leading.isEmpty, let name = rest.first, names.contains(name) else { return arguments }
        return [name] + leading + rest.dropFirst()
    }

    /// Parses and runs `arguments` (without the program name) and returns the exit status:
    /// 0 ok, 1 ACK, 2 usage, 69 daemon unreachable, 76 nonsense answer.
    static func execute(_ arguments: [String]) -> Int32 {
        do {
            var command = try parseAsRoot(hoistingLeadingOptions(arguments))
            try command.run()
            return 0
        } catch let error as ClientError {
            Console.error(error.description)
            return error.exitCode
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                return 0
            }
            if !message.isEmpty { Console.error(message, prefixed: false) }
            return code == .validationFailure ? 2 : code.rawValue
        }
    }
}

import ArgumentParser

/// `--socket`, shared by every subcommand that talks to the daemon.
struct ConnectionOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The daemon's socket.", valueName: "path"))
    var socket: String?

    /// Connects to the socket this option (or the environment) names.
    func connect() throws(ClientError) -> Connection {
        let resolved = SocketPath.resolve(option: socket)
        return try Connection(path: resolved.path, source: resolved.source)
    }
}

/// `--json`, shared by the commands that print something.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print one JSON object instead of text (keys: see `elegy help`).")
    var json = false
}

/// Options of the commands that print the status afterwards, as mpc does.
struct AfterOptions: ParsableArguments {
    @Flag(name: [.short, .long], help: "Print nothing afterwards.")
    var quiet = false

    @Flag(name: .long, help: "Print the status afterwards as JSON.")
    var json = false
}

extension Connection {
    /// `status` and `currentsong` in one command list, optionally after a command of our own.
    func statusAndSong(after command: (name: String, arguments: [String])? = nil) throws(ClientError)
        -> (Status, Song?)
    {
        var commands: [(name: String, arguments: [String])] = []
        if let command { commands.append(command) }
        commands += [("status", []), ("currentsong", [])]
        let results = try runList(commands)
        guard results.count >= 2 else { throw .protocolViolation("short command list answer") }
        let status = Status(results[results.count - 2])
        let song = splitRecords(results[results.count - 1]).first.map(Song.init)
        return (status, song)
    }

    /// Runs `name`, then prints the status the way `options` ask.
    func runThenShow(_ name: String, _ arguments: [String] = [], options: AfterOptions) throws(ClientError) {
        if options.quiet {
            _ = try run(name, arguments: arguments)
            return
        }
        let (status, song) = try statusAndSong(after: (name, arguments))
        show(status, song, json: options.json)
    }
}

/// Prints a status as text or JSON.
func show(_ status: Status, _ song: Song?, json: Bool) {
    if json {
        print(Format.statusJSON(status, current: song).rendered)
    } else {
        Console.out(Format.statusLines(status, current: song))
    }
}

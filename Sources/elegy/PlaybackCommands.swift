import ArgumentParser

/// `elegy status`: the current song, progress and modes.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show what is playing.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let (status, song) = try connection.connect().statusAndSong()
        show(status, song, json: output.json)
    }
}

/// `elegy play [N]`: play, optionally the N-th song of the queue (1-based).
struct Play: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "play",
        abstract: "Start playing, or play song N of the queue (1-based)."
    )

    @Argument(help: "Queue position, counting from 1.")
    var position: Int?

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var after: AfterOptions

    func validate() throws {
        if let position, position < 1 { throw ValidationError("play counts songs from 1, not \(position)") }
    }

    func run() throws {
        try connection.connect().runThenShow("play", position.map { [String($0 - 1)] } ?? [], options: after)
    }
}

/// `elegy pause`.
struct Pause: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pause", abstract: "Pause.")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var after: AfterOptions

    func run() throws {
        try connection.connect().runThenShow("pause", ["1"], options: after)
    }
}

/// `elegy toggle`: pause when playing, play otherwise.
struct Toggle: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "toggle",
        abstract: "Pause if playing, play otherwise."
    )
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var after: AfterOptions

    func run() throws {
        let connection = try connection.connect()
        let state = Status(try connection.run("status")).state
        if state == "play" {
            try connection.runThenShow("pause", ["1"], options: after)
        } else {
            try connection.runThenShow("play", [], options: after)
        }
    }
}

/// `elegy stop`.
struct Stop: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stop", abstract: "Stop.")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var after: AfterOptions

    func run() throws {
        try connection.connect().runThenShow("stop", options: after)
    }
}

/// `elegy next`.
struct Next: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "next", abstract: "Play the next song.")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var after: AfterOptions

    func run() throws {
        try connection.connect().runThenShow("next", options: after)
    }
}

/// `elegy prev`.
struct Prev: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "prev", abstract: "Play the previous song.")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var after: AfterOptions

    func run() throws {
        try connection.connect().runThenShow("previous", options: after)
    }
}

/// `elegy seek [+-]T`: jump within the current song (`seekcur`).
struct Seek: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seek",
        abstract: "Seek in the current song: 90, 1:30, +10, -0:05.",
        discussion: "A leading + or - seeks relative to the current position."
    )

    // `.allUnrecognized` so that `-10` is a value, not an unknown option.
    @Argument(parsing: .allUnrecognized, help: ArgumentHelp("[+-]SECONDS or [+-]M:SS", valueName: "time"))
    var words: [String] = []

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var after: AfterOptions

    func validate() throws {
        guard words.count == 1 else { throw ValidationError("seek wants exactly one time, e.g. 1:30 or +10") }
        _ = try SeekTarget.parse(words[0])
    }

    func run() throws {
        let target = try SeekTarget.parse(words.first ?? "")
        try connection.connect().runThenShow("seekcur", [target.wire], options: after)
    }
}

/// `elegy volume [+-]N`: set or change the volume; without an argument, print it.
struct Volume: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "volume",
        abstract: "Print the volume, or set it: 50, +5, -10."
    )

    // `.allUnrecognized` so that `-10` is a value, not an unknown option.
    @Argument(parsing: .allUnrecognized, help: ArgumentHelp("0-100, +N or -N", valueName: "level"))
    var words: [String] = []

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var after: AfterOptions

    func validate() throws {
        guard words.count <= 1 else { throw ValidationError("volume wants at most one level, e.g. 50 or +5") }
        if let word = words.first { _ = try VolumeChange.parse(word) }
    }

    func run() throws {
        let connection = try connection.connect()
        guard let word = words.first else {
            let volume = Status(try connection.run("status")).volume
            if after.json {
                print(JSON.object([("volume", .int(volume))]).rendered)
            } else if !after.quiet {
                print("volume:" + Format.volumeText(volume))
            }
            return
        }
        let change = try VolumeChange.parse(word)
        var level = 0
        if case .relative = change {
            let current = Status(try connection.run("status")).volume ?? 0
            level = change.level(from: current)
        } else {
            level = change.level(from: 0)
        }
        try connection.runThenShow("setvol", [String(level)], options: after)
    }
}

/// `elegy random|repeat|single|consume [on|off|oneshot]`: set a playback mode; without a value, flip it.
struct ModeCommand<Mode: PlaybackMode>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: Mode.name, abstract: Mode.abstract)
    }

    @Argument(help: ArgumentHelp("on or off\(Mode.oneshot ? " or oneshot" : ""); omitted: flip", valueName: "mode"))
    var value: ModeValue?

    @OptionGroup var connection: ConnectionOptions

    func validate() throws {
        if value == .oneshot && !Mode.oneshot {
            throw ValidationError("\(Mode.name) takes on or off; only single and consume have oneshot")
        }
    }

    func run() throws {
        let connection = try connection.connect()
        var wire = value?.wire ?? "1"
        if value == nil {
            let current = Status(try connection.run("status")).record[Mode.name] ?? "0"
            wire = current == "0" ? "1" : "0"
        }
        _ = try connection.run(Mode.name, wire)
    }
}

/// The wire name and help of one playback mode.
protocol PlaybackMode: Sendable {
    static var name: String { get }
    static var abstract: String { get }
    static var oneshot: Bool { get }
}

/// `random`.
enum RandomMode: PlaybackMode {
    static let name = "random"
    static let abstract = "Play the queue in random order: on or off."
    static let oneshot = false
}

/// `repeat`.
enum RepeatMode: PlaybackMode {
    static let name = "repeat"
    static let abstract = "Repeat the queue (or, with single, the song): on or off."
    static let oneshot = false
}

/// `single`.
enum SingleMode: PlaybackMode {
    static let name = "single"
    static let abstract = "Stop after the current song: on, off or oneshot."
    static let oneshot = true
}

/// `consume`.
enum ConsumeMode: PlaybackMode {
    static let name = "consume"
    static let abstract = "Remove songs from the queue once played: on, off or oneshot."
    static let oneshot = true
}

import ArgumentParser

/// `elegy moods`: the moods the daemon knows (Elegy extension).
struct Moods: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "moods", abstract: "List the moods.")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let records = splitRecords(try connection.connect().run("moods"), startingAt: ["mood"])
        let moods = records.map { (name: $0["mood"] ?? "", description: $0["description"] ?? "") }
        if output.json {
            let items = moods.map { mood in
                JSON.object([("name", .string(mood.name)), ("description", .string(mood.description))])
            }
            print(JSON.object([("moods", .array(items))]).rendered)
        } else {
            let width = moods.map(\.name.count).max() ?? 0
            Console.out(moods.map { Format.padRight($0.name, width + 2) + $0.description })
        }
    }
}

/// `elegy mood NAME`: replace the queue with a mood's songs and play (Elegy extension).
struct Mood: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mood", abstract: "Play a mood (replaces the queue).")
    @Argument(help: "The mood's name (see `elegy moods`).") var name: String
    @OptionGroup var connection: ConnectionOptions

    func run() throws {
        _ = try connection.connect().run("mood", name)
    }
}

/// `elegy sleep 30m|90s|1h|off`: pause after a while, fading out (Elegy extension).
struct Sleep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sleep",
        abstract: "Set the sleep timer: 30m, 90s, 1h, 1h30m or off. Without an argument, show it."
    )
    @Argument(help: ArgumentHelp("A duration or off.", valueName: "duration")) var duration: String?
    @OptionGroup var connection: ConnectionOptions

    func validate() throws {
        if let duration { _ = try SleepDuration.parse(duration) }
    }

    func run() throws {
        let connection = try connection.connect()
        guard let duration else {
            let left = Status(try connection.run("status")).sleep
            print("sleep: " + (left.map(Format.sleepLeft) ?? "off"))
            return
        }
        _ = try connection.run("sleep", try SleepDuration.parse(duration).wire)
    }
}

/// `elegy resolve [PLAYLIST]`: which curated songs were found in the library (Elegy extension).
struct Resolve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Show which curated songs were found in your library, and the closest candidates for the rest."
    )
    @Argument(help: "One curated playlist; all of them when omitted.") var playlist: String?
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let report = ResolveReport(try connection.connect().run("resolve", arguments: playlist.map { [$0] } ?? []))
        if output.json {
            print(report.json.rendered)
        } else {
            Console.out(report.lines)
        }
    }
}

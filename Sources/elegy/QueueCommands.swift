import ArgumentParser

/// `elegy queue`: the play queue (`playlistinfo`).
struct Queue: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "queue", abstract: "List the play queue.")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let results = try connection.connect().runList([("status", []), ("playlistinfo", [])])
        let status = Status(results.first ?? [])
        let songs = splitRecords(results.last ?? []).map(Song.init)
        if output.json {
            let json = JSON.object([
                ("current", .int(status.song.map { $0 + 1 })), ("songs", .array(songs.map(Format.songJSON))),
            ])
            print(json.rendered)
        } else {
            Console.out(Format.queueLines(songs, current: status.song))
        }
    }
}

/// `elegy add PATH…`: append songs or directories (relative to the music directory) to the queue.
struct Add: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add songs or directories to the queue."
    )

    @Argument(help: ArgumentHelp("Paths relative to the music directory.", valueName: "path"))
    var paths: [String] = []

    @OptionGroup var connection: ConnectionOptions

    func validate() throws {
        if paths.isEmpty { throw ValidationError("add wants at least one path") }
    }

    func run() throws {
        let connection = try connection.connect()
        _ = try connection.runList(paths.map { ("add", [$0]) })
    }
}

/// `elegy clear`.
struct Clear: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "clear", abstract: "Empty the queue.")
    @OptionGroup var connection: ConnectionOptions

    func run() throws {
        _ = try connection.connect().run("clear")
    }
}

/// `elegy playlists`: stored playlists (`listplaylists`).
struct Playlists: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "playlists",
        abstract: "List stored and curated playlists."
    )
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let records = splitRecords(try connection.connect().run("listplaylists"), startingAt: ["playlist"])
        if output.json {
            let items = records.map { record in
                JSON.object([
                    ("name", .string(record["playlist"] ?? "")), ("modified", .string(record["Last-Modified"])),
                ])
            }
            print(JSON.object([("playlists", .array(items))]).rendered)
        } else {
            Console.out(records.compactMap { $0["playlist"] })
        }
    }
}

/// `elegy load NAME`: append a stored playlist to the queue.
struct Load: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "load", abstract: "Append a playlist to the queue.")
    @Argument(help: "The playlist's name.") var name: String
    @OptionGroup var connection: ConnectionOptions

    func run() throws {
        _ = try connection.connect().run("load", name)
    }
}

/// `elegy save NAME`: store the queue as a playlist.
struct Save: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "save", abstract: "Save the queue as a playlist.")
    @Argument(help: "The playlist's name.") var name: String
    @OptionGroup var connection: ConnectionOptions

    func run() throws {
        _ = try connection.connect().run("save", name)
    }
}

/// `elegy update [--wait] [PATH]`: rescan the music directory.
struct Update: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Rescan the music directory (or one path in it)."
    )

    @Argument(help: "Only this path, relative to the music directory.") var path: String?
    @Flag(name: .long, help: "Wait until the scan has finished.") var wait = false
    @OptionGroup var connection: ConnectionOptions

    func run() throws {
        let connection = try connection.connect()
        let job = Record(try connection.run("update", arguments: path.map { [$0] } ?? []))["updating_db"]
        guard wait else {
            print("Updating DB (#\(job ?? "?")) ...")
            return
        }
        // Events are kept for us while we are not idling, so the end of the scan cannot be missed
        // between `status` and `idle`.
        while Status(try connection.run("status")).updatingDB != nil {
            _ = try connection.idle("update")
        }
        print("Database updated.")
    }
}

/// `elegy search [TAG] QUERY…`: search the library (`search TAG QUERY`, TAG defaulting to `any`).
struct Search: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search the library: elegy search [TAG] WORDS…",
        discussion: "TAG is one of \(Search.tags.sorted().joined(separator: ", ")); without it every tag is searched."
    )

    static let tags: Set<String> = [
        "any", "artist", "album", "albumartist", "title", "genre", "date", "composer", "performer", "file",
        "filename", "base", "comment", "track", "disc", "name",
    ]

    @Argument(help: ArgumentHelp("An optional tag, then the words to look for.", valueName: "query"))
    var words: [String] = []

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    /// The tag and query to send: the first word is the tag when it names one and more words follow.
    var request: (tag: String, query: String) {
        if words.count > 1, let first = words.first, Search.tags.contains(first.lowercased()) {
            return (first.lowercased(), words.dropFirst().joined(separator: " "))
        }
        return ("any", words.joined(separator: " "))
    }

    func validate() throws {
        if request.query.isEmpty { throw ValidationError("search wants something to look for") }
    }

    func run() throws {
        let songs = splitRecords(try connection.connect().run("search", request.tag, request.query)).map(Song.init)
        if output.json {
            print(JSON.object([("songs", .array(songs.map(Format.songJSON)))]).rendered)
        } else {
            Console.out(songs.map { "\($0.displayName)  (\($0.file))" })
        }
    }
}

import ArgumentParser

/// `elegy watch`: wait for changes (`idle`) and print one line for each, until interrupted.
struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Print a line whenever something changes (player, mixer, queue...), until interrupted."
    )
    @OptionGroup var connection: ConnectionOptions

    func run() throws {
        let connection = try connection.connect()
        while true {
            let changed = try connection.idle()
            guard !changed.isEmpty else { continue }
            let (status, song) = try connection.statusAndSong()
            Console.out(changed.map { Watch.line(for: $0, status: status, song: song) })
            Console.flush()
        }
    }

    /// The human line for one changed subsystem, e.g. `player: [playing] Artist - Title`.
    static func line(for subsystem: String, status: Status, song: Song?) -> String {
        switch subsystem {
        case "player":
            let label = Format.stateLabel(status.state)
            guard status.state != "stop", let song else { return "player: \(label)" }
            return "player: \(label) \(song.displayName)"
        case "mixer":
            return "mixer: volume " + (status.volume.map { "\($0)%" } ?? "n/a")
        case "options":
            return "options: repeat \(Format.onOff(status.repeatMode)), random \(Format.onOff(status.random)), "
                + "single \(status.single), consume \(status.consume)"
        case "playlist":
            return "playlist: \(status.queueLength) song\(status.queueLength == 1 ? "" : "s") in the queue"
        case "update":
            return "update: " + (status.updatingDB.map { "scanning (#\($0))" } ?? "finished")
        default:
            return "\(subsystem): changed"
        }
    }
}

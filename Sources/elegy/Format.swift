/// Human text and JSON for statuses and songs; pure functions, tested without a daemon.
enum Format {
    /// `m:ss`, or `h:mm:ss` from an hour on.
    static func time(_ seconds: Double) -> String {
        let total = max(0, Int(seconds))
        let (hours, minutes, secs) = (total / 3600, total / 60 % 60, total % 60)
        let ss = secs < 10 ? "0\(secs)" : "\(secs)"
        if hours > 0 { return "\(hours):\(minutes < 10 ? "0" : "")\(minutes):\(ss)" }
        return "\(minutes):\(ss)"
    }

    /// mpc's volume: right-aligned in three columns with a percent sign, ` n/a` without a mixer.
    static func volumeText(_ level: Int?) -> String {
        level.map { pad(String($0), 3) + "%" } ?? " n/a"
    }

    /// `text` right-aligned in `width` columns.
    static func pad(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }

    /// `text` left-aligned in `width` columns.
    static func padRight(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - text.count))
    }

    /// `29m left`, `45s left`, `1h 5m left`: the sleep timer, rounded up to minutes from one minute on.
    static func sleepLeft(_ seconds: Int) -> String {
        if seconds < 60 { return "\(max(0, seconds))s left" }
        let minutes = (seconds + 59) / 60
        if minutes < 60 { return "\(minutes)m left" }
        return minutes % 60 == 0 ? "\(minutes / 60)h left" : "\(minutes / 60)h \(minutes % 60)m left"
    }

    /// `[playing]`, `[paused]` or `[stopped]`.
    static func stateLabel(_ state: String) -> String {
        switch state {
        case "play": "[playing]"
        case "pause": "[paused]"
        default: "[stopped]"
        }
    }

    /// mpc's status block: song and progress lines when not stopped, then the modes line, then
    /// `Updating DB`, `ERROR:` and Elegy's `mood:` / `sleep:` line when present.
    static func statusLines(_ status: Status, current: Song?) -> [String] {
        var lines: [String] = []
        if status.state != "stop" {
            if let current { lines.append(current.displayName) }
            // mpc pads the label to the width of `[playing]`: `[paused]  #2/3`.
            var progress = "\(padRight(stateLabel(status.state), 9)) #\((status.song ?? 0) + 1)/\(status.queueLength) "
            let elapsed = status.elapsed ?? 0
            let duration = status.duration ?? current?.duration ?? 0
            progress += pad(time(elapsed), 6) + "/" + time(duration)
            // Whole seconds, as mpc computes it.
            let percent = Int(duration) > 0 ? Int(elapsed) * 100 / Int(duration) : 0
            progress += " (\(percent)%)"
            lines.append(progress)
        }
        let volume = volumeText(status.volume)
        lines.append(
            "volume:\(volume)   repeat: \(onOff(status.repeatMode))   random: \(onOff(status.random))   "
                + "single: \(status.single)   consume: \(status.consume)"
        )
        if let job = status.updatingDB { lines.append("Updating DB (#\(job)) ...") }
        if let error = status.error { lines.append("ERROR: \(error)") }
        var extras: [String] = []
        if let mood = status.mood, !mood.isEmpty { extras.append("mood: \(mood)") }
        if let sleep = status.sleep { extras.append("sleep: \(sleepLeft(sleep))") }
        if status.underruns > 0 { extras.append("underruns: \(status.underruns)") }
        if let problem = status.autoUpdateProblem { extras.append("auto_update: \(problem)") }
        if !extras.isEmpty { lines.append(extras.joined(separator: "   ")) }
        return lines
    }

    static func onOff(_ value: Bool) -> String {
        value ? "on" : "off"
    }

    /// A song as JSON; every key is always present (null when unknown). `position` is 1-based.
    static func songJSON(_ song: Song) -> JSON {
        .object([
            ("position", .int(song.position.map { $0 + 1 })),
            ("id", .int(song.id)),
            ("file", .string(song.file)),
            ("title", .string(song.title)),
            ("artist", .string(song.artist)),
            ("album", .string(song.album)),
            ("albumartist", .string(song.record["AlbumArtist"])),
            ("track", .string(song.record["Track"])),
            ("disc", .string(song.record["Disc"])),
            ("date", .string(song.record["Date"])),
            ("genre", .string(song.record["Genre"])),
            ("name", .string(song.name)),
            ("duration", .number(wire: song.record["duration"] ?? song.record["Time"])),
        ])
    }

    /// The status as JSON; every key is always present (null when unknown). `position` is 1-based.
    static func statusJSON(_ status: Status, current: Song?) -> JSON {
        let record = status.record
        return .object([
            ("state", .string(status.state)),
            ("song", current.map(songJSON) ?? .null),
            ("position", .int(status.song.map { $0 + 1 })),
            ("queue_length", .int(status.queueLength)),
            ("elapsed", .number(wire: record["elapsed"] ?? status.elapsed.map { String(Int($0)) })),
            ("duration", .number(wire: record["duration"] ?? status.duration.map { String(Int($0)) })),
            ("volume", .int(status.volume)),
            ("repeat", .bool(status.repeatMode)),
            ("random", .bool(status.random)),
            ("single", .string(status.single)),
            ("consume", .string(status.consume)),
            ("bitrate", .int(record["bitrate"].flatMap { Int($0) })),
            ("audio", .string(record["audio"])),
            ("updating_db", .int(status.updatingDB)),
            ("error", .string(status.error)),
            ("mood", .string(status.mood)),
            ("sleep", .int(status.sleep)),
            ("underruns", .int(status.underruns)),
            ("auto_update", .string(status.autoUpdateProblem)),
        ])
    }

    /// Queue lines: `>  3. Artist - Title  4:05`, the current song marked.
    static func queueLines(_ songs: [Song], current: Int?) -> [String] {
        let width = String(songs.count).count
        return songs.enumerated().map { index, song in
            let position = song.position ?? index
            let marker = position == current ? ">" : " "
            var line = "\(marker)\(pad(String(position + 1), width)). \(song.displayName)"
            // On a compilation (an OST, "Various Artists") the album artist says where the song comes from.
            if let albumArtist = song.record["AlbumArtist"], !albumArtist.isEmpty, albumArtist != song.artist {
                line += "  [\(albumArtist)]"
            }
            if let duration = song.duration { line += "  " + time(duration) }
            return line
        }
    }
}

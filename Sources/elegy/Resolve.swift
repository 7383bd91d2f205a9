/// The answer of Elegy's `resolve`: which curated songs were found in the library, which not, and why.
struct ResolveReport: Equatable, Sendable {
    /// A local file the resolver considered for a missing song, or refused for any song.
    struct Candidate: Equatable, Sendable {
        var file: String
        var score: String?
        var reason: String?

        /// True when a rejection rule refused the file: its reason reads "rejected: RULE (detail)".
        var isRejected: Bool { reason?.hasPrefix("rejected: ") ?? false }
    }

    /// One curated song and its outcome.
    struct Song: Equatable, Sendable {
        var title: String
        var artist: String
        var found: Bool
        var file: String?
        var score: String?
        var candidates: [Candidate] = []
        /// Files a rejection rule refused, found or not (`rejected:` triples).
        var rejected: [Candidate] = []
    }

    /// One curated playlist.
    struct Playlist: Equatable, Sendable {
        var name: String
        var songs: [Song] = []
    }

    var playlists: [Playlist] = []

    /// Parses `playlist:`, then per song `title:`, `artist:`, `status:`, `resolved:`/`score:` or
    /// `candidate:`/`candidate_score:`/`candidate_reason:` triples, and any `rejected:`/`rejected_score:`/
    /// `rejected_reason:` triples. Unknown keys are ignored.
    init(_ pairs: [Pair]) {
        for pair in pairs {
            switch pair.key {
            case "playlist":
                playlists.append(Playlist(name: pair.value))
            case "title":
                if playlists.isEmpty { playlists.append(Playlist(name: "")) }
                playlists[playlists.count - 1].songs.append(Song(title: pair.value, artist: "", found: false))
            default:
                guard var song = playlists.last?.songs.last else { continue }
                switch pair.key {
                case "artist": song.artist = pair.value
                case "status": song.found = pair.value == "found"
                case "resolved": song.file = pair.value
                case "score": song.score = pair.value
                case "candidate": song.candidates.append(Candidate(file: pair.value))
                case "candidate_score" where !song.candidates.isEmpty:
                    song.candidates[song.candidates.count - 1].score = pair.value
                case "candidate_reason" where !song.candidates.isEmpty:
                    song.candidates[song.candidates.count - 1].reason = pair.value
                case "rejected": song.rejected.append(Candidate(file: pair.value))
                case "rejected_score" where !song.rejected.isEmpty:
                    song.rejected[song.rejected.count - 1].score = pair.value
                case "rejected_reason" where !song.rejected.isEmpty:
                    song.rejected[song.rejected.count - 1].reason = pair.value
                default: continue
                }
                let last = playlists.count - 1
                playlists[last].songs[playlists[last].songs.count - 1] = song
            }
        }
    }

    /// `{"playlists":[{"name":…,"songs":[{"title","artist","status","file","score"} or
    /// {"title","artist","status","candidates":[{"file","score","reason"}]}]}]}`; a refused candidate's reason
    /// starts "rejected: RULE", and a song the daemon lists refused files for has a `"rejected"` array of them.
    var json: JSON {
        .object([
            (
                "playlists",
                .array(
                    playlists.map { playlist in
                        .object([
                            ("name", .string(playlist.name)),
                            ("songs", .array(playlist.songs.map(Self.songJSON))),
                        ])
                    }
                )
            )
        ])
    }

    private static func songJSON(_ song: Song) -> JSON {
        var members: [(String, JSON)] = [
            ("title", .string(song.title)), ("artist", .string(song.artist)),
            ("status", .string(song.found ? "found" : "missing")),
        ]
        if song.found {
            members += [("file", .string(song.file)), ("score", .number(wire: song.score))]
        } else {
            members.append(("candidates", .array(song.candidates.map(candidateJSON))))
        }
        if !song.rejected.isEmpty { members.append(("rejected", .array(song.rejected.map(candidateJSON)))) }
        return .object(members)
    }

    private static func candidateJSON(_ candidate: Candidate) -> JSON {
        .object([
            ("file", .string(candidate.file)), ("score", .number(wire: candidate.score)),
            ("reason", .string(candidate.reason)),
        ])
    }

    /// One candidate line: `0.41  file  (reason)`, or `0.35  file  — rejected: RULE (detail)`.
    private static func candidateLine(_ candidate: Candidate) -> String {
        var line = "      \(candidate.score ?? "?")  \(candidate.file)"
        guard let reason = candidate.reason, !reason.isEmpty else { return line }
        line += candidate.isRejected ? "  — \(reason)" : "  (\(reason))"
        return line
    }

    /// The human table: `✓ title — artist → file (0.97)`, `✗ title — artist` with indented candidates, and a
    /// `found N/M` summary per playlist (plus a total when there are several).
    var lines: [String] {
        var lines: [String] = []
        var found = 0
        var total = 0
        for playlist in playlists {
            if !playlist.name.isEmpty { lines.append(playlist.name) }
            for song in playlist.songs {
                let who = song.artist.isEmpty ? song.title : "\(song.title) — \(song.artist)"
                if song.found {
                    lines.append("  ✓ \(who) → \(song.file ?? "?")" + (song.score.map { " (\($0))" } ?? ""))
                } else {
                    lines.append("  ✗ \(who)")
                    if song.candidates.isEmpty { lines.append("      no candidates") }
                    lines += song.candidates.map(Self.candidateLine)
                }
                // Refused files the candidates above do not already show.
                let shown = Set(song.candidates.map(\.file))
                lines += song.rejected.filter { !shown.contains($0.file) }.map(Self.candidateLine)
            }
            let playlistFound = playlist.songs.filter(\.found).count
            lines.append("  found \(playlistFound)/\(playlist.songs.count)")
            found += playlistFound
            total += playlist.songs.count
        }
        if playlists.count > 1 { lines.append("found \(found)/\(total)") }
        return lines
    }
}

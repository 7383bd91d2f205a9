import ElegyCore

/// Fills tags a file lacks from its path: `Artist/Album/NN - Title.ext`, `Artist - Title.ext`, `NN. Title.ext`.
enum PathFallback {
    /// Returns `song` with every nil field among title, artist, album and track filled from its URI where the
    /// path says something; tags the file had are never replaced.
    static func apply(to song: Song) -> Song {
        // Fully tagged files (the common case) need no guessing: parsing every path cost ~11% of a scan.
        if song.title != nil, song.artist != nil, song.album != nil, song.track != nil { return song }
        var song = song
        let guess = guess(uri: song.uri)
        if song.title == nil { song.title = guess.title }
        if song.artist == nil { song.artist = guess.artist }
        if song.album == nil { song.album = guess.album }
        if song.track == nil { song.track = guess.track }
        return song
    }

    /// What the path alone says about a song.
    struct Guess: Equatable {
        var title: String?
        var artist: String?
        var album: String?
        var track: String?
    }

    /// Reads the URI's last components:
    /// - `Artist/Album/NN - Title.ext` (or `NN. Title`) at depth three or more: artist, album, track, title;
    /// - `NN - Title.ext` / `NN. Title.ext` elsewhere: track, title;
    /// - `Artist - Title.ext`: artist, title;
    /// - otherwise the file name without its extension is the title.
    static func guess(uri: String) -> Guess {
        let components = uri.split(separator: "/", omittingEmptySubsequences: true)
        guard let name = components.last else { return Guess() }
        let stem = stripExtension(name)
        var result = Guess()
        if let (number, rest) = splitTrackNumber(stem) {
            result.track = number
            result.title = rest
            if components.count >= 3 {
                result.artist = clean(components[components.count - 3])
                result.album = clean(components[components.count - 2])
            }
        } else if let separator = stem.firstRange(of: " - ") {
            let artist = clean(stem[..<separator.lowerBound])
            let title = clean(stem[separator.upperBound...])
            if let artist, let title {
                result.artist = artist
                result.title = title
            }
        }
        if result.title == nil { result.title = clean(stem) ?? String(name) }
        return result
    }

    private static func stripExtension(_ name: Substring) -> Substring {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name }
        return name[..<dot]
    }

    /// `01 - Title`, `1-Title`, `01. Title` -> ("1", "Title"); at most three digits, so "1999 - X" is no track.
    private static func splitTrackNumber(_ stem: Substring) -> (String, String)? {
        let digits = stem.prefix(while: { $0.isASCII && $0.isNumber })
        guard (1...3).contains(digits.count), let number = Int(digits) else { return nil }
        var rest = stem[digits.endIndex...].drop(while: { $0 == " " })
        guard let separator = rest.first, separator == "-" || separator == "." else { return nil }
        rest = rest.dropFirst()
        // "1.5 Miles" is a title, not track 1: a dot must be followed by a space.
        if separator == ".", rest.first != " " { return nil }
        guard let title = clean(rest) else { return nil }
        return (String(number), title)
    }

    /// Trims spaces and underscores at both ends; nil when nothing is left.
    private static func clean(_ text: Substring) -> String? {
        let isPadding: (Character) -> Bool = { $0 == " " || $0 == "_" || $0 == "\t" }
        guard let first = text.firstIndex(where: { !isPadding($0) }),
            let last = text.lastIndex(where: { !isPadding($0) })
        else { return nil }
        return String(text[first...last])
    }
}

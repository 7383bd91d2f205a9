/// A rule that refuses a file for a curated song whatever its score: another recording, not the song wanted.
public enum RejectionRule: String, Sendable, Hashable, Codable, CaseIterable {
    /// An instrumental, karaoke or off-vocal file for a vocal song.
    case offVocal = "off-vocal version"
    /// A vocal file for a curated instrumental ("X (Instrumental)", `version = "instrumental"`).
    case vocalVersion = "vocal version"
    /// The song sung by someone else: a "cover" mark, or another artist on a file tied to the song.
    case cover = "cover by a different artist"
    /// Another artist's song that happens to share the title.
    case differentSong = "different song with the same title"
}

/// A file the resolver considered for a curated song: how sure it was and why it took or left it.
public struct ResolverCandidate: Sendable, Hashable, Codable {
    public var uri: String
    public var score: Double
    /// "rejected: off-vocal version ('karaoke' in the file name)", "score 0.70 below threshold 0.80", ...
    public var reason: String
    /// The rule that refused the file, if one did; `reason` then starts with "rejected: " and the rule's name.
    public var rule: RejectionRule?

    public init(uri: String, score: Double, reason: String, rule: RejectionRule? = nil) {
        self.uri = uri
        self.score = score
        self.reason = reason
        self.rule = rule
    }
}

/// The resolver's answer for one curated song: the file found, or why none was good enough.
public struct Resolution: Sendable, Hashable, Codable {
    /// Whether a library file was accepted for the song.
    public enum Status: String, Sendable, Codable { case found, missing }

    public var song: CuratedSong
    public var status: Status
    /// The library URI, when found.
    public var uri: String?
    /// Confidence 0...1; for a missing song, the best candidate's score or 0.
    public var score: Double
    /// True when a user pin decided it.
    public var pinned: Bool
    /// For a missing song: up to 3 closest files, each with the reason it was rejected. Empty when found.
    public var candidates: [ResolverCandidate]
    /// Found or not: up to 3 files a rejection rule refused (best first), each naming its rule.
    public var rejected: [ResolverCandidate]

    public init(
        song: CuratedSong, status: Status, uri: String?, score: Double, pinned: Bool,
        candidates: [ResolverCandidate], rejected: [ResolverCandidate] = []
    ) {
        self.song = song
        self.status = status
        self.uri = uri
        self.score = score
        self.pinned = pinned
        self.candidates = candidates
        self.rejected = rejected
    }
}

/// Maps curated songs onto library files: title (and aliases) first, artist agreement as evidence, disagreement as
/// a veto, a confidence score against a threshold, and quality (lossless first) to break ties.
///
/// Precision comes first: playing the wrong song is worse than skipping one. The index is built once in `init`;
/// `resolve` only folds the curated song's own strings and looks at the few files whose titles match.
public struct Resolver: Sendable {
    /// Scores at or above this are accepted. An exact title with an agreeing artist scores 1; a title alone (no
    /// artist on the file) needs a distinctive title or the show's name in the album or path to reach it.
    public static let defaultThreshold: Double = 0.8

    let library: [Song]
    let threshold: Double
    /// Title key → key id; `keys[id]` is the key, `songs(withKey:)` the library indexes whose titles have it.
    let keyIndex: [String: Int32]
    let keys: [String]
    /// The first library index of each key; further ones (rare) in `moreKeySongs`: one array per key would cost a
    /// hundred thousand allocations.
    let firstKeySong: [Int32]
    let moreKeySongs: [Int32: [Int32]]
    /// Hash of a title word (3+ letters, Latin titles) → key ids: candidates for near-miss titles. A hash
    /// collision only adds candidates, which are compared in full.
    let tokenIndex: [UInt64: [Int32]]
    /// Folded pin key ("yokokannoblue" or "blue") → URI, and the library index of each pinned URI present.
    let pins: [String: String]
    let pinnedIndexes: [String: Int]

    /// Builds the title and word indexes over `library`.
    /// - Parameter pins: keys are a curated title ("Blue") or "Artist - Title"; values are library URIs.
    public init(library: [Song], pins: [String: String] = [:], threshold: Double = Resolver.defaultThreshold) {
        var keyIndex: [String: Int32] = [:]
        keyIndex.reserveCapacity(library.count)
        var keys: [String] = []
        keys.reserveCapacity(library.count)
        var firstKeySong: [Int32] = []
        firstKeySong.reserveCapacity(library.count)
        var moreKeySongs: [Int32: [Int32]] = [:]
        var tokenIndex: [UInt64: [Int32]] = [:]
        tokenIndex.reserveCapacity(library.count / 4)
        func add(_ key: String, songIndex: Int32) -> Int32? {
            if let id = keyIndex[key] {
                if firstKeySong[Int(id)] != songIndex, moreKeySongs[id]?.last != songIndex {
                    moreKeySongs[id, default: []].append(songIndex)
                }
                return nil
            }
            let id = Int32(truncatingIfNeeded: keys.count)
            keyIndex[key] = id
            keys.append(key)
            firstKeySong.append(songIndex)
            return id
        }
        var words: [UInt8] = []
        var key: [UInt8] = []
        for index in library.indices {
            let songIndex = Int32(truncatingIfNeeded: index)
            // The common case, a plain ASCII title tag, on bytes; it gives what `FileReading.readings` would.
            if let title = library[index].title,
                title.utf8.withContiguousStorageIfAvailable({ bytes in
                    guard MatchText.isPlainASCII(bytes) else { return false }
                    words.removeAll(keepingCapacity: true)
                    MatchText.foldASCII(bytes, into: &words)
                    return true
                }) ?? false
            {
                if !words.isEmpty, !FileReading.mayBePlaceholder(words), !MatchText.endsWithVersionWord(words) {
                    key.removeAll(keepingCapacity: true)
                    MatchText.romajiKey(words, into: &key)
                    if let id = add(String(decoding: key, as: UTF8.self), songIndex: songIndex) {
                        for word in words.split(separator: UInt8(ascii: " ")) where word.count >= 3 {
                            tokenIndex[MatchText.wordHash(word), default: []].append(id)
                        }
                    }
                    continue
                }
            }
            for reading in FileReading.readings(of: library[index]) where !reading.title.isEmpty {
                guard let id = add(reading.title.key, songIndex: songIndex), !reading.title.hasCJK else { continue }
                for word in reading.title.tokens where word.utf8.count >= 3 {
                    tokenIndex[MatchText.wordHash(word.utf8), default: []].append(id)
                }
            }
        }
        self.library = library
        self.threshold = threshold
        self.keyIndex = keyIndex
        self.keys = keys
        self.firstKeySong = firstKeySong
        self.moreKeySongs = moreKeySongs
        self.tokenIndex = tokenIndex

        var folded: [String: String] = [:]
        for (key, uri) in pins { folded[Self.pinKey(key)] = uri }
        self.pins = folded
        var pinnedIndexes: [String: Int] = [:]
        if !pins.isEmpty {
            let wanted = Set(pins.values)
            for (index, song) in library.enumerated() where wanted.contains(song.uri) && pinnedIndexes[song.uri] == nil
            {
                pinnedIndexes[song.uri] = index
            }
        }
        self.pinnedIndexes = pinnedIndexes
    }

    /// Resolves each song in order.
    public func resolve(_ songs: [CuratedSong]) -> [Resolution] {
        songs.map { resolve($0) }
    }

    /// Finds the best library file for `song`, or says why none is good enough.
    public func resolve(_ song: CuratedSong) -> Resolution {
        if let uri = pinnedURI(for: song) {
            if pinnedIndexes[uri] != nil {
                return Resolution(song: song, status: .found, uri: uri, score: 1, pinned: true, candidates: [])
            }
            let candidate = ResolverCandidate(uri: uri, score: 0, reason: "pinned file not in library")
            return Resolution(song: song, status: .missing, uri: nil, score: 0, pinned: true, candidates: [candidate])
        }

        let target = Target(song)
        var seen = Set<Int32>()
        var scored: [Scored] = []
        func consider(_ ids: some Sequence<Int32>) {
            for id in ids where seen.insert(id).inserted {
                scored.append(evaluate(Int(id), target: target))
            }
        }
        for alias in target.titles {
            if let id = keyIndex[alias.key] { consider(songs(withKey: id)) }
        }
        // A near title scores at most about 0.92: look for one only when no exact title did better.
        if scored.allSatisfy({ $0.score < 0.93 }) {
            consider(nearTitles(target))
        }
        scored.sort(by: Self.ranks)
        let rejected = scored.lazy.filter { $0.rule != nil }.prefix(3).map(\.candidate)
        // A rejected file never stands in for the song, whatever the threshold.
        if let best = scored.first(where: { $0.rule == nil && $0.score >= threshold }) {
            return Resolution(
                song: song, status: .found, uri: best.uri, score: best.score, pinned: false, candidates: [],
                rejected: Array(rejected)
            )
        }
        return Resolution(
            song: song, status: .missing, uri: nil, score: scored.first?.score ?? 0, pinned: false,
            candidates: scored.prefix(3).map(\.candidate), rejected: Array(rejected)
        )
    }

    // MARK: Pins

    static func pinKey(_ text: String) -> String {
        MatchText.compact(MatchText.fold(text))
    }

    private func pinnedURI(for song: CuratedSong) -> String? {
        guard !pins.isEmpty else { return nil }
        let titles = [song.title] + song.aliases
        for title in titles {
            if let uri = pins[Self.pinKey(song.artist + " - " + title)] { return uri }
        }
        for title in titles {
            if let uri = pins[Self.pinKey(title)] { return uri }
        }
        return nil
    }

    // MARK: Candidates

    /// Library indexes whose titles are near a curated title: sharing its rarest words and close in spelling.
    private func nearTitles(_ target: Target) -> [Int32] {
        var found: [(similarity: Double, id: Int32)] = []
        var seenKeys = Set<Int32>()
        for alias in target.titles where !alias.hasCJK {
            let words = Set(alias.tokens.filter { $0.utf8.count >= 3 }.map(String.init))
            guard words.count >= 2 || alias.plain.utf8.count >= 8 else { continue }
            let postings = words.compactMap { tokenIndex[MatchText.wordHash($0.utf8)] }.filter { $0.count <= 2500 }
            // A near title with three or more words keeps at least two of them intact; with fewer, one.
            let needed = words.count >= 3 && postings.count >= 2 ? 2 : 1
            let aliasKey = alias.key
            let aliasLength = aliasKey.utf8.count
            var profile = MatchText.LetterProfile()
            profile.add(aliasKey)
            for id in Self.idsInAtLeast(needed, of: postings) where seenKeys.insert(id).inserted {
                let key = keys[Int(id)]
                let length = key.utf8.count
                if words.count >= 2, length > aliasLength, MatchText.contains(key, aliasKey) {
                    found.append((0.7, id))
                    continue
                }
                // A similarity of 0.6 allows an edit distance of 0.4 times the longer length, no more.
                let limit = max(length, aliasLength) * 4 / 10
                guard abs(length - aliasLength) <= limit, profile.distanceBound(to: key) <= limit else { continue }
                let similarity = MatchText.similarity(key, aliasKey, atLeast: 0.6)
                if similarity >= 0.6 { found.append((similarity, id)) }
            }
        }
        found.sort { $0.similarity > $1.similarity }
        var songs: [Int32] = []
        for (_, id) in found.prefix(8) {
            songs.append(contentsOf: self.songs(withKey: id).prefix(4))
        }
        return songs
    }

    /// The library indexes of the songs whose titles have key `id`.
    private func songs(withKey id: Int32) -> [Int32] {
        [firstKeySong[Int(id)]] + (moreKeySongs[id] ?? [])
    }

    /// The ids found in at least `needed` of the sorted posting lists.
    private static func idsInAtLeast(_ needed: Int, of lists: [[Int32]]) -> [Int32] {
        if needed <= 1 && lists.count == 1 { return lists[0] }
        var all: [Int32] = []
        all.reserveCapacity(lists.reduce(0) { $0 + $1.count })
        for list in lists {
            var previous: Int32 = -1
            for id in list where id != previous {
                all.append(id)
                previous = id
            }
        }
        all.sort()
        var out: [Int32] = []
        var index = 0
        while index < all.count {
            var end = index + 1
            while end < all.count, all[end] == all[index] { end += 1 }
            if end - index >= needed { out.append(all[index]) }
            index = end
        }
        return out
    }

    /// Highest score first; among equal scores (to 0.01) lossless first, then higher rate and depth, then the
    /// shorter URI.
    private static func ranks(_ a: Scored, _ b: Scored) -> Bool {
        let scoreA = (a.score * 100).rounded()
        let scoreB = (b.score * 100).rounded()
        if scoreA != scoreB { return scoreA > scoreB }
        if a.lossless != b.lossless { return a.lossless }
        if a.sampleRate != b.sampleRate { return a.sampleRate > b.sampleRate }
        if a.bits != b.bits { return a.bits > b.bits }
        if a.uri.utf8.count != b.uri.utf8.count { return a.uri.utf8.count < b.uri.utf8.count }
        return a.uri < b.uri
    }
}

/// One library file scored against one curated song.
struct Scored {
    var uri: String
    var score: Double
    var reason: String
    /// Set when a rejection rule refused the file: it is then never accepted.
    var rule: RejectionRule?
    var lossless: Bool
    var sampleRate: Int
    var bits: Int

    var candidate: ResolverCandidate { ResolverCandidate(uri: uri, score: score, reason: reason, rule: rule) }
}

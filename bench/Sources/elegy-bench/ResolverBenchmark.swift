import ElegyCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Resolves ~200 curated songs against a synthetic library of realistic paths and tags, the curated songs hidden
/// in it under messy names, and reports timings and how many were found (and whether correctly).
enum ResolverBenchmark {
    static func run(_ arguments: [String]) {
        let size = arguments.first.flatMap { Int($0) } ?? 100_000
        var generator = LibraryGenerator(seed: 0x5EED_E1E6)
        let (library, curated, expected) = generator.make(size: size)

        let clock = ContinuousClock()
        var resolver = Resolver(library: [])
        let cpuStart = threadCPUMicroseconds()
        let build = clock.measure { resolver = Resolver(library: library) }
        let buildCPU = threadCPUMicroseconds() - cpuStart
        var bestBuild = build
        for _ in 0..<4 {
            var again = Resolver(library: [])
            bestBuild = min(bestBuild, clock.measure { again = Resolver(library: library) })
            withExtendedLifetime(again) {}
        }
        var results: [Resolution] = []
        let resolveStart = threadCPUMicroseconds()
        let resolve = clock.measure { results = resolver.resolve(curated) }
        let resolveCPU = threadCPUMicroseconds() - resolveStart
        var best = resolve
        for _ in 0..<4 {
            let again = clock.measure { results = resolver.resolve(curated) }
            best = min(best, again)
        }

        var correct = 0
        var wrong: [(String, String)] = []
        var missed: [String] = []
        for (result, want) in zip(results, expected) {
            switch (result.uri, want) {
            case (let got?, let want?) where got == want: correct += 1
            case (let got?, let want):
                wrong.append(("\(result.song.artist) - \(result.song.title)", "\(got) (hidden: \(want ?? "none"))"))
            case (nil, .some): missed.append(result.song.title)
            case (nil, nil): break
            }
        }
        let found = results.filter { $0.status == .found }.count
        print("library size:      \(library.count) files")
        print("curated songs:     \(curated.count) (\(expected.compactMap { $0 }.count) present in the library)")
        print("index build:       \(milliseconds(build)) ms (best of 5: \(milliseconds(bestBuild)) ms)")
        print("resolve total:     \(milliseconds(resolve)) ms (best of 5: \(milliseconds(best)) ms)")
        print("init + resolve:    \(milliseconds(build + resolve)) ms (best: \(milliseconds(bestBuild + best)) ms)")
        print("found:             \(found) (correct \(correct), wrong \(wrong.count), missed \(missed.count))")
        let buildCPUText = "\(Double(buildCPU / 10) / 100)"
        print("CPU time (thread): index build \(buildCPUText) ms, resolve \(Double(resolveCPU / 10) / 100) ms")
        if let absent = results.first(where: { $0.status == .missing }) {
            print("example missing:   \(absent.song.artist) - \(absent.song.title)")
            for candidate in absent.candidates { print("  \(candidate.score) \(candidate.uri): \(candidate.reason)") }
        }
        for (title, uri) in wrong.prefix(10) { print("  wrong: \(title) -> \(uri)") }
        for title in missed.prefix(10) { print("  missed: \(title)") }
    }

    /// CPU time this thread has used, in microseconds: steadier than wall time on a busy machine.
    private static func threadCPUMicroseconds() -> Int {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return now.tv_sec * 1_000_000 + now.tv_nsec / 1000
    }

    private static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let micro = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
        let fraction = micro % 1000 / 10
        return "\(micro / 1000)." + (fraction < 10 ? "0" : "") + "\(fraction)"
    }
}

/// Builds the synthetic library and the curated songs hidden in it.
struct LibraryGenerator {
    var rng: SplitMix64

    init(seed: UInt64) { rng = SplitMix64(state: seed) }

    static let words = """
        love blue rain night heart dream light sky star tears memory forever goodbye summer winter snow wind fire
        world time tomorrow yesterday home road song voice angel shadow moon sun ocean river flower spring autumn
        lonely broken promise silent secret letter window city train station morning evening color paper glass
        wings bird butterfly garden story hope smile cry kiss touch hand eyes friend stranger wish miracle echo
        sky blue rain love heart night never again always alone together farewell departure arrival distance
        journey horizon sunset sunrise midnight twilight crimson silver golden orange white black green violet
        """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
    static let romaji = """
        kimi boku sora ame hoshi yume kokoro namida sakura yuki kaze hikari tsuki umi hana koe michi kiseki
        mirai kioku yakusoku sayonara arigatou itsumo zutto mou ichido tooku chikaku yoru asa natsu fuyu haru
        aki kagayaki tsubasa inori negai kotoba uta monogatari shiranai kanashimi yasashii hitori futari
        """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
    static let japanese = ["空", "雨", "星", "夢", "心", "涙", "桜", "雪", "風", "光", "月", "海", "花", "声", "道", "君", "僕の"]
    static let given = [
        "Yuki", "Haruka", "Aoi", "Ren", "Sora", "Mika", "Kenji", "Takashi", "Emi", "Rin", "Hana", "Daichi",
    ]
    static let family = [
        "Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura", "Kobayashi",
        "Kato", "Yoshida", "Yamada", "Sasaki", "Matsumoto", "Inoue", "Kimura", "Hayashi", "Shimizu", "Mori", "Abe",
    ]
    static let bandWords = ["Band", "Project", "Orchestra", "Stars", "Girls", "Boys", "Society", "Club", "Machine"]

    mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &rng)] }
    mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &rng) < percent }

    /// A word with a skewed distribution: a few words are very common, as in real titles.
    mutating func word() -> String {
        let list = chance(70) ? Self.words : Self.romaji
        let index = Int(Double(list.count) * pow2(Double.random(in: 0..<1, using: &rng)))
        let chosen = list[min(index, list.count - 1)]
        return chance(80) ? chosen.prefix(1).uppercased() + chosen.dropFirst() : chosen
    }

    private func pow2(_ x: Double) -> Double { x * x }

    mutating func title() -> String {
        if chance(4) { return (0..<Int.random(in: 1...3, using: &rng)).map { _ in pick(Self.japanese) }.joined() }
        return (0..<Int.random(in: 1...4, using: &rng)).map { _ in word() }.joined(separator: " ")
    }

    mutating func artist() -> String {
        switch Int.random(in: 0..<10, using: &rng) {
        case 0...4: return "\(pick(Self.given)) \(pick(Self.family))"
        case 5...7: return "The \(word()) \(pick(Self.bandWords))"
        case 8: return "\(word())\(pick(Self.bandWords).lowercased())"
        default: return "\(pick(Self.family))\(pick(["さん", "ちゃん", "組"]))"
        }
    }

    mutating func format() -> (String, AudioFormat?) {
        switch Int.random(in: 0..<20, using: &rng) {
        case 0...5: return ("flac", AudioFormat(sampleRate: 44100, channels: 2, sampleType: .int16, bitsPerSample: 16))
        case 6: return ("flac", AudioFormat(sampleRate: 96000, channels: 2, sampleType: .int32, bitsPerSample: 24))
        case 7...16: return ("mp3", nil)
        case 17...18: return ("ogg", nil)
        default: return ("opus", nil)
        }
    }

    mutating func filler(_ library: inout [Song], count: Int) {
        while library.count < count {
            let artist = artist()
            for _ in 0..<Int.random(in: 1...5, using: &rng) {
                let album = title()
                let year = Int.random(in: 1975...2025, using: &rng)
                let tagged = Int.random(in: 0..<100, using: &rng)
                for track in 1...Int.random(in: 6...16, using: &rng) where library.count < count {
                    let song = title()
                    let (ext, format) = format()
                    let number = track < 10 ? "0\(track)" : "\(track)"
                    let uri = "\(artist)/\(album) (\(year))/\(number) - \(song).\(ext)"
                    if tagged < 90 {
                        library.append(
                            Song(
                                uri: uri, title: song, artist: artist, album: album, track: "\(track)", date: "\(year)",
                                format: format, size: 4_000_000, modified: 1_700_000_000
                            ))
                    } else {
                        library.append(Song(uri: uri, format: format))
                    }
                }
            }
        }
    }

    static let realTitles: [(String, [String], String, String)] = [
        ("Blue", [], "Yoko Kanno & The Seatbelts feat. Mai Yamane", "Cowboy Bebop"),
        ("To My Dearest", [], "Lily Hoshikawa", "Zombie Land Saga"),
        ("Lilium", [], "Kumiko Noma", "Elfen Lied"),
        ("Kimi no Shiranai Monogatari", ["君の知らない物語"], "supercell", "Bakemonogatari"),
        ("My Most Precious Treasure", ["Ichiban no Takaramono", "一番の宝物"], "Girls Dead Monster", "Angel Beats!"),
        ("Sis puella magica!", [], "Yuki Kajiura", "Puella Magi Madoka Magica"),
        ("Secret Base ~Kimi ga Kureta Mono~", ["Secret Base"], "Ai Kayano, Haruka Tomatsu & Saori Hayami", "AnoHana"),
        ("Dango Daikazoku", ["だんご大家族"], "Chata", "Clannad"),
        ("Hikaru Nara", ["光るなら"], "Goose house", "Your Lie in April"),
        ("Orange", [], "7!!", "Your Lie in April"),
        ("Shiki no Uta", [], "Minmi", "Samurai Champloo"),
        ("Unravel", [], "TK from Ling Tosite Sigure", "Tokyo Ghoul"),
        ("Aoi Shiori", ["青い栞"], "Galileo Galilei", "AnoHana"),
        ("Departures", [], "Egoist", "Guilty Crown"),
        ("Tsubasa wo Kudasai", ["翼をください"], "Miyuki Sawashiro", "K-On!"),
        ("Toki wo Kizamu Uta", ["時を刻む唄"], "Lia", "Clannad After Story"),
        ("Last Regrets", [], "Ayana", "Kanon"),
        ("Brave Song", [], "Aoi Tada", "Angel Beats!"),
        ("Inner Universe", [], "Origa", "Ghost in the Shell: Stand Alone Complex"),
        ("Call Your Name", [], "Hiroyuki Sawano", "Attack on Titan"),
    ]

    /// The library, the curated songs, and for each curated song the URI it should resolve to (nil: absent).
    mutating func make(size: Int) -> ([Song], [CuratedSong], [String?]) {
        var curated: [CuratedSong] = Self.realTitles.map { title, aliases, artist, anime in
            CuratedSong(title: title, aliases: aliases, artist: artist, anime: anime, role: .ending, moods: ["tears"])
        }
        var usedTitles = Set(curated.map(\.title))
        while curated.count < 200 {
            let name = (0..<Int.random(in: 2...4, using: &rng)).map { _ in
                let word = pick(Self.romaji)
                return word.prefix(1).uppercased() + word.dropFirst()
            }.joined(separator: " ")
            guard usedTitles.insert(name).inserted else { continue }
            let aliases = chance(30) ? [pick(Self.japanese) + pick(Self.japanese) + "の" + pick(Self.japanese)] : []
            let artist = chance(20) ? "\(artist()) feat. \(artist())" : artist()
            curated.append(
                CuratedSong(
                    title: name, aliases: aliases, artist: artist, anime: "\(word()) \(word()) no \(word())",
                    role: .opening,
                    moods: ["tears"]
                ))
        }

        var hidden: [Song] = []
        var expected: [String?] = []
        let flac = AudioFormat(sampleRate: 44100, channels: 2, sampleType: .int16, bitsPerSample: 16)
        for (index, song) in curated.enumerated() {
            let artistName = song.artist.split(separator: "&").first.map(String.init) ?? song.artist
            let mainArtist = artistName.split(separator: " feat").first.map(String.init) ?? artistName
            // A decoy: the same title by someone else.
            if chance(50) {
                hidden.append(
                    Song(
                        uri: "Decoys \(index)/Other Album/05 - \(song.title).mp3", title: song.title,
                        artist: "Joe \(word()) Band", album: "Other Album"))
            }
            guard index % 7 != 3 else {  // absent: only its decoys and near misses exist
                hidden.append(
                    Song(
                        uri: "Near/\(index)/01 - \(song.title) (Instrumental).flac",
                        title: "\(song.title) (Instrumental)", artist: mainArtist, format: flac))
                expected.append(nil)
                continue
            }
            let album = "\(song.anime) Original Soundtrack"
            let base = "\(mainArtist)/\(album)"
            let uri: String
            switch index % 10 {
            case 0:
                uri = "\(base)/03 - \(song.title).flac"
                hidden.append(Song(uri: uri, title: song.title, artist: song.artist, album: album, format: flac))
            case 1:
                uri = "\(base)/03 - \(song.title).flac"
                hidden.append(Song(uri: uri, title: song.title, artist: mainArtist, album: album, format: flac))
                hidden.append(
                    Song(
                        uri: "\(base)/13 - \(song.title) (TV Size).mp3", title: "\(song.title) (TV Size)",
                        artist: mainArtist, album: album))
            case 2:
                uri = "\(base)/03.mp3"
                hidden.append(Song(uri: uri, title: fullWidth(song.title), artist: fullWidth(mainArtist)))
            case 3:
                uri = "\(base)/03 \(song.title).ogg"
                let swapped = mainArtist.split(separator: " ").reversed().joined(separator: " ")
                hidden.append(Song(uri: uri, title: macrons(song.title), artist: swapped, album: album))
            case 4:
                uri = "\(base)/07 - \(song.title).flac"
                hidden.append(Song(uri: uri, format: flac))
            case 5:
                uri = "\(base)/05 \(song.title) feat. Someone.mp3"
                hidden.append(
                    Song(uri: uri, title: "\(song.title) feat. Someone", artist: "\(mainArtist) feat. Someone"))
            case 6:
                let title = song.aliases.last ?? song.title.uppercased()
                uri = "\(base)/06 - \(title) [FLAC].flac"
                hidden.append(Song(uri: uri, title: "\(title) [FLAC]", artist: mainArtist, format: flac))
            case 7:
                uri = "lossless/\(base)/01 - \(song.title).flac"
                hidden.append(Song(uri: "lossy/\(base)/01 - \(song.title).mp3", title: song.title, artist: mainArtist))
                hidden.append(Song(uri: uri, title: song.title, artist: mainArtist, format: flac))
            case 8:
                uri = "Singles/\(mainArtist) - \(song.title).flac"
                hidden.append(Song(uri: uri, format: flac))
            default:
                uri = "Compilations/\(album)/09 - \(song.title) - Remastered 2011.mp3"
                hidden.append(
                    Song(
                        uri: uri, title: "\(song.title) - Remastered 2011", artist: "Various Artists",
                        album: album, albumArtist: mainArtist))
            }
            expected.append(uri)
        }

        var library: [Song] = []
        library.reserveCapacity(size)
        filler(&library, count: max(0, size - hidden.count))
        // Scatter the hidden files through the library.
        for song in hidden {
            library.insert(song, at: Int.random(in: 0...library.count, using: &rng))
        }
        return (library, curated, expected)
    }

    private func fullWidth(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar.value > 0x20, scalar.value < 0x7F, let wide = Unicode.Scalar(scalar.value + 0xFEE0) {
                out.append(wide)
            } else {
                out.append(scalar == " " ? "\u{3000}" : scalar)
            }
        }
        return String(out)
    }

    private func macrons(_ text: String) -> String {
        var out = ""
        var previous: Character = " "
        for character in text {
            if previous == "o" && (character == "u" || character == "o") {
                out.removeLast()
                out.append("ō")
            } else if previous == "u" && character == "u" {
                out.removeLast()
                out.append("ū")
            } else if character == "a", previous == "k" {
                out.append("á")
            } else {
                out.append(character)
            }
            previous = character
        }
        return out
    }
}

import ElegyCore
import Foundation
import Testing

@testable import ElegyAudio

/// The FLAC fast path (libFLAC's metadata API) against libsndfile and TagLib on files made by sox, flac and metaflac: for every
/// file both must give the same `Song`, and files libFLAC should not answer for must fall back to libsndfile.
struct TagReaderTests {
    /// Runs a tool from PATH; throws with its stderr when it fails. Spawned with `posix_spawnp`, not Foundation's
    /// `Process`: while it launches, `Process` closes descriptor numbers in this process that other tests' engines
    /// (running in parallel) had reopened, which silently stopped the paced-output test.
    private static func run(_ tool: String, _ arguments: [String], stdin: String? = nil) throws {
        let directory = try TestAudio.makeDirectory("tool")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let inputPath = directory + "/stdin", errorPath = directory + "/stderr"
        try Data((stdin ?? "").utf8).write(to: URL(fileURLWithPath: inputPath))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, inputPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv: [UnsafeMutablePointer<CChar>?] = ([tool] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, tool, &actions, nil, argv, environ)
        guard spawned == 0 else { throw TestAudioError(message: "cannot run \(tool): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // WIFEXITED && WEXITSTATUS == 0
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            let message = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
            throw TestAudioError(message: "\(tool) \(arguments.joined(separator: " ")): \(message)")
        }
    }

    /// A 0.1-s FLAC of a tone made by sox, `bits` wide, then `metaflac` with `metaflacArguments` (tags, padding...).
    private static func makeFLAC(
        _ path: String, bits: Int = 16, rate: Int = 44100, channels: Int = 2, metaflacArguments: [String] = []
    ) throws {
        try run("sox", [
            "-R", "-n", "-r", "\(rate)", "-b", "\(bits)", "-c", "\(channels)", path, "synth", "0.1", "sine", "440",
            "vol", "0.3",
        ])
        if !metaflacArguments.isEmpty { try run("metaflac", metaflacArguments + [path]) }
    }

    private static func songs(_ path: String) throws -> (fast: Song, reference: Song) {
        let fast = try TagReader.song(atPath: path, uri: "x.flac", size: 1, modified: 2)
        let reference = try TagReader.songWithDecoder(atPath: path, uri: "x.flac", size: 1, modified: 2)
        return (fast, reference)
    }

    private static func fastPath(_ path: String) -> FLACTagReader.Info? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        return FLACTagReader.read(fileDescriptor: fd, size: Int64(info.st_size))
    }

    @Test func tagsDurationAndFormatMatchLibsndfile() throws {
        let directory = try TestAudio.makeDirectory("flac-tags")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let long = String(repeating: "Ref:rain ", count: 60)
        let cases: [(name: String, bits: Int, rate: Int, channels: Int, tags: [String])] = [
            ("plain", 16, 44100, 2, [
                "TITLE=Kataomoi", "ARTIST=Aimer", "ALBUM=Daydream", "TRACKNUMBER=3", "DATE=2016", "GENRE=J-Pop",
            ]),
            // Field names in any case; the first of duplicates; values padded, empty, with `=`, long, non-ASCII.
            ("tricky", 24, 96000, 1, [
                "title=  a=b  ", "Artist=First", "ARTIST=Second", "aLbUm=\(long)", "GENRE=", "DATE=\t2024\t",
                "TRACKNUMBER=3/12", "ALBUMARTIST=Not read", "COMMENT=ignored",
            ]),
            ("unicode", 8, 8000, 1, ["TITLE=カタオモイ", "ARTIST=Aimer feat. 澤野弘之", "ALBUM=Ré"]),
            ("untagged", 16, 48000, 6, []),
        ]
        for entry in cases {
            let path = "\(directory)/\(entry.name).flac"
            try Self.makeFLAC(
                path, bits: entry.bits, rate: entry.rate, channels: entry.channels,
                metaflacArguments: ["--remove-all-tags"] + entry.tags.map { "--set-tag=\($0)" })
            #expect(Self.fastPath(path) != nil, "\(entry.name): libFLAC should read it")
            let (fast, reference) = try Self.songs(path)
            #expect(fast == reference, "\(entry.name)")
            #expect(fast.format?.sampleRate == entry.rate && fast.format?.channels == entry.channels)
            #expect(abs((fast.duration ?? 0) - 0.1) < 0.001)
        }
        let plain = try Self.songs("\(directory)/plain.flac").fast
        #expect(plain.title == "Kataomoi" && plain.artist == "Aimer" && plain.album == "Daydream")
        #expect(plain.track == "3" && plain.date == "2016" && plain.genre == "J-Pop")
        #expect(plain.format == AudioFormat(sampleRate: 44100, channels: 2, sampleType: .int16, bitsPerSample: 16))
        let tricky = try Self.songs("\(directory)/tricky.flac").fast
        #expect(tricky.title == "a=b" && tricky.artist == "First" && tricky.genre == nil && tricky.date == "2024")
        // Both ARTIST comments, in order (the first in its field, the second after it), and the COMMENT.
        #expect(tricky.otherTags == [SongTag(.artist, "Second"), SongTag(.comment, "ignored")])
        // Track loses its total, as in MPD.
        #expect(tricky.album == long.trimmingWhitespace() && tricky.track == "3")
        #expect(tricky.format == AudioFormat(sampleRate: 96000, channels: 1, sampleType: .int32, bitsPerSample: 24))
        let unicode = try Self.songs("\(directory)/unicode.flac").fast
        #expect(unicode.title == "カタオモイ" && unicode.album == "Ré")
        #expect(unicode.format == AudioFormat(sampleRate: 8000, channels: 1, sampleType: .int16, bitsPerSample: 8))
        let untagged = try Self.songs("\(directory)/untagged.flac").fast
        #expect(untagged.title == nil && untagged.artist == nil && untagged.genre == nil)
    }

    /// Metadata blocks larger than the read buffer (a picture, a seek table, big padding) and a leading ID3v2 tag.
    @Test func largeBlocksAndID3PrefixMatchLibsndfile() throws {
        let directory = try TestAudio.makeDirectory("flac-blocks")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let picture = "\(directory)/cover.png"
        // Not a real PNG: metaflac stores the bytes as they are when the MIME type and size are given.
        try Data((0..<20_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }).write(to: URL(fileURLWithPath: picture))
        let path = "\(directory)/blocks.flac"
        try Self.makeFLAC(
            path,
            metaflacArguments: [
                "--remove-all-tags", "--set-tag=TITLE=Before the picture", "--add-seekpoint=10x",
                "--import-picture-from=3|image/png|front|64x64x24|\(picture)", "--add-padding=70000",
            ])
        try Self.run("metaflac", ["--set-tag=ARTIST=After the picture", path])
        #expect(Self.fastPath(path) != nil)
        var (fast, reference) = try Self.songs(path)
        #expect(fast == reference)
        #expect(fast.title == "Before the picture" && fast.artist == "After the picture")

        // An ID3v2 tag in front of "fLaC" (some taggers write one): both libraries skip it.
        let prefixed = "\(directory)/id3.flac"
        var id3: [UInt8] = Array("ID3".utf8) + [3, 0, 0, 0, 0, 0, 20]
        id3 += [UInt8](repeating: 0, count: 20)
        try Data(id3 + [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))).write(
            to: URL(fileURLWithPath: prefixed))
        #expect(Self.fastPath(prefixed) != nil)
        (fast, reference) = try Self.songs(prefixed)
        #expect(fast == reference && fast.title == "Before the picture")
    }

    /// A stream whose length was not known when it was written has 0 total samples: no duration, as libsndfile says.
    @Test func unknownLengthHasNoDuration() throws {
        let directory = try TestAudio.makeDirectory("flac-length")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/streamed.flac"
        // Raw samples from a pipe (length unknown) encoded to a pipe: flac cannot seek back to fill in the count.
        try Self.run("sh", [
            "-c",
            "sox -R -n -r 44100 -b 16 -c 2 -t raw - synth 0.1 sine 440 | flac --force-raw-format --endian=little "
                + "--sign=signed --channels=2 --bps=16 --sample-rate=44100 -s -c - 2>/dev/null | cat > \"$1\"",
            "sh", path,
        ])
        let info = try #require(Self.fastPath(path))
        #expect(info.duration == nil)
        let (fast, reference) = try Self.songs(path)
        #expect(fast == reference && fast.duration == nil)
    }

    /// Files libFLAC must leave to libsndfile: a depth libsndfile does not open, not FLAC at all, Ogg FLAC, WAV named
    /// `.flac`, truncated metadata. `song` then gives exactly libsndfile's answer (a Song or its error).
    @Test func refusedFilesFallBackToLibsndfile() throws {
        let directory = try TestAudio.makeDirectory("flac-fallback")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let wav = "\(directory)/source.wav"
        try Self.run("sox", ["-R", "-n", "-r", "44100", "-b", "16", "-c", "2", wav, "synth", "0.1", "sine", "440"])

        let deep = "\(directory)/32bit.flac"
        try Self.run("sox", ["-R", "-n", "-r", "44100", "-b", "32", "-c", "1", "\(directory)/32.wav", "synth", "0.1"])
        try Self.run("flac", ["-s", "-f", "-o", deep, "\(directory)/32.wav"])
        let text = "\(directory)/text.flac"
        try Data(String(repeating: "not audio at all ", count: 64).utf8).write(to: URL(fileURLWithPath: text))
        let ogg = "\(directory)/ogg.flac"
        try Self.run("flac", ["-s", "-f", "--ogg", "-T", "TITLE=Ogg", "-o", ogg, wav])
        let named = "\(directory)/wave.flac"
        try FileManager.default.copyItem(atPath: wav, toPath: named)
        let truncated = "\(directory)/truncated.flac"
        try Self.makeFLAC("\(directory)/whole.flac", metaflacArguments: ["--set-tag=TITLE=\(String(repeating: "x", count: 3000))"])
        try Data(try Data(contentsOf: URL(fileURLWithPath: "\(directory)/whole.flac")).prefix(1000)).write(
            to: URL(fileURLWithPath: truncated))

        for path in [deep, text, ogg, named, truncated] {
            #expect(Self.fastPath(path) == nil, "\(path) should be left to libsndfile")
            let fast = Result { () throws(DecoderError) in try TagReader.song(atPath: path, uri: "x.flac", size: 1, modified: 2) }
            let reference = Result { () throws(DecoderError) in
                try TagReader.songWithDecoder(atPath: path, uri: "x.flac", size: 1, modified: 2)
            }
            switch (fast, reference) {
            case (.success(let a), .success(let b)): #expect(a == b, "\(path)")
            case (.failure(let a), .failure(let b)): #expect(a == b, "\(path)")
            default: Issue.record("\(path): \(fast) vs \(reference)")
            }
        }
        // The WAV named .flac is read by libsndfile; the text file is an error in both.
        #expect((try? TagReader.song(atPath: named, uri: "x.flac", size: 1, modified: 2))?.format?.sampleRate == 44100)
        #expect(throws: DecoderError.self) { try TagReader.song(atPath: text, uri: "x.flac", size: 1, modified: 2) }
    }

    /// The scanner's entry reads through the descriptor it opened, and ignores the descriptor's offset.
    @Test func readsThroughAnOpenDescriptor() throws {
        let directory = try TestAudio.makeDirectory("flac-fd")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/song.flac"
        try Self.makeFLAC(path, metaflacArguments: ["--set-tag=TITLE=Through fd", "--set-tag=ARTIST=Elegy"])
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        try #require(fd >= 0)
        defer { close(fd) }
        lseek(fd, 100, SEEK_SET)
        var info = stat()
        try #require(fstat(fd, &info) == 0)
        let song = try TagReader.song(
            fileDescriptor: fd, path: path, uri: "song.flac", size: Int64(info.st_size), modified: 7)
        #expect(song.title == "Through fd" && song.artist == "Elegy" && song.modified == 7)
        #expect(song.uri == "song.flac" && song.size == Int64(info.st_size))
        #expect(song == (try TagReader.songWithDecoder(atPath: path, uri: "song.flac", size: Int64(info.st_size), modified: 7)))
    }

    /// ReplayGain comments are kept (as numbers, "dB" dropped) by the FLAC fast path and TagLib alike; Opus's R128
    /// gains are moved to ReplayGain's reference (+5 dB); files without them have none.
    @Test func replayGainValuesAreKept() throws {
        let directory = try TestAudio.makeDirectory("replaygain")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let flac = "\(directory)/gain.flac"
        try Self.makeFLAC(flac, metaflacArguments: [
            "--set-tag=REPLAYGAIN_TRACK_GAIN=-6.52 dB", "--set-tag=REPLAYGAIN_TRACK_PEAK=0.988",
            "--set-tag=replaygain_album_gain=-7.10 dB", "--set-tag=REPLAYGAIN_ALBUM_PEAK=1.000000",
            "--set-tag=TITLE=Loud",
        ])
        let (fast, reference) = try Self.songs(flac)
        #expect(fast.replayGain.trackGain == -6.52 && fast.replayGain.trackPeak == 0.988)
        #expect(fast.replayGain.albumGain == -7.10 && fast.replayGain.albumPeak == 1.0)
        #expect(fast.otherTags.allSatisfy { $0.tag == .comment }, "gains are not tags (sox writes the comment)")
        #expect(reference.replayGain == fast.replayGain)

        let wav = "\(directory)/tone.wav"
        try Self.run("sox", ["-R", "-n", "-r", "48000", "-b", "16", "-c", "2", wav, "synth", "0.1", "sine", "440"])
        let opus = "\(directory)/gain.opus"
        try Self.run("opusenc", ["--quiet", "--comment", "R128_TRACK_GAIN=-2560", "--comment", "R128_ALBUM_GAIN=256", wav, opus])
        let song = try TagReader.song(atPath: opus, uri: "gain.opus", size: 1, modified: 2)
        #expect(song.replayGain.trackGain == -5 && song.replayGain.albumGain == 6)
        #expect(song.replayGain.trackPeak.isNaN && song.replayGain.albumPeak.isNaN)

        // ID3v2 TXXX frames and MP4 freeform atoms, written by mutagen as taggers write them.
        let mp3 = "\(directory)/gain.mp3"
        let m4a = "\(directory)/gain.m4a"
        try Self.run("lame", ["--silent", wav, mp3])
        try Self.run("ffmpeg", ["-nostdin", "-v", "error", "-i", wav, "-c:a", "aac", m4a])
        try Self.run("python3", ["-c", """
            import sys
            from mutagen import id3, mp4
            tags = id3.ID3()
            tags.add(id3.TXXX(encoding=3, desc="REPLAYGAIN_TRACK_GAIN", text=["-3.50 dB"]))
            tags.add(id3.TXXX(encoding=3, desc="REPLAYGAIN_ALBUM_PEAK", text=["0.5"]))
            tags.save(sys.argv[1])
            file = mp4.MP4(sys.argv[2])
            file["----:com.apple.iTunes:replaygain_track_gain"] = [b"-2.25 dB"]
            file.save()
            """, mp3, m4a])
        let tagged = try TagReader.song(atPath: mp3, uri: "gain.mp3", size: 1, modified: 2)
        #expect(tagged.replayGain.trackGain == -3.5 && tagged.replayGain.albumPeak == 0.5)
        let atoms = try TagReader.song(atPath: m4a, uri: "gain.m4a", size: 1, modified: 2)
        #expect(atoms.replayGain.trackGain == -2.25)

        let plain = "\(directory)/plain.flac"
        try Self.makeFLAC(plain, metaflacArguments: ["--set-tag=TITLE=Quiet", "--set-tag=REPLAYGAIN_TRACK_GAIN=loud"])
        #expect(try Self.songs(plain).fast.replayGain.isEmpty, "a value that is not a number is ignored")
    }

    @Test func onlyFLACExtensionsTakeTheFastPath() {
        #expect(FLACTagReader.handles("/music/a.flac") && FLACTagReader.handles("/music/B.FLAC"))
        #expect(FLACTagReader.handles("x.FlAc"))
        #expect(!FLACTagReader.handles("/music/a.ogg") && !FLACTagReader.handles(".flac"))
        #expect(!FLACTagReader.handles("/music/flac") && !FLACTagReader.handles("/music/a.flac.mp3"))
    }
}

import Testing
@testable import ElegyCore

@Suite struct AudioFormatTests {
    @Test func mpdSpelling() {
        #expect(AudioFormat(sampleRate: 44100, channels: 2, sampleType: .int16, bitsPerSample: 16).mpdDescription
            == "44100:16:2")
        #expect(AudioFormat(sampleRate: 48000, channels: 1, sampleType: .float32, bitsPerSample: 32).mpdDescription
            == "48000:f:1")
    }

    /// Duration and format are stored packed: every value a file can have comes back, nil stays nil, and a song
    /// takes 216 bytes (it took 256 with `Double?` and `AudioFormat?` stored as they are).
    @Test func songKeepsDurationAndFormatPacked() {
        var song = Song(uri: "x.flac")
        #expect(song.duration == nil && song.format == nil)
        for format in [
            AudioFormat(sampleRate: 44100, channels: 2, sampleType: .int16, bitsPerSample: 16),
            AudioFormat(sampleRate: 768_000, channels: 8, sampleType: .int32, bitsPerSample: 24),
            AudioFormat(sampleRate: 8000, channels: 1, sampleType: .float32, bitsPerSample: 32),
        ] {
            song.format = format
            #expect(song.format == format)
        }
        for duration in [0.0, 1.0 / 3.0, 245.333, 86_400.5] {
            song.duration = duration
            #expect(song.duration == duration)
        }
        song.duration = nil
        song.format = nil
        #expect(song.duration == nil && song.format == nil && song == Song(uri: "x.flac"))
        #expect(Song(uri: "x", duration: 1) != Song(uri: "x", duration: 2))
        #expect(MemoryLayout<Song>.stride == 128)
    }

    /// The shared tags are copied on write: changing one song's Album leaves every song that shared them as it was,
    /// and a song that holds its tags alone changes them in place.
    @Test func sharedTagsCopyOnWrite() {
        var first = Song(uri: "a.flac", artist: "Artist", album: "Album", disc: "1")
        let second = first
        #expect(first.sharedTags === second.sharedTags)
        first.album = "Other"
        #expect(second.album == "Album" && first.album == "Other")
        #expect(first.artist == "Artist" && first.disc == "1")
        #expect(first.sharedTags !== second.sharedTags)
        let own = ObjectIdentifier(first.sharedTags)  // not a reference: holding one would make it shared
        first.genre = "Soundtrack"
        #expect(ObjectIdentifier(first.sharedTags) == own && first.genre == "Soundtrack")
        var untagged = Song(uri: "b.flac")
        #expect(untagged.sharedTags === SharedSongTags.none)
        untagged.date = "2001"
        #expect(SharedSongTags.none.date == nil && untagged.date == "2001")
        #expect(untagged != Song(uri: "b.flac") && Song(uri: "b.flac", date: "2001") == untagged)
    }

    /// Shared tags are equal by their bytes, as MPD compares tag values: "é" precomposed and decomposed are two.
    @Test func sharedTagsCompareBytes() {
        let composed = SharedSongTags(album: "Café", date: "2001")
        let decomposed = SharedSongTags(album: "Cafe\u{301}", date: "2001")
        #expect(composed != decomposed && Set([composed, decomposed]).count == 2)
        #expect(composed == SharedSongTags(album: "Café", date: "2001") && composed != SharedSongTags(album: "Café"))
    }

    @Test func losslessByExtension() {
        #expect(Song(uri: "a/b/c.FLAC").isLossless)
        #expect(!Song(uri: "a/b.c/d.mp3").isLossless)
        #expect(Song(uri: "a.b/noext").fileExtension == "")
    }
}

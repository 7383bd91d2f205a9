import Testing
@testable import ElegyCore

@Suite struct AudioFormatTests {
    @Test func mpdSpelling() {
        #expect(AudioFormat(sampleRate: 44100, channels: 2, sampleType: .int16, bitsPerSample: 16).mpdDescription
            == "44100:16:2")
        #expect(AudioFormat(sampleRate: 48000, channels: 1, sampleType: .float32, bitsPerSample: 32).mpdDescription
            == "48000:f:1")
    }

    @Test func losslessByExtension() {
        #expect(Song(uri: "a/b/c.FLAC").isLossless)
        #expect(!Song(uri: "a/b.c/d.mp3").isLossless)
        #expect(Song(uri: "a.b/noext").fileExtension == "")
    }
}

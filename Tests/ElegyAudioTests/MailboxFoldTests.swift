import CSndFile
import Foundation
import Testing

@testable import ElegyAudio

/// Commands the audio thread takes together are applied as one start, so no status is published in between.
@Suite struct MailboxFoldTests {
    private let first = Track(id: 1, path: "/a.flac")
    private let second = Track(id: 2, path: "/b.flac")

    @Test func seekPauseAndUpcomingAfterAStartBecomePartOfIt() {
        var taken = Mailbox()
        taken.start = StartCommand(track: first, seconds: 0, paused: false, upcoming: [])
        taken.seek = 5
        taken.pause = true
        taken.upcoming = UpcomingCommand(afterId: first.id, tracks: [second])
        let folded = AudioThread.folded(taken)
        #expect(folded.start?.seconds == 5)
        #expect(folded.start?.paused == true)
        #expect(folded.start?.upcoming == [second])
        #expect(folded.seek == nil)
        #expect(folded.pause == nil)
        #expect(folded.upcoming == nil)
    }

    @Test func upcomingForAnotherTrackAndCommandsWithoutAStartAreLeftAlone() {
        var taken = Mailbox()
        taken.start = StartCommand(track: first, seconds: 2, paused: true, upcoming: [second])
        taken.upcoming = UpcomingCommand(afterId: second.id, tracks: [])
        let folded = AudioThread.folded(taken)
        #expect(folded.start?.seconds == 2)
        #expect(folded.start?.paused == true)
        #expect(folded.start?.upcoming == [second])
        #expect(folded.upcoming?.afterId == second.id)

        var withoutStart = Mailbox()
        withoutStart.seek = 7
        withoutStart.pause = false
        let untouched = AudioThread.folded(withoutStart)
        #expect(untouched.seek == 7)
        #expect(untouched.pause == false)
        #expect(untouched.start == nil)
    }
}

/// The bit rate `status` shows comes from the size the decoder saw when it opened the file (no `stat` later on the
/// audio thread).
@Suite struct DecoderBitrateTests {
    @Test func averageBitrateIsFileSizeOverDuration() throws {
        let dir = try TestAudio.makeDirectory("bitrate")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = "\(dir)/two-seconds.wav"
        try TestAudio.write(path, format: Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16), frames: 88_200, seed: 7)
        let decoder = try Decoder(path: path)
        let size = try #require(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        // 16-bit stereo at 44.1 kHz is 1,411.2 kb/s, plus the WAV header's share.
        #expect(decoder.averageBitrate == Int((Double(size) * 8 / 2.0 / 1000).rounded()))
        #expect(decoder.averageBitrate == 1411)
    }
}

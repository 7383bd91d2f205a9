import Testing

@testable import ElegyCore

private func songs(_ names: String...) -> [Song] { names.map { Song(uri: "\($0).flac") } }

/// A queue holding `a`, `b`, `c`, … (as many as asked), not playing.
private func queue(_ count: Int, seed: UInt64 = 7) throws -> PlayQueue {
    var queue = PlayQueue(seed: seed)
    let names = (0..<count).map { String(UnicodeScalar(UInt8(97 + $0))) }
    try queue.add(contentsOf: names.map { Song(uri: "\($0).flac") })
    return queue
}

private func uris(_ queue: PlayQueue) -> String {
    queue.entries.map { String($0.song.uri.dropLast(5)) }.joined()
}

/// Deterministic generator for `shuffle(using:)`.
private struct Counter: RandomNumberGenerator {
    var state: UInt64 = 1
    mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state
    }
}

@Suite struct PlayQueueEditingTests {
    @Test func addAssignsStableIdsAndVersions() throws {
        var queue = PlayQueue(seed: 1)
        #expect(queue.version == 1)
        let a = try queue.add(Song(uri: "a.flac"))
        let b = try queue.add(Song(uri: "b.flac"), curatedKey: "sad/3")
        #expect(a != b)
        #expect(queue.version == 3)
        #expect(queue[0].version == 1)
        #expect(queue[1].version == 2)
        #expect(queue[1].curatedKey == "sad/3")
        #expect(queue.entry(id: b)?.song.uri == "b.flac")
        #expect(queue.position(ofID: a) == 0)
    }

    @Test func changesSinceVersion() throws {
        var queue = try queue(3)
        let seen = queue.version
        #expect(queue.changes(since: seen).isEmpty)
        #expect(queue.changes(since: 0).count == 3)
        #expect(queue.changes(since: seen + 10).count == 3)
        try queue.add(Song(uri: "d.flac"), at: 1)
        #expect(uris(queue) == "adbc")
        #expect(queue.changes(since: seen).map(\.position) == [1, 2, 3])
        #expect(queue.changes(since: seen).map(\.entry.song.uri) == ["d.flac", "b.flac", "c.flac"])
        let afterAdd = queue.version
        try queue.swap(0, 3)
        #expect(queue.changes(since: afterAdd).map(\.position) == [0, 3])
    }

    /// As in MPD, the entries a delete moves up are changes: `plchanges` gives them at their new positions.
    @Test func deleteReportsTheEntriesItMoved() throws {
        var queue = try queue(5)
        let seen = queue.version
        try queue.delete(at: 1)
        #expect(queue.changes(since: seen).map(\.entry.song.uri) == ["c.flac", "d.flac", "e.flac"])
        let afterOne = queue.version
        try queue.delete(0..<2)
        #expect(uris(queue) == "de")
        #expect(queue.changes(since: afterOne).map(\.position) == [0, 1])
        let afterRange = queue.version
        try queue.delete(1..<2)
        #expect(queue.changes(since: afterRange).isEmpty)
    }

    /// A range deleted in one pass leaves the queue, random play order and current entry exactly as deleting its
    /// positions one by one does.
    @Test(arguments: [false, true]) func rangeDeleteEqualsDeletingOneByOne(random: Bool) throws {
        for (start, end, playing) in [(2, 9, 0), (0, 5, 12), (10, 20, 3), (0, 20, nil), (5, 6, 19)] as [(Int, Int, Int?)] {
            var bulk = try queue(20, seed: 3)
            bulk.setRandom(random)
            if let playing { try bulk.play(at: playing) }
            var single = bulk
            try bulk.delete(start..<end)
            for position in (start..<end).reversed() { try single.delete(at: position) }
            #expect(uris(bulk) == uris(single))
            #expect(bulk.playOrder == single.playOrder, "\(start)..<\(end)")
            #expect(bulk.currentPosition == single.currentPosition)
            #expect(bulk.entries.map(\.id) == single.entries.map(\.id))
            var bulkNext = bulk
            var singleNext = single
            #expect(bulkNext.advance(.songFinished) == singleNext.advance(.songFinished))
        }
    }

    @Test func bulkAddIsOneVersionStep() throws {
        var queue = PlayQueue(seed: 1)
        let ids = try queue.add(contentsOf: songs("a", "b", "c"))
        #expect(ids.count == 3)
        #expect(Set(ids).count == 3)
        #expect(queue.version == 2)
        try queue.add(contentsOf: songs("x", "y"), at: 1)
        #expect(uris(queue) == "axybc")
        #expect(throws: ProtocolError.badSongIndex) { try queue.add(Song(uri: "z"), at: 9) }
    }

    @Test func deletePositionsRangesAndIds() throws {
        var queue = try queue(6)
        try queue.delete(at: 0)
        #expect(uris(queue) == "bcdef")
        try queue.delete(1..<3)
        #expect(uris(queue) == "bef")
        try queue.delete(1..<Int.max)
        #expect(uris(queue) == "b")
        let version = queue.version
        try queue.delete(1..<1)
        #expect(queue.version == version)
        #expect(throws: ProtocolError.badSongIndex) { try queue.delete(at: 1) }
        #expect(throws: ProtocolError.badSongIndex) { try queue.delete(2..<4) }
        #expect(throws: ProtocolError.noSuchSong) { try queue.delete(id: 999) }
        try queue.delete(id: queue[0].id)
        #expect(queue.isEmpty)
    }

    @Test func moveKeepsIds() throws {
        var queue = try queue(5)
        let ids = queue.entries.map(\.id)
        try queue.move(1..<3, to: 3)
        #expect(uris(queue) == "adebc")
        #expect(queue.entries.map(\.id) == [ids[0], ids[3], ids[4], ids[1], ids[2]])
        try queue.move(from: 4, to: 0)
        #expect(uris(queue) == "cadeb")
        try queue.move(id: ids[0], to: 4)
        #expect(uris(queue) == "cdeba")
        try queue.move(3..<Int.max, to: 0)
        #expect(uris(queue) == "bacde")
        let version = queue.version
        try queue.move(from: 2, to: 2)
        #expect(queue.version == version)
        #expect(throws: ProtocolError.badSongIndex) { try queue.move(3..<5, to: 4) }
        #expect(throws: ProtocolError.badSongIndex) { try queue.move(from: 5, to: 0) }
        #expect(throws: ProtocolError.noSuchSong) { try queue.move(id: 999, to: 0) }
    }

    /// Every range of a 9-entry queue to every destination: the same order as taking the block out and inserting
    /// it again, ids kept, the touched positions at the new version and the others not.
    @Test func moveOfEveryRangeToEveryDestination() throws {
        for lower in 0..<9 {
            for upper in lower + 1...9 {
                for destination in 0...(9 - (upper - lower)) where destination != lower {
                    var queue = try queue(9)
                    let before = queue.entries
                    var expected = before
                    let block = Array(expected[lower..<upper])
                    expected.removeSubrange(lower..<upper)
                    expected.insert(contentsOf: block, at: destination)
                    try queue.move(lower..<upper, to: destination)
                    #expect(queue.entries.map(\.id) == expected.map(\.id), "move \(lower):\(upper) \(destination)")
                    let touched = min(lower, destination)..<max(upper, destination + upper - lower)
                    for position in 0..<9 {
                        let changed = queue.entries[position].version != before[0].version
                        #expect(changed == touched.contains(position), "move \(lower):\(upper) \(destination) at \(position)")
                    }
                }
            }
        }
    }

    @Test func swapAndSwapId() throws {
        var queue = try queue(3)
        try queue.swap(0, 2)
        #expect(uris(queue) == "cba")
        try queue.swap(id: queue[0].id, id: queue[1].id)
        #expect(uris(queue) == "bca")
        #expect(throws: ProtocolError.badSongIndex) { try queue.swap(0, 3) }
    }

    @Test func currentFollowsItsEntryThroughEdits() throws {
        var queue = try queue(5)
        try queue.play(at: 1)  // b
        try queue.move(1..<3, to: 3)
        #expect(queue.currentEntry?.song.uri == "b.flac")
        #expect(queue.currentPosition == 3)
        try queue.move(from: 0, to: 4)
        #expect(queue.currentPosition == 2)
        try queue.swap(2, 0)
        #expect(queue.currentPosition == 0)
        try queue.add(Song(uri: "z.flac"), at: 0)
        #expect(queue.currentPosition == 1)
        try queue.delete(at: 0)
        #expect(queue.currentEntry?.song.uri == "b.flac")
    }

    @Test func deletingThePlayingEntryMovesToItsSuccessor() throws {
        var queue = try queue(3)
        try queue.play(at: 1)
        #expect(try queue.delete(at: 1))
        #expect(queue.currentEntry?.song.uri == "c.flac")
        #expect(queue.isPlaying)
        #expect(try queue.delete(at: 1))  // the last one: nothing follows
        #expect(queue.currentPosition == nil)
        #expect(!queue.isPlaying)
    }

    @Test func deletingTheStoppedCurrentEntryForgetsIt() throws {
        var queue = try queue(3)
        try queue.play(at: 1)
        queue.stop()
        #expect(queue.currentPosition == 1)
        #expect(try !queue.delete(at: 1))
        #expect(queue.currentPosition == nil)
    }

    @Test func deletingARangeWithThePlayingEntry() throws {
        var queue = try queue(5)
        try queue.play(at: 2)
        #expect(try queue.delete(1..<4))
        #expect(uris(queue) == "ae")
        #expect(queue.currentEntry?.song.uri == "e.flac")
    }

    @Test func clearStops() throws {
        var queue = try queue(3)
        try queue.play(at: 0)
        queue.clear()
        #expect(queue.isEmpty)
        #expect(queue.currentPosition == nil)
        #expect(!queue.isPlaying)
    }

    @Test func shuffleWhilePlayingPutsCurrentFirst() throws {
        var queue = try queue(8)
        try queue.play(at: 5)
        let ids = Set(queue.entries.map(\.id))
        var rng = Counter()
        try queue.shuffle(using: &rng)
        #expect(queue.currentPosition == 0)
        #expect(queue.currentEntry?.song.uri == "f.flac")
        #expect(Set(queue.entries.map(\.id)) == ids)
    }

    @Test func shuffleARangeWhileStoppedForgetsCurrent() throws {
        var queue = try queue(8)
        try queue.play(at: 5)
        queue.stop()
        var rng = Counter()
        try queue.shuffle(2..<6, using: &rng)
        #expect(queue.currentPosition == nil)
        #expect(uris(queue).prefix(2) == "ab")
        #expect(uris(queue).suffix(2) == "gh")
        #expect(Set(uris(queue)) == Set("abcdefgh"))
        #expect(throws: ProtocolError.badSongIndex) { try queue.shuffle(9..<10, using: &rng) }
    }

    @Test func lengthLimit() throws {
        var queue = PlayQueue(seed: 1)
        let many = [Song](repeating: Song(uri: "x.flac"), count: PlayQueue.defaultMaxLength)
        try queue.add(contentsOf: many)
        #expect(queue.count == 16384)
        #expect(throws: ProtocolError.playlistTooLarge) { try queue.add(Song(uri: "y.flac")) }
        #expect(ProtocolError.playlistTooLarge.code == .playlistMax)
        var small = PlayQueue(maxLength: 2, seed: 1)
        #expect(throws: ProtocolError.playlistTooLarge) { try small.add(contentsOf: songs("a", "b", "c")) }
        #expect(small.isEmpty)
    }

    @Test func replaceSongKeepsId() throws {
        var queue = try queue(2)
        let id = queue[1].id
        try queue.replaceSong(at: 1, with: Song(uri: "b.flac", title: "B"))
        #expect(queue[1].id == id)
        #expect(queue[1].song.title == "B")
    }
}

@Suite struct PlayQueueNavigationTests {
    @Test func playsInOrderAndStopsAtTheEnd() throws {
        var queue = try queue(3)
        #expect(try queue.play() == 0)
        #expect(queue.nextPosition() == 1)
        #expect(queue.advance(.songFinished) == .play(1))
        #expect(queue.advance(.userNext) == .play(2))
        #expect(queue.nextPosition() == nil)
        #expect(queue.advance(.songFinished) == .stop)
        #expect(queue.currentPosition == nil)
        #expect(!queue.isPlaying)
    }

    @Test func playWithoutPositionResumesCurrent() throws {
        var queue = try queue(3)
        try queue.play(at: 2)
        queue.stop()
        #expect(try queue.play() == 2)
        #expect(try queue.play() == 2)
        var empty = PlayQueue(seed: 1)
        #expect(try empty.play() == nil)
        #expect(throws: ProtocolError.badSongIndex) { try empty.play(at: 0) }
        #expect(throws: ProtocolError.noSuchSong) { try empty.play(id: 4) }
    }

    @Test func repeatWraps() throws {
        var queue = try queue(2)
        queue.repeatMode = true
        try queue.play(at: 1)
        #expect(queue.nextPosition() == 0)
        #expect(queue.advance(.songFinished) == .play(0))
    }

    @Test func singlePausesAtTheNextSong() throws {
        var queue = try queue(3)
        queue.single = .on
        try queue.play(at: 0)
        #expect(queue.advance(.songFinished) == .pause(1))
        #expect(queue.advance(.userNext) == .play(2))
        #expect(queue.single == .on)
    }

    @Test func singleWithRepeatRepeatsTheSong() throws {
        var queue = try queue(3)
        queue.single = .on
        queue.repeatMode = true
        try queue.play(at: 1)
        #expect(queue.nextPosition() == 1)
        #expect(queue.advance(.songFinished) == .play(1))
        #expect(queue.advance(.userNext) == .play(2))
    }

    @Test func singleOneshotTurnsItselfOff() throws {
        var queue = try queue(3)
        queue.single = .oneshot
        try queue.play(at: 0)
        #expect(queue.advance(.songFinished) == .pause(1))
        #expect(queue.single == .off)
        #expect(queue.advance(.songFinished) == .play(2))
    }

    @Test func consumeRemovesPlayedSongs() throws {
        var queue = try queue(3)
        queue.consume = .on
        try queue.play(at: 0)
        let version = queue.version
        #expect(queue.advance(.songFinished) == .play(0))
        #expect(uris(queue) == "bc")
        #expect(queue.version > version)
        #expect(queue.advance(.userNext) == .play(0))
        #expect(uris(queue) == "c")
        #expect(queue.advance(.songFinished) == .stop)
        #expect(queue.isEmpty)
    }

    @Test func consumeOneshotRemovesOneSong() throws {
        var queue = try queue(3)
        queue.consume = .oneshot
        try queue.play(at: 0)
        #expect(queue.advance(.songFinished) == .play(0))
        #expect(queue.consume == .off)
        #expect(queue.advance(.songFinished) == .play(1))
        #expect(uris(queue) == "bc")
    }

    @Test func consumeWithRepeatDoesNotWrapOntoNothing() throws {
        var queue = try queue(1)
        queue.consume = .on
        queue.repeatMode = true
        try queue.play()
        #expect(queue.nextPosition() == nil)
        #expect(queue.advance(.songFinished) == .stop)
        #expect(queue.isEmpty)
    }

    @Test func previous() throws {
        var queue = try queue(3)
        #expect(throws: ProtocolError.notPlaying) { try queue.previous() }
        try queue.play(at: 1)
        #expect(try queue.previous() == 0)
        #expect(try queue.previous() == 0)
        queue.repeatMode = true
        #expect(try queue.previous() == 2)
        #expect(queue.previousPosition(before: 0) == 2)
        #expect(queue.previousPosition(before: 2) == 1)
        #expect(queue.nextPosition(after: 2) == 0)
        #expect(queue.nextPosition(after: 7) == nil)
    }

    @Test func randomVisitsEverySongOnce() throws {
        var queue = try queue(10, seed: 42)
        queue.setRandom(true)
        #expect(queue.currentPosition == nil)
        let first = try #require(try queue.play())
        var seen = [first]
        while case .play(let position) = queue.advance(.songFinished) {
            seen.append(position)
        }
        #expect(seen.count == 10)
        #expect(Set(seen).count == 10)
        #expect(seen != Array(0..<10))
    }

    @Test func randomRepeatPredictionMatchesAdvance() throws {
        var queue = try queue(6, seed: 3)
        queue.setRandom(true)
        queue.repeatMode = true
        try queue.play()
        for _ in 0..<40 {
            let predicted = queue.nextPosition()
            #expect(queue.advance(.songFinished) == predicted.map(Advance.play))
        }
    }

    @Test func randomOnWhilePlayingKeepsCurrentFirst() throws {
        var queue = try queue(6, seed: 9)
        try queue.play(at: 4)
        queue.setRandom(true)
        #expect(queue.currentPosition == 4)
        #expect(queue.playOrder.first == 4)
        #expect(Set(queue.playOrder) == Set(0..<6))
        queue.setRandom(false)
        #expect(queue.playOrder == Array(0..<6))
        #expect(queue.currentPosition == 4)
        #expect(queue.nextPosition() == 5)
    }

    @Test func randomOrderFollowsMovesAndNewSongsComeLater() throws {
        var queue = try queue(6, seed: 11)
        queue.setRandom(true)
        try queue.play()
        let idsInOrder = queue.playOrder.map { queue[$0].id }
        try queue.move(0..<2, to: 4)
        #expect(queue.playOrder.map { queue[$0].id } == idsInOrder)
        let current = try #require(queue.currentEntry)
        let newID = try queue.add(Song(uri: "z.flac"))
        let order = queue.playOrder.map { queue[$0].id }
        let currentIndex = try #require(order.firstIndex(of: current.id))
        let newIndex = try #require(order.firstIndex(of: newID))
        #expect(newIndex > currentIndex + 1)
        #expect(queue.currentEntry == current)
    }

    @Test func randomPlayOfAChosenSongPlaysItNextInOrder() throws {
        var queue = try queue(6, seed: 5)
        queue.setRandom(true)
        try queue.play()
        let chosen = 3 == queue.currentPosition ? 2 : 3
        #expect(try queue.play(at: chosen) == chosen)
        #expect(queue.currentPosition == chosen)
        // Everything after it in the play order is still to come, and the order is still a permutation.
        #expect(Set(queue.playOrder) == Set(0..<6))
    }
}

@Suite struct PlayQueueInvariantTests {
    @Test func versionWrapsBeforeTwoToTheThirtyFirst() throws {
        var queue = try queue(2)
        queue.version = PlayQueue.versionLimit - 1
        try queue.add(Song(uri: "c.flac"))
        #expect(queue.version == 1)
        #expect(queue.entries.allSatisfy { $0.version == 0 })
        // Every entry counts as changed for any client version after a wrap.
        #expect(queue.changes(since: 1).count == 3)
    }

    /// Random edits and navigation in every mode keep the queue consistent.
    @Test(arguments: [false, true])
    func randomOperationsKeepInvariants(random: Bool) throws {
        var rng = Counter(state: random ? 99 : 7)
        var queue = PlayQueue(maxLength: 40, seed: 5)
        queue.setRandom(random)
        var knownIDs = Set<Int>()
        for step in 0..<3000 {
            let count = queue.count
            let position = count > 0 ? Int.random(in: 0..<count, using: &rng) : 0
            switch Int.random(in: 0..<14, using: &rng) {
            case 0, 1, 2:
                if let id = try? queue.add(Song(uri: "\(step)"), at: Int.random(in: 0...count, using: &rng)) {
                    #expect(!knownIDs.contains(id))
                    knownIDs.insert(id)
                }
            case 3: _ = try? queue.delete(at: position)
            case 4: _ = try? queue.delete(position..<position + Int.random(in: 0..<4, using: &rng))
            case 5: try? queue.move(from: position, to: Int.random(in: 0..<max(count, 1), using: &rng))
            case 6: try? queue.swap(position, Int.random(in: 0..<max(count, 1), using: &rng))
            case 7: try? queue.shuffle(using: &rng)
            case 8: _ = try? queue.play(at: count > 0 ? position : nil)
            case 9: _ = queue.advance(Bool.random(using: &rng) ? .songFinished : .userNext)
            case 10: _ = try? queue.previous()
            case 11: queue.stop()
            case 12:
                queue.repeatMode.toggle()
                queue.single = ToggleMode.allCases.randomElement(using: &rng) ?? .off
                queue.consume = Int.random(in: 0..<4, using: &rng) == 0 ? .on : .off
            default:
                if Int.random(in: 0..<20, using: &rng) == 0 { queue.clear() }
            }
            #expect(Set(queue.playOrder) == Set(0..<queue.count))
            #expect(queue.playOrder.count == queue.count)
            #expect(Set(queue.entries.map(\.id)).count == queue.count)
            #expect(queue.entries.allSatisfy { knownIDs.contains($0.id) })
            if let current = queue.currentPosition { #expect(current < queue.count) }
            if queue.isPlaying { #expect(queue.currentPosition != nil) }
            if let next = queue.nextPosition() { #expect(next < queue.count) }
            if !random { #expect(queue.playOrder == Array(0..<queue.count)) }
        }
    }
}

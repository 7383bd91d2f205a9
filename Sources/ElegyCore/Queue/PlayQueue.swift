/// The play queue: songs in positions, stable ids, a play order for random mode, a version for `plchanges`, and
/// the navigation rules of repeat, random, single and consume — modelled on MPD's queue and playlist, without any
/// playback. The player reports what happened (`play`, `stop`, `advance`) and acts on what the queue answers.
///
/// Positions are indices into `entries`. `current` is kept as an index into the play order (identical to the
/// position unless random is on), exactly as MPD does, so that random play survives edits.
public struct PlayQueue: Sendable, Hashable {
    /// MPD's default `max_playlist_length`.
    public static let defaultMaxLength = 16384
    /// The version wraps back to 1 before reaching 2³¹ − 1 (then every entry counts as changed).
    static let versionLimit: UInt32 = (1 << 31) - 1

    public let maxLength: Int
    public private(set) var entries: [QueueEntry] = []
    /// Order index → position; the identity unless random is on.
    private var order: [Int] = []
    private var currentOrder: Int?
    /// Incremented on every change of the queue's contents or order of positions (not on mode changes).
    public internal(set) var version: UInt32 = 1
    /// True while the player has the current entry loaded (playing or paused), as MPD's `playlist.playing`.
    public private(set) var isPlaying = false
    public var repeatMode = false
    public private(set) var random = false
    public var single = ToggleMode.off
    public var consume = ToggleMode.off
    private var nextID = 1
    private var generator: SplitMix64

    /// An empty queue; `seed` fixes the random-mode order (tests), by default it is random.
    public init(maxLength: Int = PlayQueue.defaultMaxLength, seed: UInt64 = UInt64.random(in: .min ... .max)) {
        self.maxLength = maxLength
        generator = SplitMix64(state: seed)
    }

    // MARK: Reading

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }

    public subscript(position: Int) -> QueueEntry { entries[position] }

    /// The position of the current entry (`status` `song:`), if any.
    public var currentPosition: Int? { currentOrder.map { order[$0] } }

    public var currentEntry: QueueEntry? { currentPosition.map { entries[$0] } }

    /// The position of the entry with this id.
    public func position(ofID id: Int) -> Int? { entries.firstIndex { $0.id == id } }

    public func entry(id: Int) -> QueueEntry? { position(ofID: id).map { entries[$0] } }

    /// The positions in the order they will play (equal to `0..<count` unless random is on).
    public var playOrder: [Int] { order }

    /// Entries changed since the client saw `version` (for `plchanges` / `plchangesposid`), in position order.
    public func changes(since clientVersion: UInt32) -> [(position: Int, entry: QueueEntry)] {
        entries.indices.compactMap { position in
            let entry = entries[position]
            let changed = clientVersion > version || entry.version >= clientVersion || entry.version == 0
            return changed ? (position, entry) : nil
        }
    }

    /// The entry that follows the current one (`status` `nextsong:`, and what the player should open ahead of
    /// time for gapless playback); `nil` when there is no current entry or nothing follows.
    public func nextPosition() -> Int? {
        currentOrder.flatMap { nextOrder(after: $0, single: single) }.map { order[$0] }
    }

    /// The entry that would follow the one at `position` when it ends by itself.
    public func nextPosition(after position: Int) -> Int? {
        guard entries.indices.contains(position) else { return nil }
        return nextOrder(after: orderIndex(ofPosition: position), single: single).map { order[$0] }
    }

    /// The entry `previous` would play: the one before in play order; at the start the last one in repeat mode,
    /// otherwise the current one again.
    public func previousPosition(before position: Int) -> Int? {
        guard entries.indices.contains(position) else { return nil }
        let index = orderIndex(ofPosition: position)
        if index > 0 { return order[index - 1] }
        return repeatMode ? order[count - 1] : position
    }

    // MARK: Editing

    /// Appends a song (or inserts it at `position`, `0...count`) and returns its new id.
    /// Throws ACK 51 when the queue is full, ACK 2 for a bad position.
    @discardableResult
    public mutating func add(_ song: Song, curatedKey: String? = nil, at position: Int? = nil) throws(ProtocolError)
        -> Int
    {
        try add(contentsOf: [(song, curatedKey)], at: position)[0]
    }

    /// Adds several songs as one change (one version step); all or none.
    @discardableResult
    public mutating func add(contentsOf songs: [Song], at position: Int? = nil) throws(ProtocolError) -> [Int] {
        try add(contentsOf: songs.map { ($0, nil) }, at: position)
    }

    @discardableResult
    public mutating func add(contentsOf songs: [(song: Song, curatedKey: String?)], at position: Int? = nil)
        throws(ProtocolError) -> [Int]
    {
        guard !songs.isEmpty else { return [] }
        guard count + songs.count <= maxLength else { throw .playlistTooLarge }
        if let position, position < 0 || position > count { throw .badSongIndex }
        let firstNew = count
        var ids: [Int] = []
        for (song, key) in songs {
            let id = nextID
            nextID += 1
            ids.append(id)
            entries.append(QueueEntry(id: id, song: song, version: version, curatedKey: key))
            order.append(count - 1)
            if random {
                // Shuffle the new song into what is still to be played; while playing, the entry after the
                // current one is already opened ahead (MPD's "queued" song) and keeps its place.
                let start = (currentOrder ?? -1) + (isPlaying ? 2 : 1)
                if start < count - 1 {
                    order.swapAt(count - 1, Int.random(in: start..<count, using: &generator))
                }
            }
        }
        if let position, position != firstNew {
            moveUnchecked(firstNew..<count, to: position)
        }
        commit()
        return ids
    }

    /// Replaces the song of an entry in place (new tags after a rescan); the id stays.
    public mutating func replaceSong(at position: Int, with song: Song) throws(ProtocolError) {
        guard entries.indices.contains(position) else { throw .badSongIndex }
        entries[position].song = song
        entries[position].version = version
        commit()
    }

    /// Removes the entry at `position`. Returns true when the entry being played was removed: then
    /// `currentPosition` is its successor, which the player should start — or, if it was paused or there is no
    /// successor, stop (call `stop()`). When not playing, removing the current entry just clears it.
    @discardableResult
    public mutating func delete(at position: Int) throws(ProtocolError) -> Bool {
        guard entries.indices.contains(position) else { throw .badSongIndex }
        let removedPlaying = deleteUnchecked(position)
        commit()
        return removedPlaying
    }

    /// Removes `range` (the end is clipped to the queue, as MPD does; a start past the end is ACK 2).
    @discardableResult
    public mutating func delete(_ range: Range<Int>) throws(ProtocolError) -> Bool {
        let clipped = try range.clipped(to: count)
        guard !clipped.isEmpty else { return false }
        if let current = currentOrder, clipped.contains(order[current]) {
            // The current entry goes: one at a time, so that the successor is chosen as for a single delete.
            var removedPlaying = false
            for position in clipped.reversed() where deleteUnchecked(position) {
                removedPlaying = true
            }
            commit()
            return removedPlaying
        }
        // One pass over the entries and the play order, however long the range.
        entries.removeSubrange(clipped)
        markShifted(from: clipped.lowerBound)
        var remaining: [Int] = []
        remaining.reserveCapacity(order.count - clipped.count)
        var newCurrent: Int?
        for (slot, position) in order.enumerated() where !clipped.contains(position) {
            if slot == currentOrder { newCurrent = remaining.count }
            remaining.append(position >= clipped.upperBound ? position - clipped.count : position)
        }
        order = remaining
        currentOrder = newCurrent
        commit()
        return false
    }

    /// Entries from `position` on moved up after a delete: `plchanges` reports them at their new positions, as
    /// MPD's queue marks every entry it moves.
    private mutating func markShifted(from position: Int) {
        for shifted in position..<entries.count { entries[shifted].version = version }
    }

    /// Removes the entry with this id (ACK 50 when there is none).
    @discardableResult
    public mutating func delete(id: Int) throws(ProtocolError) -> Bool {
        guard let position = position(ofID: id) else { throw .noSuchSong }
        return try delete(at: position)
    }

    /// Empties the queue; playback stops and there is no current entry.
    public mutating func clear() {
        entries.removeAll()
        order.removeAll()
        currentOrder = nil
        isPlaying = false
        commit()
    }

    /// Moves the entries in `range` so that the first lands at `destination` (`move START:END TO`).
    /// An open end (`Int.max`) means "to the end of the queue".
    public mutating func move(_ range: Range<Int>, to destination: Int) throws(ProtocolError) {
        let end = range.upperBound == Int.max ? count : range.upperBound
        guard range.lowerBound >= 0, range.lowerBound < end, end <= count else { throw .badSongIndex }
        let length = end - range.lowerBound
        guard destination >= 0, destination + length <= count else { throw .badSongIndex }
        guard destination != range.lowerBound else { return }
        moveUnchecked(range.lowerBound..<end, to: destination)
        commit()
    }

    /// Moves one entry.
    public mutating func move(from position: Int, to destination: Int) throws(ProtocolError) {
        guard position >= 0, position < count else { throw .badSongIndex }
        try move(position..<position + 1, to: destination)
    }

    /// Moves the entry with this id (`moveid`).
    public mutating func move(id: Int, to destination: Int) throws(ProtocolError) {
        guard let position = position(ofID: id) else { throw .noSuchSong }
        try move(from: position, to: destination)
    }

    /// Exchanges two entries; each keeps its id and its place in the random play order.
    public mutating func swap(_ first: Int, _ second: Int) throws(ProtocolError) {
        guard entries.indices.contains(first), entries.indices.contains(second) else { throw .badSongIndex }
        swapUnchecked(first, second)
        if random {
            order.swapAt(orderIndex(ofPosition: first), orderIndex(ofPosition: second))
        } else if let current = currentOrder {
            if current == first { currentOrder = second } else if current == second { currentOrder = first }
        }
        commit()
    }

    /// Exchanges the entries with these ids (`swapid`).
    public mutating func swap(id first: Int, id second: Int) throws(ProtocolError) {
        guard let a = position(ofID: first), let b = position(ofID: second) else { throw .noSuchSong }
        try swap(a, b)
    }

    /// Shuffles the positions in `range` (all by default; the end is clipped). As in MPD, while playing the
    /// current entry, if inside the range, is moved to the range's start and the rest is shuffled after it;
    /// when not playing, the queue forgets its current entry.
    public mutating func shuffle(_ range: Range<Int>? = nil, using rng: inout some RandomNumberGenerator)
        throws(ProtocolError)
    {
        var clipped = try (range ?? 0..<count).clipped(to: count)
        guard clipped.count >= 2 else { return }
        if isPlaying, let playing = currentPosition {
            if clipped.contains(playing) {
                swapUnchecked(clipped.lowerBound, playing)
                if random {
                    currentOrder = orderIndex(ofPosition: clipped.lowerBound)
                } else {
                    currentOrder = clipped.lowerBound
                }
                clipped = clipped.lowerBound + 1..<clipped.upperBound
            }
        } else {
            currentOrder = nil
        }
        for position in clipped {
            swapUnchecked(position, Int.random(in: clipped, using: &rng))
        }
        commit()
    }

    /// Shuffles with the queue's own generator.
    public mutating func shuffle(_ range: Range<Int>? = nil) throws(ProtocolError) {
        var rng = generator
        try shuffle(range, using: &rng)
        generator = rng
    }

    // MARK: Modes

    /// Switches random play. Turning it on draws a new play order that starts with the entry being played (when
    /// not playing, the current entry is forgotten, as in MPD); turning it off returns to position order.
    public mutating func setRandom(_ on: Bool) {
        guard on != random else { return }
        random = on
        if on {
            let playing = isPlaying ? currentPosition : nil
            shuffleOrder()
            if let playing {
                moveOrder(from: orderIndex(ofPosition: playing), to: 0)
                currentOrder = 0
            } else {
                currentOrder = nil
            }
        } else {
            currentOrder = currentPosition
            order = Array(entries.indices)
        }
    }

    // MARK: Playback

    /// Makes an entry current for `play [POS]` / `seek POS`; `nil` means "the current entry, or the first".
    /// Returns the position the player must start (or unpause, if it was already playing and `position` is
    /// `nil`); `nil` for an empty queue. Throws ACK 2 for a position outside the queue.
    @discardableResult
    public mutating func play(at position: Int? = nil) throws(ProtocolError) -> Int? {
        var index: Int
        if let position {
            guard entries.indices.contains(position) else { throw .badSongIndex }
            index = orderIndex(ofPosition: position)
        } else {
            guard !isEmpty else { return nil }
            if isPlaying, let current = currentPosition { return current }
            index = currentOrder ?? 0
        }
        if random { index = moveOrderToCurrent(index) }
        currentOrder = index
        isPlaying = true
        return order[index]
    }

    /// `playid ID` (ACK 50 for an unknown id).
    @discardableResult
    public mutating func play(id: Int) throws(ProtocolError) -> Int? {
        guard let position = position(ofID: id) else { throw .noSuchSong }
        return try play(at: position)
    }

    /// Playback stopped: the current entry stays (so `play` resumes it); in random mode a new order is drawn.
    public mutating func stop() {
        guard isPlaying else { return }
        isPlaying = false
        if random, let playing = currentPosition {
            shuffleOrder()
            currentOrder = orderIndex(ofPosition: playing)
        }
    }

    /// Moves on from the current entry (MPD's song border and `next`). Applies consume (the finished entry is
    /// removed; `oneshot` then turns consume off), single (`songFinished` with single on and repeat off pauses
    /// at the next entry; `oneshot` then turns single off), repeat, and random (wrapping around draws a new order
    /// that still starts with the entry `nextPosition()` announced).
    public mutating func advance(_ reason: AdvanceReason) -> Advance {
        guard let old = currentOrder else {
            isPlaying = false
            return .stop
        }
        let effectiveSingle = reason == .userNext ? ToggleMode.off : single
        let oldPosition = order[old]
        var next = nextOrder(after: old, single: effectiveSingle)
        if let target = next, target == 0, old != 0, random, effectiveSingle == .off {
            let targetPosition = order[0]
            shuffleOrder()
            moveOrder(from: orderIndex(ofPosition: targetPosition), to: 0)
            next = 0
        }
        currentOrder = next
        if next == nil { isPlaying = false }
        if consume.isEnabled {
            _ = deleteUnchecked(oldPosition)
            if consume == .oneshot { consume = .off }
            commit()
        }
        let pauses = reason == .songFinished && single.isEnabled && !repeatMode
        if reason == .songFinished, single == .oneshot { single = .off }
        guard let position = currentPosition else { return .stop }
        return pauses ? .pause(position) : .play(position)
    }

    /// `previous`: the entry before the current one in play order (the last in repeat mode, else the current
    /// one again). Throws ACK 55 when not playing. Returns the position to start.
    public mutating func previous() throws(ProtocolError) -> Int {
        guard isPlaying, let current = currentOrder else { throw .notPlaying }
        let index = current > 0 ? current - 1 : (repeatMode ? count - 1 : current)
        currentOrder = index
        return order[index]
    }

    // MARK: Internals

    /// MPD's next-order rule: single+repeat (without consume) repeats; else the next; at the end, repeat wraps
    /// (unless consume would leave nothing to wrap to).
    private func nextOrder(after index: Int, single: ToggleMode) -> Int? {
        if single.isEnabled && repeatMode && !consume.isEnabled { return index }
        if index + 1 < count { return index + 1 }
        if repeatMode && (index > 0 || !consume.isEnabled) { return 0 }
        return nil
    }

    private func orderIndex(ofPosition position: Int) -> Int {
        order.firstIndex(of: position) ?? position
    }

    /// Bumps the version after a change, wrapping as MPD does.
    private mutating func commit() {
        version += 1
        if version >= PlayQueue.versionLimit {
            for index in entries.indices { entries[index].version = 0 }
            version = 1
        }
    }

    /// Removes one entry, fixing order and current; true when the playing entry was removed.
    private mutating func deleteUnchecked(_ position: Int) -> Bool {
        let index = orderIndex(ofPosition: position)
        var removedPlaying = false
        if currentOrder == index {
            if isPlaying {
                removedPlaying = true
                let successor = nextOrder(after: index, single: single)
                currentOrder = successor == index ? nil : successor
                if currentOrder == nil { isPlaying = false }
            } else {
                currentOrder = nil
            }
        }
        entries.remove(at: position)
        markShifted(from: position)
        order.remove(at: index)
        for slot in order.indices where order[slot] > position { order[slot] -= 1 }
        if let current = currentOrder, current > index { currentOrder = current - 1 }
        return removedPlaying
    }

    /// Moves a block of positions; in random mode the order follows the songs, otherwise current does.
    private mutating func moveUnchecked(_ range: Range<Int>, to destination: Int) {
        let length = range.count
        let touched = min(range.lowerBound, destination)..<max(range.upperBound, destination + length)
        // Only the positions between source and destination change, and the entries are moved as memory: the block
        // out to a buffer, the entries between over to close the gap, the block in. (Copying the block out and
        // inserting it again shifted the whole rest of a 16,384-song queue twice and retained every copied entry;
        // three `reverse()`s of slices were slower still, swapping entry by entry.)
        entries.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let block = UnsafeMutablePointer<QueueEntry>.allocate(capacity: length)
            defer { block.deallocate() }
            let (source, end) = (range.lowerBound, range.upperBound)
            block.moveInitialize(from: base + source, count: length)
            if destination > source {
                (base + source).moveInitialize(from: base + end, count: destination - source)
            } else {
                (base + destination + length).moveInitialize(from: base + destination, count: source - destination)
            }
            (base + destination).moveInitialize(from: block, count: length)
        }
        for position in touched { entries[position].version = version }
        func newPosition(_ old: Int) -> Int {
            if range.contains(old) { return destination + (old - range.lowerBound) }
            if destination > range.lowerBound, old >= range.upperBound, old < destination + length {
                return old - length
            }
            if destination < range.lowerBound, old >= destination, old < range.lowerBound { return old + length }
            return old
        }
        if random {
            for slot in order.indices { order[slot] = newPosition(order[slot]) }
        } else if let current = currentOrder {
            currentOrder = newPosition(current)
        }
    }

    /// Exchanges two entries' positions (order untouched, as MPD's `SwapPositions`).
    private mutating func swapUnchecked(_ first: Int, _ second: Int) {
        guard first != second else { return }
        let version = self.version
        // Through the buffer, whose swap moves the two entries' bytes: Array's own retained and released each
        // entry's references (4 of the 6 atomic operations per swap; shuffling 13,000 entries took 3× MPD's time).
        entries.withUnsafeMutableBufferPointer { buffer in
            buffer.swapAt(first, second)
            buffer[first].version = version
            buffer[second].version = version
        }
    }

    /// Draws a new random play order over every entry.
    private mutating func shuffleOrder() {
        order.shuffle(using: &generator)
    }

    private mutating func moveOrder(from: Int, to: Int) {
        let position = order.remove(at: from)
        order.insert(position, at: to)
    }

    /// Random mode: puts a chosen order slot where it plays next (after the playing entry, before a stopped
    /// current one, or first) and returns its new index.
    private mutating func moveOrderToCurrent(_ index: Int) -> Int {
        let target: Int
        if isPlaying, let current = currentOrder {
            target = current + (index > current ? 1 : 0)
        } else if let current = currentOrder {
            target = current - (index < current ? 1 : 0)
        } else {
            target = 0
        }
        moveOrder(from: index, to: target)
        return target
    }
}

import ElegyCore

/// One shared `String` per distinct tag value of a scan (`sharingTagValues`): 100,000 songs name a few thousand
/// artists and albums, and the tag readers make each song its own heap copy of each (tens of megabytes). Looked up
/// by the bytes. (The index file needs none: it stores each shared value once, see `LibraryCache`.)
struct StringInterner {
    /// Open addressing, linear probing; a power of two in size, at most half full.
    private var slots: [String?]
    private var hashes: [UInt64]
    private var count = 0

    /// An empty interner; its table is made on the first value long enough to share.
    init() {
        slots = []
        hashes = []
    }

    private init(size: Int) {
        slots = Array(repeating: nil, count: size)
        hashes = Array(repeating: 0, count: size)
    }

    /// Values that fit in a `String`'s inline storage (15 UTF-8 bytes) are made directly: they allocate nothing.
    static let inlineLimit = 15

    /// The shared string for `bytes`, made by `make` the first time; nil when `make` gives nil (invalid UTF-8).
    mutating func intern(
        _ bytes: UnsafeBufferPointer<UInt8>, make: (UnsafeBufferPointer<UInt8>) -> String?
    ) -> String? {
        if bytes.count <= StringInterner.inlineLimit { return make(bytes) }
        if slots.isEmpty { self = StringInterner(size: 8192) }
        let hash = StringInterner.fnv1a(bytes)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while let existing = slots[slot] {
            if hashes[slot] == hash, StringInterner.equal(existing, bytes) { return existing }
            slot = (slot + 1) & mask
        }
        guard let made = make(bytes) else { return nil }
        slots[slot] = made
        hashes[slot] = hash
        count += 1
        if count * 2 > slots.count { grow() }
        return made
    }

    private mutating func grow() {
        let old = zip(slots, hashes)
        var larger = StringInterner(size: slots.count * 2)
        for (string, hash) in old {
            guard let string else { continue }
            let mask = larger.slots.count - 1
            var slot = Int(truncatingIfNeeded: hash) & mask
            while larger.slots[slot] != nil { slot = (slot + 1) & mask }
            larger.slots[slot] = string
            larger.hashes[slot] = hash
            larger.count += 1
        }
        self = larger
    }

    private static func fnv1a(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0100_0000_01b3 }
        return hash
    }

    private static func equal(_ string: String, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        string.utf8.withContiguousStorageIfAvailable { $0.elementsEqual(bytes) } ?? string.utf8.elementsEqual(bytes)
    }
}

extension StringInterner {
    /// The shared string equal to `value` (`value` itself the first time).
    mutating func intern(_ value: String) -> String {
        value.utf8.withContiguousStorageIfAvailable { bytes in intern(bytes) { _ in value } ?? value } ?? value
    }

    /// `songs` with equal tag values sharing one string, and songs with the same `SharedSongTags` values sharing one
    /// object: the scanner makes each song's strings and tags on its own.
    static func sharingTagValues(_ songs: [Song]) -> [Song] {
        var interner = StringInterner()
        var tagSets = Set<SharedSongTags>()
        var shared = songs
        func share(_ text: String) -> String { text.utf8.count > inlineLimit ? interner.intern(text) : text }
        for index in shared.indices {
            if let artist = shared[index].artist { shared[index].artist = share(artist) }
            let tags = shared[index].sharedTags
            if let known = tagSets.firstIndex(of: tags) {
                shared[index].sharedTags = tagSets[known]
            } else {
                let made = tags.copy(sharing: share)
                tagSets.insert(made)
                shared[index].sharedTags = made
            }
            for tag in shared[index].otherTags.indices where shared[index].otherTags[tag].value.utf8.count > inlineLimit {
                shared[index].otherTags[tag].value = interner.intern(shared[index].otherTags[tag].value)
            }
        }
        return shared
    }
}

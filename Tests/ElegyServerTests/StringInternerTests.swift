import Testing

@testable import ElegyServer
import ElegyCore

/// The address of a native string's UTF-8: equal for two strings only when they share one buffer.
private func storage(_ text: String) -> UnsafeRawPointer? {
    text.utf8.withContiguousStorageIfAvailable { UnsafeRawPointer($0.baseAddress) } ?? nil
}

@Suite struct StringInternerTests {
    @Test func equalValuesShareOneStringAndOthersDoNot() throws {
        var interner = StringInterner()
        let names = (0..<20_000).map { "Album number \($0) of the long list" }  // grows the table several times
        let first = names.map { interner.intern(String($0)) }
        let again = names.map { interner.intern(String($0)) }
        #expect(first == names)
        #expect(zip(first, again).allSatisfy { storage($0) == storage($1) })
        #expect(Set(first.map(storage)).count == names.count)
    }

    @Test func bytesAreInternedAndInvalidUTF8Refused() throws {
        var interner = StringInterner()
        let bytes = Array("ありがとう、さようなら".utf8)
        var made = 0
        let make: (UnsafeBufferPointer<UInt8>) -> String? = { made += 1; return String(validating: $0, as: UTF8.self) }
        let one = bytes.withUnsafeBufferPointer { interner.intern($0, make: make) }
        let two = bytes.withUnsafeBufferPointer { interner.intern($0, make: make) }
        #expect(one == "ありがとう、さようなら")
        #expect(made == 1)
        #expect(storage(try #require(one)) == storage(try #require(two)))
        let invalid: [UInt8] = Array(repeating: 0xFF, count: 20)
        #expect(invalid.withUnsafeBufferPointer { interner.intern($0, make: make) } == nil)
    }

    @Test func scannedSongsShareTheirTagValues() {
        let kind = "OST"  // interpolation makes a heap string per song, as the tag reader does
        let songs = (0..<3).map {
            Song(uri: "a/\($0).flac", artist: "Various Artists of the \(kind)", album: "Original \(kind) Volume One")
        }
        #expect(Set(songs.map { storage($0.album ?? "") }).count == 3)
        let shared = StringInterner.sharingTagValues(songs)
        #expect(shared == songs)
        #expect(Set(shared.map { storage($0.album ?? "") }).count == 1)
        #expect(Set(shared.map { storage($0.artist ?? "") }).count == 1)
        #expect(Set(shared.map { ObjectIdentifier($0.sharedTags) }).count == 1)
        // A song whose tags differ in one value gets its own object, with the strings it shares still shared.
        var other = songs[0]
        other.date = "2004"
        let mixed = StringInterner.sharingTagValues(songs + [other])
        #expect(Set(mixed.map { ObjectIdentifier($0.sharedTags) }).count == 2)
        #expect(storage(mixed[3].album ?? "") == storage(mixed[0].album ?? ""))
    }
}

import ElegyCore
import Testing

/// Tag values compare and group by their UTF-8 bytes, as MPD's maps do, not by Unicode canonical equivalence.
@Suite struct ByteOrderTests {
    @Test func byteOrderFollowsTheBytes() {
        #expect("a".byteOrder(comparedTo: "b") < 0)
        #expect("b".byteOrder(comparedTo: "a") > 0)
        #expect("ab".byteOrder(comparedTo: "abc") < 0)
        #expect("".byteOrder(comparedTo: "") == 0)
        #expect("".byteOrder(comparedTo: "a") < 0)
        let long = String(repeating: "Yoko Kanno ", count: 4)
        #expect(long.byteOrder(comparedTo: long) == 0)
        #expect(long.byteOrder(comparedTo: long + "x") < 0)
        // Bytes, not characters: "Z" (0x5A) comes before "a" (0x61), "é" (0xC3 0xA9) after "z".
        #expect("Z".precedesInByteOrder("a"))
        #expect("z".precedesInByteOrder("é"))
    }

    /// "é" written precomposed and decomposed are one String to Swift but two values to MPD.
    @Test func canonicallyEquivalentSpellingsAreTwoKeys() {
        let precomposed = "Caf\u{E9}"
        let decomposed = "Cafe\u{301}"
        #expect(precomposed == decomposed)
        #expect(ByteKey(precomposed) != ByteKey(decomposed))
        #expect(precomposed.byteOrder(comparedTo: decomposed) != 0)
        var counts: [ByteKey: Int] = [:]
        for value in [precomposed, decomposed, precomposed] { counts[ByteKey(value), default: 0] += 1 }
        #expect(counts[ByteKey(precomposed)] == 2)
        #expect(counts[ByteKey(decomposed)] == 1)
        #expect(ByteKey(String(precomposed)) == ByteKey(precomposed))
    }

    /// The same bytes whether two values share one storage, are small strings, or are separate copies.
    @Test func sameBytesWithOrWithoutSharedStorage() {
        let long = String(repeating: "Yuki Kajiura ", count: 3)
        let copy = String(decoding: Array(long.utf8), as: UTF8.self)
        #expect(long.hasSameBytes(as: long))
        #expect(long.hasSameBytes(as: copy))
        #expect(!long.hasSameBytes(as: copy + "!"))
        #expect("Aimer".hasSameBytes(as: String(decoding: Array("Aimer".utf8), as: UTF8.self)))
        #expect(!"Aimer".hasSameBytes(as: "Aimed"))
        #expect("".hasSameBytes(as: ""))
        #expect(!"Caf\u{E9}".hasSameBytes(as: "Cafe\u{301}"))
    }

    /// The permutation orders as `byteOrder` does, ties in index order, whatever the first eight bytes hold: equal
    /// prefixes, a string that is another's prefix, a NUL, multi-byte characters across the eighth byte.
    @Test func permutationFollowsByteOrderWithTiesInIndexOrder() {
        let pool = [
            "", "a", "ab", "abcdefgh", "abcdefghi", "abcdefgh\u{0}", "abcdefgZ", "Z", "zz", "é", "e\u{301}",
            "悲しみをやさしさに", "悲しみをやさしさ", "Yoko Kanno", "Yoko Kanno ", "Yoko Kann",
        ]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            let keys = (0..<40).map { _ in pool.randomElement(using: &generator) ?? "" }
            let expected = keys.indices.sorted { left, right in
                let order = keys[left].byteOrder(comparedTo: keys[right])
                return order != 0 ? order < 0 : left < right
            }
            #expect(ByteOrderSort.permutation(of: keys) == expected, "\(keys)")
        }
    }
}

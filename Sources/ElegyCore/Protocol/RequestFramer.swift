/// Splits the bytes a client sends into request lines.
///
/// Lines end with `\n`; trailing whitespace (including a `\r`) is stripped, as MPD does. A line longer than
/// `maxLineLength` bytes (counting everything before its `\n`) is refused: the pending part is dropped as soon as it grows past the limit, so a client
/// cannot make the server buffer more than one read plus one limit's worth of bytes. After that error the framer
/// stays failed; the server sends the `ACK` and closes the connection.
public struct RequestFramer: Sendable {
    /// MPD clients never send lines anywhere near this long; 64 KiB.
    public static let defaultMaxLineLength = 64 * 1024

    public let maxLineLength: Int
    private var buffer: [UInt8] = []
    /// Where the next line starts in `buffer`.
    private var lineStart = 0
    /// How far `buffer` has been searched for `\n`.
    private var scanned = 0
    /// Set when the unfinished line outgrew the limit; reported once the complete lines before it are taken.
    private var overflowed = false

    public init(maxLineLength: Int = RequestFramer.defaultMaxLineLength) {
        self.maxLineLength = maxLineLength
    }

    /// Bytes received but not yet returned as lines.
    public var bufferedByteCount: Int { buffer.count - lineStart }

    /// The error every call to `nextLine()` throws once a line was too long.
    public var lineTooLongError: ProtocolError {
        ProtocolError(.arg, "line too long (limit \(maxLineLength) bytes)", command: "", closesConnection: true)
    }

    /// Adds bytes read from the socket.
    public mutating func append(_ bytes: some Sequence<UInt8>) {
        guard !overflowed else { return }
        buffer.append(contentsOf: bytes)
        // Only the tail after the last newline can grow without bound: cut it as soon as it is too long.
        var lastNewline: Int?
        var index = buffer.count - 1
        while index >= scanned {
            if buffer[index] == 0x0A {
                lastNewline = index
                break
            }
            index -= 1
        }
        let tailStart = lastNewline.map { $0 + 1 } ?? lineStart
        if buffer.count - tailStart > maxLineLength {
            buffer.removeSubrange(tailStart...)
            overflowed = true
        }
    }

    /// The next complete line without its terminator, `nil` if none is complete yet.
    ///
    /// Throws `lineTooLongError` (closing the connection) once a line exceeded `maxLineLength`.
    public mutating func nextLine() throws(ProtocolError) -> [UInt8]? {
        var index = max(scanned, lineStart)
        while index < buffer.count, buffer[index] != 0x0A {
            index += 1
        }
        guard index < buffer.count else {
            scanned = index
            if overflowed { throw lineTooLongError }
            compact()
            return nil
        }
        if index - lineStart > maxLineLength {
            overflowed = true
            buffer.removeAll()
            lineStart = 0
            scanned = 0
            throw lineTooLongError
        }
        var end = index
        while end > lineStart, buffer[end - 1] <= 0x20 {
            end -= 1
        }
        let line = Array(buffer[lineStart..<end])
        lineStart = index + 1
        scanned = lineStart
        return line
    }

    /// Moves the unfinished line to the front once the consumed part dominates the buffer.
    private mutating func compact() {
        if lineStart == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= 4 * 4096)
            scanned = 0
            lineStart = 0
        } else if lineStart > 4096 && lineStart * 2 > buffer.count {
            buffer.removeSubrange(0..<lineStart)
            scanned -= lineStart
            lineStart = 0
        }
    }
}

/// MPD's numeric error classes, the `code` in `ACK [code@index] {command} message`.
public enum AckCode: Int, Sendable, Hashable, CaseIterable {
    case notList = 1
    case arg = 2
    case password = 3
    case permission = 4
    case unknown = 5
    case noExist = 50
    case playlistMax = 51
    case system = 52
    case playlistLoad = 53
    case updateAlready = 54
    case playerSync = 55
    case exist = 56
}

/// The one error a command handler throws; the dispatcher turns it into an `ACK` line.
public struct ProtocolError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: AckCode
    public var message: String
    /// The name shown in braces. `nil` means "the failing request's command"; `""` prints `{}` as MPD does when
    /// the command itself is unknown or could not be read.
    public var command: String?
    /// True when MPD would drop the connection after sending the `ACK` (a line it cannot read as a command).
    public var closesConnection: Bool

    public init(_ code: AckCode, _ message: String, command: String? = nil, closesConnection: Bool = false) {
        self.code = code
        self.message = message
        self.command = command
        self.closesConnection = closesConnection
    }

    public var description: String { "[\(code.rawValue)] \(message)" }

    /// `ACK [code@index] {command} message\n`; `command` is used when the error does not name its own.
    public func ackLine(index: Int = 0, command fallback: String = "") -> [UInt8] {
        var builder = ResponseBuilder()
        builder.ack(self, index: index, command: fallback)
        return builder.bytes
    }

    // MARK: The errors MPD words the same way everywhere.

    /// `ACK [5@0] {} unknown command "foo"`.
    public static func unknownCommand(_ name: String) -> ProtocolError {
        ProtocolError(.unknown, "unknown command \"\(name)\"", command: "")
    }

    /// MPD's answer to an argument count outside the command's range.
    public static func wrongArgumentCount(_ name: String) -> ProtocolError {
        ProtocolError(.arg, "wrong number of arguments for \"\(name)\"")
    }

    /// A position or range outside the queue (MPD's `PlaylistResult::BAD_RANGE`).
    public static let badSongIndex = ProtocolError(.arg, "Bad song index")

    /// An id that is not in the queue (MPD's `PlaylistResult::NO_SUCH_SONG`).
    public static let noSuchSong = ProtocolError(.noExist, "No such song")

    /// `next`, `previous`, `seekcur` while stopped.
    public static let notPlaying = ProtocolError(.playerSync, "Not playing")

    /// A command whose answer would pass `max_output_buffer_size` (MPD closes the connection instead; an ACK
    /// tells the client why and keeps it connected).
    public static func outputTooLarge(limit: Int) -> ProtocolError {
        ProtocolError(
            .system, "Output buffer is full: the answer is larger than max_output_buffer_size (\(limit / 1024) KiB)")
    }

    /// Adding to a queue that already holds the maximum number of entries.
    public static let playlistTooLarge = ProtocolError(.playlistMax, "Playlist is too large")
}

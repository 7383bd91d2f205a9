#if canImport(Glibc)
    import Glibc
#endif

/// A failed C call: the function's name, the path it was given and the errno it left.
///
/// The one error type for every call into libc on a path, so each message says which call failed on what:
/// `rename(/home/ann/.local/state/elegy/state.json): No space left on device`.
public struct SystemCallError: Error, Sendable, Equatable, CustomStringConvertible {
    public var function: String
    public var path: String
    public var code: Int32

    public init(_ function: String, path: String, code: Int32 = errno) {
        self.function = function
        self.path = path
        self.code = code
    }

    /// `strerror`'s text for `code` ("No such file or directory").
    public var message: String { Self.message(code) }

    public var description: String { "\(function)(\(path)): \(message)" }

    /// An errno's text ("Permission denied").
    public static func message(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }
}

import Glibc

/// Writes to stdout and stderr without touching C's global `FILE*` variables (not concurrency-safe in Swift 6).
enum Console {
    /// Prints lines to stdout.
    static func out(_ lines: [String]) {
        for line in lines { print(line) }
    }

    /// Flushes stdout: needed by `watch`, whose output is often a pipe.
    static func flush() {
        fflush(nil)
    }

    /// Writes `elegy: message` (or, not `prefixed`, just the message) to stderr.
    static func error(_ message: String, prefixed: Bool = true) {
        fflush(nil)
        let bytes = Array(((prefixed ? "elegy: " : "") + message + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(2, $0.baseAddress.map { $0 + offset }, $0.count - offset) }
            if written <= 0 {
                if written < 0 && errno == EINTR { continue }
                return
            }
            offset += written
        }
    }
}

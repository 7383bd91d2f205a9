/// What one library scan did: counts of changes, the files it could not index and why, and how long it took.
public struct ScanReport: Sendable, Hashable, Codable {
    /// The scanned sub-path (an MPD `update` URI), or nil for the whole library.
    public var path: String?
    /// Songs new to the index.
    public var added = 0
    /// Songs already indexed whose size or mtime changed, read again.
    public var updated = 0
    /// Songs dropped from the index because their file vanished (or can no longer be read).
    public var removed = 0
    /// Files whose tags were read (opened with libsndfile) during this scan; unchanged files are not read.
    public var filesRead = 0
    /// Entries that could not be indexed, with the reason (libsndfile's message, `strerror`, or ours).
    public var failed: [ScanFailure] = []
    /// Songs in the whole index after the scan.
    public var total = 0
    /// Wall-clock duration of the scan.
    public var seconds = 0.0

    /// Whether the index changed: songs added, read again or removed. When not, the old index and its cache file
    /// stay, and `idle` reports no `database` change (as in MPD).
    public var changedIndex: Bool { added + updated + removed > 0 }

    public init(path: String? = nil) {
        self.path = path
    }
}

/// One entry a scan skipped or could not read.
public struct ScanFailure: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The entry's path relative to the music directory (invalid UTF-8 shown with replacement characters).
    public var uri: String
    public var reason: String

    public init(uri: String, reason: String) {
        self.uri = uri
        self.reason = reason
    }

    public var description: String { "\(uri): \(reason)" }
}

import Dispatch
import ElegyCore
import ElegySystem

#if canImport(Glibc)
    import Glibc
#endif

/// The user's stored playlists: `NAME.m3u` files (UTF-8, one URI a line, as MPD writes them) in one directory.
///
/// Blocking file I/O: call only from the core queue, never from an event loop.
struct StoredPlaylists: Sendable {
    let directory: String

    /// A playlist name MPD would accept: no slashes, no leading dot, not empty, no newlines.
    static func validate(_ name: String) throws(ProtocolError) {
        // Bytes, not `String.contains(_:)`: that overload is Foundation's (visible through TOMLKit) and would link
        // libFoundation into elegyd.
        let forbidden: [UInt8] = [UInt8(ascii: "/"), UInt8(ascii: "\n"), UInt8(ascii: "\r")]
        guard !name.isEmpty, !name.hasPrefix("."), !name.utf8.contains(where: forbidden.contains)
        else { throw ProtocolError(.arg, "Bad playlist name") }
    }

    func path(of name: String) -> String { "\(directory)/\(name).m3u" }

    /// Names and modification times (Unix seconds), sorted by name.
    func list() -> [(name: String, modified: Int64)] {
        guard let handle = opendir(directory) else { return [] }
        defer { closedir(handle) }
        var result: [(String, Int64)] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name.hasSuffix(".m3u"), !name.hasPrefix(".") else { continue }
            var info = stat()
            guard stat("\(directory)/\(name)", &info) == 0 else { continue }
            result.append((String(name.dropLast(4)), Int64(info.st_mtim.tv_sec)))
        }
        return result.sorted { $0.0 < $1.0 }
    }

    func exists(_ name: String) -> Bool { access(path(of: name), F_OK) == 0 }

    /// The URIs of a playlist, in order (comment lines skipped).
    func read(_ name: String) throws(ProtocolError) -> [String] {
        try StoredPlaylists.validate(name)
        guard let text = readFile(path(of: name)) else { throw ProtocolError(.noExist, "No such playlist") }
        return text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).compactMap { line in
            let trimmed = line.trimmingCharacters(in: " \t\r")
            return trimmed.isEmpty || trimmed.hasPrefix("#") ? nil : String(trimmed)
        }
    }

    /// Writes a playlist atomically (temp file, rename; the fsyncs follow on their own queue).
    func write(_ name: String, songs: [Song]) throws(ProtocolError) {
        try write(name, songs: songs, thenQueue: [])
    }

    /// Writes `songs` and then the queue's entries, one URI a line, as MPD writes its playlists: the same files
    /// whichever daemon saved them. (`#EXTINF` lines, written before 2026-12-07, made a 16,000-song file 1.6 times
    /// the size and `save` 1.7 times slower than MPD's; files that have them still load.) Each entry's song is read
    /// in place, and the file is built as bytes: appending to a String was 45% of a 16,000-song `save`.
    func write(_ name: String, songs: [Song], thenQueue entries: [QueueEntry]) throws(ProtocolError) {
        try StoredPlaylists.validate(name)
        var bytes: [UInt8] = []
        bytes.reserveCapacity((songs.count + entries.count) * 80)
        for index in songs.indices { StoredPlaylists.appendLine(songs[index].uri, to: &bytes) }
        for index in entries.indices {
            entries[index].withSong { song in StoredPlaylists.appendLine(song.pointee.uri, to: &bytes) }
        }
        try writeAtomically(path(of: name), bytes)
    }

    /// `text` and a line break, copied from the string's own bytes.
    private static func appendLine(_ text: String, to bytes: inout [UInt8]) {
        if text.utf8.withContiguousStorageIfAvailable({ bytes.append(contentsOf: $0) }) == nil {
            bytes.append(contentsOf: text.utf8)
        }
        bytes.append(UInt8(ascii: "\n"))
    }

    /// Writes plain URIs (for `playlistadd` of a file the library does not know yet).
    func write(_ name: String, uris: [String], library: MusicLibrary) throws(ProtocolError) {
        try write(name, songs: uris.map { library.song(uri: $0) ?? Song(uri: $0) })
    }

    func delete(_ name: String) throws(ProtocolError) {
        try StoredPlaylists.validate(name)
        guard unlink(path(of: name)) == 0 else { throw ProtocolError(.noExist, "No such playlist") }
    }

    func rename(_ from: String, to: String) throws(ProtocolError) {
        try StoredPlaylists.validate(from)
        try StoredPlaylists.validate(to)
        guard exists(from) else { throw ProtocolError(.noExist, "No such playlist") }
        guard !exists(to) else { throw ProtocolError(.exist, "Playlist already exists") }
        guard Glibc.rename(path(of: from), path(of: to)) == 0 else {
            throw ProtocolError(.system, "cannot rename playlist: \(String(cString: strerror(errno)))")
        }
    }

    /// Most bytes a playlist file may have (a million entries of ~100 bytes).
    static let maxFileBytes = 100 << 20

    /// The file's text; nil when it is absent, not a regular file (a FIFO named `x.m3u` must not block the core
    /// queue) or too large.
    private func readFile(_ path: String) -> String? {
        try? Files.readText(path, limit: StoredPlaylists.maxFileBytes)
    }

    /// Replaces the file atomically and answers before it is on the disk: the two `fsync`s (1.0–1.6 ms, measured
    /// for a 1.5 MB playlist on this project's test machine; MPD does none) run right after, on a queue of their
    /// own. A crash of elegyd loses nothing; a power cut within those milliseconds may lose the newest version (on
    /// file systems that do not flush a file renamed over another, as ext4 does, it may leave the playlist empty).
    private func writeAtomically(_ path: String, _ bytes: [UInt8]) throws(ProtocolError) {
        do {
            try Files.writeAtomically(bytes, to: path, directoryMode: 0o700, syncing: false)
        } catch {
            throw ProtocolError(.system, "cannot write \(path): \(error)")
        }
        StoredPlaylists.syncQueue.async { Files.syncToDisk(path) }
    }

    /// Where saved playlists are flushed to the disk, one after another, off the core queue.
    private static let syncQueue = DispatchQueue(label: "elegy.playlist-sync", qos: .utility)
}

extension Substring {
    /// The substring without leading and trailing characters from `set`.
    func trimmingCharacters(in set: String) -> Substring {
        var result = self
        while let first = result.first, set.contains(first) { result = result.dropFirst() }
        while let last = result.last, set.contains(last) { result = result.dropLast() }
        return result
    }
}

#if canImport(Glibc)
    import Glibc
#endif
import ElegyAudio
import ElegySystem

/// Walks the music directory (or part of it) and hands each candidate audio file to `found`, without opening any.
///
/// Blocking (readdir, stat): runs on the scanner's coordinator thread only. Hostile trees are survived:
/// symlink loops (every directory's (device, inode) is entered once), FIFOs, sockets and devices (skipped by
/// their `stat` type, never opened), unreadable directories and names that are not UTF-8 (reported), hidden
/// entries and names with line breaks (skipped: MPD clients could not be sent them). Symlinks are followed,
/// also to targets outside the music directory, as MPD's `follow_outside_symlinks` default does. Entries that are
/// neither audio files nor directories (cover art, FIFOs named `.txt`, ...) are skipped unseen, without a `stat`
/// when `readdir` gives their type, so their odd names are not reported either.
struct LibraryWalker {
    /// A file with an audio extension: one `stat` saw as a regular file, or one `readdir` listed as a regular file,
    /// which a reader thread then stats (`stamp(ofListed:)`), so that the walk itself stays short.
    struct Candidate: Sendable {
        var uri: String
        /// The music directory (one string shared by every candidate: no allocation per file for `path`).
        var root: String
        /// Size and mtime from `stat`; nil when only `readdir` has seen the file.
        var stamp: Stamp?

        /// The file's path, built when it is stat'ed or read: a path stored per candidate stayed allocated until
        /// the scan ended, between the URIs that the index keeps, and left the heap fragmented afterwards.
        var path: String { root + "/" + uri }
    }

    /// What a rescan compares with the index to decide whether a file changed.
    struct Stamp: Sendable, Equatable {
        var size: Int64
        var modified: Int64

        init(_ info: stat) {
            size = Int64(info.st_size)
            modified = Int64(info.st_mtim.tv_sec)
        }
    }

    /// The suffixes of every decoder plugin (libsndfile's and FFmpeg's).
    static let audioExtensions = Set(DecoderPlugin.allSuffixes)

    /// The music directory, without a trailing slash.
    let root: String
    /// Called with the candidates of each directory as soon as the walk has listed it (the scanner hands them to
    /// reader threads while the walk goes on); runs on the walking thread.
    let found: ([Candidate]) -> Void
    private(set) var failures: [ScanFailure] = []
    /// Each walked directory's modification time (Unix seconds), by relative path ("" is the root): MPD's
    /// `Last-Modified` of a directory.
    private(set) var directoryTimes: [String: Int64] = [:]
    private var visited = Set<DirectoryID>()

    private struct DirectoryID: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    init(root: String, found: @escaping ([Candidate]) -> Void) {
        self.root = root
        self.found = found
    }

    /// Whether a file name ends in one of the audio extensions (case-insensitive).
    static func hasAudioExtension(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { hasAudioExtension($0) }
    }

    /// `hasAudioExtension` on the name's bytes, without building a String (the walk asks for every entry).
    static func hasAudioExtension(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let dot = name.lastIndex(of: UInt8(ascii: ".")) else { return false }
        let length = name.count - dot - 1
        guard (1...4).contains(length) else { return false }
        var lowered: UInt32 = 0  // up to four lower-cased ASCII bytes, packed
        for byte in name[(dot + 1)...] {
            guard byte < 0x80 else { return false }
            let lower = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
            lowered = lowered << 8 | UInt32(lower)
        }
        return packedExtensions.contains(lowered)
    }

    /// `audioExtensions` packed as `hasAudioExtension` packs a name's suffix.
    private static let packedExtensions: Set<UInt32> = Set(
        audioExtensions.map { $0.utf8.reduce(UInt32(0)) { $0 << 8 | UInt32($1) } })

    /// Walks `scope` ("" for the whole music directory; a directory or a file).
    mutating func walk(scope: String) {
        let path = scope.isEmpty ? root : root + "/" + scope
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            // A vanished scope is not a failure: its songs are simply removed.
            if code != ENOENT && code != ENOTDIR {
                failures.append(ScanFailure(uri: scope, reason: SystemCallError.message(code)))
            }
            return
        }
        switch info.st_mode & S_IFMT {
        case S_IFDIR:
            walkTree(from: scope, path: path, info: info)
        case S_IFREG:
            let name = String(scope.split(separator: "/").last ?? "")
            if LibraryWalker.hasAudioExtension(name) { found([Candidate(uri: scope, root: root, stamp: Stamp(info))]) }
        default:
            failures.append(ScanFailure(uri: scope, reason: "not a regular file or directory"))
        }
    }

    private mutating func walkTree(from scope: String, path: String, info: stat) {
        // Depth-first with an explicit stack: a deep tree cannot overflow the thread's stack.
        var stack: [(uri: String, path: String, info: stat)] = [(scope, path, info)]
        while let directory = stack.popLast() {
            let id = DirectoryID(device: UInt64(directory.info.st_dev), inode: UInt64(directory.info.st_ino))
            guard visited.insert(id).inserted else { continue }  // a symlink loop or a second link to it
            directoryTimes[directory.uri] = Int64(directory.info.st_mtim.tv_sec)
            var children: [(uri: String, path: String, info: stat)] = []
            readDirectory(directory.uri, path: directory.path, into: &children)
            // Push in reverse so that directories are walked in name order (the order matters only for logs).
            stack.append(contentsOf: children.sorted { $0.uri > $1.uri })
        }
    }

    /// Lists one directory: audio files become candidates, subdirectories are returned in `subdirectories`.
    private mutating func readDirectory(
        _ uri: String, path: String, into subdirectories: inout [(uri: String, path: String, info: stat)]
    ) {
        guard let stream = opendir(path) else {
            failures.append(ScanFailure(uri: uri, reason: SystemCallError.message(errno)))
            return
        }
        var candidates: [Candidate] = []
        defer {
            closedir(stream)
            if !candidates.isEmpty { found(candidates) }
        }
        let directoryFD = dirfd(stream)
        while let entry = readdir(stream) {
            let kind = entry.pointee.d_type
            withUnsafeBytes(of: &entry.pointee.d_name) { raw in
                guard let base = raw.baseAddress?.assumingMemoryBound(to: CChar.self) else { return }
                let rawName = UnsafeBufferPointer(
                    start: UnsafeRawPointer(base).assumingMemoryBound(to: UInt8.self), count: strnlen(base, raw.count))
                if rawName.isEmpty || rawName[0] == UInt8(ascii: ".") { return }  // ".", "..", hidden
                let isAudio = LibraryWalker.hasAudioExtension(rawName)
                // Only audio files and directories matter: other regular files, FIFOs, sockets and devices need no
                // stat (the kernel's d_type says what they are; DT_UNKNOWN and symlinks are stat'ed).
                if !isAudio, kind != UInt8(DT_DIR), kind != UInt8(DT_LNK), kind != UInt8(DT_UNKNOWN) { return }
                guard let name = String(validating: rawName, as: UTF8.self) else {
                    let shown = String(decoding: rawName, as: UTF8.self)
                    failures.append(ScanFailure(uri: join(uri, shown), reason: "name is not valid UTF-8"))
                    return
                }
                let childURI = join(uri, name)
                if rawName.contains(UInt8(ascii: "\n")) || rawName.contains(UInt8(ascii: "\r")) {
                    failures.append(ScanFailure(uri: childURI, reason: "name contains a line break"))
                    return
                }
                if isAudio && kind == UInt8(DT_REG) {
                    // The reader thread stats it: the walk only lists.
                    candidates.append(Candidate(uri: childURI, root: root, stamp: nil))
                    return
                }
                // Relative to the open directory: the kernel does not walk the whole path again.
                var info = stat()
                guard fstatat(directoryFD, base, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
                    if isAudio { failures.append(ScanFailure(uri: childURI, reason: SystemCallError.message(errno))) }
                    return
                }
                if (info.st_mode & S_IFMT) == S_IFLNK {
                    guard fstatat(directoryFD, base, &info, 0) == 0 else {
                        if isAudio {
                            failures.append(
                                ScanFailure(uri: childURI, reason: "broken symlink: \(SystemCallError.message(errno))"))
                        }
                        return
                    }
                }
                switch info.st_mode & S_IFMT {
                case S_IFDIR:
                    subdirectories.append((childURI, path + "/" + name, info))
                case S_IFREG:
                    if isAudio { candidates.append(Candidate(uri: childURI, root: root, stamp: Stamp(info))) }
                default:
                    // FIFO, socket, device: never opened (opening a FIFO blocks until a writer comes).
                    if isAudio { failures.append(ScanFailure(uri: childURI, reason: "not a regular file")) }
                }
                return
            }
        }
    }

    /// What `stat` says about a candidate only `readdir` has seen.
    enum Listed {
        case file(Stamp)
        /// No longer a regular file but a directory: skipped (the next scan walks it).
        case directory
        /// Vanished, a broken symlink, or now a FIFO, socket or device.
        case failure(ScanFailure)
    }

    /// Stats a candidate only `readdir` has seen, as the walk stats entries. Blocking; runs on a reader thread.
    static func stamp(ofListed candidate: Candidate) -> Listed {
        let path = candidate.path
        var info = stat()
        guard lstat(path, &info) == 0 else {
            return .failure(ScanFailure(uri: candidate.uri, reason: SystemCallError.message(errno)))
        }
        if (info.st_mode & S_IFMT) == S_IFLNK, stat(path, &info) != 0 {
            return .failure(ScanFailure(uri: candidate.uri, reason: "broken symlink: \(SystemCallError.message(errno))"))
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .file(Stamp(info))
        case S_IFDIR: return .directory
        default: return .failure(ScanFailure(uri: candidate.uri, reason: "not a regular file"))
        }
    }

    private func join(_ directory: String, _ name: String) -> String {
        directory.isEmpty ? name : directory + "/" + name
    }
}

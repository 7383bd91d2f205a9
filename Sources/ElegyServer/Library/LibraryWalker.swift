#if canImport(Glibc)
    import Glibc
#endif

/// Walks the music directory (or part of it) and lists candidate audio files, without opening any of them.
///
/// Blocking (readdir, stat): runs on the scanner's coordinator thread only. Hostile trees are survived:
/// symlink loops (every directory's (device, inode) is entered once), FIFOs, sockets and devices (skipped by
/// their `stat` type, never opened), unreadable directories and names that are not UTF-8 (reported), hidden
/// entries and names with line breaks (skipped: MPD clients could not be sent them). Symlinks are followed,
/// also to targets outside the music directory, as MPD's `follow_outside_symlinks` default does.
struct LibraryWalker {
    /// A regular file with an audio extension, as `stat` saw it.
    struct Candidate: Sendable {
        var uri: String
        var path: String
        var size: Int64
        var modified: Int64
    }

    static let audioExtensions: Set<String> = [
        "flac", "wav", "wave", "aif", "aiff", "aifc", "ogg", "oga", "opus", "mp3", "caf", "w64",
    ]

    /// The music directory, without a trailing slash.
    let root: String
    private(set) var candidates: [Candidate] = []
    private(set) var failures: [ScanFailure] = []
    private var visited = Set<DirectoryID>()

    private struct DirectoryID: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    init(root: String) {
        self.root = root
    }

    /// Whether a file name ends in one of the audio extensions (case-insensitive).
    static func hasAudioExtension(_ name: String) -> Bool {
        guard let dot = name.utf8.lastIndex(of: UInt8(ascii: ".")) else { return false }
        let suffix = name.utf8[name.utf8.index(after: dot)...]
        guard suffix.count <= 4, let text = String(suffix) else { return false }
        return audioExtensions.contains(text.lowercased())
    }

    /// Walks `scope` ("" for the whole music directory; a directory or a file).
    mutating func walk(scope: String) {
        let path = scope.isEmpty ? root : root + "/" + scope
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            // A vanished scope is not a failure: its songs are simply removed.
            if code != ENOENT && code != ENOTDIR {
                failures.append(ScanFailure(uri: scope, reason: FileSystem.message(code)))
            }
            return
        }
        switch info.st_mode & S_IFMT {
        case S_IFDIR:
            walkTree(from: scope, path: path, info: info)
        case S_IFREG:
            let name = String(scope.split(separator: "/").last ?? "")
            if LibraryWalker.hasAudioExtension(name) { addCandidate(uri: scope, path: path, info: info) }
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
            failures.append(ScanFailure(uri: uri, reason: FileSystem.message(errno)))
            return
        }
        defer { closedir(stream) }
        while let entry = readdir(stream) {
            let rawName = withUnsafeBytes(of: &entry.pointee.d_name) { raw -> [UInt8] in
                let bytes = raw.bindMemory(to: UInt8.self)
                let length = bytes.firstIndex(of: 0) ?? bytes.count
                return Array(bytes[..<length])
            }
            if rawName.isEmpty || rawName.first == UInt8(ascii: ".") { continue }  // ".", "..", hidden
            guard let name = String(validating: rawName, as: UTF8.self) else {
                let shown = String(decoding: rawName, as: UTF8.self)
                failures.append(ScanFailure(uri: join(uri, shown), reason: "name is not valid UTF-8"))
                continue
            }
            let childURI = join(uri, name)
            if name.utf8.contains(UInt8(ascii: "\n")) || name.utf8.contains(UInt8(ascii: "\r")) {
                failures.append(ScanFailure(uri: childURI, reason: "name contains a line break"))
                continue
            }
            let childPath = path + "/" + name
            var info = stat()
            guard lstat(childPath, &info) == 0 else {
                if LibraryWalker.hasAudioExtension(name) {
                    failures.append(ScanFailure(uri: childURI, reason: FileSystem.message(errno)))
                }
                continue
            }
            if (info.st_mode & S_IFMT) == S_IFLNK {
                guard stat(childPath, &info) == 0 else {
                    if LibraryWalker.hasAudioExtension(name) {
                        failures.append(
                            ScanFailure(uri: childURI, reason: "broken symlink: \(FileSystem.message(errno))"))
                    }
                    continue
                }
            }
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                subdirectories.append((childURI, childPath, info))
            case S_IFREG:
                if LibraryWalker.hasAudioExtension(name) { addCandidate(uri: childURI, path: childPath, info: info) }
            default:
                // FIFO, socket, device: never opened (opening a FIFO blocks until a writer comes).
                if LibraryWalker.hasAudioExtension(name) {
                    failures.append(ScanFailure(uri: childURI, reason: "not a regular file"))
                }
            }
        }
    }

    private mutating func addCandidate(uri: String, path: String, info: stat) {
        candidates.append(
            Candidate(uri: uri, path: path, size: Int64(info.st_size), modified: Int64(info.st_mtim.tv_sec)))
    }

    private func join(_ directory: String, _ name: String) -> String {
        directory.isEmpty ? name : directory + "/" + name
    }
}

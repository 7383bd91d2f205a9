#if canImport(Glibc)
    import Glibc
#endif

/// Every file operation Elegy does on paths: whole-file reads, atomic writes with a mode, `mkdir -p` with a mode,
/// directory listings. All blocking: call them from the scanner's threads, the core queue outside the lock, or
/// start-up code, never from a NIO event loop or the audio thread.
public enum Files {
    /// The whole content of a regular file. Refuses what is not a regular file (`EISDIR`/`EINVAL`: a FIFO named
    /// `x.m3u` must not block the caller) and files larger than `limit` bytes (`EFBIG`).
    public static func read(_ path: String, limit: Int = 1 << 30) throws(SystemCallError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw SystemCallError("open", path: path) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw SystemCallError("fstat", path: path) }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw SystemCallError("read", path: path, code: EISDIR)
        default: throw SystemCallError("read", path: path, code: EINVAL)
        }
        guard info.st_size >= 0, info.st_size <= limit else { throw SystemCallError("read", path: path, code: EFBIG) }
        let size = Int(info.st_size)
        var failure: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            var done = 0
            while done < size, let base = buffer.baseAddress {
                let got = Glibc.read(fd, base + done, size - done)
                if got < 0 && errno == EINTR { continue }
                if got < 0 { failure = errno }
                if got <= 0 { break }
                done += got
            }
            count = done
        }
        if failure != 0 { throw SystemCallError("read", path: path, code: failure) }
        // The file shrank while it was read: what was read is not the file.
        guard bytes.count == size else { throw SystemCallError("read", path: path, code: EIO) }
        return bytes
    }

    /// The whole file as text (invalid UTF-8 repaired with U+FFFD).
    public static func readText(_ path: String, limit: Int = 1 << 30) throws(SystemCallError) -> String {
        String(decoding: try read(path, limit: limit), as: UTF8.self)
    }

    /// Writes `bytes` to `path` atomically: a temp file beside it (created with `mode`), `fsync`, `rename`, then
    /// `fsync` of the directory. Missing parent directories are created with `directoryMode`. On failure the old
    /// file is untouched and no temp file is left behind. With `syncing: false` the two `fsync`s are left to the
    /// caller (see `syncToDisk`): the replace is still atomic for every reader and against a crash of the process,
    /// only not yet against a power cut.
    public static func writeAtomically(
        _ bytes: some Collection<UInt8>, to path: String, mode: mode_t = 0o644, directoryMode: mode_t = 0o755,
        syncing: Bool = true
    ) throws(SystemCallError) {
        let directory = parent(of: path)
        try makeDirectories(directory, mode: directoryMode)
        let name = path.split(separator: "/").last.map(String.init) ?? "file"
        let temp = "\(directory)/.\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw SystemCallError("open", path: temp) }
        var renamed = false
        defer { if !renamed { unlink(temp) } }
        do {
            defer { close(fd) }
            // A native string's UTF-8 is written where it lies; other collections are gathered first.
            let failure: Int32 =
                bytes.withContiguousStorageIfAvailable { writeAll(UnsafeRawBufferPointer($0), to: fd) }
                ?? Array(bytes).withUnsafeBytes { writeAll($0, to: fd) }
            if failure != 0 { throw SystemCallError("write", path: temp, code: failure) }
            guard !syncing || fsync(fd) == 0 else { throw SystemCallError("fsync", path: temp) }
        }
        guard rename(temp, path) == 0 else { throw SystemCallError("rename", path: path) }
        renamed = true
        guard syncing else { return }
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directoryFD >= 0 else { throw SystemCallError("open", path: directory) }
        defer { close(directoryFD) }
        guard fsync(directoryFD) == 0 else { throw SystemCallError("fsync", path: directory) }
    }

    /// Writes every byte of `raw` to `descriptor`, going on after short writes and interruptions; 0, or the
    /// `errno` of the write that failed (EIO for one that wrote nothing, which would otherwise repeat forever).
    public static func writeAll(_ raw: UnsafeRawBufferPointer, to descriptor: Int32) -> Int32 {
        var written = 0
        while written < raw.count, let base = raw.baseAddress {
            let result = write(descriptor, base + written, raw.count - written)
            if result < 0 {
                if errno == EINTR { continue }
                return errno
            }
            if result == 0 { return EIO }
            written += result
        }
        return 0
    }

    /// Flushes `path` and its directory to the disk (`fsync` of both): what `writeAtomically(syncing: false)` left
    /// to do. Blocking; false when the file or directory cannot be opened or synced (the file may be gone).
    @discardableResult
    public static func syncToDisk(_ path: String) -> Bool {
        var synced = true
        for target in [path, parent(of: path)] {
            let fd = open(target, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { return false }
            synced = fsync(fd) == 0 && synced
            close(fd)
        }
        return synced
    }

    /// `mkdir -p`: creates each missing component of `path` with `mode`; existing directories are left as they are.
    public static func makeDirectories(_ path: String, mode: mode_t) throws(SystemCallError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, mode) != 0 && errno != EEXIST {
                throw SystemCallError("mkdir", path: current)
            }
        }
    }

    /// The names in `directory` (without `.` and `..`), unsorted.
    public static func list(_ directory: String) throws(SystemCallError) -> [String] {
        try entries(directory).map(\.name)
    }

    /// The entries of `directory` (without `.` and `..`), unsorted, each with whether it is a directory itself and
    /// whether it is a symbolic link: the kernel's `d_type`, or `lstat` where the file system gives none. Symbolic
    /// links are not followed.
    public static func entries(_ directory: String) throws(SystemCallError)
        -> [(name: String, isDirectory: Bool, isSymlink: Bool)]
    {
        guard let stream = opendir(directory) else { throw SystemCallError("opendir", path: directory) }
        defer { closedir(stream) }
        var found: [(name: String, isDirectory: Bool, isSymlink: Bool)] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name != "." && name != ".." else { continue }
            var isDirectory = entry.pointee.d_type == UInt8(DT_DIR)
            var isSymlink = entry.pointee.d_type == UInt8(DT_LNK)
            if entry.pointee.d_type == UInt8(DT_UNKNOWN) {
                var info = stat()
                if lstat(directory + "/" + name, &info) == 0 {
                    isDirectory = info.st_mode & S_IFMT == S_IFDIR
                    isSymlink = info.st_mode & S_IFMT == S_IFLNK
                }
            }
            found.append((name, isDirectory, isSymlink))
        }
        return found
    }

    /// The text of every file in `directories` whose name passes `include`: directory by directory, names sorted
    /// bytewise within each; directories that do not exist are skipped.
    public static func readTextFiles(in directories: [String], where include: (String) -> Bool)
        throws(SystemCallError) -> [(path: String, text: String)]
    {
        var files: [(path: String, text: String)] = []
        for directory in directories where isDirectory(directory) {
            let base = directory.hasSuffix("/") ? directory : directory + "/"
            for name in try list(directory).sorted() where include(name) {
                files.append((base + name, try readText(base + name)))
            }
        }
        return files
    }

    /// Whether `path` names a directory (following symlinks).
    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// `path` up to its last slash: `/a/b` → `/a`, `/a` → `/`, `a` → `.`.
    public static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}

#if canImport(Glibc)
    import Glibc
#endif

/// Small POSIX helpers for the library: whole-file reads, atomic writes, `strerror`. Blocking: call them only
/// from the scanner's threads or from synchronous entry points (`loadCache`), never from an event loop.
enum FileSystem {
    /// An errno's text ("Permission denied").
    static func message(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }

    /// The whole content of a regular file, or nil when it cannot be read or is larger than `limit` bytes.
    static func readFile(_ path: String, limit: Int = 1 << 30) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_size >= 0,
            info.st_size <= limit
        else { return nil }
        let size = Int(info.st_size)
        var failed = false
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            var done = 0
            while done < size, let base = buffer.baseAddress {
                let got = read(fd, base + done, size - done)
                if got < 0 && errno == EINTR { continue }
                if got <= 0 {
                    failed = got < 0
                    break
                }
                done += got
            }
            count = done
        }
        return failed || bytes.count != size ? nil : bytes
    }

    /// Writes `bytes` to `path` atomically: a temp file beside it, `fsync`, `rename`, then `fsync` of the
    /// directory. Creates missing parent directories. Throws a message naming the failing call.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws(FileSystemError) {
        let directory = LibraryIndex.parent(of: path)
        if !directory.isEmpty { makeDirectories(directory) }
        let temp = "\(path).tmp-\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileSystemError(call: "open", path: temp, code: errno) }
        var written = 0
        let failure: FileSystemError? = bytes.withUnsafeBytes { raw in
            while written < raw.count, let base = raw.baseAddress {
                let result = write(fd, base + written, raw.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    return FileSystemError(call: "write", path: temp, code: errno)
                }
                written += result
            }
            return fsync(fd) == 0 ? nil : FileSystemError(call: "fsync", path: temp, code: errno)
        }
        close(fd)
        if let failure {
            unlink(temp)
            throw failure
        }
        guard rename(temp, path) == 0 else {
            let code = errno
            unlink(temp)
            throw FileSystemError(call: "rename", path: path, code: code)
        }
        let directoryFD = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            fsync(directoryFD)
            close(directoryFD)
        }
    }

    /// `mkdir -p`: creates each missing component (mode 0755); errors surface later when the file is opened.
    static func makeDirectories(_ path: String) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += prefix.isEmpty || prefix.hasSuffix("/") ? String(component) : "/" + component
            mkdir(prefix, 0o755)
        }
    }
}

/// A failed system call on a file, with `strerror`'s text.
struct FileSystemError: Error, CustomStringConvertible {
    var call: String
    var path: String
    var code: Int32

    var description: String { "\(call)(\(path)): \(FileSystem.message(code))" }
}

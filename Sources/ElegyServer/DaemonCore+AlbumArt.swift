#if canImport(Glibc)
    import Glibc
#endif
import ElegyAudio
import ElegyCore

/// `albumart URI OFFSET`: the cover image in the song's directory, and `readpicture URI OFFSET`: the picture in its
/// tags, in chunks of the client's `binarylimit`, as MPD sends them (`size`, `binary`, the bytes, a newline). Both
/// read files: they are file commands (`add.files`), on the core queue without the core lock.
extension DaemonCore {
    /// The file names MPD looks for, in its order.
    static let coverNames = ["cover.png", "cover.jpg", "cover.jpeg", "cover.webp", "cover.tiff", "cover.bmp"]
    /// Covers larger than this are not served (a stray huge file named cover.png).
    static let maxCoverBytes = 32 << 20

    static func addAlbumArtCommands(_ add: CommandAdder) {
        add.files("albumart", 2...2) { context throws(ProtocolError) in
            let offset = try Arguments.parseUnsigned(context.arguments[1])
            guard let directory = context.library.coverDirectory(of: context.arguments[0]) else {
                throw ProtocolError(.noExist, "No such song")
            }
            for name in DaemonCore.coverNames {
                guard let chunk = readChunk(of: directory + "/" + name, at: offset, limit: context.client.binaryLimit) else {
                    continue
                }
                guard offset <= chunk.total else { throw ProtocolError(.arg, "Bad file offset") }
                context.response.field("size", chunk.total)
                context.response.field("binary", chunk.bytes.count)
                context.response.appendRaw(chunk.bytes)
                context.response.appendRaw(CollectionOfOne(0x0A))
                return
            }
            throw ProtocolError(.noExist, "No file exists")
        }
        // The picture inside the song's tags (FLAC only for now); a song without one gets an empty answer, as MPD.
        add.files("readpicture", 2...2) { context throws(ProtocolError) in
            let offset = try Arguments.parseUnsigned(context.arguments[1])
            guard context.library.song(uri: context.arguments[0]) != nil,
                let path = context.library.absolutePath(of: context.arguments[0])
            else { throw ProtocolError(.noExist, "No such song") }
            guard path.lowercased().hasSuffix(".flac"), let picture = EmbeddedPicture.read(fromFLAC: path) else {
                return
            }
            guard offset <= picture.bytes.count else { throw ProtocolError(.arg, "Bad file offset") }
            let chunk = picture.bytes[offset..<min(picture.bytes.count, offset + context.client.binaryLimit)]
            context.response.field("size", picture.bytes.count)
            context.response.field("type", picture.mimeType)
            context.response.field("binary", chunk.count)
            context.response.appendRaw(chunk)
            context.response.appendRaw(CollectionOfOne(0x0A))
        }
    }

    /// Up to `limit` bytes of the regular file at `path` from `offset`, and its size; nil when it is absent, not
    /// a regular file or too large.
    private static func readChunk(of path: String, at offset: Int, limit: Int) -> (total: Int, bytes: [UInt8])? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_size <= maxCoverBytes else {
            return nil
        }
        let total = Int(info.st_size)
        let wanted = max(0, min(limit, total - offset))
        var failed = false
        let bytes = [UInt8](unsafeUninitializedCapacity: wanted) { buffer, count in
            var done = 0
            while done < wanted, let base = buffer.baseAddress {
                let got = pread(fd, base + done, wanted - done, off_t(offset + done))
                if got < 0 && errno == EINTR { continue }
                if got <= 0 {
                    failed = true
                    break
                }
                done += got
            }
            count = done
        }
        return failed ? nil : (total, bytes)
    }
}

extension MusicLibrary {
    /// The absolute directory of a library song or of a directory URI; nil when neither exists.
    func coverDirectory(of uri: String) -> String? {
        let trimmed = normalizedDirectory(uri)
        if song(uri: trimmed) != nil, let path = absolutePath(of: trimmed) {
            guard let slash = path.lastIndex(of: "/") else { return nil }
            return String(path[..<slash])
        }
        guard !allSongs(under: trimmed).isEmpty else { return nil }
        return trimmed.isEmpty ? root : absolutePath(of: trimmed)
    }
}

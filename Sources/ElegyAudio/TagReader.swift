import CSndFile
import ElegyCore

#if canImport(Glibc)
    import Glibc
#endif

/// Reads a library entry (tags, duration, format) from a file: native FLAC files through libFLAC's metadata API
/// (`FLACTagReader`, which reads only the metadata blocks and runs on every scanner thread at once), everything else
/// — and every FLAC file libFLAC refuses — through libsndfile. Both give the same `Song` for the same file.
public enum TagReader {
    /// Builds the `Song` for the file at `path`, whose URI in the library is `uri`.
    /// Tags the file lacks stay nil (the path fallback belongs to the scanner). Throws when the file cannot be
    /// opened or is not audio libsndfile reads.
    public static func song(atPath path: String, uri: String, size: Int64, modified: Int64) throws(DecoderError)
        -> Song
    {
        if FLACTagReader.handles(path) {
            let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
            if fd >= 0 {
                defer { close(fd) }
                var info = stat()
                if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG,
                    let found = FLACTagReader.read(fileDescriptor: fd, size: Int64(info.st_size))
                {
                    return song(found, uri: uri, size: size, modified: modified)
                }
            }
        }
        return try songWithLibsndfile(atPath: path, uri: uri, size: size, modified: modified)
    }

    /// Like `song(atPath:uri:size:modified:)` for a file the caller has already opened (non-blocking, read-only) and
    /// stat'ed (`size` bytes): the scanner's entry, which saves a second `open` and `fstat` per FLAC file. Should the
    /// descriptor not be a regular file after all, the FLAC reader's reads fail and the libsndfile fallback, which
    /// opens `path` itself and checks it, reports it. `fd` stays open.
    public static func song(
        fileDescriptor fd: Int32, path: String, uri: String, size: Int64, modified: Int64
    ) throws(DecoderError) -> Song {
        if FLACTagReader.handles(path), let found = FLACTagReader.read(fileDescriptor: fd, size: size) {
            return song(found, uri: uri, size: size, modified: modified)
        }
        return try songWithLibsndfile(atPath: path, uri: uri, size: size, modified: modified)
    }

    /// The `Song` as libsndfile reads it (`sf_open` + `sf_get_string`): every format, and the reference the FLAC fast
    /// path is tested against.
    static func songWithLibsndfile(atPath path: String, uri: String, size: Int64, modified: Int64)
        throws(DecoderError) -> Song
    {
        let decoder = try Decoder(path: path)
        return Song(
            uri: uri,
            title: decoder.tag(Int32(SF_STR_TITLE)),
            artist: decoder.tag(Int32(SF_STR_ARTIST)),
            album: decoder.tag(Int32(SF_STR_ALBUM)),
            track: decoder.tag(Int32(SF_STR_TRACKNUMBER)),
            date: decoder.tag(Int32(SF_STR_DATE)),
            genre: decoder.tag(Int32(SF_STR_GENRE)),
            duration: decoder.duration,
            format: decoder.format,
            size: size,
            modified: modified
        )
    }

    private static func song(_ info: FLACTagReader.Info, uri: String, size: Int64, modified: Int64) -> Song {
        Song(
            uri: uri, title: info.title, artist: info.artist, album: info.album, track: info.track, date: info.date,
            genre: info.genre, duration: info.duration, format: info.format, size: size, modified: modified)
    }
}

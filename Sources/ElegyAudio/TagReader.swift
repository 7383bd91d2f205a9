import CElegyTagLib
import CSndFile
import ElegyCore

#if canImport(Glibc)
    import Glibc
#endif

/// Reads a library entry (tags, duration, format) from a file: native FLAC files through libFLAC's metadata API
/// (`FLACTagReader`, which reads only the metadata blocks and runs on every scanner thread at once); AAC and ALAC in
/// MP4 through FFmpeg's container alone (`Decoder.probeContainer`) and TagLib; everything else — and every FLAC file
/// libFLAC refuses — through the decoder (`Decoder`: libsndfile or FFmpeg) for the audio and TagLib for the tags,
/// with libsndfile's own strings where TagLib does not know the file.
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
        return try songWithDecoder(atPath: path, uri: uri, size: size, modified: modified)
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
        return try songWithDecoder(atPath: path, uri: uri, size: size, modified: modified)
    }

    /// The `Song` as the decoder and TagLib read it: every format, and the reference the FLAC fast path is tested
    /// against. Throws the decoder's error for a file it cannot open.
    static func songWithDecoder(atPath path: String, uri: String, size: Int64, modified: Int64)
        throws(DecoderError) -> Song
    {
        if DecoderPlugin.forPath(path) == .ffmpeg, let probed = try Decoder.probeContainer(path: path) {
            var song = Song(uri: uri, duration: probed.duration, format: probed.format, size: size, modified: modified)
            _ = readTagLibTags(path, into: &song)
            return song
        }
        let decoder = try Decoder(path: path)
        var song = Song(uri: uri, duration: decoder.duration, format: decoder.format, size: size, modified: modified)
        if !readTagLibTags(path, into: &song), decoder.plugin == .sndfile {
            let strings: [(TagType, Int32)] = [
                (.title, Int32(SF_STR_TITLE)), (.artist, Int32(SF_STR_ARTIST)), (.album, Int32(SF_STR_ALBUM)),
                (.track, Int32(SF_STR_TRACKNUMBER)), (.date, Int32(SF_STR_DATE)), (.genre, Int32(SF_STR_GENRE)),
            ]
            for (tag, kind) in strings { if let value = decoder.tag(kind) { song.add(tag, value) } }
        }
        return song
    }

    /// Adds the tags TagLib reads from `path` to `song`, each value trimmed; false when TagLib does not know the file.
    static func readTagLibTags(_ path: String, into song: inout Song) -> Bool {
        withUnsafeMutablePointer(to: &song) { pointer in
            elegy_taglib_read(path, pointer, { context, key, value in
                guard let context, let key, let value else { return }
                let name = String(cString: key)
                let song = context.assumingMemoryBound(to: Song.self)
                if let tag = TagType(fileKey: name) {
                    song.pointee.add(tag, String(cString: value).trimmingWhitespace())
                } else {
                    _ = song.pointee.replayGain.take(name, String(cString: value))
                }
            }, nil) == 1
        }
    }

    private static func song(_ info: FLACTagReader.Info, uri: String, size: Int64, modified: Int64) -> Song {
        var song = Song(uri: uri, duration: info.duration, format: info.format, size: size, modified: modified)
        for tag in info.tags { song.add(tag.tag, tag.value) }
        song.replayGain = info.replayGain
        return song
    }
}

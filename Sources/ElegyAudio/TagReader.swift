import CSndFile
import ElegyCore

/// Reads a library entry (tags, duration, format) from a file through libsndfile.
public enum TagReader {
    /// Builds the `Song` for the file at `path`, whose URI in the library is `uri`.
    /// Tags the file lacks stay nil (the path fallback belongs to the scanner). Throws when libsndfile
    /// cannot open the file.
    public static func song(atPath path: String, uri: String, size: Int64, modified: Int64) throws(DecoderError)
        -> Song
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
}

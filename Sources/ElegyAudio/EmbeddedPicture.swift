import CFLAC

/// A picture stored inside an audio file's tags (a FLAC PICTURE block), for MPD's `readpicture`.
public struct EmbeddedPicture: Sendable, Equatable {
    /// The image's MIME type as the file declares it ("image/jpeg").
    public var mimeType: String
    public var bytes: [UInt8]

    /// The front cover of the FLAC file at `path`, else its first picture of any type; nil when the file has none,
    /// is not a FLAC file or cannot be read. Blocking file I/O.
    public static func read(fromFLAC path: String) -> EmbeddedPicture? {
        let frontCover = FLAC__STREAM_METADATA_PICTURE_TYPE_FRONT_COVER
        let anyType = FLAC__StreamMetadata_Picture_Type(rawValue: UInt32.max)
        for type in [frontCover, anyType] {
            var block: UnsafeMutablePointer<FLAC__StreamMetadata>?
            // UInt32.max for the size limits: no limit (libFLAC's own convention, as for the type).
            guard FLAC__metadata_get_picture(path, &block, type, nil, nil, .max, .max, .max, .max) != 0,
                let block
            else { continue }
            defer { FLAC__metadata_object_delete(block) }
            let picture = block.pointee.data.picture
            let mimeType = picture.mime_type.map { String(cString: $0) } ?? "application/octet-stream"
            let count = Int(picture.data_length)
            let bytes = picture.data.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
            return EmbeddedPicture(mimeType: mimeType, bytes: bytes)
        }
        return nil
    }
}

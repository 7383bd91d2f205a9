// A small C face over FFmpeg's libavformat/libavcodec for the formats libsndfile cannot read (AAC and ALAC in MP4,
// WavPack, APE, WMA, ...). FFmpeg's API is macro-heavy (AVERROR, AV_NOPTS_VALUE, planar frames), so the packet and
// frame loop lives here and Swift sees four calls: open, read interleaved frames, seek, close.
#ifndef ELEGY_FFMPEG_H
#define ELEGY_FFMPEG_H

#include <stddef.h>
#include <stdint.h>

/// How decoded samples are delivered: the narrowest type that keeps them unconverted.
typedef enum {
    ELEGY_AV_INT16 = 0,
    ELEGY_AV_INT32 = 1,  // left-justified, as libsndfile delivers 24-bit PCM
    ELEGY_AV_FLOAT = 2,
} ElegyAVSampleKind;

/// What an opened stream is.
typedef struct {
    int sample_rate;
    int channels;
    ElegyAVSampleKind sample_kind;
    /// Significant bits of the source (16, 24, 32); 32 for float.
    int bits;
    /// Frames after encoder delay and padding are trimmed; -1 when the container does not say.
    int64_t frames;
    /// The codec's own bit rate in bits per second, 0 when unknown.
    int64_t bit_rate;
    /// FFmpeg's short codec name ("aac", "alac", "wavpack").
    char codec[32];
    /// Whether the codec keeps every sample.
    int lossless;
} ElegyAVInfo;

typedef struct ElegyAV ElegyAV;

/// Opens `path` (a regular file) and its best audio stream's decoder. Returns NULL with `error` filled on failure.
ElegyAV *elegy_av_open(const char *path, ElegyAVInfo *info, char *error, size_t error_size);

/// Reads up to `frames` interleaved frames into `buffer` in the stream's sample kind. Returns the frames read,
/// 0 at the end, -1 with `error` filled when the file is damaged.
long elegy_av_read(ElegyAV *stream, void *buffer, long frames, char *error, size_t error_size);

/// What a library scan needs of `path` (rate, channels, sample kind, frames), read from the container alone,
/// without opening a decoder or reading packets: for AAC and ALAC in MP4, whose decoders' output is known from the
/// codec, opening the decoder was most of a scan's time. Returns 1 with `info` filled, 0 for a codec this does not
/// cover (open it with `elegy_av_open`), -1 with `error` filled when FFmpeg cannot read the file.
int elegy_av_probe(const char *path, ElegyAVInfo *info, char *error, size_t error_size);

/// Unloads FFmpeg's libraries when no stream is open (the next `elegy_av_open` loads them again): a scan of M4A
/// files leaves them mapped, about 20 MB of resident memory that playback of FLAC and MP3 never needs. Returns 1
/// when they were unloaded, 0 when they were not loaded or a stream is open.
int elegy_av_unload_if_unused(void);

/// Moves to `frame` (sample-accurate: decodes from the preceding key point and drops frames up to it).
/// Returns 0, or -1 with `error` filled.
int elegy_av_seek(ElegyAV *stream, int64_t frame, char *error, size_t error_size);

/// Closes the stream and frees everything it holds.
void elegy_av_close(ElegyAV *stream);

#endif

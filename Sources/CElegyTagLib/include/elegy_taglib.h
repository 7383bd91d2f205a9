// A C face over TagLib for the scanner: one call reads a file's tags as TagLib's unified property map (the names
// TagLib derives from ID3v2/ID3v1 frames, Vorbis comments, MP4 atoms, APEv2 and ASF items) and its audio properties.
#ifndef ELEGY_TAGLIB_H
#define ELEGY_TAGLIB_H

#ifdef __cplusplus
extern "C" {
#endif

/// Receives one tag value: `key` is TagLib's property name ("ARTIST", "TRACKNUMBER", "MUSICBRAINZ_ALBUMID"), both
/// strings UTF-8 and NUL-terminated, valid only during the call. A multi-valued tag calls once per value.
typedef void (*ElegyTagVisitor)(void *context, const char *key, const char *value);

/// What TagLib says about the audio; zero where it does not know.
typedef struct {
    int length_ms;
    int sample_rate;
    int channels;
    int bits_per_sample;
    int bitrate_kbps;
} ElegyTagAudio;

/// Reads `path`'s tags into `visitor` and, when `audio` is not NULL, its audio properties. Returns 1 when TagLib
/// recognised the file, 0 when it did not (unknown format, unreadable, damaged).
int elegy_taglib_read(const char *path, void *context, ElegyTagVisitor visitor, ElegyTagAudio *audio);

#ifdef __cplusplus
}
#endif

#endif

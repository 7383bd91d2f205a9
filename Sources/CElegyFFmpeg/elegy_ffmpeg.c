// The FFmpeg decoding loop behind ElegyAudio's `Decoder` for formats libsndfile lacks. See include/elegy_ffmpeg.h.
#include "elegy_ffmpeg.h"

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/// Undecodable packets in a row after which a file counts as damaged rather than merely scratched.
enum { MAX_BAD_PACKETS_IN_A_ROW = 64 };

struct ElegyAV {
    AVFormatContext *format;
    AVCodecContext *codec;
    AVPacket *packet;
    AVFrame *frame;
    int stream_index;
    ElegyAVInfo info;
    /// Samples of `frame` already delivered; `frame_ready` while some are left.
    int frame_offset;
    int frame_ready;
    /// av_read_frame reached the end and the decoder was sent its flush packet.
    int input_ended;
    /// The next frame `elegy_av_read` delivers, counted from the start of the (trimmed) stream.
    int64_t position;
    /// Decoded frames still to drop before `position` is reached (after a seek to a key point before it).
    int64_t drop;
};

// FFmpeg is loaded on the first file that needs it, not linked: linked, libavcodec and libavformat made elegyd map
// about 140 shared libraries instead of 18 (x264, libxml2 and ICU, libbluray, ...), for a library that may be all
// FLAC and MP3. The headers still give the types and the ABI; the soname comes from the same headers, so it
// matches what was compiled against. The #define list below must name what the table holds: a name missing from
// it calls the unlinked symbol and fails the link, an extra one fails the compile.
#define ELEGY_AV_FUNCTIONS(X)                                                                                          \
    X(avformat, avformat_open_input)                                                                                   \
    X(avformat, avformat_find_stream_info)                                                                             \
    X(avformat, av_find_best_stream)                                                                                   \
    X(avformat, av_read_frame)                                                                                         \
    X(avformat, av_seek_frame)                                                                                         \
    X(avformat, avformat_close_input)                                                                                  \
    X(avformat, av_find_input_format)                                                                                  \
    X(avcodec, av_packet_alloc)                                                                                        \
    X(avcodec, av_packet_free)                                                                                         \
    X(avcodec, av_packet_unref)                                                                                        \
    X(avcodec, avcodec_alloc_context3)                                                                                 \
    X(avcodec, avcodec_descriptor_get)                                                                                 \
    X(avcodec, avcodec_flush_buffers)                                                                                  \
    X(avcodec, avcodec_free_context)                                                                                   \
    X(avcodec, avcodec_open2)                                                                                          \
    X(avcodec, avcodec_parameters_to_context)                                                                          \
    X(avcodec, avcodec_receive_frame)                                                                                  \
    X(avcodec, avcodec_send_packet)                                                                                    \
    X(avutil, av_frame_alloc)                                                                                          \
    X(avutil, av_frame_free)                                                                                           \
    X(avutil, av_get_bytes_per_sample)                                                                                 \
    X(avutil, av_log_set_level)                                                                                        \
    X(avutil, av_rescale)                                                                                              \
    X(avutil, av_rescale_q)                                                                                            \
    X(avutil, av_sample_fmt_is_planar)                                                                                 \
    X(avutil, av_strerror)

static struct {
#define ELEGY_AV_POINTER(library, name) __typeof__(&name) name;
    ELEGY_AV_FUNCTIONS(ELEGY_AV_POINTER)
#undef ELEGY_AV_POINTER
} ffmpeg;

/// Why loading FFmpeg failed; empty once it is loaded.
static char load_failure[512];
/// Guards the handles, `users` and the table while FFmpeg is loaded or unloaded.
static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;
static void *handles[3];
/// Open streams: FFmpeg stays loaded while there is one.
static long users;

static void *open_library(const char *soname) {
    void *handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!handle && !load_failure[0]) {
        const char *reason = dlerror();
        snprintf(load_failure, sizeof load_failure, "FFmpeg is not installed (%s)", reason ? reason : soname);
    }
    return handle;
}

static void close_libraries(void) {
    for (int index = 2; index >= 0; index--) {
        if (handles[index]) dlclose(handles[index]);
        handles[index] = NULL;
    }
}

/// Under `load_lock`: loads the three libraries and fills the table, unless they are loaded. 0, or -1 with
/// `load_failure` filled (and nothing left loaded).
static int load_ffmpeg(void) {
    if (handles[0]) return 0;
    load_failure[0] = 0;
    void *avutil = handles[0] = open_library("libavutil.so." AV_STRINGIFY(LIBAVUTIL_VERSION_MAJOR));
    void *avcodec = handles[1] = open_library("libavcodec.so." AV_STRINGIFY(LIBAVCODEC_VERSION_MAJOR));
    void *avformat = handles[2] = open_library("libavformat.so." AV_STRINGIFY(LIBAVFORMAT_VERSION_MAJOR));
    if (!avutil || !avcodec || !avformat) {
        close_libraries();
        return -1;
    }
#define ELEGY_AV_LOOKUP(library, name)                                                                                 \
    ffmpeg.name = (__typeof__(ffmpeg.name))dlsym(library, #name);                                                       \
    if (!ffmpeg.name) {                                                                                                \
        snprintf(load_failure, sizeof load_failure, "FFmpeg lacks %s", #name);                                         \
        close_libraries();                                                                                             \
        return -1;                                                                                                     \
    }
    ELEGY_AV_FUNCTIONS(ELEGY_AV_LOOKUP)
#undef ELEGY_AV_LOOKUP
    // FFmpeg logs to stderr by default; Elegy reports failures itself, per file, through the error strings below.
    ffmpeg.av_log_set_level(AV_LOG_QUIET);
    return 0;
}

/// Takes a use of FFmpeg, loading it first if need be. 0, or -1 with `error` filled.
static int retain_ffmpeg(char *error, size_t error_size) {
    pthread_mutex_lock(&load_lock);
    int rc = load_ffmpeg();
    if (rc == 0) {
        users++;
    } else if (error && error_size > 0) {
        snprintf(error, error_size, "%s", load_failure);
    }
    pthread_mutex_unlock(&load_lock);
    return rc;
}

static void release_ffmpeg(void) {
    pthread_mutex_lock(&load_lock);
    users--;
    pthread_mutex_unlock(&load_lock);
}

int elegy_av_unload_if_unused(void) {
    pthread_mutex_lock(&load_lock);
    int unloaded = handles[0] && users == 0;
    if (unloaded) {
        close_libraries();
        memset(&ffmpeg, 0, sizeof ffmpeg);
    }
    pthread_mutex_unlock(&load_lock);
    return unloaded;
}

// Every FFmpeg call below goes through the table.
#define avformat_open_input ffmpeg.avformat_open_input
#define avformat_find_stream_info ffmpeg.avformat_find_stream_info
#define av_find_best_stream ffmpeg.av_find_best_stream
#define av_read_frame ffmpeg.av_read_frame
#define av_seek_frame ffmpeg.av_seek_frame
#define avformat_close_input ffmpeg.avformat_close_input
#define av_find_input_format ffmpeg.av_find_input_format
#define av_packet_alloc ffmpeg.av_packet_alloc
#define av_packet_free ffmpeg.av_packet_free
#define av_packet_unref ffmpeg.av_packet_unref
#define avcodec_alloc_context3 ffmpeg.avcodec_alloc_context3
#define avcodec_descriptor_get ffmpeg.avcodec_descriptor_get
#define avcodec_flush_buffers ffmpeg.avcodec_flush_buffers
#define avcodec_free_context ffmpeg.avcodec_free_context
#define avcodec_open2 ffmpeg.avcodec_open2
#define avcodec_parameters_to_context ffmpeg.avcodec_parameters_to_context
#define avcodec_receive_frame ffmpeg.avcodec_receive_frame
#define avcodec_send_packet ffmpeg.avcodec_send_packet
#define av_frame_alloc ffmpeg.av_frame_alloc
#define av_frame_free ffmpeg.av_frame_free
#define av_get_bytes_per_sample ffmpeg.av_get_bytes_per_sample
#define av_rescale ffmpeg.av_rescale
#define av_rescale_q ffmpeg.av_rescale_q
#define av_sample_fmt_is_planar ffmpeg.av_sample_fmt_is_planar
#define av_strerror ffmpeg.av_strerror

static void set_error(char *error, size_t size, const char *what, int code) {
    if (!error || size == 0) return;
    if (code == 0) {
        snprintf(error, size, "%s", what);
        return;
    }
    char text[AV_ERROR_MAX_STRING_SIZE] = {0};
    av_strerror(code, text, sizeof text);
    snprintf(error, size, "%s: %s", what, text);
}

static int is_lossless(enum AVCodecID id) {
    const AVCodecDescriptor *descriptor = avcodec_descriptor_get(id);
    return descriptor && (descriptor->props & AV_CODEC_PROP_LOSSLESS) && !(descriptor->props & AV_CODEC_PROP_LOSSY);
}

/// Picks the delivered sample kind and significant bits for the decoder's native sample format; -1 if unsupported.
static int describe_samples(const AVCodecContext *codec, ElegyAVInfo *info) {
    switch (codec->sample_fmt) {
    case AV_SAMPLE_FMT_U8:
    case AV_SAMPLE_FMT_U8P:
        info->sample_kind = ELEGY_AV_INT16;
        info->bits = 8;
        return 0;
    case AV_SAMPLE_FMT_S16:
    case AV_SAMPLE_FMT_S16P:
        info->sample_kind = ELEGY_AV_INT16;
        info->bits = 16;
        return 0;
    case AV_SAMPLE_FMT_S32:
    case AV_SAMPLE_FMT_S32P:
        info->sample_kind = ELEGY_AV_INT32;
        info->bits = codec->bits_per_raw_sample > 0 && codec->bits_per_raw_sample <= 32 ? codec->bits_per_raw_sample : 32;
        return 0;
    case AV_SAMPLE_FMT_FLT:
    case AV_SAMPLE_FMT_FLTP:
    case AV_SAMPLE_FMT_DBL:
    case AV_SAMPLE_FMT_DBLP:
        info->sample_kind = ELEGY_AV_FLOAT;
        info->bits = 32;
        return 0;
    default:
        return -1;
    }
}

ElegyAV *elegy_av_open(const char *path, ElegyAVInfo *info, char *error, size_t error_size) {
    if (retain_ffmpeg(error, error_size) != 0) return NULL;
    ElegyAV *stream = calloc(1, sizeof *stream);
    if (!stream) {
        set_error(error, error_size, "out of memory", 0);
        release_ffmpeg();
        return NULL;
    }
    int rc = avformat_open_input(&stream->format, path, NULL, NULL);
    if (rc < 0) {
        set_error(error, error_size, "not a file FFmpeg reads", rc);
        free(stream);
        release_ffmpeg();
        return NULL;
    }
    rc = avformat_find_stream_info(stream->format, NULL);
    if (rc < 0) {
        set_error(error, error_size, "no stream information", rc);
        goto fail;
    }
    const AVCodec *decoder = NULL;
    rc = av_find_best_stream(stream->format, AVMEDIA_TYPE_AUDIO, -1, -1, &decoder, 0);
    if (rc < 0 || !decoder) {
        set_error(error, error_size, "no audio stream FFmpeg decodes", rc < 0 ? rc : 0);
        goto fail;
    }
    stream->stream_index = rc;
    AVStream *audio = stream->format->streams[rc];
    for (unsigned i = 0; i < stream->format->nb_streams; i++) {
        if ((int)i != stream->stream_index) stream->format->streams[i]->discard = AVDISCARD_ALL;
    }
    stream->codec = avcodec_alloc_context3(decoder);
    stream->packet = av_packet_alloc();
    stream->frame = av_frame_alloc();
    if (!stream->codec || !stream->packet || !stream->frame) {
        set_error(error, error_size, "out of memory", 0);
        goto fail;
    }
    rc = avcodec_parameters_to_context(stream->codec, audio->codecpar);
    if (rc >= 0) {
        stream->codec->pkt_timebase = audio->time_base;
        rc = avcodec_open2(stream->codec, decoder, NULL);
    }
    if (rc < 0) {
        set_error(error, error_size, "cannot open the decoder", rc);
        goto fail;
    }
    ElegyAVInfo found = {0};
    found.sample_rate = stream->codec->sample_rate;
    found.channels = stream->codec->ch_layout.nb_channels;
    if (found.sample_rate <= 0 || found.channels <= 0 || describe_samples(stream->codec, &found) < 0) {
        set_error(error, error_size, "unsupported sample layout", 0);
        goto fail;
    }
    // The container's duration already excludes the encoder delay and padding its edit list or gapless data names
    // (libavformat turns those into skip-samples side data that libavcodec applies): reading stops there.
    found.frames = -1;
    if (audio->duration != AV_NOPTS_VALUE && audio->duration > 0) {
        found.frames = av_rescale_q(audio->duration, audio->time_base, (AVRational){1, found.sample_rate});
    } else if (stream->format->duration != AV_NOPTS_VALUE && stream->format->duration > 0) {
        found.frames = av_rescale(stream->format->duration, found.sample_rate, AV_TIME_BASE);
    }
    found.bit_rate = audio->codecpar->bit_rate > 0 ? audio->codecpar->bit_rate : stream->format->bit_rate;
    snprintf(found.codec, sizeof found.codec, "%s", decoder->name);
    found.lossless = is_lossless(decoder->id);
    stream->info = found;
    *info = found;
    return stream;
fail:
    elegy_av_close(stream);
    return NULL;
}

/// Whether `path` ends in an MP4 suffix (.m4a, .m4b, .mp4), in any case.
static int has_mp4_suffix(const char *path) {
    const char *dot = strrchr(path, '.');
    return dot && (strcasecmp(dot, ".m4a") == 0 || strcasecmp(dot, ".m4b") == 0 || strcasecmp(dot, ".mp4") == 0);
}

int elegy_av_probe(const char *path, ElegyAVInfo *info, char *error, size_t error_size) {
    if (retain_ffmpeg(error, error_size) != 0) return -1;
    AVFormatContext *format = NULL;
    // An MP4 by its name is opened as one: probing the content against every demuxer FFmpeg has was half of this
    // call's time. Should it not be one after all, the content decides.
    int rc = -1;
    if (has_mp4_suffix(path)) rc = avformat_open_input(&format, path, av_find_input_format("mp4"), NULL);
    if (rc < 0) rc = avformat_open_input(&format, path, NULL, NULL);
    if (rc < 0) {
        set_error(error, error_size, "not a file FFmpeg reads", rc);
        release_ffmpeg();
        return -1;
    }
    int probed = 0;
    rc = av_find_best_stream(format, AVMEDIA_TYPE_AUDIO, -1, -1, NULL, 0);
    if (rc >= 0) {
        const AVStream *audio = format->streams[rc];
        const AVCodecParameters *parameters = audio->codecpar;
        ElegyAVInfo found = {0};
        found.sample_rate = parameters->sample_rate;
        found.channels = parameters->ch_layout.nb_channels;
        int bits = parameters->bits_per_coded_sample;
        // What FFmpeg's decoders deliver, known without opening them: AAC always float; ALAC 16-bit or, for 20 to
        // 32 bits, left-justified 32-bit integers (the decoder's bits_per_raw_sample is the stored sample size).
        if (parameters->codec_id == AV_CODEC_ID_AAC) {
            found.sample_kind = ELEGY_AV_FLOAT;
            found.bits = 32;
            probed = 1;
        } else if (parameters->codec_id == AV_CODEC_ID_ALAC && (bits == 16 || (bits > 16 && bits <= 32))) {
            found.sample_kind = bits == 16 ? ELEGY_AV_INT16 : ELEGY_AV_INT32;
            found.bits = bits;
            probed = 1;
        }
        if (found.sample_rate <= 0 || found.channels <= 0) probed = 0;
        if (probed) {
            found.frames = -1;
            if (audio->duration != AV_NOPTS_VALUE && audio->duration > 0) {
                found.frames = av_rescale_q(audio->duration, audio->time_base, (AVRational){1, found.sample_rate});
            } else if (format->duration != AV_NOPTS_VALUE && format->duration > 0) {
                found.frames = av_rescale(format->duration, found.sample_rate, AV_TIME_BASE);
            }
            found.bit_rate = parameters->bit_rate > 0 ? parameters->bit_rate : format->bit_rate;
            snprintf(found.codec, sizeof found.codec, "%s", parameters->codec_id == AV_CODEC_ID_AAC ? "aac" : "alac");
            found.lossless = parameters->codec_id == AV_CODEC_ID_ALAC;
            *info = found;
        }
    }
    avformat_close_input(&format);
    release_ffmpeg();
    return probed;
}

/// Makes `frame` hold the next decoded samples. Returns 1, 0 at the end, -1 with `error` filled.
static int next_frame(ElegyAV *stream, char *error, size_t error_size) {
    int bad_packets = 0;
    for (;;) {
        int rc = avcodec_receive_frame(stream->codec, stream->frame);
        if (rc == 0) {
            stream->frame_offset = 0;
            if (stream->frame->nb_samples > 0) {
                stream->frame_ready = 1;
                return 1;
            }
            continue;
        }
        if (rc == AVERROR_EOF) return 0;
        if (rc == AVERROR_INVALIDDATA && ++bad_packets < MAX_BAD_PACKETS_IN_A_ROW) continue;
        if (rc != AVERROR(EAGAIN)) {
            set_error(error, error_size, "cannot decode", rc);
            return -1;
        }
        if (stream->input_ended) return 0;
        rc = av_read_frame(stream->format, stream->packet);
        if (rc == AVERROR_EOF) {
            stream->input_ended = 1;
            avcodec_send_packet(stream->codec, NULL);
            continue;
        }
        if (rc < 0) {
            set_error(error, error_size, "cannot read", rc);
            return -1;
        }
        if (stream->packet->stream_index != stream->stream_index) {
            av_packet_unref(stream->packet);
            continue;
        }
        rc = avcodec_send_packet(stream->codec, stream->packet);
        av_packet_unref(stream->packet);
        // A damaged packet is skipped, as MPD's FFmpeg plugin does; a run of them is a damaged file.
        if (rc == AVERROR_INVALIDDATA && ++bad_packets < MAX_BAD_PACKETS_IN_A_ROW) continue;
        if (rc < 0 && rc != AVERROR(EAGAIN)) {
            set_error(error, error_size, "cannot decode", rc);
            return -1;
        }
        if (rc == 0) bad_packets = 0;
    }
}

/// Copies `count` frames of `frame`, from `offset`, into `out` interleaved in the stream's sample kind.
static void copy_interleaved(const ElegyAV *stream, unsigned char *out, int offset, long count) {
    const AVFrame *frame = stream->frame;
    const int channels = stream->info.channels;
    const enum AVSampleFormat format = frame->format;
    const int planar = av_sample_fmt_is_planar(format);
    const int width = av_get_bytes_per_sample(format);
    switch (format) {
    case AV_SAMPLE_FMT_S16:
    case AV_SAMPLE_FMT_S32:
    case AV_SAMPLE_FMT_FLT:
        memcpy(out, frame->extended_data[0] + (size_t)offset * channels * width, (size_t)count * channels * width);
        return;
    case AV_SAMPLE_FMT_S16P:
    case AV_SAMPLE_FMT_S32P:
    case AV_SAMPLE_FMT_FLTP:
        for (int c = 0; c < channels; c++) {
            const unsigned char *plane = frame->extended_data[c] + (size_t)offset * width;
            for (long i = 0; i < count; i++) {
                memcpy(out + ((size_t)i * channels + c) * width, plane + (size_t)i * width, width);
            }
        }
        return;
    default:
        break;
    }
    // Formats that are widened: unsigned 8-bit to 16-bit, double to float.
    for (long i = 0; i < count; i++) {
        for (int c = 0; c < channels; c++) {
            const size_t index = planar ? (size_t)(offset + i) : (size_t)(offset + i) * channels + c;
            const unsigned char *plane = frame->extended_data[planar ? c : 0];
            const size_t slot = (size_t)i * channels + c;
            if (format == AV_SAMPLE_FMT_U8 || format == AV_SAMPLE_FMT_U8P) {
                ((int16_t *)out)[slot] = (int16_t)((plane[index] - 128) * 256);
            } else {
                ((float *)out)[slot] = (float)((const double *)plane)[index];
            }
        }
    }
}

long elegy_av_read(ElegyAV *stream, void *buffer, long frames, char *error, size_t error_size) {
    if (!stream || frames <= 0) return 0;
    const size_t frame_bytes = (size_t)stream->info.channels * (stream->info.sample_kind == ELEGY_AV_INT16 ? 2 : 4);
    long done = 0;
    while (done < frames) {
        const int64_t end = stream->info.frames;
        if (end >= 0 && stream->position >= end) break;  // trailing encoder padding is never delivered
        if (!stream->frame_ready) {
            const int rc = next_frame(stream, error, error_size);
            if (rc < 0) return -1;
            if (rc == 0) break;
        }
        long available = stream->frame->nb_samples - stream->frame_offset;
        if (stream->drop > 0) {
            const long dropped = stream->drop < available ? (long)stream->drop : available;
            stream->drop -= dropped;
            stream->frame_offset += (int)dropped;
            available -= dropped;
        }
        long count = frames - done < available ? frames - done : available;
        if (end >= 0 && count > end - stream->position) count = (long)(end - stream->position);
        if (count > 0) {
            copy_interleaved(stream, (unsigned char *)buffer + (size_t)done * frame_bytes, stream->frame_offset, count);
            stream->frame_offset += (int)count;
            stream->position += count;
            done += count;
        }
        if (stream->frame_offset >= stream->frame->nb_samples) stream->frame_ready = 0;
    }
    return done;
}

int elegy_av_seek(ElegyAV *stream, int64_t frame, char *error, size_t error_size) {
    if (!stream) return 0;
    if (frame < 0) frame = 0;
    if (stream->info.frames >= 0 && frame > stream->info.frames) frame = stream->info.frames;
    const AVStream *audio = stream->format->streams[stream->stream_index];
    const AVRational samples = {1, stream->info.sample_rate};
    const int64_t start = audio->start_time != AV_NOPTS_VALUE && audio->start_time > 0 ? audio->start_time : 0;
    const int64_t timestamp = av_rescale_q(frame, samples, audio->time_base) + start;
    const int rc = av_seek_frame(stream->format, stream->stream_index, timestamp, AVSEEK_FLAG_BACKWARD);
    if (rc < 0) {
        set_error(error, error_size, "cannot seek", rc);
        return -1;
    }
    avcodec_flush_buffers(stream->codec);
    stream->frame_ready = 0;
    stream->input_ended = 0;
    stream->drop = 0;
    stream->position = frame;
    // Where the demuxer landed: the first decoded frame's time. Frames before `frame` are dropped on read.
    const int got = next_frame(stream, error, error_size);
    if (got < 0) return -1;
    if (got == 0) return 0;
    const int64_t pts = stream->frame->best_effort_timestamp != AV_NOPTS_VALUE ? stream->frame->best_effort_timestamp
                                                                               : stream->frame->pts;
    if (pts != AV_NOPTS_VALUE) {
        const int64_t landed = av_rescale_q(pts - start, audio->time_base, samples);
        if (landed < frame) stream->drop = frame - landed;
    }
    return 0;
}

void elegy_av_close(ElegyAV *stream) {
    if (!stream) return;
    av_frame_free(&stream->frame);
    av_packet_free(&stream->packet);
    avcodec_free_context(&stream->codec);
    avformat_close_input(&stream->format);
    free(stream);
    release_ffmpeg();
}

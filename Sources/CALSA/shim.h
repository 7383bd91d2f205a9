// ALSA (libasound), for ElegyAudio only (the output).
//
// Why this shim has code: libasound prints its errors to stderr through a *variadic* handler, which
// Swift cannot implement. The handler below formats the message and passes it to a plain C callback
// that Swift can provide, so ALSA's chatter reaches our log instead of the terminal (cmus does the
// same in op/alsa.c).
#include <alsa/asoundlib.h>
#include <stdarg.h>
#include <stdio.h>

typedef void (*CALSA_log_sink)(const char *message);

static CALSA_log_sink CALSA_current_sink = 0;

static void CALSA_error_handler(const char *file, int line, const char *function, int err, const char *fmt, ...) {
    (void)file; (void)line; (void)err;
    if (!CALSA_current_sink) return;
    char message[512];
    int used = snprintf(message, sizeof message, "%s: ", function ? function : "alsa");
    if (used < 0 || (size_t)used >= sizeof message) used = 0;
    va_list args;
    va_start(args, fmt);
    vsnprintf(message + used, sizeof message - (size_t)used, fmt, args);
    va_end(args);
    CALSA_current_sink(message);
}

/// Routes libasound's error messages to `sink` (NULL silences them).
static inline int CALSA_route_errors(CALSA_log_sink sink) {
    CALSA_current_sink = sink;
    return snd_lib_error_set_handler(CALSA_error_handler);
}

// glibc declares pthread_setname_np only under _GNU_SOURCE, which Swift's Glibc module does not set;
// the audio thread names itself "elegy-audio" so that `top -H` and journal traces show it.
#include <pthread.h>
extern int pthread_setname_np(pthread_t thread, const char *name);
static inline void CALSA_name_current_thread(const char *name) { pthread_setname_np(pthread_self(), name); }

// An eventfd that control calls write to, polled beside the PCM's descriptors: it wakes the audio thread
// out of a blocked write at once (Swift's Glibc module does not export <sys/eventfd.h>).
#include <sys/eventfd.h>
static inline int CALSA_make_wake_descriptor(void) { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }

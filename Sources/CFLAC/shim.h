// libFLAC's metadata API, for ElegyAudio's FLAC tag reader only (the scanner's fast path; decoding stays with
// libsndfile).
#include <FLAC/metadata.h>

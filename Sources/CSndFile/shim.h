// libsndfile, for ElegyAudio only (the decoder and tag reader).
#include <sndfile.h>

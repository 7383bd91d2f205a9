// Linux calls that Swift's Glibc module does not export or cannot call:
// statfs(2), for the watcher to ask which file system a directory is on;
// prctl(2) (variadic in C), for the scan worker to end with the daemon that started it.
#define _GNU_SOURCE
#include <signal.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/vfs.h>

/// Asks the kernel to send SIGKILL to this process when the thread that started it ends: a scan worker never
/// outlives its daemon. 0 on success, -1 with errno set.
static inline int elegy_end_with_parent(void) { return prctl(PR_SET_PDEATHSIG, SIGKILL); }

/// Closes every descriptor from `first` on (close_range(2), glibc 2.34): a scan worker keeps none of the daemon's.
static inline void elegy_close_from(unsigned int first) { close_range(first, ~0U, 0); }

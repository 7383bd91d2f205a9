// statfs(2), which Swift's Glibc module does not export: the watcher asks which file system a directory is on.
#include <sys/vfs.h>

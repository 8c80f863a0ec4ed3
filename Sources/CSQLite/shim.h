#include <sqlite3.h>
#include <sys/prctl.h>

/// Names the calling thread (as `top -H`, `perf` and /proc/PID/task/TID/comm show it; at most 15 bytes).
static inline void nt_sqlite_name_thread(const char *name) { prctl(PR_SET_NAME, name, 0, 0, 0); }

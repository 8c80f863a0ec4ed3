#ifndef CNTSUPPORT_H
#define CNTSUPPORT_H
#include <spawn.h>
#include <sys/types.h>

/// Adds a "close every fd >= lowfd" action to a posix_spawn file-actions object.
/// glibc has it (2.34+) but Swift's Glibc module does not show it.
int nt_spawn_file_actions_addclosefrom(posix_spawn_file_actions_t *actions, int lowfd);

/// Asks the kernel to send `sig` to this process when its parent dies (prctl is variadic in C).
int nt_set_parent_death_signal(int sig);

/// Marks this process as a subreaper, so orphaned grandchildren are re-parented to it and reaped.
int nt_set_child_subreaper(void);

/// Sets the process name shown by ps/top (prctl PR_SET_NAME, at most 15 bytes).
int nt_set_process_name(const char *name);

/// Moves `fd` to the lowest free descriptor >= `minfd` with close-on-exec set; returns the new fd or -1.
int nt_dup_cloexec_above(int fd, int minfd);

/// Creates a pipe whose both ends are close-on-exec (pipe2 is not visible through Swift's Glibc module).
int nt_pipe_cloexec(int fds[2]);

/// Clears close-on-exec on `fd`; returns 0 or -1.
int nt_clear_cloexec(int fd);

/// The git commit this binary was built from ("unknown" outside a git checkout); set by `make`.
const char *nt_build_commit(void);

/// The UTC time of the build, ISO 8601 ("unknown" when not built through `make`).
const char *nt_build_date(void);

/// mallopt(M_ARENA_MAX, count): caps glibc malloc's arenas (malloc.h is not visible through Swift's Glibc
/// module); returns 1 on success.
int nt_limit_malloc_arenas(int count);

/// getrandom(2): fills `buffer` with up to `length` bytes from the kernel's CSPRNG; returns the count or -1.
long nt_getrandom(void *buffer, unsigned long length);

#endif

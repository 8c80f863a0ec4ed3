#define _GNU_SOURCE
#include "CNTSupport.h"
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <unistd.h>

int nt_spawn_file_actions_addclosefrom(posix_spawn_file_actions_t *actions, int lowfd) {
    return posix_spawn_file_actions_addclosefrom_np(actions, lowfd);
}

int nt_set_parent_death_signal(int sig) { return prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0); }

int nt_set_child_subreaper(void) { return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); }

int nt_set_process_name(const char *name) { return prctl(PR_SET_NAME, name, 0, 0, 0); }

int nt_dup_cloexec_above(int fd, int minfd) { return fcntl(fd, F_DUPFD_CLOEXEC, minfd); }

int nt_clear_cloexec(int fd) {
    int flags = fcntl(fd, F_GETFD);
    if (flags < 0) return -1;
    return fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
}

int nt_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

long nt_getrandom(void *buffer, unsigned long length) { return (long)getrandom(buffer, length, 0); }

int nt_limit_malloc_arenas(int count) { return mallopt(M_ARENA_MAX, count); }

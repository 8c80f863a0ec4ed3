// The floor of relaying on this machine: a TCP relay in C that does nothing a relay can skip. Each client
// connection gets one upstream connection; bytes go through unchanged in both directions (no HTTP parsing, no
// storage, no SSE framing). One thread per core, each with its own epoll set and its own SO_REUSEPORT listener, so
// no connection crosses threads. bench/relay_floor.py runs the chat-turn harness through it: what this relay adds
// to time to first token and spends in CPU per stream is what any relay on this machine pays at least.
//
// Usage: floor_relay LISTEN_PORT UPSTREAM_PORT [THREADS]   (127.0.0.1 only; prints "ready" once listening)
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

enum { BUFFER = 16384 };

// One direction of a pair: bytes read from `from` and not yet written to `to`.
struct side {
    int from, to;
    struct side *other;
    char pending[BUFFER];
    size_t start, end;
    int closed, dead;
};

static int upstream_port, listen_port;

static void watch(int epoll, int fd, unsigned events, void *ptr, int op) {
    struct epoll_event event = {.events = events, .data.ptr = ptr};
    if (epoll_ctl(epoll, op, fd, &event) != 0 && op == EPOLL_CTL_MOD) epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event);
}

static int listener(void) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(listen_port)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&address, sizeof address) != 0 || listen(fd, 4096) != 0) {
        perror("floor_relay: bind/listen");
        exit(1);
    }
    return fd;
}

// Pairs closed during one batch of events, freed after it: a later event of the batch may still name them. A batch
// holds at most 256 events and each closes at most one pair.
static __thread struct side *graveyard[256];
static __thread int buried;

static void close_pair(struct side *side) {
    if (side->dead) return;
    side->dead = side->other->dead = 1;
    close(side->from);
    close(side->to);
    graveyard[buried++] = side;
}

// Moves what `side->from` has to `side->to`; returns 0 when the pair is done.
static int pump(int epoll, struct side *side) {
    for (;;) {
        if (side->start < side->end) {
            ssize_t n = send(side->to, side->pending + side->start, side->end - side->start, MSG_NOSIGNAL);
            if (n < 0 && errno == EAGAIN) {
                watch(epoll, side->to, EPOLLOUT, side->other, EPOLL_CTL_MOD);
                return 1;
            }
            if (n <= 0) return 0;
            side->start += (size_t)n;
            continue;
        }
        if (side->closed) return 0;
        ssize_t n = recv(side->from, side->pending, BUFFER, 0);
        if (n < 0 && errno == EAGAIN) return 1;
        if (n <= 0) {
            // End of this direction: the upstream closed after the answer, or the client went away.
            side->closed = 1;
            return 0;
        }
        side->start = 0;
        side->end = (size_t)n;
    }
}

// One thread's loop over its own listener (`listening`, an fd passed as a pointer-sized integer).
static void *serve(void *listening) {
    int epoll = epoll_create1(EPOLL_CLOEXEC), accept_fd = (int)(intptr_t)listening;
    struct epoll_event ready[256];
    watch(epoll, accept_fd, EPOLLIN, NULL, EPOLL_CTL_ADD);
    for (;;) {
        int count = epoll_wait(epoll, ready, 256, -1);
        for (int i = 0; i < count; i++) {
            struct side *side = ready[i].data.ptr;
            if (side != NULL && side->dead) continue;
            if (side == NULL) {
                int client;
                while ((client = accept4(accept_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
                    int up = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;
                    setsockopt(up, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(upstream_port)};
                    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
                    connect(up, (struct sockaddr *)&address, sizeof address);  // EINPROGRESS: the first send waits
                    struct side *in = calloc(1, sizeof *in), *out = calloc(1, sizeof *out);
                    in->from = client, in->to = up, in->other = out;
                    out->from = up, out->to = client, out->other = in;
                    watch(epoll, client, EPOLLIN, in, EPOLL_CTL_ADD);
                    watch(epoll, up, EPOLLIN | EPOLLOUT, out, EPOLL_CTL_ADD);
                }
                continue;
            }
            // A writable event on `side->from` means the other direction can go on writing to it.
            if (ready[i].events & EPOLLOUT) {
                watch(epoll, side->from, EPOLLIN, side, EPOLL_CTL_MOD);
                if (!pump(epoll, side->other)) {
                    close_pair(side);
                    continue;
                }
            }
            if ((ready[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && !pump(epoll, side)) close_pair(side);
        }
        while (buried > 0) {
            struct side *side = graveyard[--buried];
            free(side->other);
            free(side);
        }
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: floor_relay LISTEN_PORT UPSTREAM_PORT [THREADS]\n");
        return 2;
    }
    listen_port = atoi(argv[1]);
    upstream_port = atoi(argv[2]);
    int threads = argc > 3 ? atoi(argv[3]) : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (threads < 1) threads = 1;
    // Every listener is bound and listening before "ready": the kernel queues connections for a listener whose
    // thread has not reached epoll_wait yet.
    int listeners[256];
    if (threads > 256) threads = 256;
    for (int t = 0; t < threads; t++) listeners[t] = listener();
    for (int t = 1; t < threads; t++) {
        pthread_t thread;
        pthread_create(&thread, NULL, serve, (void *)(intptr_t)listeners[t]);
    }
    printf("ready\n");
    fflush(stdout);
    serve((void *)(intptr_t)listeners[0]);
    return 0;
}

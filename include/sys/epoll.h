/*
 * wasi-posix-sockets: <sys/epoll.h>, which wasi-libc does not have.
 *
 * Linux's interface and constant values. EPOLL_CLOEXEC is SOCK_CLOEXEC's value in wasi-libc (on
 * Linux both equal O_CLOEXEC, which wasi-libc defines as 0). struct epoll_event keeps its natural
 * layout, as Linux and musl declare it for every ABI but x86 (where it is packed): `events` at
 * offset 0, `data` at offset 8, 16 bytes. Signal masks are accepted and ignored (WASI has no
 * signals).
 */
#ifndef WASI_POSIX_SOCKETS_SYS_EPOLL_H
#define WASI_POSIX_SOCKETS_SYS_EPOLL_H

#include <stdint.h>

#define __NEED_sigset_t
#include <bits/alltypes.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EPOLL_CLOEXEC 0x2000

#define EPOLLIN 0x001
#define EPOLLPRI 0x002
#define EPOLLOUT 0x004
#define EPOLLRDNORM 0x040
#define EPOLLRDBAND 0x080
#define EPOLLWRNORM 0x100
#define EPOLLWRBAND 0x200
#define EPOLLMSG 0x400
#define EPOLLERR 0x008
#define EPOLLHUP 0x010
#define EPOLLRDHUP 0x2000
#define EPOLLEXCLUSIVE (1U << 28)
#define EPOLLWAKEUP (1U << 29)
#define EPOLLONESHOT (1U << 30)
#define EPOLLET (1U << 31)

#define EPOLL_CTL_ADD 1
#define EPOLL_CTL_DEL 2
#define EPOLL_CTL_MOD 3

typedef union epoll_data {
    void *ptr;
    int fd;
    uint32_t u32;
    uint64_t u64;
} epoll_data_t;

struct epoll_event {
    uint32_t events;
    epoll_data_t data;
};

struct timespec;

int epoll_create(int);
int epoll_create1(int);
int epoll_ctl(int, int, int, struct epoll_event *);
int epoll_wait(int, struct epoll_event *, int, int);
int epoll_pwait(int, struct epoll_event *, int, int, const sigset_t *);
int epoll_pwait2(int, struct epoll_event *, int, const struct timespec *, const sigset_t *);

#ifdef __cplusplus
}
#endif

#endif

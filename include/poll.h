/*
 * wasi-posix-sockets: completes wasi-libc's <poll.h> for wasm32-wasip1.
 *
 * wasi-libc numbers POLLIN 1, POLLOUT 2, POLLERR 0x1000, POLLHUP 0x2000, POLLNVAL 0x4000 and
 * leaves the rest of Linux's events out. They are defined here on bits wasi-libc leaves free
 * (Linux's values collide with its numbering): POLLRDHUP is reported when the socket is shut
 * down for reading (the peer's FIN, shutdown(SHUT_RD), a reset), as Linux reports it; POLLPRI,
 * POLLRDBAND and POLLMSG are never reported (WASI has no out-of-band data), POLLWRBAND only by
 * an AF_UNIX socket, with POLLOUT, as Linux reports it.
 */
#ifndef WASI_POSIX_SOCKETS_POLL_H
#define WASI_POSIX_SOCKETS_POLL_H

#include_next <poll.h>

#ifndef POLLPRI
#define POLLPRI 0x0004
#endif
#ifndef POLLRDBAND
#define POLLRDBAND 0x0008
#endif
#ifndef POLLWRBAND
#define POLLWRBAND 0x0010
#endif
#ifndef POLLMSG
#define POLLMSG 0x0020
#endif
#ifndef POLLRDHUP
#define POLLRDHUP 0x0040
#endif

#endif

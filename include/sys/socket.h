/*
 * wasi-posix-sockets: completes wasi-libc's <sys/socket.h> for wasm32-wasip1.
 *
 * wasi-libc's wasm32-wasip1 headers keep the socket constants but hide most socket prototypes
 * (preview 1 has no socket creation). This header includes the sysroot's own first, then declares
 * what it left out, with the values wasi-libc's wasm32-wasip2 headers use, so a program compiles
 * unchanged and sees one ABI. It never redefines what the sysroot defines.
 */
#ifndef WASI_POSIX_SOCKETS_SYS_SOCKET_H
#define WASI_POSIX_SOCKETS_SYS_SOCKET_H

#include_next <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Message flags. MSG_PEEK (1) and MSG_WAITALL (2) come from the sysroot. The sysroot's MSG_TRUNC
 * is preview 1's "data truncated" output flag, also 1: passed to recv it would read as MSG_PEEK,
 * and recvmsg could not tell the two apart. This library takes MSG_TRUNC as wasi-libc's
 * wasm32-wasip2 headers (and Linux) define it, for recv's input flag and recvmsg's msg_flags. */
#undef MSG_TRUNC
#define MSG_TRUNC 0x0020
#ifndef MSG_CTRUNC
#define MSG_CTRUNC 0x0008
#endif
#ifndef MSG_DONTWAIT
#define MSG_DONTWAIT 0x0040
#endif
#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0x4000
#endif
/* The other flags Linux knows, with Linux's (musl's, wasm32-wasip2's) values; see docs/options.md
 * for what each does here. MSG_OOB is the exception on wasm32-wasip1: Linux's value (1) is
 * MSG_PEEK's there, so it takes a bit the kernel never reads from a program. (wasm32-wasip2's
 * headers give MSG_PEEK and MSG_WAITALL Linux's values, so MSG_OOB is Linux's too.) */
#ifndef MSG_OOB
#ifdef __wasilibc_use_wasip2
#define MSG_OOB 0x0001
#else
#define MSG_OOB 0x80000
#endif
#endif
#ifndef MSG_DONTROUTE
#define MSG_DONTROUTE 0x0004
#endif
#ifndef MSG_EOR
#define MSG_EOR 0x0080
#endif
#ifndef MSG_CONFIRM
#define MSG_CONFIRM 0x0800
#endif
#ifndef MSG_ERRQUEUE
#define MSG_ERRQUEUE 0x2000
#endif
#ifndef MSG_MORE
#define MSG_MORE 0x8000
#endif
#ifndef MSG_WAITFORONE
#define MSG_WAITFORONE 0x10000
#endif
#ifndef MSG_FASTOPEN
#define MSG_FASTOPEN 0x20000000
#endif
#ifndef MSG_CMSG_CLOEXEC
#define MSG_CMSG_CLOEXEC 0x40000000
#endif

/* Option levels. SOL_SOCKET comes from the sysroot. */
#ifndef SOL_IP
#define SOL_IP 0
#endif
#ifndef SOL_TCP
#define SOL_TCP 6
#endif
#ifndef SOL_UDP
#define SOL_UDP 17
#endif
#ifndef SOL_IPV6
#define SOL_IPV6 41
#endif

#ifndef SOMAXCONN
#define SOMAXCONN 128
#endif

/* AF_UNIX sockets (inside the program). wasi-libc defines AF_UNIX (3) but no SOCK_SEQPACKET
 * (musl's 5 is wasi-libc's SOCK_DGRAM): 9 is the value of the WASIX wasi-libc
 * (__WASI_FILETYPE_SOCKET_SEQPACKET). PF_UNIX is the protocol socket() accepts besides 0. */
#ifndef SOCK_SEQPACKET
#define SOCK_SEQPACKET 9
#endif
#ifndef AF_LOCAL
#define AF_LOCAL AF_UNIX
#endif
#ifndef PF_UNIX
#define PF_UNIX AF_UNIX
#endif
#ifndef PF_LOCAL
#define PF_LOCAL AF_UNIX
#endif
#ifndef SCM_RIGHTS
#define SCM_RIGHTS 0x01
#endif

/* Socket options (SOL_SOCKET). SO_TYPE comes from the sysroot. */
#ifndef SO_REUSEADDR
#define SO_REUSEADDR 2
#endif
#ifndef SO_ERROR
#define SO_ERROR 4
#endif
#ifndef SO_BROADCAST
#define SO_BROADCAST 6
#endif
#ifndef SO_SNDBUF
#define SO_SNDBUF 7
#endif
#ifndef SO_RCVBUF
#define SO_RCVBUF 8
#endif
#ifndef SO_KEEPALIVE
#define SO_KEEPALIVE 9
#endif
#ifndef SO_LINGER
#define SO_LINGER 13
#endif
#ifndef SO_PEERCRED
#define SO_PEERCRED 17
#endif
#ifndef SO_ACCEPTCONN
#define SO_ACCEPTCONN 30
#endif
#ifndef SO_PROTOCOL
#define SO_PROTOCOL 38
#endif
#ifndef SO_DOMAIN
#define SO_DOMAIN 39
#endif
#ifndef SO_RCVTIMEO
#define SO_RCVTIMEO 66
#endif
#ifndef SO_SNDTIMEO
#define SO_SNDTIMEO 67
#endif
/* Options Linux has and WASI cannot honour: stored and reported as Linux reports them
 * (docs/options.md). */
#ifndef SO_DEBUG
#define SO_DEBUG 1
#endif
#ifndef SO_DONTROUTE
#define SO_DONTROUTE 5
#endif
#ifndef SO_OOBINLINE
#define SO_OOBINLINE 10
#endif
#ifndef SO_PRIORITY
#define SO_PRIORITY 12
#endif
#ifndef SO_REUSEPORT
#define SO_REUSEPORT 15
#endif
#ifndef SO_RCVLOWAT
#define SO_RCVLOWAT 18
#endif
#ifndef SO_SNDLOWAT
#define SO_SNDLOWAT 19
#endif

/* Ancillary-data declarations the wasm32-wasip1 sysroot hides (musl's, for this ABI). SCM_RIGHTS
 * passes descriptors between the program's own AF_UNIX sockets; IP sockets take no ancillary
 * data (EINVAL) and produce none (recvmsg sets msg_controllen to 0). */
#ifndef CMSG_FIRSTHDR
struct cmsghdr {
    socklen_t cmsg_len;
    int cmsg_level;
    int cmsg_type;
};
#define __CMSG_LEN(cmsg) (((cmsg)->cmsg_len + sizeof(long) - 1) & ~(long)(sizeof(long) - 1))
#define __CMSG_NEXT(cmsg) ((unsigned char *)(cmsg) + __CMSG_LEN(cmsg))
#define __MHDR_END(mhdr) ((unsigned char *)(mhdr)->msg_control + (mhdr)->msg_controllen)
#define CMSG_DATA(cmsg) ((unsigned char *)(((struct cmsghdr *)(cmsg)) + 1))
#define CMSG_NXTHDR(mhdr, cmsg)                                                               \
    ((cmsg)->cmsg_len < sizeof(struct cmsghdr) ||                                             \
             __CMSG_LEN(cmsg) + sizeof(struct cmsghdr) >=                                     \
                 (size_t)(__MHDR_END(mhdr) - (unsigned char *)(cmsg))                         \
         ? 0                                                                                  \
         : (struct cmsghdr *)__CMSG_NEXT(cmsg))
#define CMSG_FIRSTHDR(mhdr)                                                                   \
    ((size_t)(mhdr)->msg_controllen >= sizeof(struct cmsghdr)                                 \
         ? (struct cmsghdr *)(mhdr)->msg_control                                              \
         : (struct cmsghdr *)0)
#define CMSG_ALIGN(len) (((len) + sizeof(size_t) - 1) & (size_t) ~(sizeof(size_t) - 1))
#define CMSG_SPACE(len) (CMSG_ALIGN(len) + CMSG_ALIGN(sizeof(struct cmsghdr)))
#define CMSG_LEN(len) (CMSG_ALIGN(sizeof(struct cmsghdr)) + (len))
#endif

/* Prototypes the wasm32-wasip1 sysroot hides. accept, accept4, shutdown, send, recv and
 * getsockopt it declares itself. */
int socket(int, int, int);
int socketpair(int, int, int, int[2]);
int connect(int, const struct sockaddr *, socklen_t);
int bind(int, const struct sockaddr *, socklen_t);
int listen(int, int);
int getsockname(int, struct sockaddr *__restrict, socklen_t *__restrict);
int getpeername(int, struct sockaddr *__restrict, socklen_t *__restrict);
ssize_t sendto(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
int setsockopt(int, int, int, const void *, socklen_t);
ssize_t sendmsg(int, const struct msghdr *, int);
ssize_t recvmsg(int, struct msghdr *, int);
ssize_t recvfrom(int, void *__restrict, size_t, int, struct sockaddr *__restrict,
                 socklen_t *__restrict);

#ifdef __cplusplus
}
#endif

#endif

//! mode: wasm-only
//! expect: abi constants and layouts match the library's
/* The constants and struct layouts the library hard-codes (src/errno.rs, src/addr.rs, src/ops.rs,
 * src/flags.rs, src/tcp.rs, src/abi/) checked against the sysroot's headers plus include/, for
 * wasm32-wasip1 and wasm32-wasip2 (whose headers give three message flags Linux's numbers).
 * A mismatch fails the build of this test. */
#include "t.h"
#include <stddef.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/un.h>

#define EQ(a, b) _Static_assert((a) == (b), #a " != " #b)

/* src/errno.rs */
EQ(EACCES, 2); EQ(EADDRINUSE, 3); EQ(EADDRNOTAVAIL, 4); EQ(EAFNOSUPPORT, 5); EQ(EAGAIN, 6);
EQ(EALREADY, 7); EQ(EBADF, 8); EQ(ECONNABORTED, 13); EQ(ECONNREFUSED, 14); EQ(ECONNRESET, 15);
EQ(EDESTADDRREQ, 17); EQ(EFAULT, 21); EQ(EHOSTUNREACH, 23); EQ(EINPROGRESS, 26); EQ(EINTR, 27);
EQ(EINVAL, 28); EQ(EIO, 29); EQ(EISCONN, 30); EQ(EMFILE, 33); EQ(EMSGSIZE, 35);
EQ(ENETUNREACH, 40); EQ(ENOBUFS, 42); EQ(ENOMEM, 48); EQ(ENOPROTOOPT, 50); EQ(ENOTCONN, 53);
EQ(ENOTSOCK, 57); EQ(ENOTSUP, 58); EQ(EOPNOTSUPP, 58); EQ(ENOTTY, 59); EQ(EPIPE, 64);
EQ(EPROTONOSUPPORT, 66); EQ(ETIMEDOUT, 73); EQ(ENOTCAPABLE, 76); EQ(EWOULDBLOCK, EAGAIN);
/* src/addr.rs */
EQ(AF_UNSPEC, 0); EQ(AF_INET, 1); EQ(AF_INET6, 2); EQ(AF_UNIX, 3);
EQ(sizeof(struct sockaddr_in), 16); EQ(sizeof(struct sockaddr_in6), 32);
EQ(sizeof(struct sockaddr_storage), 48); EQ(sizeof(sa_family_t), 2);
EQ(offsetof(struct sockaddr_in, sin_port), 2); EQ(offsetof(struct sockaddr_in, sin_addr), 4);
EQ(offsetof(struct sockaddr_in6, sin6_port), 2); EQ(offsetof(struct sockaddr_in6, sin6_flowinfo), 4);
EQ(offsetof(struct sockaddr_in6, sin6_addr), 8); EQ(offsetof(struct sockaddr_in6, sin6_scope_id), 24);
EQ(sizeof(socklen_t), 4);
/* src/ops.rs */
EQ(SOCK_DGRAM, 5); EQ(SOCK_STREAM, 6); EQ(SOCK_NONBLOCK, 0x4000); EQ(SOCK_CLOEXEC, 0x2000);
EQ(IPPROTO_TCP, 6); EQ(IPPROTO_UDP, 17);
EQ(MSG_DONTWAIT, 0x40); EQ(MSG_NOSIGNAL, 0x4000); EQ(MSG_TRUNC, 0x20);
/* src/flags.rs (msg_abi) */
#ifdef __wasilibc_use_wasip2
EQ(MSG_PEEK, 2); EQ(MSG_WAITALL, 0x100); EQ(MSG_OOB, 1);
#else
EQ(MSG_PEEK, 1); EQ(MSG_WAITALL, 2); EQ(MSG_OOB, 0x80000);
#endif
/* src/tcp.rs */
EQ(SHUT_RD, 1); EQ(SHUT_WR, 2); EQ(SHUT_RDWR, 3);
/* src/abi/fcntl.rs */
EQ(F_GETFD, 1); EQ(F_SETFD, 2); EQ(F_GETFL, 3); EQ(F_SETFL, 4); EQ(FD_CLOEXEC, 1);
EQ(O_NONBLOCK, 4); EQ(O_RDONLY, 0x04000000); EQ(O_WRONLY, 0x10000000); EQ(O_SEARCH, 0x08000000);
EQ(O_RDWR, O_RDONLY | O_WRONLY); EQ(FIONREAD, 1); EQ(FIONBIO, 2);
/* src/abi/mod.rs */
EQ(sizeof(struct iovec), 8); EQ(offsetof(struct iovec, iov_len), 4);
/* include/sys/socket.h (values from wasi-libc's wasm32-wasip2 headers) */
EQ(SOL_SOCKET, 0x7fffffff); EQ(SO_TYPE, 3); EQ(SO_REUSEADDR, 2); EQ(SO_ERROR, 4);
EQ(SO_SNDBUF, 7); EQ(SO_RCVBUF, 8); EQ(SO_KEEPALIVE, 9); EQ(SO_ACCEPTCONN, 30);
EQ(SO_PROTOCOL, 38); EQ(SO_DOMAIN, 39); EQ(SO_RCVTIMEO, 66); EQ(SO_SNDTIMEO, 67);
/* include/sys/un.h, include/sys/socket.h: in-guest channels (src/channel/addr.rs,
 * src/ops/unix.rs, src/codec/cmsg.rs, src/flags.rs, src/abi/stat.rs) */
EQ(sizeof(struct sockaddr_un), 110); EQ(offsetof(struct sockaddr_un, sun_path), 2);
EQ(sizeof(((struct sockaddr_un *)0)->sun_path), 108);
EQ(SOCK_SEQPACKET, 9); EQ(PF_UNIX, AF_UNIX); EQ(AF_LOCAL, AF_UNIX);
EQ(SCM_RIGHTS, 1); EQ(MSG_CMSG_CLOEXEC, 0x40000000); EQ(MSG_CTRUNC, 8); EQ(MSG_TRUNC, 0x20);
EQ(sizeof(struct cmsghdr), 12); EQ(CMSG_LEN(4), 16); EQ(CMSG_SPACE(4), 16); EQ(CMSG_SPACE(5), 20);
EQ(S_IFIFO, 0010000); EQ(S_IFSOCK, 0140000); EQ(SO_PEERCRED, 17); EQ(sizeof(struct ucred), 12);
/* poll.h, for the poll issue */
EQ(POLLIN, 1); EQ(POLLOUT, 2); EQ(POLLERR, 0x1000); EQ(POLLHUP, 0x2000); EQ(POLLNVAL, 0x4000);

int main(void) {
    printf("abi constants and layouts match the library's\n");
    return 0;
}

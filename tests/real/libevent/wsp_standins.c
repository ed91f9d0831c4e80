/*
 * TEMPORARY stand-ins for functions libevent calls unconditionally and wasi-posix-sockets does
 * not export yet (issue 15 builds them in the library). tests/real/build.sh compiles a stand-in
 * only while `llvm-nm` does not find the symbol in libwasi_posix_sockets.a, and the test driver
 * reports that it did, so results obtained with a stand-in are never mistaken for the library's.
 *
 *   socketpair      -> libevent's own evutil_ersatz_socketpair_ (its Windows path: a connected
 *                      pair of TCP sockets on 127.0.0.1, SOCK_STREAM only)
 *   if_nametoindex  -> 0 with ENXIO (no interface names known)
 *   dup, dup2       -> -1 with ENOSYS (libevent's test_dup_fd fails with it)
 *   gethostname     -> "localhost" (declared by wasi-libc, defined by nobody)
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

int evutil_ersatz_socketpair_(int family, int type, int protocol, int fd[2]);

#ifdef WSP_STANDIN_SOCKETPAIR
int socketpair(int family, int type, int protocol, int fd[2])
{
    return evutil_ersatz_socketpair_(family, type, protocol, fd);
}
#endif

#ifdef WSP_STANDIN_IF_NAMETOINDEX
unsigned int if_nametoindex(const char *name)
{
    (void)name;
    errno = ENXIO;
    return 0;
}
#endif

#ifdef WSP_STANDIN_DUP
int dup(int fd)
{
    (void)fd;
    errno = ENOSYS;
    return -1;
}
#endif

#ifdef WSP_STANDIN_DUP2
int dup2(int fd, int fd2)
{
    (void)fd;
    (void)fd2;
    errno = ENOSYS;
    return -1;
}
#endif

#ifdef WSP_STANDIN_GETHOSTNAME
int gethostname(char *name, size_t len)
{
    static const char host[] = "localhost";
    if (len < sizeof host) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(name, host, sizeof host);
    return 0;
}
#endif

/*
 * wasi-posix-sockets: <sys/un.h> with Linux's `struct sockaddr_un` (`sun_family`, then
 * `sun_path[108]`; 110 bytes). wasi-libc's wasm32-wasip1 header declares a `sockaddr_un` with
 * `sun_family` only (WASI has no Unix domain sockets); this library has AF_UNIX sockets inside
 * the program (socketpair, and bind/connect by path or abstract name among the program's own
 * sockets), so the struct must hold a path. The sysroot's own struct is kept out by defining
 * its include guard first; everything else (SUN_LEN) comes from the sysroot's header.
 *
 * Note: wasi-libc's `struct sockaddr_storage` is 48 bytes, smaller than `sockaddr_un`; an
 * AF_UNIX name received into one is truncated to its size (with the full length reported).
 */
#ifndef WASI_POSIX_SOCKETS_SYS_UN_H
#define WASI_POSIX_SOCKETS_SYS_UN_H

#ifndef __wasilibc___struct_sockaddr_un_h
#define __wasilibc___struct_sockaddr_un_h
#define WASI_POSIX_SOCKETS_OWN_SOCKADDR_UN 1
#endif

#include_next <sys/un.h>

#ifdef WASI_POSIX_SOCKETS_OWN_SOCKADDR_UN
#include <__typedef_sa_family_t.h>

#ifdef __cplusplus
extern "C" {
#endif

struct sockaddr_un {
    sa_family_t sun_family;
    char sun_path[108];
};

#ifdef __cplusplus
}
#endif
#endif

#endif

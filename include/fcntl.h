/*
 * wasi-posix-sockets: completes wasi-libc's <fcntl.h> for wasm32-wasip1.
 *
 * The library's fcntl implements F_DUPFD and F_DUPFD_CLOEXEC (the sysroot hides them: preview 1
 * has no dup), with Linux's values. Nothing the sysroot defines is redefined. (wasi-libc defines
 * O_CLOEXEC as 0: WASI has no exec; FD_CLOEXEC is tracked per descriptor all the same.)
 */
#ifndef WASI_POSIX_SOCKETS_FCNTL_H
#define WASI_POSIX_SOCKETS_FCNTL_H

#include_next <fcntl.h>

#ifndef F_DUPFD
#define F_DUPFD 0
#endif
#ifndef F_DUPFD_CLOEXEC
#define F_DUPFD_CLOEXEC 1030
#endif

#endif

/*
 * wasi-posix-sockets: <sys/sendfile.h> for wasm32-wasip1 (wasi-libc has none): a file's bytes to
 * a socket or any other descriptor, as Linux (docs/REFERENCE.md).
 */
#ifndef WASI_POSIX_SOCKETS_SYS_SENDFILE_H
#define WASI_POSIX_SOCKETS_SYS_SENDFILE_H

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

ssize_t sendfile(int out_fd, int in_fd, off_t *offset, size_t count);

#ifdef __cplusplus
}
#endif

#endif

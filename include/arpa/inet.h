/*
 * wasi-posix-sockets: completes wasi-libc's <arpa/inet.h> for wasm32-wasip1, which hides
 * inet_addr and inet_ntoa. This library implements both (inet_addr accepts every inet_aton form).
 */
#ifndef WASI_POSIX_SOCKETS_ARPA_INET_H
#define WASI_POSIX_SOCKETS_ARPA_INET_H

#include_next <arpa/inet.h>

#ifdef __cplusplus
extern "C" {
#endif

in_addr_t inet_addr(const char *);
char *inet_ntoa(struct in_addr);

#ifdef __cplusplus
}
#endif

#endif

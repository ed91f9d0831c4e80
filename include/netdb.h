/*
 * wasi-posix-sockets: <netdb.h> for wasm32-wasip1.
 *
 * wasi-libc ships no <netdb.h> for wasm32-wasip1 (preview 1 has no name service). This one is
 * self-contained and uses the layouts and values of wasi-libc's wasm32-wasip2 <netdb.h> (musl's),
 * so code moves between the two unchanged. It declares only what this library implements:
 * getaddrinfo, freeaddrinfo, gai_strerror, getnameinfo, gethostbyname, gethostbyaddr,
 * getservbyname, getservbyport, h_errno, hstrerror and herror.
 *
 * Differences from a Linux libc, all because WASI has no reverse lookup, no /etc/hosts and no
 * /etc/services: getnameinfo and gethostbyaddr name only the loopback addresses ("localhost");
 * services come from a built-in table of the common entries of Debian's /etc/services;
 * "localhost" resolves without the host's lookup capability. See docs/names.md.
 */
#ifndef _NETDB_H
#define _NETDB_H

#include <netinet/in.h>
#include <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

struct addrinfo {
	int ai_flags;
	int ai_family;
	int ai_socktype;
	int ai_protocol;
	socklen_t ai_addrlen;
	struct sockaddr *ai_addr;
	char *ai_canonname;
	struct addrinfo *ai_next;
};

#define AI_PASSIVE      0x01
#define AI_CANONNAME    0x02
#define AI_NUMERICHOST  0x04
#define AI_V4MAPPED     0x08
#define AI_ALL          0x10
#define AI_ADDRCONFIG   0x20
#define AI_NUMERICSERV  0x400

#define NI_NUMERICHOST  0x01
#define NI_NUMERICSERV  0x02
#define NI_NOFQDN       0x04
#define NI_NAMEREQD     0x08
#define NI_DGRAM        0x10
#define NI_NUMERICSCOPE 0x100

#define NI_MAXHOST 255
#define NI_MAXSERV 32

#define EAI_BADFLAGS   -1
#define EAI_NONAME     -2
#define EAI_AGAIN      -3
#define EAI_FAIL       -4
#define EAI_NODATA     -5
#define EAI_FAMILY     -6
#define EAI_SOCKTYPE   -7
#define EAI_SERVICE    -8
#define EAI_ADDRFAMILY -9
#define EAI_MEMORY     -10
#define EAI_SYSTEM     -11
#define EAI_OVERFLOW   -12

int getaddrinfo(const char *__restrict, const char *__restrict, const struct addrinfo *__restrict,
                struct addrinfo **__restrict);
void freeaddrinfo(struct addrinfo *);
int getnameinfo(const struct sockaddr *__restrict, socklen_t, char *__restrict, socklen_t,
                char *__restrict, socklen_t, int);
const char *gai_strerror(int);

struct hostent {
	char *h_name;
	char **h_aliases;
	int h_addrtype;
	int h_length;
	char **h_addr_list;
};
#define h_addr h_addr_list[0]

struct servent {
	char *s_name;
	char **s_aliases;
	int s_port;
	char *s_proto;
};

struct protoent {
	char *p_name;
	char **p_aliases;
	int p_proto;
};

struct hostent *gethostbyname(const char *);
struct hostent *gethostbyaddr(const void *, socklen_t, int);
struct servent *getservbyname(const char *, const char *);
struct servent *getservbyport(int, const char *);

/* The guest is single-threaded: a plain global, like wasi-libc's wasip2 one. */
extern int h_errno;
#define HOST_NOT_FOUND 1
#define TRY_AGAIN      2
#define NO_RECOVERY    3
#define NO_DATA        4
#define NO_ADDRESS     NO_DATA
#define NETDB_INTERNAL -1 /* glibc's: see errno */

void herror(const char *);
const char *hstrerror(int);

#ifdef __cplusplus
}
#endif

#endif

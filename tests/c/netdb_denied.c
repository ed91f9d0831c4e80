//! wasmtime: -S inherit-network
//! mode: wasm-only
//! expect: gai(localhost, 80, flags 0x0, AF_UNSPEC, SOCK_STREAM, 0) -> 2
//! expect:   AF_INET6 SOCK_STREAM IPPROTO_TCP [::1%0]:80 flow 0 flags 0x0 canon NULL
//! expect:   AF_INET SOCK_STREAM IPPROTO_TCP 127.0.0.1:80 flags 0x0 canon NULL
//! expect: gai(LocalHost., 80, flags 0x2, AF_UNSPEC, SOCK_STREAM, 0) -> 2
//! expect:   AF_INET6 SOCK_STREAM IPPROTO_TCP [::1%0]:80 flow 0 flags 0x2 canon localhost
//! expect:   AF_INET SOCK_STREAM IPPROTO_TCP 127.0.0.1:80 flags 0x2 canon NULL
//! expect: gai(localhost, 80, flags 0x0, AF_INET6, SOCK_DGRAM, 0) -> 1
//! expect:   AF_INET6 SOCK_DGRAM IPPROTO_UDP [::1%0]:80 flow 0 flags 0x0 canon NULL
//! expect: gai(localhost, 80, flags 0x18, AF_INET6, SOCK_STREAM, 0) -> 2
//! expect:   AF_INET6 SOCK_STREAM IPPROTO_TCP [::1%0]:80 flow 0 flags 0x18 canon NULL
//! expect:   AF_INET6 SOCK_STREAM IPPROTO_TCP [::ffff:127.0.0.1%0]:80 flow 0 flags 0x18 canon NULL
//! expect: gai(localhost, NULL, flags 0x0, AF_INET, 0, 0) -> 2
//! expect:   AF_INET SOCK_STREAM IPPROTO_TCP 127.0.0.1:0 flags 0x0 canon NULL
//! expect:   AF_INET SOCK_DGRAM IPPROTO_UDP 127.0.0.1:0 flags 0x0 canon NULL
//! expect: gai(127.0.0.1, http, flags 0x0, AF_INET, SOCK_STREAM, 0) -> 1
//! expect:   AF_INET SOCK_STREAM IPPROTO_TCP 127.0.0.1:80 flags 0x0 canon NULL
//! expect: gai(NULL, 80, flags 0x1, AF_UNSPEC, SOCK_STREAM, 0) -> 2
//! expect:   AF_INET SOCK_STREAM IPPROTO_TCP 0.0.0.0:80 flags 0x1 canon NULL
//! expect:   AF_INET6 SOCK_STREAM IPPROTO_TCP [::%0]:80 flow 0 flags 0x1 canon NULL
//! expect: gai(example.invalid, 80, flags 0x0, AF_UNSPEC, SOCK_STREAM, 0) -> EAI_FAIL
//! expect: gai(example.invalid, 80, flags 0x4, AF_UNSPEC, SOCK_STREAM, 0) -> EAI_NONAME
//! expect: gai(localhost.example, 80, flags 0x0, AF_INET, SOCK_STREAM, 0) -> EAI_FAIL
//! expect: gethostbyname(example.invalid) -> NULL h_errno 3 (Unknown server error)
//! expect: gethostbyname(localhost) -> name localhost type AF_INET len 4 aliases addrs 127.0.0.1
//! expect: gethostbyname(::1) -> NULL h_errno 1 (Unknown host)
//! expect: gni([::1]:443, flags 0x0) -> host localhost serv https (past host intact, past serv intact)
//! expect: gni([::ffff:127.0.0.1]:22, flags 0x0) -> host localhost serv ssh (past host intact, past serv intact)
//! expect: gni(192.0.2.1:80, flags 0x0) -> host 192.0.2.1 serv http (past host intact, past serv intact)
//! expect: gni(192.0.2.1:80, flags 0x8) -> EAI_NONAME (past host intact, past serv intact)
//! expect: gni([fe80::1%2]:53, flags 0x10) -> host fe80::1%2 serv domain (past host intact, past serv intact)
//! expect: gni([fe80::1%2]:53, flags 0x100) -> host fe80::1%2 serv domain (past host intact, past serv intact)
//! expect: gni(AF_UNIX, flags 0x0) -> EAI_FAMILY (past host intact, past serv intact)
//! expect: gethostbyaddr(192.0.2.1) -> NULL h_errno 1 (Unknown host)
//! expect: gethostbyaddr(::1) -> name localhost type AF_INET6 len 16 aliases addrs ::1
//! expect: gethostbyaddr(::1, AF_INET) -> NULL h_errno 1 (Unknown host)
//! expect: getaddrinfo(res NULL) -> EAI_SYSTEM errno EFAULT
/* Name resolution where the host denies lookups (no -S allow-ip-name-lookup): numeric hosts, the
 * NULL host and "localhost" still resolve (localhost as a standard /etc/hosts lists it: ::1, then
 * 127.0.0.1); any other name is EAI_FAIL (gethostbyname: NO_RECOVERY), a permanent failure, so a
 * program does not retry forever as it would on EAI_AGAIN. Reverse lookups do not exist in WASI:
 * only the loopback addresses have a name. */
#include "gai.h"

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    gai("localhost", "80", 0, AF_UNSPEC, SOCK_STREAM, 0);
    gai("LocalHost.", "80", AI_CANONNAME, AF_UNSPEC, SOCK_STREAM, 0);
    gai("localhost", "80", 0, AF_INET6, SOCK_DGRAM, 0);
    gai("localhost", "80", AI_V4MAPPED | AI_ALL, AF_INET6, SOCK_STREAM, 0);
    gai("localhost", NULL, 0, AF_INET, 0, 0);
    gai("127.0.0.1", "http", 0, AF_INET, SOCK_STREAM, 0);
    gai(NULL, "80", AI_PASSIVE, AF_UNSPEC, SOCK_STREAM, 0);
    gai("example.invalid", "80", 0, AF_UNSPEC, SOCK_STREAM, 0);
    gai("example.invalid", "80", AI_NUMERICHOST, AF_UNSPEC, SOCK_STREAM, 0);
    gai("localhost.example", "80", 0, AF_INET, SOCK_STREAM, 0);
    show_hostent("gethostbyname(example.invalid)", gethostbyname("example.invalid"));
    show_hostent("gethostbyname(localhost)", gethostbyname("localhost"));
    show_hostent("gethostbyname(::1)", gethostbyname("::1"));

    struct sockaddr_in doc = v4("192.0.2.1", 80);
    struct sockaddr_in6 lo6 = v6("::1", 443, 0), ll = v6("fe80::1", 53, 2), mapped = v6("::ffff:127.0.0.1", 22, 0);
    gni("[::1]:443", (void *)&lo6, sizeof lo6, NI_MAXHOST, NI_MAXSERV, 0);
    gni("[::ffff:127.0.0.1]:22", (void *)&mapped, sizeof mapped, NI_MAXHOST, NI_MAXSERV, 0);
    gni("192.0.2.1:80", (void *)&doc, sizeof doc, NI_MAXHOST, NI_MAXSERV, 0);
    gni("192.0.2.1:80", (void *)&doc, sizeof doc, NI_MAXHOST, NI_MAXSERV, NI_NAMEREQD);
    gni("[fe80::1%2]:53", (void *)&ll, sizeof ll, NI_MAXHOST, NI_MAXSERV, NI_DGRAM);
    gni("[fe80::1%2]:53", (void *)&ll, sizeof ll, NI_MAXHOST, NI_MAXSERV, NI_NUMERICSCOPE);
    struct sockaddr_in un = doc;
    un.sin_family = AF_UNIX;
    gni("AF_UNIX", (void *)&un, sizeof un, NI_MAXHOST, NI_MAXSERV, 0);

    struct in_addr doc_a = doc.sin_addr;
    show_hostent("gethostbyaddr(192.0.2.1)", gethostbyaddr(&doc_a, 4, AF_INET));
    show_hostent("gethostbyaddr(::1)", gethostbyaddr(&lo6.sin6_addr, 16, AF_INET6));
    show_hostent("gethostbyaddr(::1, AF_INET)", gethostbyaddr(&lo6.sin6_addr, 16, AF_INET));
    errno = 0;
    int r = getaddrinfo("127.0.0.1", "80", NULL, NULL);
    printf("getaddrinfo(res NULL) -> %s errno %s\n", eainame(r), errname(errno));
    return 0;
}

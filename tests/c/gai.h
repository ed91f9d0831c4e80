/* Printing helpers for the name-resolution tests (netdb*.c): getaddrinfo lists, getnameinfo
 * answers with a check that nothing was written past the lengths given, hostent and servent. */
#ifndef WSP_TEST_GAI_H
#define WSP_TEST_GAI_H

#include "t.h"
#include <netdb.h>

T_FN const char *eainame(int e) {
#define E(x) if (e == x) return #x;
    E(EAI_BADFLAGS) E(EAI_NONAME) E(EAI_AGAIN) E(EAI_FAIL) E(EAI_NODATA) E(EAI_FAMILY)
    E(EAI_SOCKTYPE) E(EAI_SERVICE) E(EAI_ADDRFAMILY) E(EAI_MEMORY) E(EAI_SYSTEM) E(EAI_OVERFLOW)
#undef E
    static char buf[32];
    snprintf(buf, sizeof buf, "EAI(%d)", e);
    return buf;
}

T_FN const char *typename(int t) {
    if (t == SOCK_STREAM) return "SOCK_STREAM";
    if (t == SOCK_DGRAM) return "SOCK_DGRAM";
#ifdef SOCK_RAW
    if (t == SOCK_RAW) return "SOCK_RAW";
#endif
    return "SOCK_?";
}

T_FN const char *protoname(int p) {
    if (p == IPPROTO_TCP) return "IPPROTO_TCP";
    if (p == IPPROTO_UDP) return "IPPROTO_UDP";
    if (p == 0) return "0";
    return "IPPROTO_?";
}

/* "[addr]:port" (plus "%scope" for IPv6) from a sockaddr, checking its length field. */
T_FN void addrtext(const struct sockaddr *sa, socklen_t len, char *out, size_t n) {
    char ip[INET6_ADDRSTRLEN];
    if (sa->sa_family == AF_INET && len == sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *s = (const void *)sa;
        inet_ntop(AF_INET, &s->sin_addr, ip, sizeof ip);
        snprintf(out, n, "%s:%u", ip, ntohs(s->sin_port));
    } else if (sa->sa_family == AF_INET6 && len == sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *s = (const void *)sa;
        inet_ntop(AF_INET6, &s->sin6_addr, ip, sizeof ip);
        snprintf(out, n, "[%s%%%u]:%u flow %u", ip, (unsigned)s->sin6_scope_id, ntohs(s->sin6_port),
                 (unsigned)s->sin6_flowinfo);
    } else {
        snprintf(out, n, "family %s len %u", famname(sa->sa_family), (unsigned)len);
    }
}

/* getaddrinfo with hints (flags, family, socktype, protocol); prints the list or the error. */
T_FN void gai(const char *node, const char *serv, int flags, int fam, int type, int proto) {
    struct addrinfo h, *res = (struct addrinfo *)1;
    memset(&h, 0, sizeof h);
    h.ai_flags = flags;
    h.ai_family = fam;
    h.ai_socktype = type;
    h.ai_protocol = proto;
    int r = getaddrinfo(node, serv, &h, &res);
    printf("gai(%s, %s, flags 0x%x, %s, %s, %d) -> ", node ? node : "NULL", serv ? serv : "NULL", flags,
           famname(fam), type ? typename(type) : "0", proto);
    if (r != 0) {
        printf("%s\n", eainame(r));
        return;
    }
    int n = 0;
    for (struct addrinfo *a = res; a; a = a->ai_next) n++;
    printf("%d\n", n);
    for (struct addrinfo *a = res; a; a = a->ai_next) {
        char t[96];
        addrtext(a->ai_addr, a->ai_addrlen, t, sizeof t);
        printf("  %s %s %s %s flags 0x%x canon %s\n", famname(a->ai_family), typename(a->ai_socktype),
               protoname(a->ai_protocol), t, a->ai_flags, a->ai_canonname ? a->ai_canonname : "NULL");
    }
    freeaddrinfo(res);
}

T_FN void gai_nohints(const char *node, const char *serv) {
    struct addrinfo *res;
    int r = getaddrinfo(node, serv, NULL, &res);
    printf("gai(%s, %s, NULL hints) -> ", node, serv);
    if (r != 0) {
        printf("%s\n", eainame(r));
        return;
    }
    for (struct addrinfo *a = res; a; a = a->ai_next) {
        char t[96];
        addrtext(a->ai_addr, a->ai_addrlen, t, sizeof t);
        printf("%s %s %s; ", typename(a->ai_socktype), protoname(a->ai_protocol), t);
    }
    printf("\n");
    freeaddrinfo(res);
}

T_FN void gni(const char *label, const struct sockaddr *sa, socklen_t len, size_t hostlen, size_t servlen,
                int flags) {
    char host[NI_MAXHOST + 8], serv[NI_MAXSERV + 8];
    memset(host, 'X', sizeof host);
    memset(serv, 'X', sizeof serv);
    int r = getnameinfo(sa, len, hostlen ? host : NULL, hostlen, servlen ? serv : NULL, servlen, flags);
    if (r != 0)
        printf("gni(%s, flags 0x%x) -> %s", label, flags, eainame(r));
    else
        printf("gni(%s, flags 0x%x) -> host %s serv %s", label, flags, hostlen ? host : "-",
               servlen ? serv : "-");
    /* Nothing written past the lengths given. */
    printf(" (past host %s, past serv %s)\n", hostlen < sizeof host && host[hostlen] != 'X' ? "WRITTEN" : "intact",
           servlen < sizeof serv && serv[servlen] != 'X' ? "WRITTEN" : "intact");
}

T_FN struct sockaddr_in v4(const char *ip, int port) {
    struct sockaddr_in s;
    memset(&s, 0, sizeof s);
    s.sin_family = AF_INET;
    s.sin_port = htons(port);
    inet_pton(AF_INET, ip, &s.sin_addr);
    return s;
}

T_FN struct sockaddr_in6 v6(const char *ip, int port, unsigned scope) {
    struct sockaddr_in6 s;
    memset(&s, 0, sizeof s);
    s.sin6_family = AF_INET6;
    s.sin6_port = htons(port);
    s.sin6_scope_id = scope;
    inet_pton(AF_INET6, ip, &s.sin6_addr);
    return s;
}

T_FN void show_hostent(const char *label, struct hostent *h) {
    if (!h) {
        if (h_errno == -1) /* NETDB_INTERNAL: the reason is in errno */
            printf("%s -> NULL h_errno -1 (%s) errno %s\n", label, hstrerror(h_errno), errname(errno));
        else
            printf("%s -> NULL h_errno %d (%s)\n", label, h_errno, hstrerror(h_errno));
        return;
    }
    printf("%s -> name %s type %s len %d aliases", label, h->h_name, famname(h->h_addrtype), h->h_length);
    for (char **a = h->h_aliases; *a; a++) printf(" %s", *a);
    printf(" addrs");
    for (char **a = h->h_addr_list; *a; a++) {
        char ip[INET6_ADDRSTRLEN];
        inet_ntop(h->h_addrtype, *a, ip, sizeof ip);
        printf(" %s", ip);
    }
    printf("\n");
}

T_FN void show_servent(const char *label, struct servent *s) {
    if (!s) {
        printf("%s -> NULL\n", label);
        return;
    }
    printf("%s -> %s port %d proto %s aliases", label, s->s_name, ntohs(s->s_port), s->s_proto);
    for (char **a = s->s_aliases; *a; a++) printf(" %s", *a);
    printf("\n");
}

#endif

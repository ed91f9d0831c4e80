//! wasmtime: -S inherit-network -S allow-ip-name-lookup
/* Name and service resolution compared with glibc: getaddrinfo on numeric hosts (every inet_aton
 * form, IPv6 with a scope), the NULL host with and without AI_PASSIVE, "localhost" through the
 * host's resolver, service names and numbers, every flag, family/socktype/protocol filtering and
 * every EAI_* error reachable without a failing allocator; getnameinfo, gethostbyname,
 * gethostbyaddr, getservbyname, getservbyport, hstrerror, gai_strerror, inet_addr, inet_ntoa.
 *
 * Only what is the same on every Linux machine: no DNS (names other than localhost, reverse
 * lookups of non-loopback addresses) and no ::1 by name (not every /etc/hosts lists it). Those are
 * in netdb_denied.c, netdb_allowed.c and the e2e tests. */
#include "gai.h"

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);

    printf("-- numeric hosts\n");
    gai("127.0.0.1", "80", 0, AF_UNSPEC, SOCK_STREAM, 0);
    gai("127.0.0.1", "80", AI_NUMERICHOST | AI_NUMERICSERV, AF_INET, SOCK_DGRAM, 0);
    gai("127.1", "7", 0, AF_INET, SOCK_STREAM, 0);
    gai("0x7f.0.0.1", "7", 0, AF_INET, SOCK_STREAM, 0);
    gai("0177.0.0.01", "7", 0, AF_INET, SOCK_STREAM, 0);
    gai("2130706433", "7", 0, AF_INET, SOCK_STREAM, 0);
    gai("10.0x10000", "7", 0, AF_INET, SOCK_STREAM, 0);
    gai("1.2.3.4.5", "7", AI_NUMERICHOST, AF_INET, SOCK_STREAM, 0);
    gai("256.0.0.1", "7", AI_NUMERICHOST, AF_INET, SOCK_STREAM, 0);
    gai("::1", "443", 0, AF_UNSPEC, SOCK_STREAM, 0);
    gai("::1", "443", AI_NUMERICHOST, AF_INET6, 0, IPPROTO_TCP);
    gai("fe80::1%2", "22", AI_NUMERICHOST, AF_INET6, SOCK_STREAM, 0);
    gai("2001:db8::ff00:42:8329", "0", 0, AF_UNSPEC, SOCK_DGRAM, 0);
    gai("::ffff:127.0.0.1", "80", 0, AF_UNSPEC, SOCK_STREAM, 0);
    gai("::1:", "80", AI_NUMERICHOST, AF_UNSPEC, SOCK_STREAM, 0);
    gai_nohints("127.0.0.1", "80");

    printf("-- the NULL host\n");
    gai(NULL, "8080", 0, AF_UNSPEC, SOCK_STREAM, 0);
    gai(NULL, "8080", AI_PASSIVE, AF_UNSPEC, SOCK_STREAM, 0);
    gai(NULL, "8080", AI_PASSIVE, AF_INET, SOCK_STREAM, 0);
    gai(NULL, "8080", AI_PASSIVE, AF_INET6, SOCK_DGRAM, 0);
    gai(NULL, "8080", 0, AF_INET6, SOCK_STREAM, 0);
    gai(NULL, "0", AI_PASSIVE, AF_INET, 0, IPPROTO_UDP);

    printf("-- localhost\n");
    gai("localhost", "http", 0, AF_INET, SOCK_STREAM, 0);
    gai("localhost", "80", AI_CANONNAME, AF_INET, SOCK_STREAM, 0);
    gai("localhost", "80", AI_NUMERICHOST, AF_INET, SOCK_STREAM, 0);
    gai("127.0.0.1", "80", AI_CANONNAME, AF_INET, SOCK_STREAM, 0);

    printf("-- services\n");
    gai("127.0.0.1", "http", 0, AF_INET, SOCK_STREAM, 0);
    gai("127.0.0.1", "https", 0, AF_INET, SOCK_DGRAM, 0);
    gai("127.0.0.1", "domain", 0, AF_INET, 0, 0);
    gai("127.0.0.1", "ssh", 0, AF_INET, SOCK_DGRAM, 0);
    gai("127.0.0.1", "www", 0, AF_INET, SOCK_STREAM, 0);
    gai("127.0.0.1", "ntp", 0, AF_INET, 0, 0);
    gai("127.0.0.1", "no-such-service", 0, AF_INET, SOCK_STREAM, 0);
    gai("127.0.0.1", "http", AI_NUMERICSERV, AF_INET, SOCK_STREAM, 0);
    gai("127.0.0.1", "65535", 0, AF_INET, SOCK_STREAM, 0);
    gai("127.0.0.1", "65536", 0, AF_INET, SOCK_STREAM, 0);
    gai("127.0.0.1", "-1", 0, AF_INET, SOCK_STREAM, 0);
    gai("127.0.0.1", " 80", 0, AF_INET, SOCK_STREAM, 0);
    gai("127.0.0.1", "+80", 0, AF_INET, SOCK_STREAM, 0);
    gai("127.0.0.1", "0x50", 0, AF_INET, SOCK_STREAM, 0);
    gai("127.0.0.1", "", 0, AF_INET, SOCK_STREAM, 0);
    gai("127.0.0.1", NULL, 0, AF_INET, SOCK_STREAM, 0);

    printf("-- flags and filters\n");
    gai("127.0.0.1", "80", AI_V4MAPPED, AF_INET6, SOCK_STREAM, 0);
    gai("127.0.0.1", "80", AI_V4MAPPED | AI_ALL, AF_INET6, SOCK_STREAM, 0);
    gai("127.0.0.1", "80", AI_V4MAPPED, AF_INET, SOCK_STREAM, 0);
    gai("127.0.0.1", "80", AI_ADDRCONFIG | AI_NUMERICHOST, AF_INET, SOCK_STREAM, 0);
    gai("127.0.0.1", "80", 0, AF_INET, 0, IPPROTO_TCP);
    gai("127.0.0.1", "80", 0, AF_INET, SOCK_DGRAM, IPPROTO_UDP);

    printf("-- errors\n");
    gai("127.0.0.1", "80", 0x8000, AF_INET, SOCK_STREAM, 0);
    gai(NULL, "80", AI_CANONNAME, AF_INET, SOCK_STREAM, 0);
    gai(NULL, NULL, 0, AF_INET, SOCK_STREAM, 0);
    gai("127.0.0.1", "80", 0, 99, SOCK_STREAM, 0);
    gai("127.0.0.1", "80", 0, AF_INET, 99, 0);
    gai("127.0.0.1", "80", 0, AF_INET, SOCK_STREAM, IPPROTO_UDP);
    gai("127.0.0.1", "80", 0, AF_INET, SOCK_DGRAM, IPPROTO_TCP);
    gai("127.0.0.1", "80", 0, AF_INET6, SOCK_STREAM, 0);
    gai("::1", "80", 0, AF_INET, SOCK_STREAM, 0);
    gai("::1", "80", AI_V4MAPPED, AF_INET, SOCK_STREAM, 0);

    printf("-- getnameinfo\n");
    struct sockaddr_in lo = v4("127.0.0.1", 80), doc = v4("192.0.2.1", 4);
    struct sockaddr_in6 lo6 = v6("::1", 443, 0), ll = v6("fe80::1", 53, 999), mapped = v6("::ffff:192.0.2.1", 22, 0);
    gni("127.0.0.1:80", (void *)&lo, sizeof lo, NI_MAXHOST, NI_MAXSERV, 0);
    gni("127.0.0.1:80", (void *)&lo, sizeof lo, NI_MAXHOST, NI_MAXSERV, NI_NAMEREQD);
    gni("127.0.0.1:80", (void *)&lo, sizeof lo, NI_MAXHOST, NI_MAXSERV, NI_NUMERICHOST | NI_NUMERICSERV);
    gni("127.0.0.1:80", (void *)&lo, sizeof lo, NI_MAXHOST, NI_MAXSERV, NI_NOFQDN);
    gni("192.0.2.1:4", (void *)&doc, sizeof doc, NI_MAXHOST, NI_MAXSERV, NI_NUMERICHOST);
    gni("[::1]:443", (void *)&lo6, sizeof lo6, NI_MAXHOST, NI_MAXSERV, NI_NUMERICHOST);
    gni("[fe80::1%999]:53", (void *)&ll, sizeof ll, NI_MAXHOST, NI_MAXSERV, NI_NUMERICHOST | NI_DGRAM);
    gni("[::ffff:192.0.2.1]:22", (void *)&mapped, sizeof mapped, NI_MAXHOST, NI_MAXSERV, NI_NUMERICHOST);
    gni("127.0.0.1:80 host only", (void *)&lo, sizeof lo, NI_MAXHOST, 0, NI_NUMERICHOST);
    gni("127.0.0.1:80 serv only", (void *)&lo, sizeof lo, 0, NI_MAXSERV, 0);
    gni("127.0.0.1:80 neither", (void *)&lo, sizeof lo, 0, 0, 0);
    gni("127.0.0.1:80 hostlen 9", (void *)&lo, sizeof lo, 9, NI_MAXSERV, NI_NUMERICHOST);
    gni("127.0.0.1:80 hostlen 10", (void *)&lo, sizeof lo, 10, NI_MAXSERV, NI_NUMERICHOST);
    gni("127.0.0.1:80 servlen 4", (void *)&lo, sizeof lo, NI_MAXHOST, 4, 0);
    gni("127.0.0.1:80 servlen 5", (void *)&lo, sizeof lo, NI_MAXHOST, 5, 0);
    gni("127.0.0.1:80 short", (void *)&lo, sizeof lo - 1, NI_MAXHOST, NI_MAXSERV, 0);
    gni("[::1]:443 short", (void *)&lo6, sizeof lo6 - 1, NI_MAXHOST, NI_MAXSERV, 0);
    struct sockaddr_in bad = lo;
    bad.sin_family = 99;
    gni("family 99", (void *)&bad, sizeof bad, NI_MAXHOST, NI_MAXSERV, 0);
    gni("NULL address", NULL, sizeof lo, NI_MAXHOST, NI_MAXSERV, 0);
    gni("127.0.0.1:80 length 1", (void *)&lo, 1, NI_MAXHOST, NI_MAXSERV, 0);
    gni("127.0.0.1:80 length 1000", (void *)&lo, 1000, NI_MAXHOST, NI_MAXSERV, NI_NUMERICHOST);
    gni("127.0.0.1:80 neither NI_NAMEREQD", (void *)&lo, sizeof lo, 0, 0, NI_NAMEREQD);
    gni("bad flags", (void *)&lo, sizeof lo, NI_MAXHOST, NI_MAXSERV, 0x4000);

    printf("-- gethostbyname / gethostbyaddr\n");
    show_hostent("gethostbyname(127.0.0.1)", gethostbyname("127.0.0.1"));
    show_hostent("gethostbyname(127.1)", gethostbyname("127.1"));
    show_hostent("gethostbyname(localhost)", gethostbyname("localhost"));
    struct in_addr lo_a;
    inet_pton(AF_INET, "127.0.0.1", &lo_a);
    show_hostent("gethostbyaddr(127.0.0.1)", gethostbyaddr(&lo_a, 4, AF_INET));
    show_hostent("gethostbyaddr(127.0.0.1, len 3)", gethostbyaddr(&lo_a, 3, AF_INET));
    show_hostent("gethostbyaddr(127.0.0.1, family 99)", gethostbyaddr(&lo_a, 4, 99));
    show_hostent("gethostbyaddr(::1 as 4 bytes, AF_INET6)", gethostbyaddr(&lo6.sin6_addr, 4, AF_INET6));
    show_hostent("gethostbyname(::1)", gethostbyname("::1"));
    gai("", "80", 0, AF_UNSPEC, SOCK_STREAM, 0);

    printf("-- services database\n");
    show_servent("getservbyname(http, tcp)", getservbyname("http", "tcp"));
    show_servent("getservbyname(www, tcp)", getservbyname("www", "tcp"));
    show_servent("getservbyname(domain, NULL)", getservbyname("domain", NULL));
    show_servent("getservbyname(domain, udp)", getservbyname("domain", "udp"));
    show_servent("getservbyname(ssh, udp)", getservbyname("ssh", "udp"));
    show_servent("getservbyname(smtp, tcp)", getservbyname("smtp", "tcp"));
    show_servent("getservbyname(no-such, tcp)", getservbyname("no-such", "tcp"));
    show_servent("getservbyname(http, sctp)", getservbyname("http", "sctp"));
    show_servent("getservbyport(53, udp)", getservbyport(htons(53), "udp"));
    show_servent("getservbyport(443, NULL)", getservbyport(htons(443), NULL));
    show_servent("getservbyport(25, tcp)", getservbyport(htons(25), "tcp"));
    show_servent("getservbyport(3, NULL)", getservbyport(htons(3), NULL));
    static const char *common[] = {"echo", "discard", "daytime", "ftp-data", "ftp", "ssh", "telnet", "smtp",
                                   "domain", "gopher", "finger", "http", "pop3", "ntp", "imap2", "snmp",
                                   "ldap", "https", "submission", "imaps", "pop3s", "mysql", "postgresql",
                                   "redis", "sip", "xmpp-client", "irc", "socks", "openvpn", "syslog",
                                   "kerberos", "rsync", "nfs", "bgp", "ldaps", "ftps", "telnets", NULL};
    for (const char **c = common; *c; c++) {
        struct servent *t = getservbyname(*c, "tcp");
        int tp = t ? ntohs(t->s_port) : -1;
        struct servent *u = getservbyname(*c, "udp");
        int up = u ? ntohs(u->s_port) : -1;
        printf("service %s tcp %d udp %d\n", *c, tp, up);
    }

    printf("-- messages\n");
    for (int e = -12; e <= 0; e++) printf("gai_strerror(%s) = %s\n", e ? eainame(e) : "0", gai_strerror(e));
    for (int e = -1; e <= 5; e++) printf("hstrerror(%d) = %s\n", e, hstrerror(e));

    printf("-- inet_addr / inet_ntoa\n");
    static const char *forms[] = {"127.0.0.1", "127.1", "0x7f000001", "0177.0.0.1", "255.255.255.255",
                                  "256.0.0.1", "1.2.3.4.5", "", "bogus", "1.2.3.4 ", "1.2.3.4\tjunk", " 1.2.3.4", "1.2.3.4x", NULL};
    for (const char **f = forms; *f; f++) {
        in_addr_t a = inet_addr(*f);
        struct in_addr ia = {a};
        printf("inet_addr(\"%s\") = %s%s\n", *f, a == INADDR_NONE ? "INADDR_NONE " : "", inet_ntoa(ia));
    }
    return 0;
}

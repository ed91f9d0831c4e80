/* Interfaces and host facts as a guest can know them, against Linux's answers for the same
 * things: the loopback interface (if_nametoindex, if_indextoname, if_nameindex, getifaddrs; only
 * `lo` is printed, the Linux machine has others), gethostname (printed as properties: the name
 * differs), and the descriptor limit (getrlimit, sysconf(_SC_OPEN_MAX), setrlimit lowering it,
 * and socket() reaching it with EMFILE). */
#include "t.h"
#include <ifaddrs.h>
#include <net/if.h>
#include <sys/resource.h>

static void interfaces(void) {
    printf("== interfaces\n");
    SHOW(if_nametoindex("lo"));
    SHOW(if_nametoindex("no-such-if0"));
    SHOW(if_nametoindex(""));
    char name[IF_NAMESIZE] = {0};
    printf("if_indextoname(1) -> %s\n", if_indextoname(1, name) ? name : "NULL");
    errno = 0;
    char *r = if_indextoname(99999, name);
    printf("if_indextoname(99999) -> %s %s\n", r ? r : "NULL", r ? "" : errname(errno));
    struct if_nameindex *ni = if_nameindex();
    int found = 0;
    for (struct if_nameindex *p = ni; p && p->if_index; p++)
        if (strcmp(p->if_name, "lo") == 0) {
            printf("if_nameindex: lo is %u\n", p->if_index);
            found++;
        }
    printf("if_nameindex lists lo %d time(s)\n", found);
    if_freenameindex(ni);

    struct ifaddrs *ifa = NULL;
    SHOW(getifaddrs(&ifa));
    for (struct ifaddrs *p = ifa; p; p = p->ifa_next) {
        if (strcmp(p->ifa_name, "lo") != 0 || !p->ifa_addr) continue;
        int fam = p->ifa_addr->sa_family;
        if (fam != AF_INET && fam != AF_INET6) continue;
        char a[64], m[64];
        const void *ap = fam == AF_INET ? (void *)&((struct sockaddr_in *)p->ifa_addr)->sin_addr
                                        : (void *)&((struct sockaddr_in6 *)p->ifa_addr)->sin6_addr;
        const void *mp = fam == AF_INET
                             ? (void *)&((struct sockaddr_in *)p->ifa_netmask)->sin_addr
                             : (void *)&((struct sockaddr_in6 *)p->ifa_netmask)->sin6_addr;
        inet_ntop(fam, ap, a, sizeof a);
        inet_ntop(fam, mp, m, sizeof m);
        printf("getifaddrs: lo %s %s netmask %s up=%d loopback=%d running=%d\n", famname(fam), a,
               m, !!(p->ifa_flags & IFF_UP), !!(p->ifa_flags & IFF_LOOPBACK),
               !!(p->ifa_flags & IFF_RUNNING));
    }
    freeifaddrs(ifa);
}

static void hostname(void) {
    printf("== gethostname\n");
    char h[256];
    memset(h, 'x', sizeof h);
    int r = gethostname(h, sizeof h);
    size_t n = strnlen(h, sizeof h);
    printf("gethostname -> %d, %s\n", r, n > 0 && n < sizeof h ? "a NUL-terminated name" : "odd");
    SHOW(gethostname(h, 1));
}

static void limits(void) {
    printf("== descriptor limit\n");
    struct rlimit rl;
    SHOW(getrlimit(RLIMIT_NOFILE, &rl));
    printf("soft %s, soft <= hard: %d\n", rl.rlim_cur >= 1024 ? ">= 1024" : "< 1024",
           rl.rlim_cur <= rl.rlim_max);
    printf("sysconf(_SC_OPEN_MAX) == soft limit: %d\n", sysconf(_SC_OPEN_MAX) == (long)rl.rlim_cur);
    SHOW(getrlimit(12345, &rl));
    struct rlimit low = {64, rl.rlim_max};
    SHOW(setrlimit(RLIMIT_NOFILE, &low));
    SHOW(sysconf(_SC_OPEN_MAX));
    struct rlimit bad = {128, 64};
    SHOW(setrlimit(RLIMIT_NOFILE, &bad));
    int fds[80], n = 0, last = -1;
    for (; n < 80; n++) {
        fds[n] = socket(AF_INET, SOCK_DGRAM, 0);
        if (fds[n] < 0) {
            printf("socket stops with %s\n", errname(errno));
            break;
        }
        last = fds[n];
    }
    printf("highest descriptor is below the limit: %d, the limit was reached: %d\n", last < 64,
           last == 63);
    SHOW(dup2(0, 64));
    SHOW(fcntl(0, F_DUPFD, 64));
    for (int i = 0; i < n; i++) close(fds[i]);
    struct rlimit back = {1024, rl.rlim_max};
    SHOW(setrlimit(RLIMIT_NOFILE, &back));
}

int main(void) {
    test_setup();
    interfaces();
    hostname();
    limits();
    return 0;
}

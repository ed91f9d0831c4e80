/* The TCP life cycle in one process, IPv4 and IPv6: socket, bind (port 0), listen, getsockname,
 * blocking connect, accept (with and without an address, truncated), send/recv, read/write,
 * readv/writev, shutdown, EOF, getpeername, close. */
#include "t.h"

static void life_cycle(int fam) {
    printf("== %s\n", famname(fam));
    addr_t la;
    socklen_t llen;
    int l = listener(fam, &la, &llen);
    show_addr("listener name", &la, llen);

    int c = socket(fam, SOCK_STREAM, 0);
    MUST(c);
    addr_t cname;
    socklen_t cnlen = sizeof cname;
    SHOW(getsockname(c, &cname.sa, &cnlen));
    show_addr("unbound name", &cname, cnlen);
    SHOW(getpeername(c, &cname.sa, &cnlen));
    SHOW(connect(c, &la.sa, llen));

    addr_t peer;
    socklen_t plen = sizeof peer;
    int s = accept(c == -1 ? -1 : l, &peer.sa, &plen);
    OK(s);
    show_addr("accepted peer", &peer, plen);

    cnlen = sizeof cname;
    SHOW(getsockname(c, &cname.sa, &cnlen));
    show_addr("client name", &cname, cnlen);
    printf("client port == accepted peer port: %s\n",
           port_of(&cname) == port_of(&peer) ? "yes" : "no");
    addr_t pn;
    socklen_t pnlen = sizeof pn;
    SHOW(getpeername(c, &pn.sa, &pnlen));
    show_addr("client peer", &pn, pnlen);
    printf("client peer port == listener port: %s\n", port_of(&pn) == port_of(&la) ? "yes" : "no");

    /* send/recv */
    SHOW(send(c, "hello", 5, 0));
    char buf[64] = {0};
    SHOW(recv(s, buf, sizeof buf, 0));
    printf("got '%s'\n", buf);

    /* write/read */
    SHOW(write(s, "pong!", 5));
    memset(buf, 0, sizeof buf);
    SHOW(read(c, buf, sizeof buf));
    printf("got '%s'\n", buf);

    /* writev/readv across iovecs */
    struct iovec wv[3] = {{"ab", 2}, {"", 0}, {"cdefg", 5}};
    SHOW(writev(c, wv, 3));
    char r1[3] = {0}, r2[16] = {0};
    struct iovec rv[2] = {{r1, 2}, {r2, sizeof r2 - 1}};
    /* A single readv might see the data in more than one piece on any system; collect 7. */
    long total = 0;
    while (total < 7) {
        ssize_t n = readv(s, rv, 2);
        if (n <= 0) break;
        total += n;
        if (total < 7) { /* rare: move the iovec forward */
            rv[0].iov_len = 0;
            rv[1].iov_base = r2 + (total - 2);
            rv[1].iov_len = sizeof r2 - 1 - (total - 2);
        }
    }
    printf("readv total %ld: '%s' '%s'\n", total, r1, r2);

    /* a short accept address buffer is truncated and the real length reported */
    int c2 = socket(fam, SOCK_STREAM, 0);
    MUST(c2);
    MUST(connect(c2, &la.sa, llen));
    addr_t tiny;
    memset(&tiny, 0xAB, sizeof tiny);
    socklen_t tlen = 4;
    int s2 = accept(l, &tiny.sa, &tlen);
    OK(s2);
    printf("truncated accept: len%s family=%s byte4=%s\n",
           tlen == (fam == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6))
               ? "==sizeof" : "!=sizeof",
           famname(tiny.sa.sa_family), ((unsigned char *)&tiny)[4] == 0xAB ? "untouched" : "WRITTEN");
    /* accept with a NULL address */
    int c3 = socket(fam, SOCK_STREAM, 0);
    MUST(connect(c3, &la.sa, llen));
    int s3 = accept(l, NULL, NULL);
    OK(s3);
    SHOW(close(s3));
    SHOW(close(c3));
    SHOW(close(s2));
    SHOW(close(c2));

    /* shutdown(SHUT_WR) -> the peer reads EOF, the other direction still works */
    SHOW(shutdown(c, SHUT_WR));
    SHOW(recv(s, buf, sizeof buf, 0));
    SHOW(send(s, "late", 4, 0));
    memset(buf, 0, sizeof buf);
    SHOW(recv(c, buf, sizeof buf, 0));
    printf("got '%s'\n", buf);
    SHOW(send(c, "x", 1, 0));
    SHOW(shutdown(s, SHUT_RDWR));
    SHOW(recv(c, buf, sizeof buf, 0));

    SHOW(close(c));
    SHOW(close(s));
    SHOW(close(l));
    SHOW(close(l));
}

int main(void) {
    test_setup();
    life_cycle(AF_INET);
    life_cycle(AF_INET6);
    return 0;
}

//! timeout: 6
/* Exit right after closing a connection whose data is still in flight to a socket of this same
 * program that never reads it (libevent's regress http/write_during_read does this). Linux
 * exits at once: the kernel closes the open socket at exit. The library must neither wait out
 * its exit drain (the reader is this program, which is leaving) nor block when the host drops
 * the closed connection's stream. Both directions: the closed socket is the client, then also
 * an accepted one; IPv4 and IPv6; and shut down both ways before the close (the host sends its
 * FIN behind the write in flight: dropping the stream then blocks as well). */
#include "t.h"

static size_t fill(int fd) {
    static char chunk[65536];
    size_t sent = 0;
    for (;;) {
        ssize_t r = send(fd, chunk, sizeof chunk, MSG_DONTWAIT);
        if (r < 0) break;
        sent += (size_t)r;
        if (sent > (64u << 20)) break;
    }
    return sent;
}

static void pair_and_close_writer(int fam, int close_accepted, int shut_first) {
    addr_t a;
    socklen_t len;
    int l = listener(fam, &a, &len);
    int c = socket(fam, SOCK_STREAM, 0);
    MUST(c);
    MUST(connect(c, &a.sa, len));
    int s = accept(l, NULL, NULL);
    MUST(s);
    int writer = close_accepted ? s : c;
    printf("%s, %s writes: filled %s\n", famname(fam), close_accepted ? "accepted" : "client",
           fill(writer) > 0 ? "yes" : "no");
    /* libevent's evhttp shuts a connection down both ways before closing it. */
    if (shut_first) SHOW(shutdown(writer, SHUT_RDWR));
    SHOW(close(writer));
    /* The reader stays open and never reads. */
}

int main(void) {
    test_setup();
    pair_and_close_writer(AF_INET, 0, 0);
    pair_and_close_writer(AF_INET6, 1, 0);
    pair_and_close_writer(AF_INET, 1, 1);
    printf("exiting\n");
    return 0;
}

/* A non-blocking connect whose connection is reset before connect() reported it (the listener
 * closes with the connection still queued): the reset is reported once (ECONNRESET), connect()
 * then says ECONNABORTED (not 0: there is no connection), and the socket can connect again.
 * Found by tests/fuzz/fuzz.c (the library used to answer 0, then EISCONN). */
#include "t.h"

int main(void) {
    test_setup();
    for (int k = 0; k < 2; k++) {
        int fam = k ? AF_INET6 : AF_INET;
        printf("%s\n", famname(fam));
        addr_t a;
        socklen_t l;
        int ls = listener(fam, &a, &l);
        int c = socket(fam, SOCK_STREAM | SOCK_NONBLOCK, 0);
        MUST(c);
        SHOW(connect(c, &a.sa, l));
        sleep_ms(20);
        MUST(close(ls));
        sleep_ms(20);
        char buf[8];
        SHOW(recv(c, buf, sizeof buf, MSG_DONTWAIT));
        SHOW(connect(c, &a.sa, l));
        /* A new attempt: nobody listens now. */
        SHOW(connect(c, &a.sa, l));
        sleep_ms(20);
        SHOW(recv(c, buf, sizeof buf, MSG_DONTWAIT));
        SHOW(connect(c, &a.sa, l));
        MUST(close(c));
    }
    return 0;
}

/* A few socket calls for the trace-mode test (e2e_trace_mode): a connection on loopback, a
 * peek, a receive, a poll that times out. */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>
#include <stdio.h>
#include <poll.h>
int main(void) {
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0}; a.sin_family = AF_INET; a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(l, (struct sockaddr *)&a, sizeof a); listen(l, 1);
    socklen_t n = sizeof a; getsockname(l, (struct sockaddr *)&a, &n);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    connect(c, (struct sockaddr *)&a, sizeof a);
    int s = accept(l, NULL, NULL);
    send(c, "hello", 5, 0);
    char buf[64];
    recv(s, buf, sizeof buf, MSG_PEEK);
    recv(s, buf, sizeof buf, 0);
    struct pollfd p = {s, POLLIN, 0};
    poll(&p, 1, 50);
    recv(99, buf, 1, 0);
    close(c); close(s); close(l);
    printf("done\n");
    return 0;
}

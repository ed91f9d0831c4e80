/*
 * A small HTTP/1.1 server written against plain POSIX sockets, unchanged between Linux and
 * wasm32-wasip1 with wasi-posix-sockets:
 *
 *   cc http_server.c -o http_server                              # Linux
 *   bin/wasi-sockets-cc http_server.c -o http_server.wasm        # WebAssembly
 *   wasmtime run -S inherit-network http_server.wasm [port] [max-requests]
 *
 * It listens on 127.0.0.1 (port 0 = any free port, printed at start), serves GET (a page that
 * reports the request) and POST (echoes the body back), one connection at a time with
 * keep-alive, and stops after max-requests requests (0 = never) or on GET /quit.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_REQ (64 * 1024)

static int served;

static int send_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = send(fd, p, n, 0);
        if (w < 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int respond(int fd, int status, const char *reason, const char *type, const char *body,
                   size_t len, int keep_alive) {
    char head[256];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                     "Connection: %s\r\nServer: wasi-posix-sockets-demo\r\n\r\n",
                     status, reason, type, len, keep_alive ? "keep-alive" : "close");
    if (send_all(fd, head, (size_t)n) < 0) return -1;
    return send_all(fd, body, len);
}

/* Serve one connection; returns 1 when the server should stop. */
static int serve(int fd, const struct sockaddr_in *peer, int max_requests) {
    static char buf[MAX_REQ + 1];
    size_t have = 0;
    char ip[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &peer->sin_addr, ip, sizeof ip);
    for (;;) {
        char *end;
        while (!(end = strstr(buf, "\r\n\r\n"))) {
            if (have == MAX_REQ) return 0;
            ssize_t r = recv(fd, buf + have, MAX_REQ - have, 0);
            if (r <= 0) return 0; /* client closed (or error) */
            have += (size_t)r;
            buf[have] = 0;
        }
        size_t head_len = (size_t)(end - buf) + 4;
        char method[8] = "", path[256] = "";
        sscanf(buf, "%7s %255s", method, path);
        size_t body_len = 0;
        for (char *h = strstr(buf, "\r\n"); h && h < end; h = strstr(h + 2, "\r\n"))
            if (strncasecmp(h + 2, "Content-Length:", 15) == 0) body_len = strtoul(h + 17, NULL, 10);
        int keep_alive = strstr(buf, "Connection: close") == NULL;
        if (head_len + body_len > MAX_REQ) return 0;
        while (have < head_len + body_len) {
            ssize_t r = recv(fd, buf + have, MAX_REQ - have, 0);
            if (r <= 0) return 0;
            have += (size_t)r;
        }
        served++;
        int stop = strcmp(path, "/quit") == 0 || (max_requests && served >= max_requests);
        char page[1024];
        if (strcmp(method, "POST") == 0) {
            respond(fd, 200, "OK", "application/octet-stream", buf + head_len, body_len, keep_alive);
        } else {
            int n = snprintf(page, sizeof page,
                             "<!doctype html><title>wasi-posix-sockets</title>\n"
                             "<h1>Hello from WebAssembly</h1>\n"
                             "<p>%s %s from %s:%d, request #%d, served by a C program using "
                             "BSD sockets on wasi:sockets.</p>\n",
                             method, path, ip, ntohs(peer->sin_port), served);
            respond(fd, 200, "OK", "text/html", page, (size_t)n, keep_alive && !stop);
        }
        printf("%s %s -> 200 (%zu byte body)\n", method, path, body_len);
        fflush(stdout);
        if (stop || !keep_alive) return stop;
        memmove(buf, buf + head_len + body_len, have - head_len - body_len);
        have -= head_len + body_len;
        buf[have] = 0;
    }
}

int main(int argc, char **argv) {
    int port = argc > 1 ? atoi(argv[1]) : 8080;
    int max_requests = argc > 2 ? atoi(argv[2]) : 0;
    int l = socket(AF_INET, SOCK_STREAM, 0);
    if (l < 0) { perror("socket"); return 1; }
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(l, (struct sockaddr *)&a, sizeof a) < 0) { perror("bind"); return 1; }
    if (listen(l, 64) < 0) { perror("listen"); return 1; }
    socklen_t len = sizeof a;
    getsockname(l, (struct sockaddr *)&a, &len);
    printf("listening on http://127.0.0.1:%d/\n", ntohs(a.sin_port));
    fflush(stdout);
    for (;;) {
        struct sockaddr_in peer;
        socklen_t plen = sizeof peer;
        int c = accept(l, (struct sockaddr *)&peer, &plen);
        if (c < 0) { perror("accept"); continue; }
        int stop = serve(c, &peer, max_requests);
        close(c);
        if (stop) break;
    }
    close(l);
    printf("served %d requests, bye\n", served);
    return 0;
}

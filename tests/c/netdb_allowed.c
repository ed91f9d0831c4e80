//! wasmtime: -S inherit-network -S allow-ip-name-lookup
//! mode: wasm-only
//! expect: gai(nonexistent.invalid, 80, flags 0x0, AF_UNSPEC, SOCK_STREAM, 0) -> EAI_NONAME
//! expect: gai(bad name!, 80, flags 0x0, AF_UNSPEC, SOCK_STREAM, 0) -> EAI_NONAME
//! expect: gai(nonexistent.invalid, 80, flags 0x4, AF_UNSPEC, SOCK_STREAM, 0) -> EAI_NONAME
//! expect: gai(127.0.0.1, 80, flags 0x0, AF_INET, SOCK_STREAM, 0) -> 1
//! expect:   AF_INET SOCK_STREAM IPPROTO_TCP 127.0.0.1:80 flags 0x0 canon NULL
//! expect: gethostbyname(nonexistent.invalid) -> NULL h_errno 1 (Unknown host)
/* Name resolution through the host's resolver (-S allow-ip-name-lookup): a name that does not
 * exist is EAI_NONAME (gethostbyname: HOST_NOT_FOUND), a malformed one too; numeric hosts never
 * reach the resolver. (Names that do resolve, localhost through the host's /etc/hosts, are
 * compared with Linux in netdb.c and used by the e2e client test.) */
#include "gai.h"

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    gai("nonexistent.invalid", "80", 0, AF_UNSPEC, SOCK_STREAM, 0);
    gai("bad name!", "80", 0, AF_UNSPEC, SOCK_STREAM, 0);
    gai("nonexistent.invalid", "80", AI_NUMERICHOST, AF_UNSPEC, SOCK_STREAM, 0);
    gai("127.0.0.1", "80", 0, AF_INET, SOCK_STREAM, 0);
    show_hostent("gethostbyname(nonexistent.invalid)", gethostbyname("nonexistent.invalid"));
    return 0;
}

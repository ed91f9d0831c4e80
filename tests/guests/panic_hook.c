/* A library bug, on purpose: calls the library's test-only hook `__wsp_test_panic` (cargo
 * feature `test-hooks`, linked only by tests/e2e/panic.py) and shows that the panic says where
 * it happened on stderr before the trap.
 *
 *   panic_hook <what>     0: a plain panic; 1: a re-entrant use of a global
 *
 * Prints "calling the hook"; never returns from the hook. */
#include <stdio.h>
#include <stdlib.h>

void __wsp_test_panic(int what);

int main(int argc, char **argv) {
    int what = argc > 1 ? atoi(argv[1]) : 0;
    printf("calling the hook\n");
    fflush(stdout);
    __wsp_test_panic(what);
    printf("the hook returned\n");
    return 0;
}

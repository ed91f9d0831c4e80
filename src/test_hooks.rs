//! Test-only C entry points (feature `test-hooks`, never in the default build or the exported
//! symbol snapshot). The library is meant never to panic, so no public call can show what a
//! library bug looks like; these can: `tests/e2e/panic.py` links a C program against a build
//! with this feature and checks that the panic says where it happened before the trap.

use crate::global::Global;

static PROBE: Global<u32> = Global::new("test_hooks::PROBE", 0);

/// Panic as a library bug would: `what` 1 uses a global from inside its own `with` (a
/// re-entrant borrow); anything else is a plain `panic!`.
#[unsafe(no_mangle)]
pub extern "C" fn __wsp_test_panic(what: i32) {
    match what {
        1 => PROBE.with(|outer| *outer += PROBE.with(|inner| *inner)),
        _ => panic!("test panic requested by the program ({what})"),
    }
}

//! The library's global state cell.
//!
//! `wasm32-wasip1` guests are single-threaded, so a `RefCell` in a `static` is enough; the `Sync`
//! impl below is sound only there, which `lib.rs` enforces by refusing to build with the `atomics`
//! target feature (`wasm32-wasip1-threads`). A re-entrant borrow would be a library bug; `RefCell`
//! turns it into a clean abort instead of aliasing `&mut`.

use core::cell::RefCell;

/// A `static`-friendly cell for single-threaded global state, named for the message a
/// re-entrant borrow panics with.
pub struct Global<T> {
    name: &'static str,
    cell: RefCell<T>,
}

// SAFETY: this module is compiled only for single-threaded wasm32 WASI targets (lib.rs gates it on
// `target_os = "wasi"` and refuses the `atomics` target feature), so no two threads can reach the
// cell; `with` never hands out a reference that outlives the call.
unsafe impl<T> Sync for Global<T> {}

impl<T> Global<T> {
    /// A cell holding `value`; `name` is the static's path, for the panic message.
    pub const fn new(name: &'static str, value: T) -> Self {
        Global {
            name,
            cell: RefCell::new(value),
        }
    }

    /// Run `f` with exclusive access to the value. Re-entering (calling `with` on the same
    /// global from inside `f`) is a library bug: it panics naming the global.
    #[track_caller]
    pub fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        match self.cell.try_borrow_mut() {
            Ok(mut v) => f(&mut v),
            Err(_) => panic!("re-entrant use of the global {}", self.name),
        }
    }
}

//! The library's global state cell.
//!
//! `wasm32-wasip1` guests are single-threaded, so a `RefCell` in a `static` is enough; the `Sync`
//! impl below is sound only there, which `lib.rs` enforces by refusing to build with the `atomics`
//! target feature (`wasm32-wasip1-threads`). A re-entrant borrow would be a library bug; `RefCell`
//! turns it into a clean abort instead of aliasing `&mut`.

use core::cell::RefCell;

/// A `static`-friendly cell for single-threaded global state.
pub struct Global<T>(RefCell<T>);

// SAFETY: this module is compiled only for single-threaded wasm32 WASI targets (lib.rs gates it on
// `target_os = "wasi"` and refuses the `atomics` target feature), so no two threads can reach the
// cell; `with` never hands out a reference that outlives the call.
unsafe impl<T> Sync for Global<T> {}

impl<T> Global<T> {
    /// A cell holding `value`.
    pub const fn new(value: T) -> Self {
        Global(RefCell::new(value))
    }

    /// Run `f` with exclusive access to the value.
    pub fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        f(&mut self.0.borrow_mut())
    }
}

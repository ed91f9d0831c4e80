//! Zero-copy receives: let the host write a read's bytes straight into the caller's buffer.
//!
//! A `list<u8>` a host call returns is written into memory the guest's `cabi_realloc` hands out
//! (wit-bindgen's, which asks the global allocator). For the duration of one host call,
//! [`into`] offers the caller's buffer as that memory: the allocator of the static library
//! (`c-runtime`) takes it for the one allocation that fits, so the bytes land where `recv` was
//! asked to put them and the copy out of a temporary buffer disappears. Nothing else allocates
//! during an import call, so nothing else can take the buffer; an allocator that does not look
//! (a Rust program's own) simply allocates, and the caller copies as before.

use alloc::vec::Vec;
use core::cell::Cell;

/// The buffer on offer: its address and length.
struct Offer(Cell<Option<(*mut u8, usize)>>);

// SAFETY: single-threaded guest (see `crate::global`).
unsafe impl Sync for Offer {}

static OFFER: Offer = Offer(Cell::new(None));

/// Take the buffer on offer if an allocation of `size` bytes with alignment `align` fits in it.
/// Called by the `c-runtime` allocator.
#[cfg_attr(not(feature = "c-runtime"), allow(dead_code))]
pub(crate) fn take(size: usize, align: usize) -> Option<*mut u8> {
    match OFFER.0.get() {
        Some((ptr, len)) if align == 1 && size <= len => {
            OFFER.0.set(None);
            Some(ptr)
        }
        _ => None,
    }
}

/// Run `call` (one host call returning a `list<u8>` of at most `buf.len()` bytes) with `buf`
/// offered as the list's memory. Returns how many bytes are now in `buf`'s front: the list's
/// length, whether the host wrote into `buf` directly or the bytes were copied from elsewhere.
/// `call`'s error passes through.
pub fn into<E>(buf: &mut [u8], call: impl FnOnce() -> Result<Vec<u8>, E>) -> Result<usize, E> {
    let ptr = buf.as_mut_ptr();
    OFFER.0.set(Some((ptr, buf.len())));
    let r = call();
    OFFER.0.set(None);
    let data = r?;
    let n = data.len();
    if data.as_ptr() == ptr.cast_const() {
        // The bytes are in place; the Vec does not own its memory: forget it.
        core::mem::forget(data);
    } else {
        buf[..n].copy_from_slice(&data);
    }
    Ok(n)
}

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

/// The buffer on offer: its address, length and alignment.
struct Offer(Cell<Option<(*mut u8, usize, usize)>>);

// SAFETY: single-threaded guest (see `crate::global`).
unsafe impl Sync for Offer {}

static OFFER: Offer = Offer(Cell::new(None));

/// Take the buffer on offer if an allocation of `size` bytes with alignment `align` fits in it.
/// Called by the `c-runtime` allocator.
#[cfg_attr(not(feature = "c-runtime"), allow(dead_code))]
pub(crate) fn take(size: usize, align: usize) -> Option<*mut u8> {
    match OFFER.0.get() {
        Some((ptr, len, max_align)) if align <= max_align && size <= len => {
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
    OFFER.0.set(Some((ptr, buf.len(), 1)));
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

/// Run `call` (one host call returning a `list<u32>`, as the raw pointer and length the
/// canonical ABI hands back) with `buf`'s spare capacity offered as the list's memory, and leave
/// the list in `buf` (replacing its contents). The waiting layer's reusable result buffer: no
/// allocation when the allocator takes the offer, one copy when it does not.
pub fn into_u32s(buf: &mut Vec<u32>, call: impl FnOnce() -> (*mut u32, usize)) {
    buf.clear();
    let ptr = buf.as_mut_ptr();
    OFFER.0.set(Some((
        ptr.cast(),
        buf.capacity() * size_of::<u32>(),
        align_of::<u32>(),
    )));
    let (got, n) = call();
    OFFER.0.set(None);
    if n == 0 {
        return;
    }
    if got == ptr {
        // SAFETY: the host wrote `n` elements into `buf`'s own memory (it took the offer,
        // which fits `n` u32s: `n <= capacity`).
        unsafe { buf.set_len(n) };
    } else {
        // SAFETY: the canonical ABI handed back `n` initialized u32s at `got`, allocated with
        // the global allocator (cabi_realloc), which we now own and free.
        unsafe {
            buf.extend_from_slice(core::slice::from_raw_parts(got, n));
            alloc::alloc::dealloc(
                got.cast(),
                core::alloc::Layout::from_size_align_unchecked(n * size_of::<u32>(), 4),
            );
        }
    }
}

//! What a `no_std` static library needs when it is linked into a C program: an allocator (the
//! C library's own `malloc`, so the program and the library share one heap) and a panic handler.
//!
//! Enabled by the `c-runtime` feature, which the Makefile uses for `libwasi_posix_sockets.a`. A
//! Rust program that uses the crate gets both from `std` instead.

use core::alloc::{GlobalAlloc, Layout};
use core::ffi::c_void;

unsafe extern "C" {
    fn malloc(size: usize) -> *mut c_void;
    fn aligned_alloc(align: usize, size: usize) -> *mut c_void;
    fn realloc(ptr: *mut c_void, size: usize) -> *mut c_void;
    fn free(ptr: *mut c_void);
}

/// `malloc` guarantees 16-byte alignment on wasm32 (dlmalloc in wasi-libc).
const MALLOC_ALIGN: usize = 16;

struct CAllocator;

// SAFETY: each method forwards to the C allocator with a size and alignment that satisfy the
// layout; memory from one method is only returned to `free`/`realloc` of the same allocator.
unsafe impl GlobalAlloc for CAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // A host call's result landing in a caller's buffer (see `crate::landing`).
        if let Some(p) = crate::landing::take(layout.size(), layout.align()) {
            return p;
        }
        if layout.align() <= MALLOC_ALIGN {
            // SAFETY: plain C call.
            unsafe { malloc(layout.size()) }.cast()
        } else {
            // aligned_alloc wants a size that is a multiple of the alignment.
            let size = layout.size().next_multiple_of(layout.align());
            // SAFETY: plain C call with a power-of-two alignment and a multiple size.
            unsafe { aligned_alloc(layout.align(), size) }.cast()
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` came from malloc/aligned_alloc/realloc above.
        unsafe { free(ptr.cast()) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if layout.align() <= MALLOC_ALIGN {
            // SAFETY: `ptr` came from this allocator with malloc's alignment.
            unsafe { realloc(ptr.cast(), new_size) }.cast()
        } else {
            // SAFETY: `layout` is valid for the old block; the new layout keeps its alignment.
            unsafe {
                let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
                let new = self.alloc(new_layout);
                if !new.is_null() {
                    core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                    self.dealloc(ptr, layout);
                }
                new
            }
        }
    }
}

#[global_allocator]
static ALLOCATOR: CAllocator = CAllocator;

/// A panic in the library is a bug; the guest stops with a trap rather than continue with
/// broken state.
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

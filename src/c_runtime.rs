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
/// broken state. First it says where, on stderr, as wasmtime's preview 1 adapter does for its
/// own panics: `panicked at src/file.rs:line:column: message`.
#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    use core::fmt::Write;
    use core::sync::atomic::{AtomicBool, Ordering};
    // A panic while reporting one (a message's `Display` panicking) traps without a second try.
    static PANICKING: AtomicBool = AtomicBool::new(false);
    if !PANICKING.swap(true, Ordering::Relaxed) {
        let mut line = StackLine::new();
        // A message too long for the buffer is cut short (`StackLine` never fails).
        let _ = match info.location() {
            Some(at) => write!(
                line,
                "panicked at {}:{}:{}: ",
                at.file(),
                at.line(),
                at.column()
            ),
            None => write!(line, "panicked: "),
        };
        let _ = write!(line, "{}", info.message());
        line.end();
        line.write_to_stderr();
    }
    core::arch::wasm32::unreachable()
}

/// One line of text in a fixed stack buffer: a panic cannot rely on the allocator.
struct StackLine {
    buf: [u8; 512],
    len: usize,
    cut: bool,
}

impl StackLine {
    fn new() -> Self {
        StackLine {
            buf: [0; 512],
            len: 0,
            cut: false,
        }
    }

    /// Ends the line with a newline (there is always room for it); a cut line ends in `...`.
    fn end(&mut self) {
        if self.cut {
            self.len = self.len.max(3);
            self.buf[self.len - 3..self.len].copy_from_slice(b"...");
        }
        self.buf[self.len] = b'\n';
        self.len += 1;
    }

    /// Preview 1 `fd_write` to descriptor 2, until all is written or it fails.
    fn write_to_stderr(&self) {
        let mut rest = &self.buf[..self.len];
        while !rest.is_empty() {
            let iov = crate::wasi::p1::Iovec {
                buf: rest.as_ptr().cast_mut(),
                len: rest.len(),
            };
            let mut written = 0;
            // SAFETY: the iovec describes `rest`, which lives across the call; fd_write only
            // reads it and writes `written`.
            let err = unsafe { crate::wasi::p1::fd_write(2, &iov, 1, &mut written) };
            if err != 0 || written == 0 {
                return;
            }
            rest = &rest[written.min(rest.len())..];
        }
    }
}

impl core::fmt::Write for StackLine {
    /// Copies what fits, keeping one byte for the newline; never fails, so formatting goes on.
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let n = s.len().min(self.buf.len() - 1 - self.len);
        self.buf[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        self.cut |= n < s.len();
        Ok(())
    }
}

/// `cabi_realloc` on `wasm32-wasip2`, where wit-bindgen leaves it to the platform (wasi-libc's
/// weak one calls `realloc` directly): this one asks the global allocator above, as wit-bindgen's
/// does on `wasm32-wasip1`, so a host call's `list<u8>` can land in the caller's buffer there
/// too (`crate::landing`).
///
/// # Safety
/// Called by the canonical ABI only, with `old_ptr` from an earlier call and `align` a power of
/// two.
#[cfg(target_env = "p2")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cabi_realloc(
    old_ptr: *mut u8,
    old_len: usize,
    align: usize,
    new_len: usize,
) -> *mut u8 {
    use alloc::alloc::{alloc, handle_alloc_error, realloc};
    if new_len == 0 {
        return align as *mut u8;
    }
    // SAFETY: the canonical ABI gives a power-of-two alignment and a non-zero size.
    let layout = unsafe { Layout::from_size_align_unchecked(new_len, align) };
    let ptr = if old_len == 0 {
        // SAFETY: a non-zero size.
        unsafe { alloc(layout) }
    } else {
        // SAFETY: `old_ptr` came from this allocator with `old_len` bytes and this alignment.
        unsafe {
            realloc(
                old_ptr,
                Layout::from_size_align_unchecked(old_len, align),
                new_len,
            )
        }
    };
    if ptr.is_null() {
        handle_alloc_error(layout);
    }
    ptr
}

//! BSD sockets for WebAssembly guests on top of `wasi:sockets` 0.2: the POSIX C ABI (feature
//! `libc`) and a safe `std::net`-shaped API ([`net`], feature `std`) over one core.
//!
//! The library keeps its own socket descriptor table, in the same number space as the program's
//! other descriptors, and recreates on top of WASI's always-non-blocking sockets what POSIX
//! programs expect: blocking calls, Linux's TCP and UDP semantics, address handling and errno
//! values.
//!
//! The call flow: C program -> [`abi`] (decode arguments), or Rust program -> [`net`] ->
//! [`ops`] (look up the descriptor, pick the wait policy) -> [`tcp`] / [`udp`] (the protocol
//! state machines) -> [`wait`] (the one place that waits) -> the `wasi:sockets` imports.
//! Errors travel as [`errno::Result`] and become `-1` + `errno` in one place, [`errno::c_ret`]
//! (or an `io::Error` in [`net`]).
//!
//! Features: `libc` (default) exports the C symbols; `std` adds [`net`]; `c-runtime` (for the
//! static library linked into C programs) provides a global allocator over `malloc` and a panic
//! handler; `test-hooks` (tests only) exports `__wsp_test_panic`, which panics as a library bug
//! would.
//!
//! On the host (not wasm32-wasi) only the pure parts build: [`errno`], [`addr`], [`codec`],
//! [`fd_table`], [`flags`], [`iov`], [`netdb`]. Their unit tests (and the codecs' seeded property
//! tests) run with `cargo test`; everything else is tested under wasmtime.
// no_std on WASI targets, where the library is linked into C programs; the host build (unit
// tests of the pure parts) uses std.
#![cfg_attr(all(target_os = "wasi", not(feature = "std")), no_std)]
// The host build holds only the pure modules; its docs would link to modules that exist only on
// WASI. The documentation that matters is the wasm32-wasip1 one (`make doc`).
#![cfg_attr(not(target_os = "wasi"), allow(rustdoc::broken_intra_doc_links))]

#[cfg(all(feature = "std", feature = "c-runtime"))]
compile_error!(
    "`c-runtime` (an allocator and panic handler for C programs) and `std` (which has its own) \
     cannot be combined"
);

extern crate alloc;

#[cfg(all(target_os = "wasi", target_feature = "atomics"))]
compile_error!(
    "wasi-posix-sockets keeps single-threaded global state; wasm32-wasip1-threads is not supported"
);

pub mod addr;
pub mod channel;
pub mod codec;
pub mod errno;
pub mod fd_table;
pub mod flags;
pub mod iov;
pub mod netdb;

cfg_if::cfg_if! {
    if #[cfg(target_os = "wasi")] {
        #[allow(missing_docs)]
        pub mod bindings;
        pub mod epoll;
        mod global;
        pub mod hostinfo;
        pub mod inet;
        mod landing;
        pub mod fd;
        pub mod ops;
        pub mod passthrough;
        pub mod poll;
        pub mod socket;
        pub mod sockopt;
        pub mod tcp;
        pub mod trace;
        pub mod udp;
        pub mod wait;
        pub mod wakeup;
        pub mod wasi;

        #[cfg(feature = "libc")]
        pub mod abi;

        #[cfg(feature = "std")]
        pub mod net;

        #[cfg(feature = "c-runtime")]
        mod c_runtime;

        #[cfg(feature = "test-hooks")]
        mod test_hooks;
    }
}

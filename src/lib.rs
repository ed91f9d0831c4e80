//! BSD sockets for WebAssembly guests on top of `wasi:sockets` 0.2.
//!
//! The library keeps its own socket descriptor table, in the same number space as the program's
//! other descriptors, and recreates on top of WASI's always-non-blocking sockets what POSIX
//! programs expect: blocking calls, Linux's connect states, address handling and errno values.
//!
//! The call flow: C program -> [`abi`] (decode arguments) -> [`ops`] (look up the descriptor,
//! pick the wait policy) -> [`tcp`] (the protocol state machine) -> [`blocking`] (the one place
//! that waits) -> the `wasi:sockets` imports. Errors travel as [`errno::Result`] and become
//! `-1` + `errno` in one place, [`errno::c_ret`].
//!
//! On the host (not wasm32-wasi) only the pure parts build: [`errno`], [`addr`], [`fd_table`],
//! [`flags`].
//! Their unit tests run with `cargo test`; everything else is tested under wasmtime.
// no_std on WASI targets, where the library is linked into C programs; the host build (unit
// tests of the pure parts) uses std.
#![cfg_attr(target_os = "wasi", no_std)]

extern crate alloc;

#[cfg(all(target_os = "wasi", target_feature = "atomics"))]
compile_error!(
    "wasi-posix-sockets keeps single-threaded global state; wasm32-wasip1-threads is not supported"
);

pub mod addr;
pub mod errno;
pub mod fd_table;
pub mod flags;
pub mod iov;
pub mod netdb;

cfg_if::cfg_if! {
    if #[cfg(target_os = "wasi")] {
        #[allow(missing_docs)]
        pub mod bindings;
        pub mod blocking;
        mod global;
        pub mod ops;
        pub mod poll;
        pub mod socket;
        pub mod sockopt;
        pub mod tcp;
        pub mod udp;
        pub mod wasi;

        #[cfg(feature = "libc")]
        pub mod abi;

        #[cfg(feature = "c-runtime")]
        mod c_runtime;
    }
}

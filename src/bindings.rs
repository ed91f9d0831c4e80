//! The generated `wasi:sockets`, `wasi:io`, `wasi:clocks` and `wasi:cli` bindings, and nothing else.
//!
//! Generated at compile time from the vendored `wit/` (see `wit/world.wit`).
#![allow(missing_docs, clippy::all, unsafe_op_in_unsafe_fn)]

wit_bindgen::generate!({
    world: "imports",
    path: "wit",
    generate_all,
    // Records passed to the host borrow their lists (`outgoing-datagram.data` is the caller's
    // buffer, not a copy); records returned stay owned.
    ownership: Borrowing {
        duplicate_if_necessary: true
    },
});

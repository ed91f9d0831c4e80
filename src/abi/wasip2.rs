//! `wasm32-wasip2` only: the guard that keeps wasi-libc's own socket layer out of a program
//! linked with this library.
//!
//! wasi-libc's `wasm32-wasip2` `libc.a` carries a socket layer of its own (members `socket.o`,
//! `connect.o`, `bind.o`, `listen.o`, `accept-wasip2.o`, `send.o`, `recv.o`, `sockopt.o`,
//! `getsockpeername.o`, `shutdown.o`, `poll.o` + `poll-wasip2.o`, `ioctl.o`, `netdb.o`, and
//! `__wasilibc_fd_renumber.o`, its `close`), all over one descriptor table, `descriptor_table.o`
//! (`descriptor_table_get_ref`, `descriptor_table_insert`, `descriptor_table_remove`). This
//! library defines every public entry point of those members, so archive order makes its own
//! win, as on `wasm32-wasip1`. A member could still be pulled in for a symbol the library does
//! not define (`poll_wasip2`, `tcp_bind`, ...); it would then serve the library's descriptors
//! with wasi-libc's table, or the reverse.
//!
//! Every such member references the table, so the library defines the table's lookup as a
//! *data* symbol: linking any member that uses the table (or the table itself) is a
//! `symbol type mismatch: descriptor_table_get_ref` link error, never a silent mix
//! (`bin/wasi-sockets-cc` explains the error when it sees it). A wasm32-wasip2 libc whose files
//! and stdio live in that table too (no preview 1 adapter) fails the same way on every link.
//! A type mismatch is an error whatever the function's signature, where a second function
//! definition with another signature would only be a warning.

/// The collision on purpose (see the module docs); never read.
#[unsafe(no_mangle)]
#[allow(non_upper_case_globals)]
pub static descriptor_table_get_ref: u8 = 0;

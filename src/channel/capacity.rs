//! How much an in-guest channel holds, by Linux's own accounting (measured natively on Linux
//! 6.18, x86-64, 4 KiB pages, and read from `net/unix/af_unix.c`, `net/core/sock.c`,
//! `net/core/skbuff.c` and `fs/pipe.c`):
//!
//! - A **pipe** holds 16 slots of one 4 KiB page each (64 KiB). A write first tops up the last
//!   page with the part of it that is not a whole number of pages, if all of that part fits
//!   there; the rest goes into fresh pages. A page is freed only once read to its end, so a pipe
//!   can be "full" with fewer than 64 KiB unread ([`crate::channel::pipe_buf`]).
//! - An **AF_UNIX socket** is limited by what its *sender* has queued: every message it has
//!   sent and the receiver has not yet consumed is charged its `truesize` (the kernel memory
//!   behind it, not its length), and a send waits while the charge reaches `SO_SNDBUF`
//!   (212,992 bytes by default). The check comes before each buffer is taken, so the last one
//!   may go past the limit. A stream send is cut into buffers of at most 36,544 bytes; a
//!   datagram is one buffer and may be at most `SO_SNDBUF - 32` bytes (`EMSGSIZE`). So a
//!   socket pair takes 278 one-byte sends, 93 of 1,000 bytes, about 230 KiB in 64 KiB sends:
//!   what Linux takes. A socket is writable for `poll` only once the charge is back under a
//!   quarter of `SO_SNDBUF`.
//! - A datagram socket that is not connected back to its sender (a named receiver with many
//!   senders) also refuses more than `max_dgram_qlen` + 1 = 11 queued datagrams.
//!
//! Everything here is arithmetic (host-tested).

/// The page size the accounting assumes.
pub const PAGE: usize = 4096;
/// `SKB_DATA_ALIGN(sizeof(struct skb_shared_info))` on x86-64.
const SHINFO: usize = 320;
/// `SKB_DATA_ALIGN(sizeof(struct sk_buff))` on x86-64.
const SKB_STRUCT: usize = 256;
/// `SKB_MAX_HEAD(0)`: the most data a one-page head holds.
const SKB_MAX_HEAD0: usize = PAGE - SHINFO;
/// `UNIX_SKB_FRAGS_SZ`: the paged part of one stream buffer.
const UNIX_SKB_FRAGS_SZ: usize = 32768;
/// `SKB_MAX_ALLOC`: a datagram's head holds at most this much (order-2 allocation).
const SKB_MAX_ALLOC: usize = 4 * PAGE - SHINFO;
/// `MAX_SKB_FRAGS`: the most pages a datagram's paged part has.
const MAX_SKB_FRAGS: usize = 17;

/// `net.core.wmem_default` / `rmem_default`: a new socket's `SO_SNDBUF` and `SO_RCVBUF`.
pub const BUF_DEFAULT: usize = 212_992;
/// `net.core.wmem_max` / `rmem_max` as Linux ships them: the most `SO_SNDBUF`/`SO_RCVBUF` may
/// ask for (the value set is doubled, as on Linux).
pub const BUF_MAX: usize = 212_992;
/// `SOCK_MIN_SNDBUF`: the least `SO_SNDBUF` becomes.
pub const MIN_SNDBUF: usize = 4608;
/// `SOCK_MIN_RCVBUF`: the least `SO_RCVBUF` becomes.
pub const MIN_RCVBUF: usize = 2304;
/// `net.unix.max_dgram_qlen`: the queue length a datagram receiver accepts from senders it is
/// not connected to (Linux refuses a datagram once more than this many are queued).
pub const MAX_DGRAM_QLEN: usize = 10;
/// `net.core.somaxconn`: `listen`'s backlog is cut to it.
pub const SOMAXCONN: usize = 4096;
/// `SCM_MAX_FD`: the most descriptors one `SCM_RIGHTS` message carries.
pub const SCM_MAX_FD: usize = 253;

/// Pipe slots (`PIPE_DEF_BUFFERS`), one page each.
pub const PIPE_SLOTS: usize = 16;

fn align_up(n: usize, to: usize) -> usize {
    n.div_ceil(to) * to
}

/// `kmalloc_size_roundup`: the slab (or page-order) size an allocation of `n` bytes takes.
fn kmalloc_size(n: usize) -> usize {
    const SLABS: [usize; 13] = [
        8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192,
    ];
    match SLABS.iter().find(|&&s| s >= n) {
        Some(&s) => s,
        None => PAGE * n.div_ceil(PAGE).next_power_of_two(),
    }
}

/// The `truesize` of a buffer with `head` bytes in its linear part and `frags` bytes in pages.
fn skb_truesize(head: usize, frags: usize) -> usize {
    kmalloc_size(align_up(head, 64) + SHINFO) + SKB_STRUCT + align_up(frags, PAGE)
}

/// The next buffer of a stream send (`unix_stream_sendmsg`): of the `left` bytes still to send,
/// how many go in it, and its `truesize`.
pub fn stream_chunk(left: usize, sndbuf: usize) -> (usize, usize) {
    let cap = ((sndbuf >> 1).saturating_sub(64)).clamp(1, SKB_MAX_HEAD0 + UNIX_SKB_FRAGS_SZ);
    let size = left.min(cap);
    let data_len = size.min(align_up(size.saturating_sub(SKB_MAX_HEAD0), PAGE));
    (size, skb_truesize(size - data_len, data_len))
}

/// The `truesize` of a datagram of `len` bytes (`unix_dgram_sendmsg`).
pub fn dgram_truesize(len: usize) -> usize {
    let data_len = if len > SKB_MAX_ALLOC {
        align_up((len - SKB_MAX_ALLOC).min(MAX_SKB_FRAGS * PAGE), PAGE)
    } else {
        0
    };
    skb_truesize(len - data_len.min(len), data_len)
}

/// The largest datagram a socket with this `SO_SNDBUF` sends (`EMSGSIZE` above).
pub fn max_dgram(sndbuf: usize) -> usize {
    sndbuf.saturating_sub(32)
}

/// Whether a sender that has `charged` bytes outstanding may take another buffer
/// (`sock_alloc_send_pskb`).
pub fn may_send(charged: usize, sndbuf: usize) -> bool {
    charged < sndbuf
}

/// Whether `poll` reports a socket writable (`unix_writable`): its outstanding charge, plus the
/// kernel's own reference, is at most a quarter of `SO_SNDBUF`.
pub fn writable(charged: usize, sndbuf: usize) -> bool {
    (charged + 1) * 4 <= sndbuf
}

/// `SO_SNDBUF` after `setsockopt(SO_SNDBUF, v)`: the request (as unsigned, so a negative one is
/// huge) cut to `wmem_max`, doubled, at least [`MIN_SNDBUF`].
pub fn sndbuf_for(v: i32) -> usize {
    ((v as u32 as usize).min(BUF_MAX) * 2).max(MIN_SNDBUF)
}

/// `SO_RCVBUF` after `setsockopt(SO_RCVBUF, v)` (as [`sndbuf_for`], with [`MIN_RCVBUF`]).
pub fn rcvbuf_for(v: i32) -> usize {
    ((v as u32 as usize).min(BUF_MAX) * 2).max(MIN_RCVBUF)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A non-blocking fill of a fresh socket pair with `size`-byte sends, as the kernel
    /// accounts it: how many sends succeed (partly or wholly) and how many bytes they queue.
    fn fill(stream: bool, size: usize) -> (usize, usize) {
        let (mut charged, mut sends, mut bytes) = (0, 0, 0);
        loop {
            if stream {
                let mut sent = 0;
                while sent < size && may_send(charged, BUF_DEFAULT) {
                    let (n, t) = stream_chunk(size - sent, BUF_DEFAULT);
                    charged += t;
                    sent += n;
                }
                if sent == 0 {
                    return (sends, bytes);
                }
                sends += 1;
                bytes += sent;
                if sent < size {
                    return (sends, bytes);
                }
            } else {
                if !may_send(charged, BUF_DEFAULT) {
                    return (sends, bytes);
                }
                charged += dgram_truesize(size);
                sends += 1;
                bytes += size;
            }
        }
    }

    #[test]
    fn socket_pair_capacity_matches_linux() {
        // (size, stream sends, stream bytes, datagram sends), measured on Linux 6.18.
        let linux = [
            (1, 278, 278, 278),
            (100, 278, 27_800, 278),
            (1000, 93, 93_000, 93),
            (4096, 44, 180_224, 26),
            (65_536, 4, 233_152, 4),
            (200_000, 2, 236_544, 2),
        ];
        for (size, s_sends, s_bytes, d_sends) in linux {
            assert_eq!(
                fill(true, size),
                (s_sends, s_bytes),
                "stream, {size}-byte sends"
            );
            assert_eq!(fill(false, size).0, d_sends, "datagram, {size}-byte sends");
        }
    }

    #[test]
    fn buffer_options_as_linux() {
        assert_eq!(sndbuf_for(1), MIN_SNDBUF);
        assert_eq!(sndbuf_for(100_000), 200_000);
        assert_eq!(sndbuf_for(-5), 2 * BUF_MAX);
        assert_eq!(rcvbuf_for(1), MIN_RCVBUF);
        assert_eq!(max_dgram(BUF_DEFAULT), 212_960);
        assert!(writable(0, BUF_DEFAULT) && !writable(BUF_DEFAULT / 4, BUF_DEFAULT));
    }

    #[test]
    fn stream_chunks() {
        assert_eq!(stream_chunk(0, BUF_DEFAULT).0, 0);
        assert_eq!(stream_chunk(1, BUF_DEFAULT), (1, 768));
        assert_eq!(stream_chunk(65_536, BUF_DEFAULT).0, 36_544);
        // A small SO_SNDBUF keeps two buffers in flight.
        assert_eq!(stream_chunk(10_000, MIN_SNDBUF).0, MIN_SNDBUF / 2 - 64);
    }
}

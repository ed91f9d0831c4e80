//! Scatter/gather over a call's buffers (`readv`/`writev`/`recvmsg`/`sendmsg` iovecs as slices).

use alloc::vec::Vec;

/// Copy `data` across `bufs` in order; returns the bytes copied.
pub fn scatter(data: &[u8], bufs: &mut [&mut [u8]]) -> usize {
    let mut done = 0;
    for buf in bufs.iter_mut() {
        if done == data.len() {
            break;
        }
        let n = buf.len().min(data.len() - done);
        buf[..n].copy_from_slice(&data[done..done + n]);
        done += n;
    }
    done
}

/// The part of `bufs` after the first `skip` bytes.
pub fn remaining<'a>(bufs: &'a mut [&mut [u8]], mut skip: usize) -> Vec<&'a mut [u8]> {
    let mut out = Vec::with_capacity(bufs.len());
    for b in bufs.iter_mut() {
        if skip >= b.len() {
            skip -= b.len();
            continue;
        }
        out.push(&mut b[skip..]);
        skip = 0;
    }
    out
}

/// Copy `n` bytes of `bufs`, starting at piece `idx` offset `off`, into `scratch`.
pub fn gather(bufs: &[&[u8]], mut idx: usize, mut off: usize, n: usize, scratch: &mut Vec<u8>) {
    scratch.clear();
    while scratch.len() < n {
        let take = (bufs[idx].len() - off).min(n - scratch.len());
        scratch.extend_from_slice(&bufs[idx][off..off + take]);
        idx += 1;
        off = 0;
    }
}

/// The cursor (`idx`, `off`) moved forward by `n` bytes.
pub fn advance(bufs: &[&[u8]], mut idx: usize, mut off: usize, mut n: usize) -> (usize, usize) {
    while n > 0 {
        let take = (bufs[idx].len() - off).min(n);
        off += take;
        n -= take;
        if off == bufs[idx].len() && n > 0 {
            idx += 1;
            off = 0;
        }
    }
    (idx, off)
}

/// The buffers' total length.
pub fn total(bufs: &[&[u8]]) -> usize {
    bufs.iter().map(|b| b.len()).sum()
}

/// What a send copies from: the caller's buffers that can be read, and the length of the whole
/// request. A `len` beyond what `bufs` hold means a buffer that faults follows them (at NULL or
/// past the end of memory: `crate::codec::Span`); Linux finds it only when its copy reaches it,
/// after every check of the send, so the protocol code decides when that is.
#[derive(Clone, Copy, Debug)]
pub struct Source<'a> {
    /// The readable buffers, in order.
    pub bufs: &'a [&'a [u8]],
    /// The request's length (at least `total(bufs)`).
    pub len: usize,
}

impl<'a> Source<'a> {
    /// Buffers that can all be read.
    pub fn whole(bufs: &'a [&'a [u8]]) -> Source<'a> {
        Source {
            bufs,
            len: total(bufs),
        }
    }

    /// How many bytes can be copied before the fault (all of them when none follows).
    pub fn readable(&self) -> usize {
        total(self.bufs).min(self.len)
    }

    /// Whether copying the first `n` bytes reaches the buffer that faults.
    pub fn faults_within(&self, n: usize) -> bool {
        n > self.readable()
    }
}

/// All of `bufs` in one piece: borrowed when there is only one non-empty buffer, else copied
/// into `scratch`.
pub fn contiguous<'a>(bufs: &[&'a [u8]], scratch: &'a mut Vec<u8>) -> &'a [u8] {
    let mut pieces = bufs.iter().filter(|b| !b.is_empty());
    match (pieces.next(), pieces.next()) {
        (None, _) => &[],
        (Some(one), None) => one,
        _ => {
            scratch.clear();
            for b in bufs {
                scratch.extend_from_slice(b);
            }
            scratch
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scatter_fills_in_order_and_stops() {
        let (mut a, mut b) = ([0u8; 2], [0u8; 4]);
        let mut bufs: [&mut [u8]; 2] = [&mut a, &mut b];
        assert_eq!(scatter(b"hello", &mut bufs), 5);
        assert_eq!(&a, b"he");
        assert_eq!(&b, b"llo\0");
        let mut c = [0u8; 3];
        assert_eq!(scatter(b"abcdef", &mut [&mut c[..]]), 3);
        assert_eq!(&c, b"abc");
    }

    #[test]
    fn remaining_skips_whole_and_partial_buffers() {
        let (mut a, mut b) = ([0u8; 2], [0u8; 4]);
        let mut bufs: [&mut [u8]; 2] = [&mut a, &mut b];
        let rest = remaining(&mut bufs, 3);
        assert_eq!(rest.iter().map(|r| r.len()).collect::<Vec<_>>(), [3]);
    }

    #[test]
    fn gather_and_advance_walk_pieces() {
        let bufs: [&[u8]; 3] = [b"ab", b"", b"cdef"];
        let mut scratch = Vec::new();
        gather(&bufs, 0, 1, 3, &mut scratch);
        assert_eq!(scratch, b"bcd");
        assert_eq!(advance(&bufs, 0, 1, 3), (2, 2));
        assert_eq!(total(&bufs), 6);
    }

    #[test]
    fn contiguous_borrows_a_single_piece() {
        let mut scratch = Vec::new();
        let one: [&[u8]; 3] = [b"", b"xyz", b""];
        let p = contiguous(&one, &mut scratch);
        assert_eq!(p, b"xyz");
        assert_eq!(p.as_ptr(), one[1].as_ptr());
        let two: [&[u8]; 2] = [b"ab", b"cd"];
        assert_eq!(contiguous(&two, &mut scratch), b"abcd");
        assert_eq!(contiguous(&[], &mut scratch), b"");
    }

    #[test]
    fn a_source_faults_past_its_readable_bytes() {
        let bufs: [&[u8]; 2] = [b"ab", b"cd"];
        let whole = Source::whole(&bufs);
        assert_eq!((whole.len, whole.readable()), (4, 4));
        assert!(!whole.faults_within(4));
        let cut = Source {
            bufs: &bufs[..1],
            len: 9,
        };
        assert_eq!(cut.readable(), 2);
        assert!(!cut.faults_within(2));
        assert!(cut.faults_within(3));
    }
}

//! A pipe's buffer as Linux keeps it (`fs/pipe.c`): 16 slots of one page each.
//!
//! A write first tops up the last page with the part of the write that is not a whole number
//! of pages (`total_len & (PAGE_SIZE - 1)`), if the pipe was not empty and all of that part
//! fits there; everything else goes into fresh pages, a page at a time, while slots are free.
//! A page's slot is freed only once the page is read to its end. So a write of at most a page
//! (`PIPE_BUF`) either fits whole or not at all, and a pipe can refuse a byte with fewer than
//! 64 KiB in it, exactly as Linux does.

use super::capacity::{PAGE, PIPE_SLOTS};
use crate::iov;
use alloc::collections::VecDeque;
use alloc::vec::Vec;

#[derive(Debug, Default)]
struct Page {
    data: Vec<u8>,
    read: usize,
}

/// A pipe's buffered bytes.
#[derive(Debug, Default)]
pub struct PipeBuf {
    pages: VecDeque<Page>,
    bytes: usize,
}

impl PipeBuf {
    /// Unread bytes (`FIONREAD`).
    pub fn len(&self) -> usize {
        self.bytes
    }

    /// Whether nothing is buffered.
    pub fn is_empty(&self) -> bool {
        self.pages.is_empty()
    }

    /// Whether every slot is taken (`pipe_full`): no write can add a page.
    pub fn is_full(&self) -> bool {
        self.pages.len() >= PIPE_SLOTS
    }

    /// Write as much of `bufs` as Linux's `pipe_write` would without waiting; returns how many
    /// bytes went in (0 when the pipe is full).
    pub fn write(&mut self, bufs: &[&[u8]]) -> usize {
        let total = iov::total(bufs);
        let chars = total & (PAGE - 1);
        // Copy out only what can go in: the part that may top up the last page, and a page per
        // free slot.
        let room = chars + PIPE_SLOTS.saturating_sub(self.pages.len()) * PAGE;
        let mut data = Vec::new();
        iov::gather(bufs, 0, 0, total.min(room), &mut data);
        let mut done = 0;
        if chars > 0
            && let Some(last) = self.pages.back_mut()
            && last.data.len() + chars <= PAGE
        {
            last.data.extend_from_slice(&data[..chars]);
            done = chars;
        }
        while done < total && !self.is_full() {
            let n = (total - done).min(PAGE);
            let mut page = Vec::with_capacity(PAGE);
            page.extend_from_slice(&data[done..done + n]);
            self.pages.push_back(Page {
                data: page,
                read: 0,
            });
            done += n;
        }
        self.bytes += done;
        done
    }

    /// Read up to the buffers' room (`pipe_read`), freeing every page read to its end; returns
    /// how many bytes were read.
    pub fn read(&mut self, out: &mut [&mut [u8]]) -> usize {
        let room: usize = out.iter().map(|b| b.len()).sum();
        let mut done = 0;
        while done < room {
            let Some(p) = self.pages.front_mut() else {
                break;
            };
            let n = (room - done).min(p.data.len() - p.read);
            let mut rest = iov::remaining(out, done);
            iov::scatter(&p.data[p.read..p.read + n], &mut rest);
            p.read += n;
            done += n;
            if p.read == p.data.len() {
                self.pages.pop_front();
            }
        }
        self.bytes -= done;
        done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fill(size: usize) -> (usize, usize) {
        let mut p = PipeBuf::default();
        let data = alloc::vec![7u8; size];
        let (mut writes, mut bytes) = (0, 0);
        loop {
            let n = p.write(&[&data]);
            if n == 0 {
                return (writes, bytes);
            }
            writes += 1;
            bytes += n;
        }
    }

    #[test]
    fn capacity_matches_linux() {
        // Measured on Linux: non-blocking writes of each size until EAGAIN.
        assert_eq!(fill(1), (65_536, 65_536));
        assert_eq!(fill(4096), (16, 65_536));
        assert_eq!(fill(5000), (11, 54_096));
        assert_eq!(fill(100_000), (1, 65_536));
    }

    #[test]
    fn pages_free_only_when_read_to_their_end() {
        let mut p = PipeBuf::default();
        assert_eq!(p.write(&[&[1u8; 70_000]]), 65_536);
        assert!(p.is_full());
        let mut buf = [0u8; 100];
        assert_eq!(p.read(&mut [&mut buf[..]]), 100);
        assert!(p.is_full(), "the first page is not read to its end");
        assert_eq!(p.write(&[&[1u8]]), 0);
        let mut big = alloc::vec![0u8; 70_000];
        assert_eq!(p.read(&mut [&mut big[..]]), 65_436);
        assert!(p.is_empty());
        assert_eq!(p.len(), 0);
        // A small write tops up the last page; an empty pipe starts a fresh one.
        assert_eq!(p.write(&[&b"ab"[..], &b"c"[..]]), 3);
        assert_eq!(p.write(&[&b"de"[..]]), 2);
        assert_eq!(p.len(), 5);
        let mut five = [0u8; 5];
        let (a, b) = five.split_at_mut(2);
        assert_eq!(p.read(&mut [a, b]), 5);
        assert_eq!(&five, b"abcde");
    }
}

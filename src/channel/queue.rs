//! An AF_UNIX socket's receive queue: the messages its senders queued (Linux's `skb`s), each
//! with its bytes, how much of it was read, the sender's name, the descriptors it carries
//! (`SCM_RIGHTS`, the type `R`) and the charge it holds against its sender's `SO_SNDBUF`.
//!
//! A message gives its charge back to its sender's [`Meter`] when it is dropped, whether read to
//! its end, purged at close or discarded: so the sender's "buffer full" can never outlive the
//! bytes that filled it. Stream reads run across messages ([`Queue::read_stream`]); datagram and
//! sequenced-packet reads take one whole message ([`Queue::read_record`]).

use super::addr::UnixAddr;
use crate::iov;
use alloc::collections::VecDeque;
use alloc::rc::Rc;
use alloc::vec::Vec;
use core::cell::Cell;

/// What a socket's sends hold in other sockets' queues, and how many times something happened
/// that could change its readiness (see [`Meter::wake`]).
#[derive(Debug, Default)]
pub struct Meter {
    /// Bytes (`truesize`) of this socket's messages not yet consumed (`sk_wmem_alloc`).
    pub charged: Cell<usize>,
    /// Wake-ups: bumped on every event Linux wakes the socket's waiters for.
    pub wakeups: Cell<u64>,
}

impl Meter {
    /// Count a wake-up (data queued, data consumed, a shutdown or close, a connection queued).
    pub fn wake(&self) {
        self.wakeups.set(self.wakeups.get().wrapping_add(1));
        // (The host build, which tests this module, has no epoll.)
        #[cfg(target_os = "wasi")]
        crate::wakeup::touch();
    }
}

/// One queued message.
#[derive(Debug)]
pub struct Msg<R> {
    data: Vec<u8>,
    /// Bytes already read (streams read a message in pieces).
    consumed: usize,
    charge: usize,
    sender: Rc<Meter>,
    /// The sender's name when it sent (unnamed: `None`).
    pub from: Option<UnixAddr>,
    /// Descriptors in flight with it.
    pub rights: Option<R>,
}

impl<R> Msg<R> {
    /// A message of `data` from the socket whose meter is `sender`, charged `charge` bytes to it.
    pub fn new(data: Vec<u8>, charge: usize, sender: &Rc<Meter>, from: Option<UnixAddr>) -> Self {
        sender.charged.set(sender.charged.get() + charge);
        Msg {
            data,
            consumed: 0,
            charge,
            sender: Rc::clone(sender),
            from,
            rights: None,
        }
    }

    /// Bytes not yet read.
    pub fn unread(&self) -> usize {
        self.data.len() - self.consumed
    }
}

impl<R> Drop for Msg<R> {
    fn drop(&mut self) {
        let s = &self.sender;
        s.charged.set(s.charged.get().saturating_sub(self.charge));
        s.wake();
    }
}

/// What a read took from the queue.
#[derive(Debug)]
pub struct Read<R> {
    /// Bytes copied out.
    pub n: usize,
    /// A datagram's whole length (streams: `n`).
    pub len: usize,
    /// The name of the first message's sender.
    pub from: Option<UnixAddr>,
    /// Descriptors: taken from the message (or copied, when peeking).
    pub rights: Option<R>,
}

/// A receive queue.
#[derive(Debug)]
pub struct Queue<R> {
    msgs: VecDeque<Msg<R>>,
}

impl<R> Default for Queue<R> {
    fn default() -> Self {
        Queue {
            msgs: VecDeque::new(),
        }
    }
}

impl<R: Clone> Queue<R> {
    /// Queue a message.
    pub fn push(&mut self, m: Msg<R>) {
        self.msgs.push_back(m);
    }

    /// Whether nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.msgs.is_empty()
    }

    /// How many messages are queued.
    pub fn len(&self) -> usize {
        self.msgs.len()
    }

    /// Unread bytes in all messages (`FIONREAD` on a stream or sequenced-packet socket).
    pub fn bytes(&self) -> usize {
        self.msgs.iter().map(Msg::unread).sum()
    }

    /// The first message's length (`FIONREAD` on a datagram socket).
    pub fn first_len(&self) -> usize {
        self.msgs.front().map_or(0, Msg::unread)
    }

    /// Take every message out (the caller drops them once it holds no borrow their
    /// descriptors' closing could need).
    pub fn take_all(&mut self) -> VecDeque<Msg<R>> {
        core::mem::take(&mut self.msgs)
    }

    /// A stream read of what is queued, into `out` (`unix_stream_read_generic`): across
    /// messages until `out` is full or the queue is empty, stopping after a message that
    /// carries descriptors. Reading (not peeking) consumes; a message read to its end is
    /// dropped, giving its sender's charge back.
    pub fn read_stream(&mut self, out: &mut [&mut [u8]], peek: bool) -> Read<R> {
        let room: usize = out.iter().map(|b| b.len()).sum();
        let mut r = Read {
            n: 0,
            len: 0,
            from: None,
            rights: None,
        };
        let mut i = 0;
        while r.n < room || r.n == 0 {
            let Some(m) = self.msgs.get_mut(i) else { break };
            if r.n == 0 {
                r.from.clone_from(&m.from);
            }
            let chunk = (room - r.n).min(m.unread());
            let mut rest = iov::remaining(out, r.n);
            iov::scatter(&m.data[m.consumed..m.consumed + chunk], &mut rest);
            r.n += chunk;
            if peek {
                if m.rights.is_some() {
                    r.rights.clone_from(&m.rights);
                    break;
                }
                i += 1;
                continue;
            }
            m.consumed += chunk;
            if m.rights.is_some() {
                r.rights = m.rights.take();
            }
            if m.unread() > 0 {
                break;
            }
            drop(self.msgs.pop_front());
            if r.rights.is_some() || room == 0 {
                break;
            }
        }
        r.len = r.n;
        r
    }

    /// A datagram read (`__unix_dgram_recvmsg`): the first message, as much of it as fits in
    /// `out` (the rest is lost unless peeking); `None` when the queue is empty.
    pub fn read_record(&mut self, out: &mut [&mut [u8]], peek: bool) -> Option<Read<R>> {
        let m = self.msgs.front_mut()?;
        let len = m.unread();
        let n = iov::scatter(&m.data[m.consumed..], out);
        let from = m.from.clone();
        let rights = if peek {
            m.rights.clone()
        } else {
            m.rights.take()
        };
        if !peek {
            drop(self.msgs.pop_front());
        }
        Some(Read {
            n,
            len,
            from,
            rights,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(msgs: &[(&[u8], Option<u32>)], meter: &Rc<Meter>) -> Queue<u32> {
        let mut q = Queue::default();
        for (d, r) in msgs {
            let mut m = Msg::new(d.to_vec(), 100, meter, None);
            m.rights = *r;
            q.push(m);
        }
        q
    }

    #[test]
    fn stream_reads_run_across_messages_and_stop_after_rights() {
        let meter = Rc::new(Meter::default());
        let mut q = q(&[(b"ab", None), (b"cd", Some(7)), (b"ef", None)], &meter);
        assert_eq!(meter.charged.get(), 300);
        assert_eq!(q.bytes(), 6);
        let mut buf = [0u8; 10];
        let r = q.read_stream(&mut [&mut buf[..]], true);
        assert_eq!((r.n, r.rights), (4, Some(7)));
        assert_eq!(q.bytes(), 6, "a peek consumes nothing");
        let r = q.read_stream(&mut [&mut buf[..3]], false);
        assert_eq!((r.n, r.rights, &buf[..3]), (3, Some(7), &b"abc"[..]));
        assert_eq!(
            meter.charged.get(),
            200,
            "the first message was read to its end"
        );
        let r = q.read_stream(&mut [&mut buf[..]], false);
        assert_eq!((r.n, r.rights, &buf[..3]), (3, None, &b"def"[..]));
        assert_eq!(meter.charged.get(), 0);
        assert!(q.is_empty());
        assert!(meter.wakeups.get() >= 3);
    }

    #[test]
    fn records_are_whole_and_truncated() {
        let meter = Rc::new(Meter::default());
        let mut q = q(&[(b"hello", Some(1)), (b"", None)], &meter);
        assert_eq!(q.first_len(), 5);
        let mut buf = [0u8; 2];
        let r = q.read_record(&mut [&mut buf[..]], true).unwrap();
        assert_eq!((r.n, r.len, r.rights), (2, 5, Some(1)));
        let r = q.read_record(&mut [&mut buf[..]], false).unwrap();
        assert_eq!((r.n, r.len, r.rights), (2, 5, Some(1)));
        let r = q.read_record(&mut [&mut buf[..]], false).unwrap();
        assert_eq!((r.n, r.len), (0, 0));
        assert!(q.read_record(&mut [&mut buf[..]], false).is_none());
        assert_eq!(meter.charged.get(), 0);
    }
}

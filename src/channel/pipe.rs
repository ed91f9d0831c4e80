//! Pipes (`pipe`, `pipe2`): a [`PipeBuf`] between a read end and a write end, each an open
//! object ([`PipeEnd`]) that descriptors share (`dup`, `SCM_RIGHTS`); an end closes with its
//! last reference, and the other end sees it (end of file, `EPIPE`, `POLLHUP`, `POLLERR`), as
//! on Linux (`fs/pipe.c`).

use super::pipe_buf::PipeBuf;
use super::queue::Meter;
use crate::errno::{Errno, Result};
use crate::poll::{POLLERR, POLLHUP, POLLIN, POLLOUT};
use crate::wait::Wait;
use alloc::rc::Rc;
use core::cell::{Cell, RefCell};

/// The pipe both ends share.
#[derive(Default)]
struct Pipe {
    buf: PipeBuf,
    readers: usize,
    writers: usize,
    /// Wake-ups of the read end (data written, the writer gone) and of the write end (room
    /// made, the reader gone).
    read_side: Meter,
    write_side: Meter,
}

/// One end of a pipe: the open object behind its descriptors.
pub struct PipeEnd {
    pipe: Rc<RefCell<Pipe>>,
    write: bool,
    /// `O_NONBLOCK`, shared by the descriptors of this end.
    nonblocking: Cell<bool>,
}

/// A new pipe: its read end and its write end.
pub fn pipe(nonblocking: bool) -> (PipeEnd, PipeEnd) {
    let pipe = Rc::new(RefCell::new(Pipe {
        readers: 1,
        writers: 1,
        ..Pipe::default()
    }));
    let end = |write| PipeEnd {
        pipe: Rc::clone(&pipe),
        write,
        nonblocking: Cell::new(nonblocking),
    };
    (end(false), end(true))
}

impl PipeEnd {
    /// Whether this is the write end.
    pub fn is_write_end(&self) -> bool {
        self.write
    }

    /// `O_NONBLOCK`.
    pub fn nonblocking(&self) -> bool {
        self.nonblocking.get()
    }

    /// Set or clear `O_NONBLOCK`.
    pub fn set_nonblocking(&self, on: bool) {
        self.nonblocking.set(on);
    }

    /// `read(2)`: what is buffered (up to the buffers' room); 0 once the pipe is empty and has
    /// no writer; `EAGAIN` when empty and non-blocking; a blocking read of an empty pipe sleeps
    /// for good, as Linux's would when nothing else can write. `EBADF` on the write end.
    pub fn read(&self, bufs: &mut [&mut [u8]]) -> Result<usize> {
        if self.write {
            return Err(Errno::EBADF);
        }
        if bufs.iter().all(|b| b.is_empty()) {
            return Ok(0);
        }
        loop {
            {
                let mut p = self.pipe.borrow_mut();
                let was_full = p.buf.is_full();
                let n = p.buf.read(bufs);
                if n > 0 {
                    // Linux's pipe_read wakes writers only when the pipe was full.
                    if was_full {
                        p.write_side.wake();
                    }
                    return Ok(n);
                }
                if p.writers == 0 {
                    return Ok(0);
                }
            }
            Wait::new(self.nonblocking(), 0).idle()?;
        }
    }

    /// `write(2)`: `EPIPE` with no reader; otherwise as much as fits now. A non-blocking write
    /// returns what went in (`EAGAIN` for nothing); a blocking one that does not fit sleeps for
    /// good, as Linux's would when nothing else can read. `EBADF` on the read end.
    pub fn write(&self, bufs: &[&[u8]]) -> Result<usize> {
        if !self.write {
            return Err(Errno::EBADF);
        }
        let total = crate::iov::total(bufs);
        if total == 0 {
            return Ok(0);
        }
        let n = {
            let mut p = self.pipe.borrow_mut();
            if p.readers == 0 {
                return Err(Errno::EPIPE);
            }
            let n = p.buf.write(bufs);
            if n > 0 {
                p.read_side.wake();
            }
            n
        };
        if n == total {
            return Ok(n);
        }
        match Wait::new(self.nonblocking(), 0).idle() {
            Err(_) if n > 0 => Ok(n),
            Err(e) => Err(e),
            Ok(()) => Ok(n),
        }
    }

    /// `EBADF` unless this end is open for the direction (`write`: the write end), as Linux
    /// checks even an empty transfer.
    pub fn check_dir(&self, write: bool) -> Result<()> {
        if self.write == write {
            Ok(())
        } else {
            Err(Errno::EBADF)
        }
    }

    /// A transfer whose buffer faults (at NULL, or past the end of memory): Linux finds the
    /// fault only when it copies, so a read first waits as it would (end of file, `EAGAIN`, or
    /// a sleep) and a write first needs a reader (`EPIPE`); then it is `EFAULT`.
    pub fn fault(&self, write: bool) -> Result<usize> {
        self.check_dir(write)?;
        loop {
            {
                let p = self.pipe.borrow();
                if write && p.readers == 0 {
                    return Err(Errno::EPIPE);
                }
                if write || !p.buf.is_empty() {
                    return Err(Errno::EFAULT);
                }
                if p.writers == 0 {
                    return Ok(0);
                }
            }
            Wait::new(self.nonblocking(), 0).idle()?;
        }
    }

    /// `FIONREAD`: the bytes buffered (either end, as Linux answers).
    pub fn readable_now(&self) -> usize {
        self.pipe.borrow().buf.len()
    }

    /// Linux's `poll` mask (`pipe_poll`): the read end is readable with data and hung up with
    /// no writer; the write end is writable with a free slot and in error with no reader.
    pub fn poll(&self) -> i16 {
        let p = self.pipe.borrow();
        let mut m = 0;
        if self.write {
            if !p.buf.is_full() {
                m |= POLLOUT;
            }
            if p.readers == 0 {
                m |= POLLERR;
            }
        } else {
            if !p.buf.is_empty() {
                m |= POLLIN;
            }
            if p.writers == 0 {
                m |= POLLHUP;
            }
        }
        m
    }

    /// This end's wake-ups so far (see [`Meter::wake`]).
    pub fn wakeups(&self) -> u64 {
        let p = self.pipe.borrow();
        let side = if self.write {
            &p.write_side
        } else {
            &p.read_side
        };
        side.wakeups.get()
    }
}

impl Drop for PipeEnd {
    fn drop(&mut self) {
        let mut p = self.pipe.borrow_mut();
        if self.write {
            p.writers -= 1;
            p.read_side.wake();
        } else {
            p.readers -= 1;
            p.write_side.wake();
        }
    }
}

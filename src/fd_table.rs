//! The socket descriptor table.
//!
//! Socket fds share one number space with every other descriptor of the program (stdio, preopened
//! directories, files): numbers come from the preview 1 component adapter's own table through
//! `adapter_open_badfd`, which hands out the lowest free number and then answers EBADF for every
//! preview 1 call on it. So `open()` never returns a number a socket holds, sockets get the lowest
//! free number like any Linux descriptor, and a closed socket's number is reused by either kind.
//!
//! Two properties of the adapter shape [`SharedNumbers`]:
//! - its table has a fixed size (`MAX_DESCRIPTORS`, 128 in the adapters of 2024-2026); when it
//!   is full, `adapter_open_badfd` fails. The adapter can never hand out a number at or above
//!   its table size, so numbers from there up belong to the library alone, and sockets go on
//!   there without a cap.
//! - its free list is a stack (the last number closed is the next one handed out). Linux hands
//!   out the lowest free number, so every release through the library re-sorts the free list
//!   (lowest on top); the adapter's next `open()` of a file then gets the lowest number too.
//!
//! The table itself is a vector indexed by fd: O(1) lookup, grows without a fixed cap.

use crate::errno::{Errno, Result};
use alloc::collections::BTreeSet;
use alloc::vec::Vec;

/// Where descriptor numbers come from.
pub trait FdSource {
    /// Reserve the lowest free descriptor number at or above `min`; `ours` says which numbers the
    /// table holds.
    fn reserve(&mut self, min: u32, ours: &dyn Fn(u32) -> bool) -> Result<u32>;
    /// Reserve exactly `fd`, which must be free (neither the table's nor open elsewhere).
    fn reserve_exact(&mut self, fd: u32, ours: &dyn Fn(u32) -> bool) -> Result<()>;
    /// Give a number back once the entry that held it is gone.
    fn release(&mut self, fd: u32);
}

/// The preview 1 component adapter's descriptor-number operations.
pub trait Adapter {
    /// `adapter_open_badfd`: the top of the adapter's free list, or a new slot; `Err` when its
    /// table is full.
    fn open_badfd(&mut self) -> Result<u32>;
    /// `adapter_close_badfd`: push a reserved number onto the adapter's free list.
    fn close_badfd(&mut self, fd: u32);
    /// Whether `fd` is open in the adapter as something other than a reservation (a file, a
    /// directory, stdio): `fd_fdstat_get` succeeds.
    fn is_open(&mut self, fd: u32) -> bool;
}

/// Descriptor numbers shared with the adapter (see the module docs): lowest free first, files
/// and sockets never collide, no cap.
pub struct SharedNumbers<A> {
    adapter: A,
    /// Where the library's own numbers start: the adapter's table size, learnt the first time the
    /// table is full.
    own_base: Option<u32>,
    /// Released numbers in `own_base..own_next`.
    own_free: BTreeSet<u32>,
    /// Every own number from here up is free, except those in `own_sparse`.
    own_next: u32,
    /// Numbers at or above `own_next` held by exact reservations (`dup2` to a high number).
    own_sparse: BTreeSet<u32>,
}

impl<A: Adapter> SharedNumbers<A> {
    /// Numbers from `adapter`.
    pub const fn new(adapter: A) -> Self {
        SharedNumbers {
            adapter,
            own_base: None,
            own_free: BTreeSet::new(),
            own_next: 0,
            own_sparse: BTreeSet::new(),
        }
    }

    /// Put `fd` back on the adapter's free list in order. `push` does the push (it closes a
    /// reservation, or a file through `fd_close`, which pushes the number the same way) and
    /// returns its result. The free numbers below `fd`, and the first above it, are taken off
    /// first and pushed back around `fd`, highest first, so the lowest ends on top.
    pub fn push_sorted<R>(&mut self, fd: u32, push: impl FnOnce(&mut A) -> R) -> R {
        let mut taken: Vec<u32> = Vec::new();
        while let Ok(n) = self.adapter.open_badfd() {
            taken.push(n);
            if n > fd {
                break;
            }
        }
        taken.sort_unstable();
        let split = taken.partition_point(|&n| n < fd);
        for &n in taken[split..].iter().rev() {
            self.adapter.close_badfd(n);
        }
        let r = push(&mut self.adapter);
        for &n in taken[..split].iter().rev() {
            self.adapter.close_badfd(n);
        }
        r
    }

    /// Reserve the highest free number of the adapter's table (for a file the library keeps open
    /// out of the program's way: the lowest numbers stay free for the program). `None` when the
    /// table is full.
    pub fn reserve_highest_in_adapter(&mut self) -> Option<u32> {
        let mut taken: Vec<u32> = Vec::new();
        while let Ok(n) = self.adapter.open_badfd() {
            taken.push(n);
        }
        taken.sort_unstable();
        let highest = taken.pop()?;
        for &n in taken.iter().rev() {
            self.adapter.close_badfd(n);
        }
        Some(highest)
    }

    /// The adapter's table size, once it is full: every number below it is open (a file or one
    /// of ours), so it is the lowest number that is neither.
    fn find_table_end(&mut self, ours: &dyn Fn(u32) -> bool) -> u32 {
        (0..u32::MAX)
            .find(|&n| !ours(n) && !self.adapter.is_open(n))
            .unwrap_or(u32::MAX)
    }

    /// Take adapter numbers (lowest free first) until `want` says one is the number wanted;
    /// give the others back in order. `None` when the adapter's table filled first (its size is
    /// then known: `own_base`).
    fn take_from_adapter(
        &mut self,
        ours: &dyn Fn(u32) -> bool,
        want: impl Fn(u32) -> bool,
    ) -> Option<u32> {
        let mut passed: Vec<u32> = Vec::new();
        let got = loop {
            match self.adapter.open_badfd() {
                Ok(n) if want(n) => break Some(n),
                Ok(n) => passed.push(n),
                Err(_) => break None,
            }
        };
        if got.is_none() {
            // The table is full, counting the numbers just taken.
            self.learn_base(&|n| ours(n) || passed.contains(&n));
        }
        // Highest first, so the lowest ends on top of the adapter's free list.
        for &n in passed.iter().rev() {
            self.adapter.close_badfd(n);
        }
        got
    }

    fn learn_base(&mut self, ours: &dyn Fn(u32) -> bool) -> u32 {
        match self.own_base {
            Some(b) => b,
            None => {
                let b = self.find_table_end(ours);
                self.own_base = Some(b);
                self.own_next = b;
                b
            }
        }
    }

    /// The lowest own number at or above `min` (own numbers start at `own_base`).
    fn own_reserve(&mut self, min: u32) -> Result<u32> {
        if let Some(&n) = self.own_free.range(min..).next() {
            self.own_free.remove(&n);
            return Ok(n);
        }
        let mut n = self.own_next.max(min);
        while self.own_sparse.contains(&n) {
            n = n.checked_add(1).ok_or(Errno::EMFILE)?;
        }
        self.own_exact(n);
        Ok(n)
    }

    /// Mark own number `n` (free) as held.
    fn own_exact(&mut self, n: u32) {
        if n < self.own_next {
            self.own_free.remove(&n);
        } else if n == self.own_next {
            self.own_next += 1;
            while self.own_sparse.remove(&self.own_next) {
                self.own_next += 1;
            }
        } else {
            self.own_sparse.insert(n);
        }
    }
}

impl<A: Adapter> FdSource for SharedNumbers<A> {
    fn reserve(&mut self, min: u32, ours: &dyn Fn(u32) -> bool) -> Result<u32> {
        if self.own_base.is_none_or(|b| min < b)
            && let Some(n) = self.take_from_adapter(ours, |n| n >= min)
        {
            return Ok(n);
        }
        let base = self.learn_base(ours);
        self.own_reserve(min.max(base))
    }

    fn reserve_exact(&mut self, fd: u32, ours: &dyn Fn(u32) -> bool) -> Result<()> {
        if self.own_base.is_none_or(|b| fd < b)
            && self.take_from_adapter(ours, |n| n == fd).is_some()
        {
            return Ok(());
        }
        let base = self.learn_base(ours);
        if fd < base {
            // Inside the adapter's table and not free there: held by a file.
            return Err(Errno::EBADF);
        }
        self.own_exact(fd);
        Ok(())
    }

    fn release(&mut self, fd: u32) {
        if self.own_base.is_some_and(|b| fd >= b) {
            if fd >= self.own_next {
                self.own_sparse.remove(&fd);
                return;
            }
            self.own_free.insert(fd);
            // Keep the set small: numbers at the top return to the never-used range.
            while self.own_next > 0 && self.own_free.remove(&(self.own_next - 1)) {
                self.own_next -= 1;
            }
        } else {
            self.push_sorted(fd, |a| a.close_badfd(fd));
        }
    }
}

/// A table of entries keyed by descriptor number.
pub struct FdTable<T, S> {
    slots: Vec<Option<T>>,
    len: usize,
    source: S,
}

impl<T, S: FdSource> FdTable<T, S> {
    /// An empty table drawing numbers from `source`.
    pub const fn new(source: S) -> Self {
        FdTable {
            slots: Vec::new(),
            len: 0,
            source,
        }
    }

    /// Reserve the lowest free number and store `entry` under it.
    pub fn insert(&mut self, entry: T) -> Result<i32> {
        self.insert_from(0, entry)
    }

    /// Reserve the lowest free number at or above `min` (`F_DUPFD`) and store `entry` under it.
    pub fn insert_from(&mut self, min: u32, entry: T) -> Result<i32> {
        let slots = &self.slots;
        let ours = |fd: u32| matches!(slots.get(fd as usize), Some(Some(_)));
        let fd = self.source.reserve(min, &ours)?;
        self.store(fd, entry)
    }

    /// Store `entry` under exactly `fd` (`dup2`), which must be free: neither the table's (the
    /// caller closes it first) nor open in the adapter (ditto). `EBADF` if the adapter holds it.
    pub fn insert_at(&mut self, fd: u32, entry: T) -> Result<i32> {
        if self.contains(fd as i32) {
            return Err(Errno::EBADF);
        }
        let slots = &self.slots;
        let ours = |fd: u32| matches!(slots.get(fd as usize), Some(Some(_)));
        self.source.reserve_exact(fd, &ours)?;
        self.store(fd, entry)
    }

    /// Store `entry` under `fd` without reserving the number: `fd` is open in the adapter as a
    /// file the library has adopted (see `crate::fd`), and the table's entry stands in front of
    /// it. Such an entry is taken out with [`Self::take_unreserved`].
    pub fn insert_unreserved(&mut self, fd: u32, entry: T) -> Result<i32> {
        if self.contains(fd as i32) {
            return Err(Errno::EBADF);
        }
        self.store(fd, entry)
    }

    /// Take out an entry stored with [`Self::insert_unreserved`] (its number is not released).
    pub fn take_unreserved(&mut self, fd: i32) -> Option<T> {
        let slot = usize::try_from(fd)
            .ok()
            .and_then(|i| self.slots.get_mut(i))?;
        let entry = slot.take()?;
        self.len -= 1;
        Some(entry)
    }

    /// Reserve the number of an entry stored unreserved, now that the adapter let it go.
    pub fn reserve_held(&mut self, fd: u32) -> Result<()> {
        let ours = |n: u32| n != fd && matches!(self.slots.get(n as usize), Some(Some(_)));
        self.source.reserve_exact(fd, &ours)
    }

    /// Put `entry` in the slot of `fd`, just reserved.
    fn store(&mut self, fd: u32, entry: T) -> Result<i32> {
        let Ok(fd_i32) = i32::try_from(fd) else {
            self.source.release(fd);
            return Err(Errno::EMFILE);
        };
        let idx = fd as usize;
        if self.slots.len() <= idx {
            if self.slots.try_reserve(idx + 1 - self.slots.len()).is_err() {
                self.source.release(fd);
                return Err(Errno::ENOMEM);
            }
            self.slots.resize_with(idx + 1, || None);
        }
        // The source never hands out a number it has not had back, and every number we hold is
        // in the table, so the slot is free. If a broken source repeated one, keep the old entry
        // (its resources stay reachable) and refuse the new one.
        if self.slots[idx].is_some() {
            return Err(Errno::EMFILE);
        }
        self.slots[idx] = Some(entry);
        self.len += 1;
        Ok(fd_i32)
    }

    /// The entry for `fd`, if it is one of ours.
    pub fn get(&self, fd: i32) -> Option<&T> {
        self.slots.get(usize::try_from(fd).ok()?)?.as_ref()
    }

    /// The entry for `fd`, mutably.
    pub fn get_mut(&mut self, fd: i32) -> Option<&mut T> {
        self.slots.get_mut(usize::try_from(fd).ok()?)?.as_mut()
    }

    /// Whether `fd` is one of ours.
    pub fn contains(&self, fd: i32) -> bool {
        self.get(fd).is_some()
    }

    /// Take `fd`'s entry out, drop it (releasing its resources in the entry's own order), then
    /// give the number back. Returns `false` if `fd` was not ours.
    pub fn close(&mut self, fd: i32) -> bool {
        let Some(slot) = usize::try_from(fd).ok().and_then(|i| self.slots.get_mut(i)) else {
            return false;
        };
        let Some(entry) = slot.take() else {
            return false;
        };
        self.len -= 1;
        drop(entry);
        self.source.release(fd as u32);
        // Keep the vector from holding a long tail of empty slots after a burst of sockets.
        while matches!(self.slots.last(), Some(None)) {
            self.slots.pop();
        }
        true
    }

    /// Take `fd`'s entry out without dropping it and give the number back (the caller now owns
    /// the entry and its resources). `None` if `fd` was not ours.
    pub fn take(&mut self, fd: i32) -> Option<T> {
        let slot = usize::try_from(fd)
            .ok()
            .and_then(|i| self.slots.get_mut(i))?;
        let entry = slot.take()?;
        self.len -= 1;
        self.source.release(fd as u32);
        while matches!(self.slots.last(), Some(None)) {
            self.slots.pop();
        }
        Some(entry)
    }

    /// How many entries the table holds.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The number source (to release other descriptors through it in order).
    pub fn source_mut(&mut self) -> &mut S {
        &mut self.source
    }

    /// Every (fd, entry) pair, lowest fd first.
    pub fn iter(&self) -> impl Iterator<Item = (i32, &T)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.as_ref().map(|e| (i as i32, e)))
    }
}

#[cfg(test)]
mod tests;

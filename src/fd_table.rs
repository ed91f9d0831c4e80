//! The socket descriptor table.
//!
//! Socket fds share one number space with every other descriptor of the program (stdio, preopened
//! directories, files): numbers come from the preview 1 component adapter's own table through
//! `adapter_open_badfd`, which hands out the lowest free number and then answers EBADF for every
//! preview 1 call on it. So `open()` never returns a number a socket holds, sockets get the lowest
//! free number like any Linux descriptor, and a closed socket's number is reused by either kind.
//!
//! The table itself is a vector indexed by fd: O(1) lookup, grows without a fixed cap.

use crate::errno::{Errno, Result};
use alloc::vec::Vec;

/// Where descriptor numbers come from.
pub trait FdSource {
    /// Reserve the lowest free descriptor number.
    fn reserve(&mut self) -> Result<u32>;
    /// Give a number back once the entry that held it is gone.
    fn release(&mut self, fd: u32);
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

    /// Reserve a number and store `entry` under it.
    pub fn insert(&mut self, entry: T) -> Result<i32> {
        let fd = self.source.reserve()?;
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

    /// How many entries the table holds.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
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
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::collections::BTreeSet;
    use std::rc::Rc;

    /// A stand-in for the adapter's table: lowest free number, shared with "files".
    #[derive(Clone, Default)]
    struct FakeAdapter(Rc<RefCell<BTreeSet<u32>>>);

    impl FakeAdapter {
        fn with_stdio() -> Self {
            let a = FakeAdapter::default();
            a.0.borrow_mut().extend([0, 1, 2]);
            a
        }
        fn open_file(&self) -> u32 {
            self.reserve_lowest()
        }
        fn close_file(&self, fd: u32) {
            assert!(self.0.borrow_mut().remove(&fd));
        }
        fn reserve_lowest(&self) -> u32 {
            let mut used = self.0.borrow_mut();
            let fd = (0..).find(|n| !used.contains(n)).unwrap();
            used.insert(fd);
            fd
        }
    }

    impl FdSource for FakeAdapter {
        fn reserve(&mut self) -> Result<u32> {
            Ok(self.reserve_lowest())
        }
        fn release(&mut self, fd: u32) {
            assert!(self.0.borrow_mut().remove(&fd), "released {fd} twice");
        }
    }

    struct Exhausted;
    impl FdSource for Exhausted {
        fn reserve(&mut self) -> Result<u32> {
            Err(Errno::EMFILE)
        }
        fn release(&mut self, _: u32) {
            unreachable!()
        }
    }

    #[test]
    fn sockets_and_files_share_lowest_free_numbers() {
        let adapter = FakeAdapter::with_stdio();
        let mut t: FdTable<&str, _> = FdTable::new(adapter.clone());
        let file = adapter.open_file();
        assert_eq!(file, 3);
        assert_eq!(t.insert("a"), Ok(4));
        assert_eq!(t.insert("b"), Ok(5));
        adapter.close_file(3);
        assert_eq!(t.insert("c"), Ok(3));
        assert!(t.close(4));
        assert_eq!(adapter.open_file(), 4);
        assert_eq!(t.insert("d"), Ok(6));
        assert_eq!(t.get(5), Some(&"b"));
        assert_eq!(t.get(4), None, "fd 4 is a file now");
        assert_eq!(t.len(), 3);
        let fds: Vec<i32> = t.iter().map(|(fd, _)| fd).collect();
        assert_eq!(fds, [3, 5, 6]);
    }

    #[test]
    fn bad_numbers_are_not_ours() {
        let mut t: FdTable<u8, _> = FdTable::new(FakeAdapter::with_stdio());
        assert_eq!(t.insert(1), Ok(3));
        for fd in [-1, i32::MIN, 0, 1, 2, 4, 1 << 20, i32::MAX] {
            assert!(t.get(fd).is_none());
            assert!(t.get_mut(fd).is_none());
            assert!(!t.close(fd));
        }
        assert!(t.close(3));
        assert!(!t.close(3), "double close is EBADF, not a second release");
        assert!(t.is_empty());
    }

    #[test]
    fn grows_without_cap_and_reuses_lowest() {
        let mut t: FdTable<u32, _> = FdTable::new(FakeAdapter::with_stdio());
        let fds: Vec<i32> = (0..5000).map(|i| t.insert(i).unwrap()).collect();
        assert_eq!(fds.first(), Some(&3));
        assert_eq!(fds.last(), Some(&5002));
        for fd in (3..5003).step_by(2) {
            assert!(t.close(fd));
        }
        assert_eq!(t.insert(0), Ok(3));
        assert_eq!(t.insert(0), Ok(5));
        for fd in 3..5003 {
            t.close(fd);
        }
        assert!(t.is_empty());
        assert!(t.slots.is_empty(), "empty tail is trimmed");
    }

    #[test]
    fn exhausted_source_is_emfile() {
        let mut t: FdTable<u8, _> = FdTable::new(Exhausted);
        assert_eq!(t.insert(1), Err(Errno::EMFILE));
    }

    #[test]
    fn entry_is_dropped_before_number_is_released() {
        // The number must stay reserved until the entry's resources are gone.
        struct Probe(FakeAdapter, u32);
        impl Drop for Probe {
            fn drop(&mut self) {
                assert!(
                    self.0.0.borrow().contains(&self.1),
                    "fd released before drop"
                );
            }
        }
        let adapter = FakeAdapter::with_stdio();
        let mut t = FdTable::new(adapter.clone());
        let fd = t.insert(Probe(adapter.clone(), 3)).unwrap();
        assert!(t.close(fd));
        assert!(!adapter.0.borrow().contains(&3));
    }
}

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
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::rc::Rc;

    /// A model of the preview 1 adapter's table: fixed size, a stack of closed numbers.
    #[derive(Default)]
    struct Model {
        slots: Vec<Slot>,
        free: Vec<u32>,
        cap: usize,
    }

    #[derive(Clone, Copy, PartialEq, Debug)]
    enum Slot {
        File,
        Bad,
        Closed,
    }

    #[derive(Clone)]
    struct FakeAdapter(Rc<RefCell<Model>>);

    impl FakeAdapter {
        fn new(cap: usize) -> Self {
            let m = Model {
                slots: vec![Slot::File; 3], // stdio
                free: Vec::new(),
                cap,
            };
            FakeAdapter(Rc::new(RefCell::new(m)))
        }
        fn alloc(&self, kind: Slot) -> Result<u32> {
            let mut m = self.0.borrow_mut();
            if let Some(fd) = m.free.pop() {
                m.slots[fd as usize] = kind;
                return Ok(fd);
            }
            if m.slots.len() >= m.cap {
                return Err(Errno::ENOMEM);
            }
            m.slots.push(kind);
            Ok(m.slots.len() as u32 - 1)
        }
        /// The adapter's `fd_close` (what libc's close of a file reaches).
        fn fd_close(&self, fd: u32) {
            let mut m = self.0.borrow_mut();
            assert_eq!(m.slots[fd as usize], Slot::File, "closing non-file {fd}");
            m.slots[fd as usize] = Slot::Closed;
            m.free.push(fd);
        }
        fn open_file(&self) -> Result<u32> {
            self.alloc(Slot::File)
        }
    }

    impl Adapter for FakeAdapter {
        fn open_badfd(&mut self) -> Result<u32> {
            self.alloc(Slot::Bad)
        }
        fn close_badfd(&mut self, fd: u32) {
            let mut m = self.0.borrow_mut();
            assert_eq!(
                m.slots[fd as usize],
                Slot::Bad,
                "releasing non-reservation {fd}"
            );
            m.slots[fd as usize] = Slot::Closed;
            m.free.push(fd);
        }
        fn is_open(&mut self, fd: u32) -> bool {
            self.0.borrow().slots.get(fd as usize) == Some(&Slot::File)
        }
    }

    type Table<T> = FdTable<T, SharedNumbers<FakeAdapter>>;

    fn table<T>(cap: usize) -> (Table<T>, FakeAdapter) {
        let a = FakeAdapter::new(cap);
        (FdTable::new(SharedNumbers::new(a.clone())), a)
    }

    /// Close a file the way the library's close() does.
    fn close_file<T>(t: &mut Table<T>, a: &FakeAdapter, fd: u32) {
        t.source_mut().push_sorted(fd, |_| a.fd_close(fd));
    }

    #[test]
    fn sockets_and_files_share_lowest_free_numbers() {
        let (mut t, a) = table::<&str>(128);
        assert_eq!(a.open_file(), Ok(3));
        assert_eq!(t.insert("a"), Ok(4));
        assert_eq!(t.insert("b"), Ok(5));
        close_file(&mut t, &a, 3);
        assert_eq!(t.insert("c"), Ok(3));
        assert!(t.close(4));
        assert_eq!(a.open_file(), Ok(4));
        assert_eq!(t.insert("d"), Ok(6));
        assert_eq!(t.get(5), Some(&"b"));
        assert_eq!(t.get(4), None, "fd 4 is a file now");
        assert_eq!(t.len(), 3);
        let fds: Vec<i32> = t.iter().map(|(fd, _)| fd).collect();
        assert_eq!(fds, [3, 5, 6]);
    }

    #[test]
    fn stack_order_frees_still_give_lowest_first() {
        let (mut t, a) = table::<u32>(128);
        let fds: Vec<i32> = (0..10).map(|i| t.insert(i).unwrap()).collect();
        assert_eq!(fds, (3..13).collect::<Vec<_>>());
        // The adapter alone would hand back 12 (the last closed); Linux hands back 3.
        for fd in 3..13 {
            assert!(t.close(fd));
        }
        assert_eq!(t.insert(0), Ok(3));
        assert_eq!(a.open_file(), Ok(4), "files get the lowest number too");
        assert_eq!(t.insert(0), Ok(5));
        assert_eq!(t.insert(0), Ok(6));
        assert_eq!(t.insert(0), Ok(7));
        // Ascending closes: the adapter's stack would hand back 7 first.
        for fd in [3, 5, 7] {
            assert!(t.close(fd));
        }
        close_file(&mut t, &a, 4);
        assert_eq!(t.insert(0), Ok(3));
        assert_eq!(t.insert(0), Ok(4));
        assert_eq!(t.insert(0), Ok(5));
        assert_eq!(t.insert(0), Ok(7));
    }

    #[test]
    fn beyond_the_adapter_cap_numbers_continue_without_collision() {
        let (mut t, a) = table::<u32>(16);
        let fds: Vec<i32> = (0..100).map(|i| t.insert(i).unwrap()).collect();
        assert_eq!(
            fds,
            (3..103).collect::<Vec<_>>(),
            "contiguous across the cap"
        );
        assert_eq!(
            a.open_file(),
            Err(Errno::ENOMEM),
            "the adapter's table is full"
        );
        // Free one number below the cap and one above: lowest first.
        assert!(t.close(50));
        assert!(t.close(7));
        assert_eq!(t.insert(0), Ok(7));
        assert_eq!(t.insert(0), Ok(50));
        assert_eq!(t.insert(0), Ok(103));
        // A file can take a freed number below the cap, never one above.
        assert!(t.close(10));
        assert_eq!(a.open_file(), Ok(10));
        assert!(t.close(60));
        assert_eq!(a.open_file(), Err(Errno::ENOMEM));
        assert_eq!(t.insert(0), Ok(60));
        for fd in 3..104 {
            t.close(fd);
        }
        assert_eq!(t.len(), 0);
        assert_eq!(t.insert(0), Ok(3));
    }

    #[test]
    fn random_mix_never_collides_and_sockets_get_the_lowest_free() {
        let (mut t, a) = table::<u32>(40);
        let mut files: Vec<u32> = Vec::new();
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for step in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let used = |t: &Table<u32>, files: &Vec<u32>, n: u32| {
                files.contains(&n) || t.contains(n as i32) || n < 3
            };
            match x % 4 {
                0 => {
                    let lowest = (0..).find(|&n| !used(&t, &files, n)).unwrap();
                    let fd = t.insert(step).unwrap() as u32;
                    assert_eq!(fd, lowest, "step {step}: socket not lowest free");
                }
                1 => {
                    if let Ok(fd) = a.open_file() {
                        assert!(!used(&t, &files, fd), "step {step}: file got a used number");
                        files.push(fd);
                    }
                }
                2 => {
                    let socks: Vec<i32> = t.iter().map(|(fd, _)| fd).collect();
                    if !socks.is_empty() {
                        assert!(t.close(socks[(x >> 8) as usize % socks.len()]));
                    }
                }
                _ => {
                    if !files.is_empty() {
                        let fd = files.swap_remove((x >> 8) as usize % files.len());
                        close_file(&mut t, &a, fd);
                    }
                }
            }
        }
    }

    #[test]
    fn take_hands_over_the_entry_and_frees_the_number() {
        let (mut t, _a) = table::<String>(128);
        let fd = t.insert("kept alive".to_string()).unwrap();
        assert_eq!(t.take(fd).as_deref(), Some("kept alive"));
        assert_eq!(t.take(fd), None);
        assert_eq!(
            t.insert("next".to_string()),
            Ok(fd),
            "the number is free again"
        );
    }

    #[test]
    fn bad_numbers_are_not_ours() {
        let (mut t, _a) = table::<u8>(128);
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
    fn grows_without_cap_and_trims() {
        let (mut t, _a) = table::<u32>(128);
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
    fn entry_is_dropped_before_number_is_released() {
        // The number must stay reserved until the entry's resources are gone.
        struct Probe(FakeAdapter, u32);
        impl Drop for Probe {
            fn drop(&mut self) {
                let m = self.0.0.borrow();
                assert_eq!(
                    m.slots[self.1 as usize],
                    Slot::Bad,
                    "fd released before drop"
                );
            }
        }
        let (mut t, a) = table(128);
        let fd = t.insert(Probe(a.clone(), 3)).unwrap();
        assert!(t.close(fd));
        assert_eq!(a.0.borrow().slots[3], Slot::Closed);
    }

    #[test]
    fn insert_from_takes_the_lowest_free_at_or_above_min() {
        let (mut t, a) = table::<u32>(16);
        assert_eq!(t.insert_from(10, 0), Ok(10));
        assert_eq!(
            t.insert(0),
            Ok(3),
            "numbers below min stay free, lowest first"
        );
        assert_eq!(a.open_file(), Ok(4));
        assert_eq!(t.insert_from(10, 0), Ok(11));
        assert_eq!(t.insert_from(0, 0), Ok(5));
        // Above the adapter's table (16): own numbers.
        assert_eq!(t.insert_from(100, 0), Ok(100));
        assert_eq!(t.insert_from(100, 0), Ok(101));
        assert!(t.close(100));
        assert_eq!(t.insert_from(50, 0), Ok(50));
        assert_eq!(t.insert_from(50, 0), Ok(51));
        assert_eq!(t.insert_from(99, 0), Ok(99));
        assert_eq!(t.insert_from(99, 0), Ok(100));
        assert_eq!(t.insert_from(99, 0), Ok(102));
    }

    #[test]
    fn insert_at_takes_exactly_the_number() {
        let (mut t, a) = table::<u32>(16);
        assert_eq!(t.insert_at(7, 0), Ok(7));
        assert_eq!(t.insert_at(7, 1), Err(Errno::EBADF), "held by the table");
        assert_eq!(t.insert(0), Ok(3));
        assert_eq!(a.open_file(), Ok(4));
        assert_eq!(t.insert_at(4, 0), Err(Errno::EBADF), "held by a file");
        assert_eq!(t.insert_at(1000, 0), Ok(1000));
        assert_eq!(t.insert_at(20, 0), Ok(20));
        // Lowest-free numbering goes on around the exact ones.
        let got: Vec<i32> = (0..14).map(|_| t.insert(0).unwrap()).collect();
        assert_eq!(got, [5, 6, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
        assert_eq!(t.insert(0), Ok(21), "20 is held");
        assert!(t.close(1000));
        assert_eq!(t.insert_at(1000, 0), Ok(1000), "free again");
        assert!(t.close(20));
        assert_eq!(t.insert(0), Ok(20));
    }

    #[test]
    fn random_exact_and_min_reservations_never_collide() {
        let (mut t, a) = table::<u32>(24);
        let mut files: Vec<u32> = Vec::new();
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for step in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let used = |t: &Table<u32>, files: &Vec<u32>, n: u32| {
                files.contains(&n) || t.contains(n as i32) || n < 3
            };
            let n = (x >> 16) as u32 % 64;
            match x % 6 {
                0 => {
                    let lowest = (n..).find(|&k| !used(&t, &files, k)).unwrap();
                    assert_eq!(t.insert_from(n, step), Ok(lowest as i32), "step {step}");
                }
                1 if !used(&t, &files, n) => {
                    assert_eq!(t.insert_at(n, step), Ok(n as i32), "step {step}");
                }
                1 => assert_eq!(t.insert_at(n, step), Err(Errno::EBADF), "step {step}"),
                2 => {
                    if let Ok(fd) = a.open_file() {
                        assert!(!used(&t, &files, fd), "step {step}: file got a used number");
                        files.push(fd);
                    }
                }
                3 | 4 => {
                    let held: Vec<i32> = t.iter().map(|(fd, _)| fd).collect();
                    if !held.is_empty() {
                        assert!(t.close(held[(x >> 8) as usize % held.len()]));
                    }
                }
                _ => {
                    if !files.is_empty() {
                        let fd = files.swap_remove((x >> 8) as usize % files.len());
                        close_file(&mut t, &a, fd);
                    }
                }
            }
        }
    }
}

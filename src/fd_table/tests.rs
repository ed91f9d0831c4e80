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

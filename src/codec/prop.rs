//! Test support for seeded property tests, without a dependency: an xorshift64* generator and a
//! runner. Every case draws from its own generator, derived from the run's seed and the case
//! number, so a failure names both and replays with `WSP_SEED=<seed>`.

/// The seed used when `WSP_SEED` is not set.
pub const DEFAULT_SEED: u64 = 0x5eed_50c7_e75a_b1e5;

/// xorshift64* (Vigna): small, fast and good enough to drive tests.
pub struct Rng(u64);

impl Rng {
    /// A generator from any seed (0 is remapped: xorshift's state must not be 0).
    pub fn new(seed: u64) -> Rng {
        Rng(splitmix(seed) | 1)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// The next 32 random bits.
    pub fn u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }

    /// The next 16 random bits.
    pub fn u16(&mut self) -> u16 {
        (self.next_u64() >> 48) as u16
    }

    /// A random byte.
    pub fn u8(&mut self) -> u8 {
        (self.next_u64() >> 56) as u8
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        let span = (hi as i128 - lo as i128 + 1) as u128;
        if span > u128::from(u64::MAX) {
            return self.next_u64() as i64;
        }
        (lo as i128 + i128::from(self.below(span as u64))) as i64
    }

    /// Uniform in `lo..=hi`, as a `usize`.
    pub fn size(&mut self, lo: usize, hi: usize) -> usize {
        self.range(lo as i64, hi as i64) as usize
    }

    /// True with probability `num / den`.
    pub fn chance(&mut self, num: u64, den: u64) -> bool {
        self.below(den) < num
    }

    /// One of `items`.
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    /// Fill `b` with random bytes.
    pub fn fill(&mut self, b: &mut [u8]) {
        for x in b {
            *x = self.u8();
        }
    }
}

/// splitmix64's output function: spreads nearby seeds (seed + case) far apart.
fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The run's seed: `WSP_SEED` (decimal or `0x` hex) or [`DEFAULT_SEED`].
pub fn seed() -> u64 {
    match std::env::var("WSP_SEED") {
        Ok(s) => {
            let s = s.trim();
            let v = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => s.parse(),
            };
            v.unwrap_or_else(|_| panic!("WSP_SEED={s:?} is not a number"))
        }
        Err(_) => DEFAULT_SEED,
    }
}

/// Where a property is: its name, the seed and the case, for assertion messages.
pub struct At {
    /// The property's name.
    pub name: &'static str,
    /// The run's seed.
    pub seed: u64,
    /// The case number.
    pub case: u64,
}

impl core::fmt::Display for At {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "property `{}` failed at case {} of seed {:#x} (replay: WSP_SEED={:#x} cargo test {})",
            self.name, self.case, self.seed, self.seed, self.name
        )
    }
}

/// Run `cases` cases of property `name`; each gets a generator derived from the seed and its
/// number, and an [`At`] to put in its assertion messages. A panic that is not one of those
/// assertions (an overflow, an index out of bounds) is reported with the seed and case too.
pub fn check(name: &'static str, cases: u64, mut f: impl FnMut(&mut Rng, &At)) {
    let seed = seed();
    println!("property {name}: {cases} cases, seed {seed:#x}");
    for case in 0..cases {
        let mut rng = Rng::new(seed ^ splitmix(case));
        let at = At { name, seed, case };
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&mut rng, &at)));
        if let Err(panic) = run {
            eprintln!("{at}");
            std::panic::resume_unwind(panic);
        }
    }
}

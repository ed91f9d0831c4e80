//! Descriptors in flight (`SCM_RIGHTS`): the open objects a message carries from `sendmsg` to
//! `recvmsg`. Each is a reference to the open object, as a `dup` is (the sender may close its
//! own descriptor at once); the receiver gets new descriptors for the same objects.
//!
//! Whatever drops them without delivering them (a plain `recv` that does not ask for control
//! messages, a control buffer too small, a purge at close) releases each reference as `close`
//! would, so the last one closes the object. Only a cycle (a socket in flight inside its own
//! queue, or two sockets each in flight in the other's, with every descriptor closed) is never
//! collected: Linux has a garbage collector for that case; this library does not.

use crate::fd::Desc;
use alloc::vec::Vec;

/// The descriptors one message carries.
#[derive(Clone, Default)]
pub struct InFlight(Vec<Desc>);

impl InFlight {
    /// Carry these objects.
    pub fn new(descs: Vec<Desc>) -> InFlight {
        InFlight(descs)
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Deliver them: the caller installs each as a descriptor (or releases it).
    pub fn take(mut self) -> Vec<Desc> {
        core::mem::take(&mut self.0)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        for d in self.0.drain(..) {
            d.release();
        }
    }
}

impl core::fmt::Debug for InFlight {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "InFlight({})", self.0.len())
    }
}

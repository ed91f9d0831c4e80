//! `sendmmsg(2)` and `recvmmsg(2)`: `sendmsg`/`recvmsg` over a vector of `struct mmsghdr`, as
//! Linux's `__sys_sendmmsg` and `do_recvmmsg` run them. On a UDP socket `sendmmsg` hands the
//! host several datagrams per host call ([`ops::batch::send_datagrams`]).

use super::io::{readable, recvmsg_on, sendmsg_on};
use crate::addr::Dest;
use crate::codec::fdset::Timespec;
use crate::codec::mmsg::{self, MMSG_MAX, MMsgHdr, MSG_CMSG_COMPAT, MSG_WAITFORONE};
use crate::codec::msg;
use crate::errno::{Errno, c_ret};
use crate::flags::MsgFlags;
use crate::ops::{self, batch};
use alloc::vec::Vec;
use libc::c_int;

/// sendmmsg(2): entry after entry as `sendmsg` sends it, each entry's `msg_len` set to its
/// count, until one fails or (on a stream) sends less than its whole message. Returns how many
/// entries were sent, or the first one's error when none was (a later entry's error is not
/// reported, as Linux). `vlen` above 1024 is cut to 1024.
///
/// # Safety
/// `msgvec` must hold `vlen` valid `struct mmsghdr` whose iovecs are readable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sendmmsg(
    fd: c_int,
    msgvec: *mut MMsgHdr,
    vlen: u32,
    flags: c_int,
) -> c_int {
    let r = (|| {
        if flags & MSG_CMSG_COMPAT != 0 {
            return Err(Errno::EINVAL);
        }
        if !ops::is_socket(fd) {
            return Err(ops::not_a_socket(fd));
        }
        let vlen = vlen.min(MMSG_MAX) as usize;
        let (sent, err) = if ops::is_datagram(fd) && !ops::unix::is_unix(fd) {
            // SAFETY: forwarded contract.
            unsafe { send_datagrams(fd, msgvec, vlen, flags) }
        } else {
            // SAFETY: forwarded contract.
            unsafe { send_each(fd, msgvec, vlen, flags) }
        };
        match err {
            Some(e) if sent == 0 => Err(e),
            _ => Ok(sent),
        }
    })();
    let r = crate::trace::traced!("sendmmsg"("{fd}, {msgvec:p}, {vlen}, {flags:#x}"), r);
    c_ret(r.map(|n| n as c_int))
}

/// `sendmmsg` one entry at a time: the count sent and the error that stopped it.
///
/// # Safety
/// As `sendmmsg`.
unsafe fn send_each(
    fd: c_int,
    v: *mut MMsgHdr,
    vlen: usize,
    flags: c_int,
) -> (usize, Option<Errno>) {
    for i in 0..vlen {
        let e = match mmsg::entry(v, i) {
            Ok(e) => e,
            Err(err) => return (i, Some(err)),
        };
        // SAFETY: in memory (checked); valid per the contract.
        let hdr = unsafe { core::ptr::addr_of!((*e).hdr) };
        // SAFETY: forwarded contract.
        match unsafe { sendmsg_on(fd, hdr, flags) } {
            Ok(n) => {
                // SAFETY: in memory (checked), writable per the contract.
                unsafe { mmsg::set_len(e, n) };
                // A stream that took less than the whole message ends the call there.
                // SAFETY: the entry was just sent from, so its header and iovecs are valid.
                if n < unsafe { msg::send_len(hdr) } {
                    return (i + 1, None);
                }
            }
            Err(err) => return (i, Some(err)),
        }
    }
    (vlen, None)
}

/// `sendmmsg` on a UDP socket: runs of entries that decode cleanly go to the host together;
/// an entry that does not (its header or a buffer faults, a bad length) is sent alone, through
/// `sendmsg`, which finds what is wrong with it at the point Linux does.
///
/// # Safety
/// As `sendmmsg`.
unsafe fn send_datagrams(
    fd: c_int,
    v: *mut MMsgHdr,
    vlen: usize,
    flags: c_int,
) -> (usize, Option<Errno>) {
    let Ok(family) = ops::family(fd) else {
        // SAFETY: forwarded contract.
        return unsafe { send_each(fd, v, vlen, flags) };
    };
    let mflags = MsgFlags::from_c(flags);
    let mut done = 0;
    while done < vlen {
        let mut run: Vec<(Vec<&[u8]>, Dest)> = Vec::new();
        while done + run.len() < vlen && run.len() < RUN_ENTRIES {
            let Ok(e) = mmsg::entry(v, done + run.len()) else {
                break;
            };
            // SAFETY: in memory (checked); valid per the contract.
            let Ok((dest, iov)) = (unsafe { msg::send_parts(core::ptr::addr_of!((*e).hdr)) })
            else {
                break;
            };
            // SAFETY: the iovecs passed `send_parts`' checks; readable per the contract.
            let (bufs, len) = unsafe { readable(iov) };
            if len > crate::iov::total(&bufs) {
                break; // a buffer that faults
            }
            run.push((bufs, Dest::decode(dest, family)));
        }
        if run.is_empty() {
            // SAFETY: forwarded contract.
            let (n, err) = unsafe { send_each(fd, v.wrapping_add(done), 1, flags) };
            done += n;
            if err.is_some() {
                return (done, err);
            }
            continue;
        }
        let msgs: Vec<batch::Outgoing<'_>> = run.iter().map(|(b, d)| (&b[..], *d)).collect();
        let (n, err) = batch::send_datagrams(fd, &msgs, mflags);
        for (i, (bufs, _)) in run.iter().take(n).enumerate() {
            // SAFETY: entry checked in memory above; writable per the contract.
            unsafe { mmsg::set_len(v.wrapping_add(done + i), crate::iov::total(bufs)) };
        }
        done += n;
        if err.is_some() {
            return (done, err);
        }
    }
    (vlen, None)
}

/// How many entries `sendmmsg` decodes ahead before handing them on.
const RUN_ENTRIES: usize = 64;

/// recvmmsg(2): a pending error first (unless `MSG_ERRQUEUE`); then entry after entry as
/// `recvmsg` receives it, each entry's `msg_len` set, until `vlen` are filled or one fails.
/// `MSG_WAITFORONE` turns on `MSG_DONTWAIT` after the first. The timeout is Linux's: looked at
/// only after each message (it never cuts a wait short), the time left written back when
/// anything was received. A failure after some messages returns their count and, unless it was
/// `EAGAIN`, leaves the error pending for the next call or `SO_ERROR`.
///
/// # Safety
/// `msgvec` must hold `vlen` valid, writable `struct mmsghdr` whose iovecs are writable;
/// `timeout` NULL or a valid, writable `struct timespec`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn recvmmsg(
    fd: c_int,
    msgvec: *mut MMsgHdr,
    vlen: u32,
    flags: c_int,
    timeout: *mut Timespec,
) -> c_int {
    let r = (|| {
        if flags & MSG_CMSG_COMPAT != 0 {
            return Err(Errno::EINVAL);
        }
        // SAFETY: forwarded contract.
        let limit = unsafe { mmsg::read_timeout(timeout) }?;
        let deadline = limit.map(|ns| (ns, crate::wait::now().saturating_add(ns)));
        if !ops::is_socket(fd) {
            return Err(ops::not_a_socket(fd));
        }
        if !MsgFlags::from_c(flags).contains(MsgFlags::ERRQUEUE)
            && let Some(e) = batch::take_error(fd)?
        {
            return Err(e);
        }
        let waitforone = flags & MSG_WAITFORONE != 0;
        let mut flags = flags & !MSG_WAITFORONE;
        let (mut got, mut err, mut left) = (0, None, None);
        while got < vlen as usize {
            let e = match mmsg::entry(msgvec, got) {
                Ok(e) => e,
                Err(x) => {
                    err = Some(x);
                    break;
                }
            };
            // SAFETY: in memory (checked); valid and writable per the contract.
            match unsafe { recvmsg_on(fd, core::ptr::addr_of_mut!((*e).hdr), flags) } {
                // SAFETY: as above.
                Ok(n) => unsafe { mmsg::set_len(e, n) },
                Err(x) => {
                    err = Some(x);
                    break;
                }
            }
            got += 1;
            if waitforone {
                flags |= MsgFlags::DONTWAIT.bits();
            }
            if let Some((ns, end)) = deadline {
                // A zero timeout has run out at once (Linux's end time is 0 for it).
                let rest = if ns == 0 {
                    0
                } else {
                    end.saturating_sub(crate::wait::now())
                };
                left = Some(rest);
                if rest == 0 {
                    break;
                }
            }
        }
        if got > 0 {
            if let Some(ns) = left {
                // SAFETY: checked by read_timeout; writable per the contract.
                unsafe { mmsg::write_timeout(timeout, ns) };
            }
            if let Some(e) = err.filter(|&e| e != Errno::EAGAIN) {
                batch::set_error(fd, e)?;
            }
            return Ok(got);
        }
        err.map_or(Ok(0), Err)
    })();
    let r = crate::trace::traced!("recvmmsg"("{fd}, {msgvec:p}, {vlen}, {flags:#x}"), r);
    c_ret(r.map(|n| n as c_int))
}

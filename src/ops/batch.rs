//! What the calls over several messages (`sendmmsg`, `recvmmsg`) need beyond the one-message
//! calls they repeat: the socket's pending error (`sock_error`, which `recvmmsg` looks at first
//! and sets when a later message fails) and UDP datagrams handed to the host several per call.

use super::{Proto, with_proto};
use crate::addr::Dest;
use crate::errno::{Errno, Result};
use crate::flags::MsgFlags;

/// One datagram of a batch: its data's pieces and where it goes.
pub type Outgoing<'a> = (&'a [&'a [u8]], Dest);

/// `sendmmsg`'s datagrams on UDP socket `fd`, each checked as `sendmsg` checks it, in order,
/// and handed to the host as many per host call as one permit allows (see
/// [`crate::udp::Udp::send_many`]). The count sent, and the error of the datagram after them,
/// if one stopped the batch. Not a UDP socket, or `MSG_MORE` (which builds one datagram from
/// several messages): each message is sent alone, as `sendmsg`.
pub fn send_datagrams(fd: i32, msgs: &[Outgoing<'_>], flags: MsgFlags) -> (usize, Option<Errno>) {
    let batched = !flags.intersects(MsgFlags::MORE | MsgFlags::OOB)
        && crate::fd::socket_for_send(fd).is_ok_and(|s| matches!(s.borrow().proto, Proto::Udp(_)));
    if !batched {
        for (i, (bufs, dest)) in msgs.iter().enumerate() {
            if let Err(e) = super::send_to(fd, bufs, flags, *dest) {
                return (i, Some(e));
            }
        }
        return (msgs.len(), None);
    }
    let r = with_proto(fd, |p, attrs| {
        let wait = attrs.send_wait(flags.contains(MsgFlags::DONTWAIT));
        let Proto::Udp(u) = p else {
            return Ok((0, Some(Errno::EBADF)));
        };
        Ok(u.send_many(msgs, wait, attrs.broadcast))
    });
    r.unwrap_or_else(|e| (0, Some(e)))
}

/// The socket's pending error, taken (as `SO_ERROR` takes it).
pub fn take_error(fd: i32) -> Result<Option<Errno>> {
    with_proto(fd, |p, _| {
        Ok(match p {
            Proto::Tcp(t) => t.take_error(),
            Proto::Udp(u) => u.take_error(),
            Proto::Unix(u) => u.take_error(),
        })
    })
}

/// Leave `e` as the socket's pending error: the next receive (or `SO_ERROR`) reports it.
pub fn set_error(fd: i32, e: Errno) -> Result<()> {
    with_proto(fd, |p, _| {
        match p {
            Proto::Tcp(t) => t.set_error(e),
            Proto::Udp(u) => u.set_error(e),
            Proto::Unix(u) => u.set_error(e),
        }
        Ok(())
    })
}

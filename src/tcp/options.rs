//! Host-backed options (`SO_KEEPALIVE`, buffer sizes, keep-alive timing, hop limits): Linux's
//! range checks and units, and the options kept to apply again to a replacement host socket.

use super::{State, Tcp};
use crate::addr::Family;
use crate::bindings::wasi::sockets::tcp::TcpSocket;
use crate::errno::{Errno, Result};
use crate::inet::{DEFAULT_TTL, HostOpt, buffer_size_from_host, buffer_size_to_host, hops};

/// Linux's limits for the keep-alive options (`MAX_TCP_KEEPIDLE`, `MAX_TCP_KEEPINTVL`,
/// `MAX_TCP_KEEPCNT`).
const MAX_TCP_KEEPIDLE: i32 = 32767;
const MAX_TCP_KEEPCNT: i32 = 127;
const NS_PER_SEC: u64 = 1_000_000_000;

impl Tcp {
    /// A fresh host socket with the options the program set (Linux's socket keeps them).
    /// A dual-stack socket's IPv4 host socket goes too; a bind makes it again.
    pub(super) fn replace_host(&mut self) -> Result<()> {
        self.v4 = None;
        self.host_v4 = false;
        self.host = self.fresh_host(self.family)?;
        Ok(())
    }

    /// The host socket for an option call: after a failed connect the old one answers only
    /// errors, so a fresh one takes its place (the socket's state stays as it is). A connect
    /// the host has finished is collected first: until then the host answers every option
    /// with `invalid-state` (found by tests/fuzz/diff.c: `TCP_KEEPCNT` was EINVAL right after
    /// `poll` saw the connection up).
    pub(super) fn option_host(&mut self) -> Result<&TcpSocket> {
        self.collect_connect();
        if matches!(self.state, State::Failed { .. }) && !self.host_replaced {
            self.replace_host()?;
            self.host_replaced = true;
        }
        Ok(&self.host.sock)
    }

    /// Read a host-backed option, in Linux's units.
    pub fn host_opt(&mut self, o: HostOpt) -> Result<i32> {
        let family = self.family;
        match (o, family) {
            (HostOpt::Ttl, Family::V6) if !self.host_v4 => return Ok(self.v4_ttl_on_v6),
            (HostOpt::UnicastHops, Family::V6) if self.host_v4 => return Ok(self.v6_hops()),
            (HostOpt::UnicastHops, Family::V4) => return Err(Errno::EOPNOTSUPP),
            _ => {}
        }
        let s = self.option_host()?;
        let secs = |ns: u64| i32::try_from(ns / NS_PER_SEC).unwrap_or(i32::MAX);
        let v = match o {
            HostOpt::KeepAlive => s.keep_alive_enabled().map(i32::from),
            HostOpt::RcvBuf => s.receive_buffer_size().map(buffer_size_from_host),
            HostOpt::SndBuf => s.send_buffer_size().map(buffer_size_from_host),
            HostOpt::KeepIdle => s.keep_alive_idle_time().map(secs),
            HostOpt::KeepIntvl => s.keep_alive_interval().map(secs),
            HostOpt::KeepCnt => s.keep_alive_count().map(|c| c as i32),
            HostOpt::Ttl | HostOpt::UnicastHops => s.hop_limit().map(i32::from),
        };
        v.map_err(Errno::from)
    }

    /// Set a host-backed option, with Linux's range checks first; remembered for a replacement
    /// host socket.
    ///
    /// On an IPv6 socket `IP_TTL` goes to its IPv4 host sockets (Linux keeps it for
    /// IPv4-mapped traffic) and `IPV6_UNICAST_HOPS` to its IPv6 one; each is stored for the
    /// other.
    pub fn set_host_opt(&mut self, o: HostOpt, v: i32) -> Result<()> {
        match (o, self.family) {
            (HostOpt::Ttl, Family::V6) => {
                let h = hops(v)?;
                self.v4_ttl_on_v6 = i32::from(h);
                if self.host_v4 {
                    self.option_host()?.set_hop_limit(h).map_err(Errno::from)?;
                }
                if let Some(v4) = &self.v4 {
                    let _ = v4.sock.set_hop_limit(h);
                }
                return Ok(());
            }
            (HostOpt::UnicastHops, Family::V6) if self.host_v4 => {
                hops(v)?;
            }
            (HostOpt::UnicastHops, Family::V4) => return Err(Errno::EOPNOTSUPP),
            _ => {
                let family = self.family;
                apply_host_opt(self.option_host()?, family, o, v)?;
                if let Some(v4) = &self.v4 {
                    let _ = apply_host_opt(&v4.sock, Family::V4, o, v);
                }
            }
        }
        self.host_opts.retain(|(k, _)| *k != o);
        self.host_opts.push((o, v));
        Ok(())
    }

    /// `IPV6_UNICAST_HOPS` as set, for an IPv6 socket whose host socket is IPv4.
    fn v6_hops(&self) -> i32 {
        self.host_opts
            .iter()
            .find(|(k, _)| *k == HostOpt::UnicastHops)
            .and_then(|&(_, v)| hops(v).ok())
            .map_or(DEFAULT_TTL, i32::from)
    }
}

/// Pass a host-backed option to `s`, with Linux's range checks first.
pub(super) fn apply_host_opt(s: &TcpSocket, family: Family, o: HostOpt, v: i32) -> Result<()> {
    let secs = |v: i32| {
        if (1..=MAX_TCP_KEEPIDLE).contains(&v) {
            Ok(v as u64 * NS_PER_SEC)
        } else {
            Err(Errno::EINVAL)
        }
    };
    let r = match (o, family) {
        (HostOpt::KeepAlive, _) => s.set_keep_alive_enabled(v != 0),
        (HostOpt::RcvBuf, _) => s.set_receive_buffer_size(buffer_size_to_host(v)),
        (HostOpt::SndBuf, _) => s.set_send_buffer_size(buffer_size_to_host(v)),
        (HostOpt::KeepIdle, _) => s.set_keep_alive_idle_time(secs(v)?),
        (HostOpt::KeepIntvl, _) => s.set_keep_alive_interval(secs(v)?),
        (HostOpt::KeepCnt, _) => {
            if !(1..=MAX_TCP_KEEPCNT).contains(&v) {
                return Err(Errno::EINVAL);
            }
            s.set_keep_alive_count(v as u32)
        }
        (HostOpt::Ttl | HostOpt::UnicastHops, _) => s.set_hop_limit(hops(v)?),
    };
    r.map_err(Errno::from)
}

//! Host-backed options on a UDP socket, in Linux's units and with Linux's range checks. They go
//! to every host socket of the socket (an IPv6 socket's IPv4 one takes `IP_TTL` as its hop
//! limit), and are kept to apply again to a replacement.

use super::Udp;
use crate::addr::Family;
use crate::errno::{Errno, Result};
use crate::inet::{DEFAULT_TTL, HostOpt, buffer_size_from_host, buffer_size_to_host, hops};

impl Udp {
    /// Read a host-backed option, in Linux's units.
    pub fn host_opt(&mut self, o: HostOpt) -> Result<i32> {
        self.main.with_sock(|s| match (o, self.family) {
            (HostOpt::KeepAlive, _) => Ok(i32::from(self.opts.keepalive)),
            (HostOpt::RcvBuf, _) => s
                .receive_buffer_size()
                .map(buffer_size_from_host)
                .map_err(Errno::from),
            (HostOpt::SndBuf, _) => s
                .send_buffer_size()
                .map(buffer_size_from_host)
                .map_err(Errno::from),
            (HostOpt::Ttl, Family::V4) | (HostOpt::UnicastHops, Family::V6) => {
                s.unicast_hop_limit().map(i32::from).map_err(Errno::from)
            }
            (HostOpt::Ttl, Family::V6) => Ok(self.opts.v4_ttl_on_v6.unwrap_or(DEFAULT_TTL)),
            (HostOpt::UnicastHops, Family::V4) => Err(Errno::EOPNOTSUPP),
            (HostOpt::KeepIdle | HostOpt::KeepIntvl | HostOpt::KeepCnt, _) => {
                Err(Errno::ENOPROTOOPT)
            }
        })
    }

    /// Set a host-backed option, with Linux's range checks first.
    pub fn set_host_opt(&mut self, o: HostOpt, v: i32) -> Result<()> {
        let buf = buffer_size_to_host;
        match (o, self.family) {
            (HostOpt::KeepAlive, _) => self.opts.keepalive = v != 0,
            (HostOpt::RcvBuf, _) => {
                self.main
                    .with_sock(|s| s.set_receive_buffer_size(buf(v)))
                    .map_err(Errno::from)?;
                self.opts.rcvbuf = Some(buf(v));
            }
            (HostOpt::SndBuf, _) => {
                self.main
                    .with_sock(|s| s.set_send_buffer_size(buf(v)))
                    .map_err(Errno::from)?;
                self.opts.sndbuf = Some(buf(v));
            }
            (HostOpt::Ttl, Family::V4) | (HostOpt::UnicastHops, Family::V6) => {
                let h = hops(v)?;
                self.main
                    .with_sock(|s| s.set_unicast_hop_limit(h))
                    .map_err(Errno::from)?;
                self.opts.hops = Some(h);
            }
            (HostOpt::Ttl, Family::V6) => self.opts.v4_ttl_on_v6 = Some(i32::from(hops(v)?)),
            (HostOpt::UnicastHops, Family::V4) => return Err(Errno::EOPNOTSUPP),
            (HostOpt::KeepIdle | HostOpt::KeepIntvl | HostOpt::KeepCnt, _) => {
                return Err(Errno::ENOPROTOOPT);
            }
        }
        if let Some(v4) = &self.v4 {
            v4.apply_opts(&self.opts);
        }
        Ok(())
    }
}

//! The host socket's life cycle: binding (and taking a port back after a reconnect), the streams
//! opened once per host socket, replacing the host socket when it must stream again, and reading
//! what the host has received into the socket's queue.

use super::{Datagram, Host, REBIND_RETRY_NS, REBIND_WAIT_NS, RECV_BATCH, Streams, Udp};
use crate::bindings::wasi::sockets::network::ErrorCode;
use crate::errno::{Errno, Result};
use crate::wait::{self, finish, host};
use crate::wasi;
use core::net::SocketAddr;

impl Udp {
    /// Bind the host socket (`start-bind` + `finish-bind`). `retry_in_use`: the address may
    /// still be held by this socket's previous host socket, about to be released; try again for
    /// a while.
    pub(super) fn host_bind(&mut self, addr: SocketAddr, retry_in_use: bool) -> Result<u16> {
        let deadline = wait::now().saturating_add(REBIND_WAIT_NS);
        loop {
            let sock = &self.host.sock;
            let r = wasi::with_network(|net| sock.start_bind(net, wasi::to_wasi(addr)))
                .and_then(|()| finish(&sock.subscribe(), || sock.finish_bind()));
            match r {
                Ok(()) => break,
                Err(ErrorCode::AddressInUse) if retry_in_use && wait::now() < deadline => {
                    wait::sleep(REBIND_RETRY_NS);
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(self
            .host
            .sock
            .local_address()
            .map_or(addr.port(), |a| wasi::from_wasi(a).port()))
    }

    /// Replace the host socket by a fresh one with the same options, bound where this one is
    /// (if it is). The old socket's streams and pollables go first, then the socket.
    pub(super) fn renew_host(&mut self) -> Result<()> {
        self.host.streams = None;
        self.host = Host::new(self.family)?;
        self.apply_opts();
        if let Some(b) = self.bound {
            let ip = if b.addr_locked {
                b.ip
            } else {
                self.family.unspecified().ip()
            };
            if let Err(e) = self.host_bind(SocketAddr::new(ip, b.port), true) {
                // The port went to another socket meanwhile (say one bound to 127.0.0.1:port
                // while this one had the wildcard). The fresh host socket is unbound: forget
                // the port rather than keep reporting it while datagrams leave from another
                // (getsockname lied and peers saw a different source port: found by
                // tests/fuzz). The caller reports the error.
                self.bound = None;
                return Err(e);
            }
        }
        Ok(())
    }

    pub(super) fn apply_opts(&mut self) {
        let s = &self.host.sock;
        // Best effort: the values were accepted by a socket of the same family before.
        if let Some(v) = self.opts.rcvbuf {
            let _ = s.set_receive_buffer_size(v);
        }
        if let Some(v) = self.opts.sndbuf {
            let _ = s.set_send_buffer_size(v);
        }
        if let Some(v) = self.opts.hops {
            let _ = s.set_unicast_hop_limit(v);
        }
    }

    /// The host streams, opened (unconnected, or to the peer) on first use. The socket must be
    /// bound.
    pub(super) fn streams(&mut self) -> Result<&Streams> {
        if self.host.streams.is_none() {
            if self.host.streamed {
                self.renew_host()?;
            }
            let remote = self.peer.map(wasi::to_wasi);
            let (incoming, outgoing) = self.host.sock.stream(remote).map_err(Errno::from)?;
            self.host.streamed = true;
            self.host.streams = Some(Streams {
                in_ready: incoming.subscribe(),
                out_ready: outgoing.subscribe(),
                incoming,
                outgoing,
            });
        }
        Ok(self.host.streams.as_ref().expect("just opened"))
    }

    /// Take what the host has received, without waiting. `Ok(true)` if anything arrived.
    pub(super) fn pull(&mut self) -> Result<bool> {
        let s = self.streams()?;
        let got = host::receive(&s.incoming, RECV_BATCH).map_err(Errno::from)?;
        let any = !got.is_empty();
        self.rx.extend(got.into_iter().map(|d| Datagram {
            data: d.data,
            from: wasi::from_wasi(d.remote_address),
        }));
        Ok(any)
    }

    /// Read ahead for `poll`, `FIONREAD` and `SO_ERROR`: an error becomes the pending error.
    pub(super) fn read_ahead(&mut self) {
        if self.bound.is_none() || self.rd_shut {
            return;
        }
        if let Err(e) = self.pull() {
            self.so_error = Some(e);
        }
    }

    /// Before the host streams are replaced: keep what the old ones already received (Linux
    /// keeps its receive queue across `connect`).
    pub(super) fn drain(&mut self) {
        if self.host.streams.is_none() {
            return;
        }
        loop {
            match self.pull() {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    self.so_error = Some(e);
                    break;
                }
            }
        }
    }
}

//! Glue between the generated bindings and the library's own types: error codes, addresses, the
//! instance network, and the preview 1 imports the library needs for non-socket descriptors.

use crate::addr::Family;
use crate::bindings::wasi::sockets::network::{
    ErrorCode, IpAddressFamily, IpSocketAddress, Ipv4SocketAddress, Ipv6SocketAddress, Network,
};
use crate::errno::{Errno, WasiError};
use crate::global::Global;
use core::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

impl From<ErrorCode> for WasiError {
    fn from(e: ErrorCode) -> WasiError {
        match e {
            ErrorCode::Unknown => WasiError::Unknown,
            ErrorCode::AccessDenied => WasiError::AccessDenied,
            ErrorCode::NotSupported => WasiError::NotSupported,
            ErrorCode::InvalidArgument => WasiError::InvalidArgument,
            ErrorCode::OutOfMemory => WasiError::OutOfMemory,
            ErrorCode::Timeout => WasiError::Timeout,
            ErrorCode::ConcurrencyConflict => WasiError::ConcurrencyConflict,
            ErrorCode::NotInProgress => WasiError::NotInProgress,
            ErrorCode::WouldBlock => WasiError::WouldBlock,
            ErrorCode::InvalidState => WasiError::InvalidState,
            ErrorCode::NewSocketLimit => WasiError::NewSocketLimit,
            ErrorCode::AddressNotBindable => WasiError::AddressNotBindable,
            ErrorCode::AddressInUse => WasiError::AddressInUse,
            ErrorCode::RemoteUnreachable => WasiError::RemoteUnreachable,
            ErrorCode::ConnectionRefused => WasiError::ConnectionRefused,
            ErrorCode::ConnectionReset => WasiError::ConnectionReset,
            ErrorCode::ConnectionAborted => WasiError::ConnectionAborted,
            ErrorCode::DatagramTooLarge => WasiError::DatagramTooLarge,
            ErrorCode::NameUnresolvable => WasiError::NameUnresolvable,
            ErrorCode::TemporaryResolverFailure => WasiError::TemporaryResolverFailure,
            ErrorCode::PermanentResolverFailure => WasiError::PermanentResolverFailure,
        }
    }
}

impl From<ErrorCode> for Errno {
    fn from(e: ErrorCode) -> Errno {
        Errno::from(WasiError::from(e))
    }
}

/// The errno for a failed stream operation (`last-operation-failed`). See
/// [`WasiError::from_debug_text`] for why this reads the error's text.
pub fn stream_error_errno(err: &crate::bindings::wasi::io::error::Error) -> Errno {
    match WasiError::from_debug_text(&err.to_debug_string()) {
        Some(e) => Errno::from(e),
        None => Errno::EIO,
    }
}

impl From<Family> for IpAddressFamily {
    fn from(f: Family) -> Self {
        match f {
            Family::V4 => IpAddressFamily::Ipv4,
            Family::V6 => IpAddressFamily::Ipv6,
        }
    }
}

/// `core::net` address -> WASI address.
pub fn to_wasi(addr: SocketAddr) -> IpSocketAddress {
    match addr {
        SocketAddr::V4(a) => {
            let o = a.ip().octets();
            IpSocketAddress::Ipv4(Ipv4SocketAddress {
                port: a.port(),
                address: (o[0], o[1], o[2], o[3]),
            })
        }
        SocketAddr::V6(a) => {
            let s = a.ip().segments();
            IpSocketAddress::Ipv6(Ipv6SocketAddress {
                port: a.port(),
                flow_info: a.flowinfo(),
                address: (s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]),
                scope_id: a.scope_id(),
            })
        }
    }
}

/// WASI address -> `core::net` address.
pub fn from_wasi(addr: IpSocketAddress) -> SocketAddr {
    match addr {
        IpSocketAddress::Ipv4(a) => {
            let (x, y, z, w) = a.address;
            SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::new(x, y, z, w), a.port))
        }
        IpSocketAddress::Ipv6(a) => {
            let (s0, s1, s2, s3, s4, s5, s6, s7) = a.address;
            SocketAddr::V6(SocketAddrV6::new(
                Ipv6Addr::new(s0, s1, s2, s3, s4, s5, s6, s7),
                a.port,
                a.flow_info,
                a.scope_id,
            ))
        }
    }
}

static NETWORK: Global<Option<Network>> = Global::new("wasi::NETWORK", None);

/// Run `f` with the instance network, fetched once and kept for the life of the instance.
pub fn with_network<R>(f: impl FnOnce(&Network) -> R) -> R {
    NETWORK.with(|n| {
        f(
            n.get_or_insert_with(
                crate::bindings::wasi::sockets::instance_network::instance_network,
            ),
        )
    })
}

/// The preview 1 functions the library calls for descriptors that are not sockets, plus the
/// component adapter's descriptor reservation, imported directly (the same imports wasi-libc
/// uses), so their behaviour is exactly libc's.
pub mod p1 {
    /// `__wasi_iovec_t` / `__wasi_ciovec_t`.
    #[repr(C)]
    #[derive(Clone, Copy)]
    pub struct Iovec {
        /// Start of the buffer.
        pub buf: *mut u8,
        /// Its length.
        pub len: usize,
    }

    /// `__wasi_fdstat_t`.
    #[repr(C)]
    #[derive(Clone, Copy, Default)]
    pub struct Fdstat {
        /// `fs_filetype`.
        pub filetype: u8,
        /// `fs_flags`.
        pub flags: u16,
        /// `fs_rights_base`.
        pub rights_base: u64,
        /// `fs_rights_inheriting`.
        pub rights_inheriting: u64,
    }

    /// `__WASI_FILETYPE_DIRECTORY`.
    pub const FILETYPE_DIRECTORY: u8 = 3;
    /// `__WASI_FILETYPE_REGULAR_FILE`.
    pub const FILETYPE_REGULAR_FILE: u8 = 4;
    /// `__WASI_FDFLAGS_NONBLOCK` (= `O_NONBLOCK`).
    pub const FDFLAGS_NONBLOCK: u16 = 4;
    /// `__WASI_RIGHTS_FD_READ`.
    pub const RIGHTS_FD_READ: u64 = 1 << 1;
    /// `__WASI_RIGHTS_FD_WRITE`.
    pub const RIGHTS_FD_WRITE: u64 = 1 << 6;
    /// `__WASI_RIGHTS_FD_READDIR`.
    pub const RIGHTS_FD_READDIR: u64 = 1 << 14;

    #[cfg(target_os = "wasi")]
    #[link(wasm_import_module = "wasi_snapshot_preview1")]
    unsafe extern "C" {
        /// `fd_read`.
        pub fn fd_read(fd: i32, iovs: *const Iovec, iovs_len: usize, nread: *mut usize) -> u16;
        /// `fd_write`.
        pub fn fd_write(fd: i32, iovs: *const Iovec, iovs_len: usize, nwritten: *mut usize) -> u16;
        /// `fd_close`.
        pub fn fd_close(fd: i32) -> u16;
        /// `fd_filestat_get` (`buf`: a 64-byte `__wasi_filestat_t`; `size` at offset 32).
        pub fn fd_filestat_get(fd: i32, buf: *mut u64) -> u16;
        /// `fd_tell`.
        pub fn fd_tell(fd: i32, offset: *mut u64) -> u16;
        /// `fd_pread`.
        pub fn fd_pread(
            fd: i32,
            iovs: *const Iovec,
            iovs_len: usize,
            offset: u64,
            nread: *mut usize,
        ) -> u16;
        /// `fd_seek`.
        pub fn fd_seek(fd: i32, offset: i64, whence: u8, newoffset: *mut u64) -> u16;
        /// `fd_renumber`.
        pub fn fd_renumber(fd: i32, to: i32) -> u16;
        /// `fd_fdstat_get`.
        pub fn fd_fdstat_get(fd: i32, stat: *mut Fdstat) -> u16;
        /// `fd_fdstat_set_flags`.
        pub fn fd_fdstat_set_flags(fd: i32, flags: u16) -> u16;
        /// `poll_oneoff`.
        pub fn poll_oneoff(input: *const u8, output: *mut u8, n: usize, nevents: *mut usize)
        -> u16;
        /// Reserve the lowest free descriptor number in the adapter's table (it then answers
        /// EBADF for every preview 1 call on it).
        pub fn adapter_open_badfd(fd: *mut u32) -> u16;
        /// Release a number reserved by `adapter_open_badfd`.
        pub fn adapter_close_badfd(fd: u32) -> u16;
    }

    #[cfg(target_os = "wasi")]
    unsafe extern "C" {
        fn __wasilibc_find_abspath(
            path: *const core::ffi::c_char,
            abs_prefix: *mut *const core::ffi::c_char,
            relative_path: *mut *const core::ffi::c_char,
        ) -> i32;
    }

    static SCANNED: crate::global::Global<bool> =
        crate::global::Global::new("wasi::SCANNED", false);

    /// Make sure wasi-libc has scanned the preopened directories, as its own `close` does before
    /// closing anything: the scan probes fds 3, 4, ... and stops at the first EBADF, so a preopen
    /// closed before it runs (its number then free, or taken by a socket) would hide every
    /// preopen after it.
    ///
    /// It goes through `__wasilibc_find_abspath`, which scans first, rather than calling
    /// `__wasilibc_populate_preopens` by name: in wasi-libc's archive a weak copy of that symbol
    /// lives in the same member as libc's `close`, and naming it would pull that member in and
    /// clash with this library's `close`.
    pub fn scan_preopens() {
        if SCANNED.with(|s| core::mem::replace(s, true)) {
            return;
        }
        let saved = crate::errno::errno();
        let (mut prefix, mut rel) = (core::ptr::null(), core::ptr::null());
        // SAFETY: a NUL-terminated path and two valid out-pointers; the lookup itself may fail
        // (no preopen for "/"), which only sets errno, restored below.
        unsafe { __wasilibc_find_abspath(c"/".as_ptr(), &mut prefix, &mut rel) };
        crate::errno::set_errno(saved);
    }
}

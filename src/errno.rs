//! `errno` values (wasi-libc's numbering), the one map from WASI error codes to them, and the one
//! place that writes the C `errno`.
//!
//! wasi-libc numbers its errno values after WASI preview 1's `errno` enum (`<wasi/api.h>`), not
//! after Linux: `EAGAIN` is 6 here, not 11. Every value below is checked against the sysroot's
//! headers by `tests/c/abi_constants.c`.

use core::fmt;

/// An `errno` value as wasi-libc numbers it.
///
/// An open newtype rather than an enum, so any value a C caller or the host hands us is
/// representable (no undefined behaviour on an unknown number).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Errno(pub i32);

macro_rules! errnos {
    ($($name:ident = $val:expr, $doc:literal;)*) => {
        impl Errno {
            $(#[doc = $doc] pub const $name: Errno = Errno($val);)*

            /// The symbolic name (`"EAGAIN"`), or `None` for a number wasi-libc does not define.
            pub const fn name(self) -> Option<&'static str> {
                match self.0 {
                    $($val => Some(stringify!($name)),)*
                    _ => None,
                }
            }
        }
    };
}

errnos! {
    E2BIG = 1, "Argument list too long.";
    EACCES = 2, "Permission denied (also: the host granted no network capability).";
    EADDRINUSE = 3, "Address in use.";
    EADDRNOTAVAIL = 4, "Address not available.";
    EAFNOSUPPORT = 5, "Address family not supported.";
    EAGAIN = 6, "Resource unavailable, try again (same value as `EWOULDBLOCK`).";
    EALREADY = 7, "Connection already in progress.";
    EBADF = 8, "Bad file descriptor.";
    EBADMSG = 9, "Bad message.";
    EBUSY = 10, "Device or resource busy.";
    ECANCELED = 11, "Operation canceled.";
    ECHILD = 12, "No child processes.";
    ECONNABORTED = 13, "Connection aborted.";
    ECONNREFUSED = 14, "Connection refused.";
    ECONNRESET = 15, "Connection reset.";
    EDEADLK = 16, "Resource deadlock would occur.";
    EDESTADDRREQ = 17, "Destination address required.";
    EDOM = 18, "Mathematics argument out of domain of function.";
    EDQUOT = 19, "Reserved.";
    EEXIST = 20, "File exists.";
    EFAULT = 21, "Bad address.";
    EFBIG = 22, "File too large.";
    EHOSTUNREACH = 23, "Host is unreachable.";
    EIDRM = 24, "Identifier removed.";
    EILSEQ = 25, "Illegal byte sequence.";
    EINPROGRESS = 26, "Operation in progress.";
    EINTR = 27, "Interrupted function.";
    EINVAL = 28, "Invalid argument.";
    EIO = 29, "I/O error.";
    EISCONN = 30, "Socket is connected.";
    EISDIR = 31, "Is a directory.";
    ELOOP = 32, "Too many levels of symbolic links.";
    EMFILE = 33, "File descriptor value too large.";
    EMLINK = 34, "Too many links.";
    EMSGSIZE = 35, "Message too large.";
    EMULTIHOP = 36, "Reserved.";
    ENAMETOOLONG = 37, "Filename too long.";
    ENETDOWN = 38, "Network is down.";
    ENETRESET = 39, "Connection aborted by network.";
    ENETUNREACH = 40, "Network unreachable.";
    ENFILE = 41, "Too many files open in system.";
    ENOBUFS = 42, "No buffer space available.";
    ENODEV = 43, "No such device.";
    ENOENT = 44, "No such file or directory.";
    ENOEXEC = 45, "Executable file format error.";
    ENOLCK = 46, "No locks available.";
    ENOLINK = 47, "Reserved.";
    ENOMEM = 48, "Not enough space.";
    ENOMSG = 49, "No message of the desired type.";
    ENOPROTOOPT = 50, "Protocol not available.";
    ENOSPC = 51, "No space left on device.";
    ENOSYS = 52, "Function not supported.";
    ENOTCONN = 53, "The socket is not connected.";
    ENOTDIR = 54, "Not a directory or a symbolic link to a directory.";
    ENOTEMPTY = 55, "Directory not empty.";
    ENOTRECOVERABLE = 56, "State not recoverable.";
    ENOTSOCK = 57, "Not a socket.";
    ENOTSUP = 58, "Not supported (same value as `EOPNOTSUPP`).";
    ENOTTY = 59, "Inappropriate I/O control operation.";
    ENXIO = 60, "No such device or address.";
    EOVERFLOW = 61, "Value too large to be stored in data type.";
    EOWNERDEAD = 62, "Previous owner died.";
    EPERM = 63, "Operation not permitted.";
    EPIPE = 64, "Broken pipe.";
    EPROTO = 65, "Protocol error.";
    EPROTONOSUPPORT = 66, "Protocol not supported.";
    EPROTOTYPE = 67, "Protocol wrong type for socket.";
    ERANGE = 68, "Result too large.";
    EROFS = 69, "Read-only file system.";
    ESPIPE = 70, "Invalid seek.";
    ESRCH = 71, "No such process.";
    ESTALE = 72, "Reserved.";
    ETIMEDOUT = 73, "Connection timed out.";
    ETXTBSY = 74, "Text file busy.";
    EXDEV = 75, "Cross-device link.";
    ENOTCAPABLE = 76, "Extension: capabilities insufficient.";
}

impl Errno {
    /// Same value as [`Errno::EAGAIN`], as on Linux.
    pub const EWOULDBLOCK: Errno = Errno::EAGAIN;
    /// Same value as [`Errno::ENOTSUP`], as in wasi-libc.
    pub const EOPNOTSUPP: Errno = Errno::ENOTSUP;
}

impl fmt::Debug for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "Errno({})", self.0),
        }
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// What the library's internal functions return.
pub type Result<T> = core::result::Result<T, Errno>;

/// The error codes of `wasi:sockets/network`, mirrored so the mapping is testable on the host.
///
/// [`crate::wasi`] converts the generated binding type into this one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum WasiError {
    Unknown,
    AccessDenied,
    NotSupported,
    InvalidArgument,
    OutOfMemory,
    Timeout,
    ConcurrencyConflict,
    NotInProgress,
    WouldBlock,
    InvalidState,
    NewSocketLimit,
    AddressNotBindable,
    AddressInUse,
    RemoteUnreachable,
    ConnectionRefused,
    ConnectionReset,
    ConnectionAborted,
    DatagramTooLarge,
    NameUnresolvable,
    TemporaryResolverFailure,
    PermanentResolverFailure,
}

impl From<WasiError> for Errno {
    /// The one map from `wasi:sockets` error codes to errno. Call sites that know better (for
    /// example `invalid-state` from `connect`, which Linux reports as `EISCONN`) decide before
    /// they ask the host, from the socket's own state, so this map stays context-free.
    fn from(e: WasiError) -> Errno {
        match e {
            // The host gave no reason. EIO is what Linux reports for an unexplained failure.
            WasiError::Unknown => Errno::EIO,
            // Also the answer when the host grants no network capability (`-S inherit-network`
            // missing): Linux reports EACCES when a security policy forbids a socket call.
            WasiError::AccessDenied => Errno::EACCES,
            WasiError::NotSupported => Errno::EOPNOTSUPP,
            WasiError::InvalidArgument => Errno::EINVAL,
            // Linux reports ENOMEM or ENOBUFS; ENOMEM names the cause.
            WasiError::OutOfMemory => Errno::ENOMEM,
            WasiError::Timeout => Errno::ETIMEDOUT,
            // A second start-* while one is pending: Linux's "operation already in progress".
            WasiError::ConcurrencyConflict => Errno::EALREADY,
            // finish-* without start-*: the library never does this; EINVAL if a host claims it.
            WasiError::NotInProgress => Errno::EINVAL,
            WasiError::WouldBlock => Errno::EAGAIN,
            // Lossy: Linux distinguishes EINVAL, EISCONN and ENOTCONN here. The socket state
            // machines check their own state first and only reach this for host-side surprises.
            WasiError::InvalidState => Errno::EINVAL,
            // Linux: EMFILE (per process) or ENFILE (system wide); the host's limit is per guest.
            WasiError::NewSocketLimit => Errno::EMFILE,
            WasiError::AddressNotBindable => Errno::EADDRNOTAVAIL,
            WasiError::AddressInUse => Errno::EADDRINUSE,
            // Lossy: Linux distinguishes EHOSTUNREACH, ENETUNREACH and ENETDOWN; the host merged them.
            WasiError::RemoteUnreachable => Errno::EHOSTUNREACH,
            WasiError::ConnectionRefused => Errno::ECONNREFUSED,
            WasiError::ConnectionReset => Errno::ECONNRESET,
            WasiError::ConnectionAborted => Errno::ECONNABORTED,
            WasiError::DatagramTooLarge => Errno::EMSGSIZE,
            // The three resolver codes only come from ip-name-lookup, whose callers translate them
            // to EAI_* codes; a socket call that met one anyway reports an unreachable host.
            WasiError::NameUnresolvable => Errno::EHOSTUNREACH,
            WasiError::TemporaryResolverFailure => Errno::EAGAIN,
            WasiError::PermanentResolverFailure => Errno::EHOSTUNREACH,
        }
    }
}

impl WasiError {
    /// Recognise an error code by the name wasmtime prints for it in `wasi:io/error`'s
    /// `to-debug-string` (its `ErrorCode` debug names). Stream errors carry no error code in
    /// wasi:io 0.2 (`network-error-code` is unstable and wasmtime 48 returns `none` for socket
    /// streams), so the text is the only place a reset is reported. Unknown text -> `None`.
    pub fn from_debug_text(text: &str) -> Option<WasiError> {
        const NAMES: &[(&str, WasiError)] = &[
            ("ConnectionReset", WasiError::ConnectionReset),
            ("ConnectionAborted", WasiError::ConnectionAborted),
            ("ConnectionRefused", WasiError::ConnectionRefused),
            ("RemoteUnreachable", WasiError::RemoteUnreachable),
            ("Timeout", WasiError::Timeout),
            ("timed out", WasiError::Timeout),
            ("Connection reset", WasiError::ConnectionReset),
            ("AccessDenied", WasiError::AccessDenied),
            // The wit names: wasmtime 48 reports a write on a reset connection (the background
            // write's error) as "connection-reset (error 15)". Linux says ECONNRESET there;
            // without these names it was EIO (found by tests/fuzz).
            ("connection-reset", WasiError::ConnectionReset),
            ("connection-aborted", WasiError::ConnectionAborted),
            ("connection-refused", WasiError::ConnectionRefused),
            ("remote-unreachable", WasiError::RemoteUnreachable),
            ("timeout", WasiError::Timeout),
            ("access-denied", WasiError::AccessDenied),
        ];
        NAMES
            .iter()
            .find(|(name, _)| text.contains(name))
            .map(|&(_, e)| e)
    }
}

#[cfg(all(target_family = "wasm", target_os = "wasi"))]
mod c_errno {
    unsafe extern "C" {
        /// wasi-libc's accessor for the calling thread's `errno` (a plain global in
        /// single-threaded builds, thread-local in `wasm32-wasip1-threads`).
        fn __errno_location() -> *mut i32;
    }

    pub(super) fn set(value: i32) {
        // SAFETY: wasi-libc guarantees a valid, aligned pointer for the life of the thread.
        unsafe { *__errno_location() = value }
    }

    pub(super) fn get() -> i32 {
        // SAFETY: as above.
        unsafe { *__errno_location() }
    }
}

#[cfg(not(all(target_family = "wasm", target_os = "wasi")))]
mod c_errno {
    // Host builds (unit tests) have no wasi-libc; keep a thread-local stand-in.
    std::thread_local!(static ERRNO: core::cell::Cell<i32> = const { core::cell::Cell::new(0) });

    pub(super) fn set(value: i32) {
        ERRNO.with(|e| e.set(value))
    }

    pub(super) fn get() -> i32 {
        ERRNO.with(|e| e.get())
    }
}

/// Store `e` in the C `errno`. The only writer of `errno` in the library.
pub fn set_errno(e: Errno) {
    c_errno::set(e.0)
}

/// Read the C `errno` (used by tests and by callers that save and restore it).
pub fn errno() -> Errno {
    Errno(c_errno::get())
}

/// The C return convention in one place: `Ok(v)` -> `v`, `Err(e)` -> `errno = e`, `-1`.
pub fn c_ret<T: CReturn>(r: Result<T>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => {
            set_errno(e);
            T::MINUS_ONE
        }
    }
}

/// Integer types a C function can return `-1` in.
pub trait CReturn: Copy {
    /// The error return value, `-1`.
    const MINUS_ONE: Self;
}

impl CReturn for i32 {
    const MINUS_ONE: Self = -1;
}

impl CReturn for isize {
    const MINUS_ONE: Self = -1;
}

impl CReturn for i64 {
    const MINUS_ONE: Self = -1;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_wasi_error_has_a_distinct_meaningful_errno() {
        use WasiError::*;
        let all = [
            Unknown,
            AccessDenied,
            NotSupported,
            InvalidArgument,
            OutOfMemory,
            Timeout,
            ConcurrencyConflict,
            NotInProgress,
            WouldBlock,
            InvalidState,
            NewSocketLimit,
            AddressNotBindable,
            AddressInUse,
            RemoteUnreachable,
            ConnectionRefused,
            ConnectionReset,
            ConnectionAborted,
            DatagramTooLarge,
            NameUnresolvable,
            TemporaryResolverFailure,
            PermanentResolverFailure,
        ];
        for e in all {
            let errno = Errno::from(e);
            assert!(errno.name().is_some(), "{e:?} maps to an undefined errno");
        }
        assert_eq!(Errno::from(AccessDenied), Errno::EACCES);
        assert_eq!(Errno::from(ConnectionRefused), Errno::ECONNREFUSED);
        assert_eq!(Errno::from(WouldBlock), Errno::EAGAIN);
        assert_eq!(Errno::from(AddressInUse), Errno::EADDRINUSE);
        assert_eq!(Errno::from(AddressNotBindable), Errno::EADDRNOTAVAIL);
    }

    #[test]
    fn names_round_trip() {
        assert_eq!(Errno::EAGAIN.name(), Some("EAGAIN"));
        assert_eq!(Errno::EWOULDBLOCK, Errno::EAGAIN);
        assert_eq!(Errno(9999).name(), None);
        assert_eq!(format!("{:?}", Errno(9999)), "Errno(9999)");
        assert_eq!(format!("{}", Errno::ENOTSOCK), "ENOTSOCK");
    }

    #[test]
    fn c_ret_sets_errno_only_on_error() {
        set_errno(Errno(0));
        assert_eq!(c_ret::<i32>(Ok(5)), 5);
        assert_eq!(errno(), Errno(0));
        assert_eq!(c_ret::<isize>(Err(Errno::EBADF)), -1);
        assert_eq!(errno(), Errno::EBADF);
    }

    #[test]
    fn debug_text_recognises_wasmtime_names() {
        assert_eq!(
            WasiError::from_debug_text("ConnectionReset"),
            Some(WasiError::ConnectionReset)
        );
        assert_eq!(
            WasiError::from_debug_text("Connection reset by peer (os error 104)"),
            Some(WasiError::ConnectionReset)
        );
        assert_eq!(
            WasiError::from_debug_text("connection-reset (error 15)\nStack backtrace:"),
            Some(WasiError::ConnectionReset)
        );
        assert_eq!(WasiError::from_debug_text("something else"), None);
    }
}

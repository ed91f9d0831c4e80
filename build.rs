//! Build script: rebuild when the vendored WIT or the C headers change, and tell crates that
//! depend on this one (through `links = "wasi_posix_sockets"`) where the C headers are, as
//! `DEP_WASI_POSIX_SOCKETS_INCLUDE`, so their own build scripts can compile C against them.
fn main() {
    println!("cargo:rerun-if-changed=wit");
    println!("cargo:rerun-if-changed=include");
    let dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    println!("cargo:include={dir}/include");
}

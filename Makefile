# wasi-posix-sockets
#
#   make setup   install the toolchain (idempotent; ~15 min on a fresh machine, seconds after)
#   make         build build/lib/libwasi_posix_sockets.a (wasm32-wasip1), its wasm32-wasip2 twin
#                build/lib/wasm32-wasip2/libwasi_posix_sockets.a, and their pkg-config files
#   make test    host unit tests, lint, docs, doctests and every guest test under wasmtime (CI)
#   make demo    build examples/http_server.c, run it under wasmtime, talk to it with curl
#   make fuzz    the differential fuzzer against Linux (tests/fuzz/diff.py, with FUZZ_FEATURES:
#                dup,channels,epoll unless set) for SECONDS
#                (default 300): fixed seeds, then random ones, every difference shrunk
#   make bench   bench/bench.c natively, with this library (wasm32-wasip1 and wasm32-wasip2) and
#                with wasi-libc's wasip2 sockets, side by side (BENCHMARKS.md)
#   make lint    rustfmt, clippy (host and wasm32), exported-symbol snapshot, vendored WIT check
#                (wit/deps, and bench/floor-p3/wit/deps: WASI 0.3 for the benchmark's 0.3 floor)
#   make real-fetch  the sources of the real programs (curl, libevent, hiredis, mbedtls) from
#                crates.io into build/real/vendor (setup runs it; tests/real/)
#   make test-real   build those four for wasm32-wasip1 and natively (cached under build/real),
#                run them under wasmtime against native peers, compare with native (tests/real/)
#   make doc     the API documentation for wasm32-wasip1 (warnings are errors)
#
# Users with wasi-sdk set WASI_SDK_PATH. How cargo runs for wasm32-wasip1 (rustup's target when
# installed, otherwise Debian's rustc-web building core/alloc from source with -Zbuild-std) is
# scripts/rust-wasm.sh's business, for the library and every Rust guest alike.

SHELL := /bin/bash
.DEFAULT_GOAL := all
ROOT := $(abspath .)
LIB := build/lib/libwasi_posix_sockets.a
# Wrappers of wasi-libc functions the library extends rather than replaces (linked with
# -Wl,--wrap=<name> by bin/wasi-sockets-cc and the pkg-config file).
WRAP_OBJ := build/lib/wasi_posix_sockets_wrap.o
PC := build/lib/pkgconfig/wasi-posix-sockets.pc
# The same library for wasm32-wasip2 programs (docs/ARCHITECTURE.md, "Two targets").
LIB_P2 := build/lib/wasm32-wasip2/libwasi_posix_sockets.a
WRAP_OBJ_P2 := build/lib/wasm32-wasip2/wasi_posix_sockets_wrap.o
PC_P2 := build/lib/pkgconfig/wasi-posix-sockets-wasip2.pc
WASM_TARGET_DIR := target/wasm
CARGO_FEATURES := --features c-runtime
WASM_BUILD = CARGO_TARGET_DIR=$(WASM_TARGET_DIR) scripts/rust-wasm.sh --no-std build --release
WASM_BUILD_P2 = CARGO_TARGET_DIR=$(WASM_TARGET_DIR) scripts/rust-wasm.sh --target wasm32-wasip2 \
	--no-std build --release
RUST_SOURCES := $(shell find src -name '*.rs') $(wildcard wit/*.wit wit/deps/*.wit) Cargo.toml build.rs

.PHONY: fuzz
FUZZ_SECONDS := $(if $(SECONDS),$(SECONDS),300)
FUZZ_FEATURES ?= dup,channels,epoll
fuzz: lib
	python3 tests/fuzz/diff.py --seconds $(FUZZ_SECONDS) --features $(FUZZ_FEATURES)

.PHONY: all lib setup real-fetch test-real test test-host test-doc test-guest demo lint doc symbols clean bench

all: lib

setup:
	scripts/setup.sh

real-fetch:
	scripts/real-fetch.sh

lib: $(LIB) $(WRAP_OBJ) $(PC) $(LIB_P2) $(WRAP_OBJ_P2) $(PC_P2)

$(WRAP_OBJ): csrc/wrap_sysconf.c scripts/env.sh
	mkdir -p $(dir $@)
	. scripts/env.sh && "$$WSP_CC" --target=wasm32-wasip1 "--sysroot=$$WSP_SYSROOT" -O2 -Wall -Werror \
		-c csrc/wrap_sysconf.c -o $@

$(WRAP_OBJ_P2): csrc/wrap_sysconf.c scripts/env.sh
	mkdir -p $(dir $@)
	. scripts/env.sh && "$$WSP_CC" --target=wasm32-wasip2 "--sysroot=$$WSP_SYSROOT" -O2 -Wall -Werror \
		-c csrc/wrap_sysconf.c -o $@

$(LIB): $(RUST_SOURCES)
	$(WASM_BUILD) $(CARGO_FEATURES)
	mkdir -p $(dir $@)
	cp $(WASM_TARGET_DIR)/wasm32-wasip1/release/libwasi_posix_sockets.a $@

$(LIB_P2): $(RUST_SOURCES)
	$(WASM_BUILD_P2) $(CARGO_FEATURES)
	mkdir -p $(dir $@)
	cp $(WASM_TARGET_DIR)/wasm32-wasip2/release/libwasi_posix_sockets.a $@

$(PC): scripts/pkgconfig.sh Makefile
	mkdir -p $(dir $@) && scripts/pkgconfig.sh > $@.tmp && mv $@.tmp $@

$(PC_P2): scripts/pkgconfig.sh Makefile
	mkdir -p $(dir $@) && scripts/pkgconfig.sh wasm32-wasip2 > $@.tmp && mv $@.tmp $@

# The real programs (tests/real/) are part of `make test`; REAL=0 leaves them out (their first
# build takes about 5 minutes on 2 cores, their run about 7; builds are cached in build/real).
REAL ?= 1
test: test-host lint doc test-doc test-guest $(if $(filter 1,$(REAL)),test-real)

test-host:
	cargo test --quiet

# The documentation's examples, compiled for wasm32-wasip1 and run under wasmtime.
test-doc:
	scripts/rust-wasm.sh test --doc --release --quiet --no-default-features --features std

doc:
	RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --quiet
	EXTRA_RUSTDOCFLAGS="-D warnings" scripts/rust-wasm.sh doc --no-deps --release --quiet --features std

test-guest: lib
	python3 tests/run.py

test-real: lib
	python3 tests/real/run.py

demo: lib
	scripts/demo.sh

bench: lib
	python3 scripts/bench.py

# clippy for wasm32 runs on rustup's own toolchain (with its rust-src component when it has no
# wasm32 target): the same compiler version as the host lint, whatever builds the library. It
# also checks the test-only hooks (feature test-hooks, which the library itself never has).
WASM_CLIPPY := CARGO_TARGET_DIR=target/wasm-clippy scripts/rust-wasm.sh --no-std --rustup clippy \
	--release $(CARGO_FEATURES),test-hooks
WASM_CLIPPY_STD := CARGO_TARGET_DIR=target/wasm-clippy-std scripts/rust-wasm.sh --rustup clippy \
	--release --features std
# The wasm32-wasip2 build's own code (cfg target_env = "p2": the link guard, cabi_realloc, the
# message flags' numbers).
WASM_CLIPPY_P2 := CARGO_TARGET_DIR=target/wasm-clippy scripts/rust-wasm.sh --target wasm32-wasip2 \
	--no-std --rustup clippy --release $(CARGO_FEATURES)

lint: lib
	cargo fmt --check
	cd tests/rust && cargo fmt --check
	cd tests/rust-p2 && cargo fmt --check
	cd bench/floor-p3 && cargo fmt --check
	cargo clippy --all-targets -- -D warnings
	$(WASM_CLIPPY) -- -D warnings
	$(WASM_CLIPPY_STD) -- -D warnings
	$(WASM_CLIPPY_P2) -- -D warnings
	scripts/layering.sh
	scripts/symbols.sh --check
	scripts/vendor-wit.sh --check

symbols: lib
	scripts/symbols.sh --update

clean:
	rm -rf build target/wasm

# Versions this project pins, in one place. Sourced by scripts/env.sh (so by every script and the
# test runner), scripts/setup.sh and scripts/vendor-wit.sh.
#
# wasmtime: `make setup` installs wasmtime-cli at this version when no wasmtime is installed, and
# wit/deps is vendored from the wasmtime-wasi crate of the same release (scripts/vendor-wit.sh
# --check compares them). Newer releases need a newer rustc than these machines have.
WSP_WASMTIME_VERSION=48.0.8

# CMake toolchain file: build C projects for wasm32-wasip1 with wasi-posix-sockets.
#
#   cmake -S src -B build -DCMAKE_TOOLCHAIN_FILE=<this repository>/cmake/wasm32-wasip1.cmake \
#         -DBUILD_SHARED_LIBS=OFF
#
# The C compiler is bin/wasi-sockets-cc (the sysroot, this library's headers, a 1 MiB stack,
# wasi-libc's emulations, the library linked ahead of libc, a component as output). Build the
# library (`make` in this repository) first: try-compiles link real executables, so a function the
# library or libc lacks is reported missing, as on Linux. Executables get the suffix .wasm; shared
# libraries do not exist on this target (a SHARED library is built static). try_run() and ctest run
# through wasmtime with the network inherited.
set(CMAKE_SYSTEM_NAME WASI)
set(CMAKE_SYSTEM_VERSION 1)
set(CMAKE_SYSTEM_PROCESSOR wasm32)
list(APPEND CMAKE_MODULE_PATH "${CMAKE_CURRENT_LIST_DIR}")

get_filename_component(WSP_ROOT "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
set(CMAKE_C_COMPILER "${WSP_ROOT}/bin/wasi-sockets-cc")

if(DEFINED ENV{WASI_SDK_PATH})
  set(_wsp_llvm_hints "$ENV{WASI_SDK_PATH}/bin")
endif()
find_program(CMAKE_AR NAMES llvm-ar-22 llvm-ar HINTS ${_wsp_llvm_hints} REQUIRED)
find_program(CMAKE_RANLIB NAMES llvm-ranlib-22 llvm-ranlib HINTS ${_wsp_llvm_hints} REQUIRED)
find_program(WSP_WASMTIME NAMES wasmtime HINTS "$ENV{HOME}/.cargo/bin")
if(WSP_WASMTIME)
  set(CMAKE_CROSSCOMPILING_EMULATOR "${WSP_WASMTIME};run;-S;inherit-network;-S;allow-ip-name-lookup;--dir=.")
endif()

# Look for headers and libraries in the sysroot and this repository only, programs on the host.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

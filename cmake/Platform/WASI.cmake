# CMake platform module for CMAKE_SYSTEM_NAME WASI (found through cmake/wasm32-wasip1.cmake, which
# puts this folder on CMAKE_MODULE_PATH). A POSIX-like target without shared libraries.
set(WASI 1)
include(Platform/UnixPaths)
set(CMAKE_EXECUTABLE_SUFFIX ".wasm")
set(CMAKE_STATIC_LIBRARY_PREFIX "lib")
set(CMAKE_STATIC_LIBRARY_SUFFIX ".a")
set_property(GLOBAL PROPERTY TARGET_SUPPORTS_SHARED_LIBS FALSE)

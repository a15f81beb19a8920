# cmake/fuzzing.cmake: the instrumentation of a fuzz build (IVIG_BUILD_FUZZERS=ON, clang only).
#
# libFuzzer needs coverage feedback from the code under test, not only from the targets, so every
# library is compiled with -fsanitize=fuzzer-no-link; the targets link -fsanitize=fuzzer (tests/fuzz).
# A fuzz build is always an ASan + UBSan build (cmake/sanitizers.cmake), which turns silent memory and
# arithmetic faults into findings; the `asan` preset builds the test suite and the fuzz targets in one
# tree. Off by default: the normal GCC build never sees any of this.
if(NOT IVIG_BUILD_FUZZERS)
  return()
endif()
if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "IVIG_BUILD_FUZZERS needs clang (libFuzzer): configure with -DCMAKE_CXX_COMPILER=clang++")
endif()
if(IVIG_SANITIZE STREQUAL "")
  set(IVIG_SANITIZE "address,undefined" CACHE STRING "" FORCE)
elseif(NOT IVIG_SANITIZE STREQUAL "address,undefined")
  message(FATAL_ERROR "IVIG_BUILD_FUZZERS goes with IVIG_SANITIZE=address,undefined, not '${IVIG_SANITIZE}'")
endif()
add_compile_options(-fsanitize=fuzzer-no-link)

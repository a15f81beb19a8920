# cmake/fuzzing.cmake: the instrumentation of a fuzz build (IVIG_BUILD_FUZZERS=ON, clang only).
#
# libFuzzer needs coverage feedback from the code under test, not only from the targets, so every
# library is compiled with -fsanitize=fuzzer-no-link (plus ASan and UBSan, which turn silent memory
# and arithmetic faults into findings). The targets themselves link -fsanitize=fuzzer (tests/fuzz).
# Off by default: the normal GCC build never sees any of this.
if(NOT IVIG_BUILD_FUZZERS)
  return()
endif()
if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "IVIG_BUILD_FUZZERS needs clang (libFuzzer): configure with -DCMAKE_CXX_COMPILER=clang++")
endif()
set(IVIG_FUZZ_SANITIZERS "address,undefined")
# UBSan findings must stop the run (a report that scrolls past is not a finding anyone fixes). The
# one exception is pointer-overflow, left recoverable only so that tests/fuzz/ubsan.supp can silence
# RapidJSON 1.1.0's own null-stack arithmetic (every parse hits it); tests/fuzz/sanitizer_options.cpp
# sets halt_on_error=1, so an unsuppressed one still stops the run.
add_compile_options(-fsanitize=fuzzer-no-link,${IVIG_FUZZ_SANITIZERS} -fno-sanitize-recover=all
                    -fsanitize-recover=pointer-overflow
                    -fno-omit-frame-pointer -g -O1)  # -O1: fast enough to fuzz, still debuggable
add_link_options(-fsanitize=${IVIG_FUZZ_SANITIZERS})

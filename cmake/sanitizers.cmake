# cmake/sanitizers.cmake: the instrumentation of a sanitizer build (IVIG_SANITIZE; CMakePresets.json).
#
#   IVIG_SANITIZE=address,undefined  the whole suite (the README's test command) and the fuzz targets:
#                                    memory errors, leaks and undefined behaviour stop the process.
#   IVIG_SANITIZE=thread             the server's tests (I/O threads, strands, workers, the drain).
#
# Applied to every target below. UBSan findings are not recoverable (a report that scrolls past a
# passing test is not a finding anyone fixes). Checks on other projects' code that report what is not
# ours are compiled out of exactly those functions (tests/sanitizers/ignorelist.txt, each with why),
# not suppressed at run time: the runtime matches suppression patterns racily across threads.
set(IVIG_SANITIZE "" CACHE STRING "Sanitizers for every target: empty, address,undefined or thread")
if(IVIG_SANITIZE STREQUAL "")
  return()
endif()
if(NOT IVIG_SANITIZE MATCHES "^(address,undefined|thread)$")
  message(FATAL_ERROR "IVIG_SANITIZE must be address,undefined or thread, not '${IVIG_SANITIZE}'")
endif()
# -O1: a sanitized suite at -O0 runs several times slower (and with clang it compiles about as fast);
# frame pointers keep the reports' stacks whole.
add_compile_options(-fsanitize=${IVIG_SANITIZE} -fno-sanitize-recover=all -fno-omit-frame-pointer -g -O1)
if(IVIG_SANITIZE MATCHES "undefined")
  # Checks compiled out of other projects' code, with why (tests/sanitizers/ignorelist.txt).
  add_compile_options(-fsanitize-ignorelist=${PROJECT_SOURCE_DIR}/tests/sanitizers/ignorelist.txt)
endif()
add_link_options(-fsanitize=${IVIG_SANITIZE})

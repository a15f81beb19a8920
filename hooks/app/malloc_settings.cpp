// hooks/app/malloc_settings.cpp: fixed glibc malloc thresholds (why: malloc_settings.hpp).
#include "hooks/app/malloc_settings.hpp"

#include <cstdlib>  // defines __GLIBC__ on glibc, which the test below needs

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace ivig::app {

void keep_large_call_memory_between_calls() {
#if defined(__GLIBC__)
  // The largest mmap threshold glibc accepts on 64-bit (half its 64 MB arena heap): buffers of any
  // body within the default 16 MB limit come from the arena and are reused. Setting it also stops
  // glibc from moving either threshold.
  constexpr int mmap_threshold = 32 * 1024 * 1024;
  // Free memory at the top of an arena is returned to the kernel only beyond this: two large calls'
  // worth, so memory after a burst stays bounded without trimming between ordinary calls.
  constexpr int trim_threshold = 64 * 1024 * 1024;
  mallopt(M_MMAP_THRESHOLD, mmap_threshold);
  mallopt(M_TRIM_THRESHOLD, trim_threshold);
#endif
}

}  // namespace ivig::app

// hooks/app/malloc_settings.hpp: the process's allocator settings, fixed at start-up (glibc only).
#pragma once

namespace ivig::app {

/// Keeps the memory of a large call for the next one instead of handing it back to the kernel.
///
/// glibc's default moves its mmap and trim thresholds with the sizes it has seen. After calls of
/// different sizes (a 1.3 MB body, then a 2.6 MB one) it settled where every large call's buffers
/// were mapped or trimmed and then faulted in again: about 1 400 page faults per call, and the 2.6 MB
/// call took 3.5x as long as when the process had seen only that size (docs/performance.md). Fixed
/// thresholds make the per-call cost independent of the call history. What is kept is bounded: the
/// body limit caps a call's buffers, and each I/O thread's arena returns memory above the trim
/// threshold.
void keep_large_call_memory_between_calls();

}  // namespace ivig::app

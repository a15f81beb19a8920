# tests/sanitizers/env.sh: the sanitizer runtimes' options for the asan and tsan presets' test runs.
# Sourced by tests/run.sh and .ci/run; source it yourself before running ctest on build-asan/ or
# build-tsan/ by hand. Processes the tests start (the ivig-cds binary) inherit it.
#
# Every finding stops the process with a non-zero exit, so the test that caused it fails by name.
# Leak detection needs ptrace-free stop-the-world, which some containers refuse: probe_leak_detection
# (below) turns it off, saying so, only when LeakSanitizer cannot run at all on this machine.
ivig_sanitizers_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export ASAN_OPTIONS="detect_leaks=1:check_initialization_order=1:strict_init_order=1:detect_stack_use_after_return=0:abort_on_error=0"
export LSAN_OPTIONS="suppressions=$ivig_sanitizers_dir/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"  # reports not ours: ignorelist.txt, at compile time
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$ivig_sanitizers_dir/tsan.supp"

# probe_leak_detection <a binary built with ASan>: runs it with a flag that does nothing but exit; if
# LeakSanitizer itself fails (not a leak: "LeakSanitizer has encountered a fatal error"), leak
# detection is switched off for this run and the log says so.
probe_leak_detection() {
  local output
  if output=$("$1" --gtest_list_tests 2>&1 >/dev/null) || ! grep -q "LeakSanitizer has encountered a fatal error" <<<"$output"; then
    return 0
  fi
  echo "tests/sanitizers/env.sh: LeakSanitizer cannot run here (ptrace refused?): leak detection is OFF for this run" >&2
  export ASAN_OPTIONS="${ASAN_OPTIONS/detect_leaks=1/detect_leaks=0}"
}

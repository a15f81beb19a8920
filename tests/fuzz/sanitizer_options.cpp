// tests/fuzz/sanitizer_options.cpp: the sanitizer settings every fuzz target runs with, built in so
// that a finding replays the same way without any environment (UBSAN_OPTIONS still overrides).
// UBSan checks that report other projects' code are compiled out (tests/sanitizers/ignorelist.txt).
extern "C" const char* __ubsan_default_options();  // NOLINT: the runtime's hook, declared here

extern "C" const char* __ubsan_default_options() {
  return "halt_on_error=1:print_stacktrace=1";
}

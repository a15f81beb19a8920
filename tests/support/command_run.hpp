// tests/support/command_run.hpp: runs a shell command line and collects what it printed and how it
// exited, for the tests that drive the real binary as an operator does (`ivig-cds audit …`, `replay`,
// `--check-config`).
#pragma once

#include <string>

namespace ivig::test {

struct run_result {
  int exit_code = -1;  ///< -1 when the command could not start or did not exit normally
  std::string output;  ///< standard output only: the caller's command line redirects stderr as it needs
};

/// `command_line` through /bin/sh (popen), waited for.
run_result run_command(const std::string& command_line);

}  // namespace ivig::test

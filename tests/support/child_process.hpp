// tests/support/child_process.hpp: the real ivig-cds binary as a child process, for tests that
// must kill it (crash tests) or read what it prints at start-up (the port it bound).
#pragma once

#include <sys/types.h>
#include <string>
#include <vector>

namespace ivig::test {

class child_process {
 public:
  /// Starts `program` with `arguments`; its stderr is readable line by line.
  child_process(const std::string& program, const std::vector<std::string>& arguments);
  ~child_process();
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  /// The next line the child wrote to stderr (without the newline); empty at end of file.
  std::string read_line();
  /// Reads stderr until a line contains `marker` and returns that line (empty if it never comes).
  std::string wait_for_line(const std::string& marker);
  void kill_hard();  ///< SIGKILL: no drain, no destructors — a crash
  int wait_exit();   ///< reaps the child; its exit status (or -signal)
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int stderr_fd_ = -1;
  std::string pending_;
  bool reaped_ = false;
};

}  // namespace ivig::test

// tests/support/command_run.cpp: popen, read to the end, pclose.
#include "tests/support/command_run.hpp"

#include <sys/wait.h>
#include <array>
#include <cstdio>

namespace ivig::test {

run_result run_command(const std::string& command_line) {
  run_result result;
  FILE* pipe = popen(command_line.c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer{};
  while (fgets(buffer.data(), buffer.size(), pipe) != nullptr) result.output += buffer.data();
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace ivig::test

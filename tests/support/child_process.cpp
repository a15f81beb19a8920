// tests/support/child_process.cpp: posix_spawn with a pipe on stderr.
#include "tests/support/child_process.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <csignal>

#include <stdexcept>

extern char** environ;

namespace ivig::test {

child_process::child_process(const std::string& program, const std::vector<std::string>& arguments) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(program.c_str()));
  for (const std::string& a : arguments) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const int rc = posix_spawn(&pid_, program.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    throw std::runtime_error("posix_spawn failed for " + program);
  }
  stderr_fd_ = fds[0];
}

child_process::~child_process() {
  if (!reaped_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    wait_exit();
  }
  if (stderr_fd_ >= 0) close(stderr_fd_);
}

std::string child_process::read_line() {
  for (;;) {
    if (const auto newline = pending_.find('\n'); newline != std::string::npos) {
      std::string line = pending_.substr(0, newline);
      pending_.erase(0, newline + 1);
      return line;
    }
    char buffer[4096];
    const ssize_t n = read(stderr_fd_, buffer, sizeof buffer);
    if (n <= 0) {
      std::string rest;
      rest.swap(pending_);
      return rest;
    }
    pending_.append(buffer, static_cast<std::size_t>(n));
  }
}

std::string child_process::wait_for_line(const std::string& marker) {
  for (;;) {
    const std::string line = read_line();
    if (line.find(marker) != std::string::npos) return line;
    if (line.empty() && pending_.empty()) return {};
  }
}

void child_process::kill_hard() {
  if (pid_ > 0 && !reaped_) ::kill(pid_, SIGKILL);
}

int child_process::wait_exit() {
  int status = 0;
  if (reaped_) return 0;
  waitpid(pid_, &status, 0);
  reaped_ = true;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return -1;
}

}  // namespace ivig::test

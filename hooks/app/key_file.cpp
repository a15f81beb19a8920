// hooks/app/key_file.cpp: a key file, opened once and checked on the descriptor it is read from
// (so the mode checked is the mode of the file read, whatever happens to the path meanwhile).
#include "hooks/app/key_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace ivig::app {
namespace {

std::string octal_mode(mode_t mode) {
  std::array<char, 8> text{};
  std::snprintf(text.data(), text.size(), "%04o", static_cast<unsigned>(mode & 07777));
  return text.data();
}

}  // namespace

result<std::string, std::string> read_key_file(const std::string& path, std::string_view option) {
  const std::string where = std::string(option) + ": " + path;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return failure(where + ": cannot be read (" + std::strerror(errno) + ")");
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    return failure(where + ": not a regular file");
  }
  // A key others can read is no secret, and one others can write is not the operator's.
  if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    ::close(fd);
    return failure(where + ": readable or writable by group or other (mode " + octal_mode(info.st_mode) +
                   "); make it owner-only: chmod 600 " + path);
  }
  std::string key;
  std::array<char, 4096> buffer{};
  for (;;) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return failure(where + ": cannot be read (" + std::strerror(errno) + ")");
    }
    if (n == 0) break;
    key.append(buffer.data(), static_cast<std::size_t>(n));
  }
  ::close(fd);
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
  if (key.size() < min_key_bytes)
    return failure(where + ": holds " + std::to_string(key.size()) + " bytes; a key needs at least " +
                   std::to_string(min_key_bytes) + " (e.g. openssl rand -hex 32 > " + path + ")");
  return key;
}

}  // namespace ivig::app

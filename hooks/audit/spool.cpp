// hooks/audit/spool.cpp: durable appends and truncation of the spool file with POSIX calls.
//
// std::ofstream cannot fsync, and a spooled record that is not on the disk when the caller is told
// "recorded" would break the audit log's one promise; hence open/write/fsync here.
#include "hooks/audit/spool.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ivig::audit {
namespace {

[[noreturn]] void throw_errno(const std::string& what, const std::string& path) {
  throw store_error("audit spool: " + what + " " + path + ": " + std::strerror(errno), SQLITE_IOERR);
}

class file_descriptor {
 public:
  explicit file_descriptor(int fd) : fd_(fd) {}
  ~file_descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  file_descriptor(const file_descriptor&) = delete;
  file_descriptor& operator=(const file_descriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

void write_all(int fd, const std::string& data, const std::string& path) {
  std::size_t written = 0;
  while (written < data.size()) {
    const ssize_t n = ::write(fd, data.data() + written, data.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("cannot write", path);
    written += static_cast<std::size_t>(n);
  }
}

// A new file's name is durable only once its folder is: fsync the folder after creating it.
void sync_parent(const std::string& path) {
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (parent.empty()) parent = ".";
  file_descriptor dir(::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0) throw_errno("cannot open the folder of", path);
  if (::fsync(dir.get()) != 0) throw_errno("cannot fsync the folder of", path);
}

void append_durably(const std::string& path, const std::vector<std::string>& lines) {
  const bool existed = ::access(path.c_str(), F_OK) == 0;
  file_descriptor fd(::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600));
  if (fd.get() < 0) throw_errno("cannot open", path);
  std::string data;
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) throw_errno("cannot stat", path);
  if (info.st_size > 0) {
    char last = '\n';
    if (::pread(fd.get(), &last, 1, info.st_size - 1) != 1) throw_errno("cannot read", path);
    if (last != '\n') data += '\n';
  }
  for (const std::string& line : lines) {
    data += line;
    data += '\n';
  }
  write_all(fd.get(), data, path);
  if (::fsync(fd.get()) != 0) throw_errno("cannot fsync", path);
  if (!existed) sync_parent(path);
}

}  // namespace

spool_file::spool_file(std::string path, fault_hook fault) : path_(std::move(path)), fault_(std::move(fault)) {}

void spool_file::append(const std::vector<std::string>& lines) {
  check_fault(fault_, "spool");
  append_durably(path_, lines);
}

std::vector<std::string> spool_file::read_lines() const {
  std::vector<std::string> lines;
  if (::access(path_.c_str(), F_OK) != 0) return lines;
  // A spool that exists but cannot be read must stop the replay: reading it as empty would truncate it.
  std::ifstream in(path_, std::ios::binary);
  if (!in) throw_errno("cannot open", path_);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) lines.push_back(std::move(line));
  }
  if (in.bad()) throw_errno("cannot read", path_);
  return lines;
}

void spool_file::truncate() {
  check_fault(fault_, "truncate");
  file_descriptor fd(::open(path_.c_str(), O_WRONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return;
    throw_errno("cannot open", path_);
  }
  if (::ftruncate(fd.get(), 0) != 0) throw_errno("cannot truncate", path_);
  if (::fsync(fd.get()) != 0) throw_errno("cannot fsync", path_);
}

bool spool_file::has_content() const {
  struct stat info {};
  return ::stat(path_.c_str(), &info) == 0 && info.st_size > 0;
}

void append_lines_durably(const std::string& path, const std::vector<std::string>& lines) {
  append_durably(path, lines);
}

}  // namespace ivig::audit

// tests/support/scratch_folder.hpp: a fresh folder under the system's temporary folder for one test,
// named by the process and the running test, removed (with what is in it) when the test ends; and the
// running test's name made one file name, for fixtures that keep their own folder.
#pragma once

#include <filesystem>
#include <string>

namespace ivig::test {

/// "<suite>-<test>" of the running test ("suite" outside one), a parameterised test's '/' made '-'
/// ("Stores-Purge-KeepsTheRestVerifiable-SQLite"): one folder, not a folder in a folder that removing
/// the inner one would leave behind.
std::string running_test_file_name();

class scratch_folder {
 public:
  /// <tmp>/ivig-<purpose>-<pid>-<running_test_file_name()>, emptied if a crashed run left it behind.
  explicit scratch_folder(const std::string& purpose);
  ~scratch_folder();
  scratch_folder(const scratch_folder&) = delete;
  scratch_folder& operator=(const scratch_folder&) = delete;

  const std::filesystem::path& path() const { return path_; }
  /// path() / name, as a string.
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace ivig::test

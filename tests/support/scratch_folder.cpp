// tests/support/scratch_folder.cpp: create on construction, remove on destruction.
#include "tests/support/scratch_folder.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>

namespace ivig::test {

scratch_folder::scratch_folder(const std::string& purpose) {
  const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
  // A parameterised test's name has a '/' ("Name/SQLite"): one folder, not a folder in a folder that
  // the destructor would leave behind.
  std::string test_name = test != nullptr ? test->name() : "suite";
  std::replace(test_name.begin(), test_name.end(), '/', '-');
  path_ =
      std::filesystem::temp_directory_path() / ("ivig-" + purpose + "-" + std::to_string(::getpid()) + "-" + test_name);
  std::filesystem::remove_all(path_);
  std::filesystem::create_directories(path_);
}

scratch_folder::~scratch_folder() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace ivig::test

// tests/support/scratch_folder.cpp: create on construction, remove on destruction; the test's file name.
#include "tests/support/scratch_folder.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>

namespace ivig::test {

std::string running_test_file_name() {
  const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
  if (test == nullptr) return "suite";
  std::string name = std::string(test->test_suite_name()) + "-" + test->name();
  std::replace(name.begin(), name.end(), '/', '-');
  return name;
}

scratch_folder::scratch_folder(const std::string& purpose) {
  path_ = std::filesystem::temp_directory_path() /
          ("ivig-" + purpose + "-" + std::to_string(::getpid()) + "-" + running_test_file_name());
  std::filesystem::remove_all(path_);
  std::filesystem::create_directories(path_);
}

scratch_folder::~scratch_folder() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace ivig::test

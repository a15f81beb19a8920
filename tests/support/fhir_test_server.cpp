// tests/support/fhir_test_server.cpp: finding or starting the test FHIR server.
#include "tests/support/fhir_test_server.hpp"

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>

#include "tests/support/child_process.hpp"

namespace ivig::test {

const std::string& test_fhir_server() {
  static const std::string url = [] {
    if (const char* from_run = std::getenv("IVIG_TEST_FHIR_URL"); from_run != nullptr && *from_run != '\0')
      return std::string(from_run);
    const std::string folder = std::string(IVIG_SOURCE_DIR) + "/tests/fhir-server";
    if (!std::filesystem::exists(folder + "/node_modules"))
      throw std::runtime_error("the test FHIR server is not installed: run `npm ci` in " + folder +
                               " (tests/run.sh does), or set IVIG_TEST_FHIR_URL");
    // Lives as long as the test process: the server goes when the process does.
    static auto server = std::make_unique<child_process>(
        "/usr/bin/env", std::vector<std::string>{"node", folder + "/server.js", "--data",
                                                 std::string(IVIG_SHARED_DIR) + "/fhir-data/synthea", "--extra",
                                                 folder + "/fixtures.json", "--token", test_fhir_token, "--port", "0"});
    const std::string line = server->wait_for_line("listening ");
    if (line.empty()) throw std::runtime_error("the test FHIR server did not start");
    return "http://127.0.0.1:" + line.substr(line.find("listening ") + 10) + "/fhir";
  }();
  return url;
}

}  // namespace ivig::test

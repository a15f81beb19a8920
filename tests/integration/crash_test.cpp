// tests/integration/crash_test.cpp: the server killed with SIGKILL while a client is sending calls;
// afterwards every call the client received a 200 for has its audit record, and the hash chain
// verifies (docs/audit.md: a record is in the log before the response that describes it is sent), at
// both durability settings.
#include <gtest/gtest.h>

#include <sqlite3.h>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "tests/support/child_process.hpp"
#include "tests/support/command_run.hpp"
#include "tests/support/fhir_builders.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/scratch_folder.hpp"
#include "tests/support/test_support.hpp"

using namespace ivig::test;

namespace {

std::set<std::string> audited_hook_instances(const std::filesystem::path& database) {
  std::set<std::string> found;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(database.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) return found;
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT hook_instance FROM calls", -1, &statement, nullptr) == SQLITE_OK) {
    while (sqlite3_step(statement) == SQLITE_ROW)
      found.emplace(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)));
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return found;
}

}  // namespace

/// The audit durability the server runs with (--audit-durability): SIGKILL must lose nothing in
/// either, since a process crash is what both survive.
class Crash : public ::testing::TestWithParam<const char*> {};

INSTANTIATE_TEST_SUITE_P(Durability, Crash, ::testing::Values("power-loss", "process-crash"),
                         [](const ::testing::TestParamInfo<const char*>& param) {
                           return std::string(param.param) == "power-loss" ? "PowerLoss" : "ProcessCrash";
                         });

TEST_P(Crash, EveryAnsweredCallIsAuditedAfterSigkill) {
  const scratch_folder dir("crash");
  const std::filesystem::path database = dir.path() / "audit.sqlite3";

  child_process server(IVIG_BINARY, {"--port", "0", "--threads", "2", "--audit-path", database.string(),
                                     "--audit-durability", GetParam()});
  const std::string line = server.wait_for_line("listening on");
  ASSERT_FALSE(line.empty()) << "the server did not start";
  const unsigned short port =
      static_cast<unsigned short>(std::stoi(line.substr(line.rfind(':') + 1, line.find(' ', line.rfind(':')))));

  // Two clients send calls; after 60 answered calls the server is killed mid-stream.
  std::mutex mutex;
  std::set<std::string> answered;
  std::atomic<int> count{0};
  std::atomic<bool> killed{false};
  auto client = [&](int id) {
    for (int i = 0; i < 1000 && !killed.load(); ++i) {
      hook_request request = order_select_with(medication_request("m1", privigen()), "m1");
      request.hook_instance = numbered_uuid(id * 1'000'000 + i);
      try {
        const http_result result = http_request(port, "POST", "/cds-services/ivig-order-select", request.json());
        if (result.status == 200) {
          const std::lock_guard lock(mutex);
          answered.insert(request.hook_instance);
        }
      } catch (const std::exception&) {
        return;  // the server is gone
      }
      if (++count == 60) {
        server.kill_hard();
        killed = true;
      }
    }
  };
  std::thread a(client, 1), b(client, 2);
  a.join();
  b.join();
  EXPECT_EQ(server.wait_exit(), -SIGKILL);

  const std::set<std::string> audited = audited_hook_instances(database);
  std::vector<std::string> missing;
  for (const std::string& hook_instance : answered)
    if (audited.count(hook_instance) == 0) missing.push_back(hook_instance);
  EXPECT_GE(answered.size(), 59u);
  EXPECT_EQ(missing, std::vector<std::string>{}) << answered.size() << " answered, " << audited.size() << " audited";
  std::printf("crash test: %zu calls answered with 200, %zu audit records found, %zu missing\n", answered.size(),
              audited.size(), missing.size());

  // The chain verifies with the real command.
  const run_result verify =
      run_command(std::string(IVIG_BINARY) + " audit verify --audit-path " + database.string() + " 2>&1");
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  EXPECT_NE(verify.output.find("chain verifies"), std::string::npos) << verify.output;
}

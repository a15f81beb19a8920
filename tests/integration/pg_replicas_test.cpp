// tests/integration/pg_replicas_test.cpp: three real ivig-cds replicas writing one PostgreSQL audit
// database under load; one is killed with SIGKILL mid-load. Every call any replica answered 200 has its
// record in the database, every replica's chain verifies with the real `audit verify --audit-url`, and
// the killed replica's chain can be taken up again by its restart (its advisory lock died with it).
#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "tests/support/child_process.hpp"
#include "tests/support/command_run.hpp"
#include "tests/support/fhir_builders.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/pg_test_server.hpp"
#include "tests/support/test_support.hpp"

using namespace ivig::test;

namespace {

unsigned short port_of(const std::string& line) {
  return static_cast<unsigned short>(std::stoi(line.substr(line.rfind(':') + 1, line.find(' ', line.rfind(':')))));
}

}  // namespace

TEST(PgReplicas, EveryAnsweredCallOfThreeReplicasIsAuditedAfterOneIsKilledAndEveryChainVerifies) {
  pg_test_server* pg = pg_test_server::get();
  if (pg == nullptr) GTEST_SKIP() << pg_test_server::skip_reason();
  const std::string url = pg->database_for_current_test();
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("ivig-pg-replicas-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);

  const auto start = [&](const std::string& chain) {
    auto replica = std::make_unique<child_process>(
        IVIG_BINARY, std::vector<std::string>{"--port", "0", "--threads", "2", "--audit-url", url, "--audit-chain-id",
                                              chain, "--audit-path", (dir / (chain + ".db")).string()});
    return replica;
  };
  std::vector<std::unique_ptr<child_process>> replicas;
  std::vector<unsigned short> ports;
  for (const char* chain : {"r1", "r2", "r3"}) {
    replicas.push_back(start(chain));
    const std::string line = replicas.back()->wait_for_line("listening on");
    ASSERT_FALSE(line.empty()) << "replica " << chain << " did not start";
    ports.push_back(port_of(line));
  }

  // Two clients per replica; once 90 calls have been answered in all, r2 is killed mid-stream. The
  // clients of r1 and r3 go on to their 60th call.
  std::mutex mutex;
  std::set<std::string> answered;
  std::atomic<int> count{0};
  std::atomic<bool> killed{false};
  auto client = [&](int replica, int id) {
    for (int i = 0; i < 60; ++i) {
      if (replica == 1 && killed.load()) return;
      hook_request request = order_select_with(medication_request("m1", privigen()), "m1");
      request.hook_instance = numbered_uuid(id * 1'000'000 + i);
      try {
        const http_result result = http_request(ports[static_cast<std::size_t>(replica)], "POST",
                                                "/cds-services/ivig-order-select", request.json());
        if (result.status == 200) {
          const std::lock_guard lock(mutex);
          answered.insert(request.hook_instance);
        }
      } catch (const std::exception&) {
        if (replica == 1) return;  // r2 is gone
      }
      if (++count == 90) {
        replicas[1]->kill_hard();
        killed = true;
      }
    }
  };
  std::vector<std::thread> clients;
  for (int replica = 0; replica < 3; ++replica)
    for (int c = 0; c < 2; ++c) clients.emplace_back(client, replica, replica * 10 + c + 1);
  for (std::thread& t : clients) t.join();
  EXPECT_EQ(replicas[1]->wait_exit(), -SIGKILL);

  std::set<std::string> audited;
  for (const std::string& row : pg_rows(url, "SELECT hook_instance FROM calls")) audited.insert(row);
  std::vector<std::string> missing;
  for (const std::string& hook_instance : answered)
    if (audited.count(hook_instance) == 0) missing.push_back(hook_instance);
  EXPECT_GE(answered.size(), 240U);  // r1's and r3's 4 x 60, and r2's before the kill
  EXPECT_EQ(missing, std::vector<std::string>{}) << answered.size() << " answered, " << audited.size() << " audited";
  EXPECT_EQ(pg_rows(url, "SELECT DISTINCT chain_id FROM entries ORDER BY chain_id"),
            (std::vector<std::string>{"r1", "r2", "r3"}));
  std::printf("pg replicas: %zu calls answered with 200, %zu audit records found, %zu missing\n", answered.size(),
              audited.size(), missing.size());

  // The killed replica's chain is free again (its session died with it) and continues where it ended.
  std::unique_ptr<child_process> restarted;
  for (int attempt = 0; attempt < 20 && !restarted; ++attempt) {
    auto again = start("r2");
    if (!again->wait_for_line("listening on").empty())
      restarted = std::move(again);
    else
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  ASSERT_TRUE(restarted) << "r2 could not take its chain again";

  const run_result verify =
      run_command(std::string(IVIG_BINARY) + " audit verify --audit-url " + url + " --audit-chain-id r2 2>&1");
  const std::string& output = verify.output;
  EXPECT_EQ(verify.exit_code, 0) << output;
  for (const char* chain : {"chain r1 head seq=", "chain r2 head seq=", "chain r3 head seq="})
    EXPECT_NE(output.find(chain), std::string::npos) << output;
  EXPECT_NE(output.find("audit chains verify: 3 chains"), std::string::npos) << output;
  replicas.clear();
  restarted.reset();
  std::filesystem::remove_all(dir);
}

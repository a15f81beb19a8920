// tests/integration/audit_wait_test.cpp: a stuck audit disk does not stall the server's I/O threads.
//
// The real service and server with a real SQLite store whose COMMIT is held (the store's fault hook,
// used as a gate: a disk that has stopped answering). Four calls wait for their records, more than
// the server has I/O threads; /healthz must still be answered at once, and the calls are answered,
// with their cards, only once their records are committed. Before issue 11 each I/O thread waited
// inside record_call, so two stuck calls were enough to stop the server answering anything.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <mutex>
#include <vector>

#include "hooks/audit/sqlite_store.hpp"
#include "tests/support/fhir_builders.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/test_support.hpp"

using namespace ivig::test;
namespace audit = ivig::audit;

namespace {

/// Holds every COMMIT until opened; counts the commits that reached it.
struct commit_gate {
  std::mutex mutex;
  std::condition_variable changed;
  int waiting = 0;
  bool open = false;

  void pass() {
    std::unique_lock lock(mutex);
    ++waiting;
    changed.notify_all();
    changed.wait(lock, [&] { return open; });
  }
  bool wait_held(std::chrono::seconds timeout) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, timeout, [&] { return waiting > 0; });
  }
  void release() {
    const std::lock_guard lock(mutex);
    open = true;
    changed.notify_all();
  }
};

}  // namespace

TEST(AuditOffTheIoThreads, HealthIsAnsweredWhileCallsWaitForAStuckAuditDisk) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("ivig-audit-wait-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  commit_gate gate;
  audit::audit_options options;
  options.path = (dir / "audit.sqlite3").string();
  options.idle_retry = std::chrono::milliseconds(0);
  options.fail_at = [&gate](std::string_view step) {
    if (step == "commit") gate.pass();
    return false;
  };
  options.log = [](std::string_view) {};
  auto store = std::make_shared<audit::sqlite_audit_store>(options);
  ivig::server::server_config config;
  config.threads = 2;
  auto server = std::make_unique<running_service>(scenario_now(), config, store);
  const unsigned short port = server->port();

  std::vector<std::future<http_result>> calls;
  for (int i = 0; i < 4; ++i) {
    hook_request request = order_select_with(medication_request("m1", privigen()), "m1");
    request.hook_instance = numbered_uuid(i);
    calls.push_back(std::async(std::launch::async, [port, body = request.json()] {
      return http_request(port, "POST", "/cds-services/ivig-order-select", body);
    }));
  }
  ASSERT_TRUE(gate.wait_held(std::chrono::seconds(30))) << "no call reached the audit commit";

  std::future<http_result> health =
      std::async(std::launch::async, [port] { return http_request(port, "GET", "/healthz"); });
  const bool answered = health.wait_for(std::chrono::seconds(30)) == std::future_status::ready;
  // No call was answered while its record was not committed.
  int answered_early = 0;
  for (std::future<http_result>& call : calls)
    if (call.wait_for(std::chrono::seconds(0)) == std::future_status::ready) ++answered_early;
  gate.release();  // whatever happened, let the calls finish
  EXPECT_EQ(answered_early, 0);
  ASSERT_TRUE(answered) << "/healthz was not answered while the audit commit was held";
  EXPECT_EQ(health.get().status, 200u);

  for (std::future<http_result>& call : calls) {
    const http_result result = call.get();
    EXPECT_EQ(result.status, 200u);
    EXPECT_NE(result.body.find(R"("cards":[)"), std::string::npos) << result.body;
  }
  server.reset();
  EXPECT_EQ(store->spooled_records(), 0U);
  EXPECT_GE(store->commits(), 1U);
  store.reset();
  std::filesystem::remove_all(dir);
}

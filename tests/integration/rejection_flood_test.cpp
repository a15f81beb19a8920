// tests/integration/rejection_flood_test.cpp: a flood of rejected requests over HTTP against the real
// server and a real SQLite audit log: the first of each minute are recorded one by one, the rest are
// answered at once and summarised, and the summary is written when the minute has passed or when the
// service stops. The clock is injected.
#include <gtest/gtest.h>

#include <atomic>

#include "hooks/audit/sqlite_store.hpp"
#include "hooks/server/http_server.hpp"
#include "hooks/service/ivig_service.hpp"
#include "tests/support/audit_entries.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/scratch_folder.hpp"
#include "tests/support/test_support.hpp"

using namespace ivig::test;
namespace audit = ivig::audit;

TEST(RejectionFlood, TheFirstRejectionsOfAMinuteAreRecordedAndTheRestSummarised) {
  const scratch_folder dir("flood");
  audit::audit_options store_options;
  store_options.path = dir.file("audit.sqlite3");
  store_options.log = [](std::string_view) {};
  auto store = std::make_shared<audit::sqlite_audit_store>(store_options);
  std::atomic<int> seconds{0};
  ivig::service::service_options options{64, [&] { return scenario_now() + std::chrono::seconds(seconds.load()); }, {}};
  options.rejections_recorded_per_minute = 3;
  ivig::service::ivig_service service(embedded_knowledge(), options, store);
  ivig::server::server_config config;
  config.port = 0;
  ivig::server::http_server server(config, service);
  const unsigned short port = server.start();

  for (int i = 0; i < 10; ++i) ASSERT_EQ(http_request(port, "GET", "/no-such-path").status, 404u);
  seconds = 61;  // the next minute: its first rejection brings the last minute's summary
  ASSERT_EQ(http_request(port, "GET", "/no-such-path").status, 404u);
  for (int i = 0; i < 4; ++i) ASSERT_EQ(http_request(port, "PUT", "/healthz").status, 405u);
  server.stop();
  server.wait();
  service.flush_rejection_summaries();  // what the second minute suppressed, at shutdown
  store.reset();

  const auto calls = audit_calls(store_options.path);
  std::vector<std::string> seen;
  for (const auto& c : calls) {
    seen.push_back(c.service_id + " " + std::to_string(c.http_status) + " " + c.error_code + " x" +
                   std::to_string(c.rejections_summarised));
    if (c.rejections_summarised > 0)
      EXPECT_EQ(c.rejection_peers, std::vector<std::string>{"127.0.0.1"});
    else
      EXPECT_TRUE(c.client_address.starts_with("127.0.0.1:")) << c.client_address;
  }
  EXPECT_EQ(seen, (std::vector<std::string>{
                      "GET /no-such-path 404 route-not-found x0",
                      "GET /no-such-path 404 route-not-found x0",
                      "GET /no-such-path 404 route-not-found x0",
                      "rejections not recorded one by one 404 route-not-found x7",
                      "GET /no-such-path 404 route-not-found x0",
                      "PUT /healthz 405 method-not-allowed x0",
                      "PUT /healthz 405 method-not-allowed x0",
                      "rejections not recorded one by one 405 method-not-allowed x2",
                  }));
}

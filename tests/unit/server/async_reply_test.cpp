// tests/unit/server/async_reply_test.cpp: replies that come later, from another thread.
//
// The service answers a call only once its audit record is in the log, on the audit writer's
// thread; these tests play that part with recording_handler's "later" calls (answered by
// answer_later() from the test's thread) and check what the transport promises around it: request
// order on a pipelined connection, a drain that waits for the answer, a dropped reply that still
// gets an answer, and worker threads (on by default) that keep /healthz and /readyz answered while
// calls run. No sleeps: the tests wait for handler calls (wait_calls, the gate) and for responses,
// each with a deadline.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "hooks/server/http_server.hpp"
#include "recording_handler.hpp"
#include "test_client.hpp"

namespace ivig::server {
namespace {

using testing::raw_request;
using testing::recording_handler;
using testing::test_client;
namespace http = testing::http;

class AsyncReplyTest : public ::testing::Test {
 protected:
  ~AsyncReplyTest() override { handler_.the_gate.open(); }

  unsigned short start(server_config config = {}) {
    config.address = "127.0.0.1";
    config.port = 0;
    server_.emplace(config, handler_);
    return server_->start();
  }

  recording_handler handler_;
  std::optional<http_server> server_;
};

void expect_body(const testing::response& res, unsigned status, const std::string& body) {
  EXPECT_EQ(res.result_int(), status);
  EXPECT_EQ(res.body(), body);
  EXPECT_EQ(res[http::field::content_length], std::to_string(body.size()));
}

TEST_F(AsyncReplyTest, ALaterReplyKeepsItsPlaceBeforeTheRepliesPipelinedBehindIt) {
  test_client client(start());
  client.write(raw_request("POST", "/cds-services/later", "{}") + raw_request("POST", "/cds-services/fast", "{}") +
               raw_request("GET", "/healthz"));
  // All three were routed; the two behind the first have their replies and must wait for it.
  ASSERT_TRUE(handler_.wait_calls(3));
  handler_.answer_later([](std::size_t) { return std::string(R"({"cards":["later"]})"); });
  expect_body(client.read_response(), 200, R"({"cards":["later"]})");
  expect_body(client.read_response(), 200, testing::service_body("fast"));
  expect_body(client.read_response(), 200, std::string(testing::health_body));
}

TEST_F(AsyncReplyTest, DrainWaitsForACallThatIsAnsweredLater) {
  server_config config;
  config.drain_timeout = std::chrono::minutes(1);  // the test, not the deadline, ends the wait
  test_client client(start(config));
  client.write(raw_request("POST", "/cds-services/later", "{}"));
  ASSERT_TRUE(handler_.wait_calls(1));
  server_->stop();
  // Nothing is left for the I/O threads to do but wait for this reply: they must not exit first.
  handler_.answer_later([](std::size_t) { return std::string(R"({"cards":[]})"); });
  const testing::response res = client.read_response();
  expect_body(res, 200, R"({"cards":[]})");
  EXPECT_EQ(res[http::field::connection], "close");
  client.close();
  server_->wait();
  const server_stats_snapshot s = server_->stats().snapshot();
  EXPECT_EQ(s.responses_written, 1U);
  EXPECT_EQ(s.connections_force_closed, 0U);
}

TEST_F(AsyncReplyTest, ASinkKeptAfterItsReplyHoldsNeitherTheConnectionNorTheServer) {
  // The audit writer keeps its record (and the sink in it) a little after the reply went out: the
  // server must stop without waiting for it, and the sink must not be the last owner of the
  // connection once the server is gone (it would close a socket of a destroyed io_context). CI
  // once hung here for an hour: ctest's timeout turns a regression into a failure.
  test_client client(start());
  client.write(raw_request("POST", "/cds-services/later", "{}"));
  ASSERT_TRUE(handler_.wait_calls(1));
  std::vector<reply_sink> kept = handler_.take_later();
  ASSERT_EQ(kept.size(), 1U);
  kept[0].send({200, R"({"cards":[]})", "application/json", {}});
  expect_body(client.read_response(), 200, R"({"cards":[]})");
  client.close();
  server_->stop();
  server_->wait();  // returns: the kept sink no longer holds I/O work
  server_.reset();
  kept.clear();  // after the server: must touch nothing of it (ASan would report a use after free)
  EXPECT_EQ(handler_.rejections.load(), 0);
}

TEST_F(AsyncReplyTest, AHandlerThatLosesItsReplyIsAnswered500AndTheConnectionServesOn) {
  test_client client(start());
  const testing::response res = client.request("POST", "/cds-services/drop", "{}");
  EXPECT_EQ(res.result_int(), 500U);
  EXPECT_NE(res.body().find(R"("code":"internal-error")"), std::string::npos) << res.body();
  expect_body(client.request("GET", "/healthz"), 200, std::string(testing::health_body));
  client.close();  // else the drain lingers for the client's close until read_timeout
  server_->stop();
  server_->wait();
  EXPECT_EQ(server_->stats().snapshot().handler_exceptions, 1U);
  EXPECT_EQ(handler_.rejections.load(), 1);  // the 500 was handed to the application to record
}

TEST_F(AsyncReplyTest, WithWorkerThreadsHealthIsAnsweredWhileEveryWorkerIsBusy) {
  server_config config;
  config.threads = 1;
  config.worker_threads = 1;
  const unsigned short port = start(config);
  test_client busy(port);
  busy.write(raw_request("POST", "/cds-services/gate", "{}"));
  ASSERT_TRUE(handler_.the_gate.wait_entered(1));  // the only worker is held
  // The only I/O thread is free: without workers it would be the one held in the gate.
  test_client probe(port);
  expect_body(probe.request("GET", "/healthz"), 200, std::string(testing::health_body));
  handler_.the_gate.open();
  expect_body(busy.read_response(), 200, testing::service_body("gate"));
}

TEST_F(AsyncReplyTest, WithTheDefaultConfigHealthAndReadinessAreAnsweredWhileEveryWorkerIsBusy) {
  // The shipped defaults (what ivig-cds runs with unless told otherwise): a liveness or readiness
  // probe must not wait behind heavy calls. More calls than workers and I/O threads together are
  // held, so that with calls on the I/O threads (worker_threads 0) the probes would time out here.
  const server_config defaults;
  ASSERT_GT(defaults.worker_threads, 0U);
  const unsigned short port = start(defaults);
  const unsigned held = defaults.worker_threads + defaults.threads;
  std::vector<std::unique_ptr<test_client>> busy;
  for (unsigned i = 0; i < held; ++i) {
    busy.push_back(std::make_unique<test_client>(port));
    busy.back()->write(raw_request("POST", "/cds-services/gate", "{}"));
  }
  ASSERT_TRUE(handler_.the_gate.wait_entered(static_cast<int>(defaults.worker_threads)));  // every worker held
  test_client probe(port);
  expect_body(probe.request("GET", "/healthz"), 200, std::string(testing::health_body));
  expect_body(probe.request("GET", "/readyz"), 200, R"({"status":"ready"})");
  handler_.the_gate.open();
  for (auto& client : busy) expect_body(client->read_response(), 200, testing::service_body("gate"));
}

}  // namespace
}  // namespace ivig::server

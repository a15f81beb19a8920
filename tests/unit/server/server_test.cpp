// tests/unit/server/server_test.cpp: http_server over real sockets on 127.0.0.1, port 0.
//
// Every test starts the real server and talks to it with test_client. No test sleeps: a test
// waits for a response, for the server's close, for a handler to be entered (gate, wait_calls) or
// for wait() to return, and every wait has a deadline that turns a hang into a failure. Counters
// whose increment may follow the client's observation (e.g. responses_written) are read only
// after stop() + wait(), when every handler has run.
#include "hooks/server/http_server.hpp"

#include <signal.h>  // sigaction (POSIX)
#include <algorithm>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "recording_handler.hpp"
#include "test_client.hpp"

namespace ivig::server {
namespace {

using namespace std::chrono_literals;
using testing::connect_error;
using testing::raw_request;
using testing::recording_handler;
using testing::test_client;
namespace http = testing::http;
namespace net = testing::net;

/// The OperationOutcome bodies the tests expect, spelled out so a change in wording fails here.
std::string outcome(std::string_view severity, std::string_view issue, std::string_view code, std::string_view display,
                    std::string_view diagnostics) {
  return std::string(R"({"resourceType":"OperationOutcome","issue":[{"severity":")") + std::string(severity) +
         R"(","code":")" + std::string(issue) + R"(","details":{"coding":[{"system":"urn:ivig-cds:error","code":")" +
         std::string(code) + R"(","display":")" + std::string(display) + R"("}]},"diagnostics":")" +
         std::string(diagnostics) + R"("}]})";
}

const std::string not_found_body =
    R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"not-found",)"
    R"("details":{"coding":[{"system":"urn:ivig-cds:error","code":"route-not-found",)"
    R"("display":"No endpoint has this path."}]},"diagnostics":"The endpoints are )"
    R"(GET /cds-services, POST /cds-services/{id}, POST /cds-services/{id}/feedback, GET /healthz and GET /readyz."}]})";

const std::string method_not_allowed_get_body =
    R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"not-supported",)"
    R"("details":{"coding":[{"system":"urn:ivig-cds:error","code":"method-not-allowed",)"
    R"("display":"The endpoint does not accept this method."}]},)"
    R"("diagnostics":"This endpoint accepts only GET."}]})";

const std::string internal_error_body =
    R"({"resourceType":"OperationOutcome","issue":[{"severity":"fatal","code":"exception",)"
    R"("details":{"coding":[{"system":"urn:ivig-cds:error","code":"internal-error",)"
    R"("display":"The service failed; the failure has been logged."}]},)"
    R"("diagnostics":"The service failed; the failure has been logged."}]})";

const std::string draining_body = outcome("fatal", "transient", "service-draining", "The service is shutting down.",
                                          "The service is shutting down; retry on a new connection.");

/// Status, exact body and the headers every response must carry.
void expect_reply(const testing::response& res, unsigned status, std::string_view body) {
  EXPECT_EQ(res.result_int(), status);
  EXPECT_EQ(res.body(), body);
  EXPECT_EQ(res[http::field::server], "ivig-cds");
  EXPECT_EQ(res[http::field::content_type], "application/json");
  EXPECT_EQ(res[http::field::content_length], std::to_string(body.size()));
}

/// A request's head (through the blank line) and its body, for a client that sends them apart.
std::pair<std::string, std::string> split_head(const std::string& raw) {
  const std::size_t end = raw.find("\r\n\r\n") + 4;
  return {raw.substr(0, end), raw.substr(end)};
}

const std::string interim_continue = "HTTP/1.1 100 Continue\r\n\r\n";

/// The server closed after what was already read: an orderly close with no further bytes.
void expect_closed_silently(test_client& client) {
  const test_client::close_result r = client.read_until_close();
  EXPECT_EQ(r.bytes, "");
  EXPECT_EQ(r.error, net::error::eof) << r.error.message();
}

class HttpServerTest : public ::testing::Test {
 protected:
  ~HttpServerTest() override {
    handler_.the_gate.open();  // never leave a handler blocked behind a failed assertion
  }

  unsigned short start(server_config config = {}) {
    config.address = "127.0.0.1";
    config.port = 0;
    server_.emplace(config, handler_);
    handler_.stats = &server_->stats();
    port_ = server_->start();
    return port_;
  }

  /// Counters once every handler has run: stop, drain, join.
  server_stats_snapshot stats_after_stop() {
    server_->stop();
    server_->wait();
    return server_->stats().snapshot();
  }

  recording_handler handler_;
  std::optional<http_server> server_;
  unsigned short port_ = 0;
};

// ---- lifecycle -----------------------------------------------------------------------------

TEST_F(HttpServerTest, StartReturnsTheBoundEphemeralPort) {
  const unsigned short port = start();
  EXPECT_NE(port, 0);
  EXPECT_FALSE(connect_error(port));
  EXPECT_FALSE(server_->draining());
}

TEST_F(HttpServerTest, StartThrowsWhenTheAddressIsInUse) {
  const unsigned short port = start();
  server_config second;
  second.port = port;
  recording_handler other_handler;
  http_server other(second, other_handler);
  try {
    other.start();
    FAIL() << "start() on a port in use must throw";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::address_in_use);
    EXPECT_NE(std::string(e.what()).find("cannot bind 127.0.0.1:" + std::to_string(port)), std::string::npos)
        << e.what();
  }
}

TEST_F(HttpServerTest, StartThrowsOnAnAddressThatIsNotAnIpLiteral) {
  server_config config;
  config.address = "localhost";
  http_server server(config, handler_);
  try {
    server.start();
    FAIL() << "start() with a host name must throw";
  } catch (const std::system_error& e) {
    EXPECT_NE(std::string(e.what()).find("invalid listen address 'localhost'"), std::string::npos) << e.what();
  }
}

TEST_F(HttpServerTest, StartRejectsAnInvalidConfigBeforeListening) {
  server_config config;
  config.port = 0;
  config.threads = 0;
  http_server server(config, handler_);
  EXPECT_THROW(server.start(), std::invalid_argument);
}

TEST(ServerConfig, DefaultsAreValid) {
  EXPECT_NO_THROW(validate(server_config{}));
}

TEST(ServerConfig, ZeroDrainTimeoutIsValid) {
  server_config c;
  c.drain_timeout = 0ms;
  EXPECT_NO_THROW(validate(c));
}

TEST(ServerConfig, EachConstraintIsChecked) {
  const auto broken = [](auto mutate) {
    server_config c;
    mutate(c);
    return c;
  };
  const std::vector<std::pair<server_config, std::string>> cases = {
      {broken([](server_config& c) { c.address.clear(); }), "address"},
      {broken([](server_config& c) { c.threads = 0; }), "threads"},
      {broken([](server_config& c) { c.threads = 257; }), "threads"},
      {broken([](server_config& c) { c.body_limit = 0; }), "body_limit"},
      {broken([](server_config& c) { c.header_limit = 255; }), "header_limit"},
      {broken([](server_config& c) { c.read_timeout = 0ms; }), "read_timeout"},
      {broken([](server_config& c) { c.write_timeout = -1ms; }), "write_timeout"},
      {broken([](server_config& c) { c.idle_timeout = 0ms; }), "idle_timeout"},
      {broken([](server_config& c) { c.drain_timeout = -1ms; }), "drain_timeout"},
      {broken([](server_config& c) { c.pipeline_limit = 0; }), "pipeline_limit"},
      {broken([](server_config& c) { c.read_buffer_reserve = 511; }), "read_buffer_reserve"},
  };
  for (const auto& [config, field] : cases) {
    try {
      validate(config);
      ADD_FAILURE() << field << " was not checked";
    } catch (const std::invalid_argument& e) {
      EXPECT_EQ(std::string(e.what()).rfind("server_config: " + field, 0), 0U) << e.what();
    }
  }
}

// ---- round trips ---------------------------------------------------------------------------

TEST_F(HttpServerTest, DiscoveryRoundTrip) {
  test_client client(start());
  const testing::response res = client.request("GET", "/cds-services");
  expect_reply(res, 200, testing::discovery_body);
  EXPECT_TRUE(res.keep_alive());
  EXPECT_EQ(handler_.calls(), (std::vector<recording_handler::call>{{"discovery", "", ""}}));
}

TEST_F(HttpServerTest, ServiceCallRoundTripPassesTheIdAndTheBody) {
  test_client client(start());
  const std::string body = R"({"hook":"order-sign","hookInstance":"d1577c69"})";
  const testing::response res = client.request("POST", "/cds-services/ivig-order-sign", body, "application/fhir+json");
  expect_reply(res, 200, testing::service_body("ivig-order-sign"));
  EXPECT_EQ(handler_.calls(), (std::vector<recording_handler::call>{{"call_service", "ivig-order-sign", body}}));
}

TEST_F(HttpServerTest, HealthRoundTrip) {
  test_client client(start());
  expect_reply(client.request("GET", "/healthz"), 200, testing::health_body);
  EXPECT_EQ(handler_.calls(), (std::vector<recording_handler::call>{{"health", "", ""}}));
}

TEST_F(HttpServerTest, UnknownPathGets404OperationOutcomeAndKeepsTheConnection) {
  test_client client(start());
  const testing::response res = client.request("GET", "/cds-services/x/y");
  expect_reply(res, 404, not_found_body);
  EXPECT_TRUE(res.keep_alive());
  expect_reply(client.request("GET", "/healthz"), 200, testing::health_body);
}

TEST_F(HttpServerTest, WrongMethodGets405WithTheAllowHeader) {
  test_client client(start());
  const testing::response discovery = client.request("DELETE", "/cds-services");
  expect_reply(discovery, 405, method_not_allowed_get_body);
  EXPECT_EQ(discovery[http::field::allow], "GET");

  const testing::response health = client.request("POST", "/healthz", "{}");
  expect_reply(health, 405, method_not_allowed_get_body);
  EXPECT_EQ(health[http::field::allow], "GET");

  const testing::response service = client.request("GET", "/cds-services/ivig-order-select");
  expect_reply(service, 405,
               outcome("error", "not-supported", "method-not-allowed", "The endpoint does not accept this method.",
                       "This endpoint accepts only POST."));
  EXPECT_EQ(service[http::field::allow], "POST");
  EXPECT_TRUE(handler_.calls().empty());
}

TEST_F(HttpServerTest, NonJsonContentTypeGets415) {
  test_client client(start());
  const testing::response res = client.request("POST", "/cds-services/x", "a=1", "text/plain");
  expect_reply(res, 415,
               outcome("error", "not-supported", "unsupported-media-type", "The body must be application/json.",
                       "Content-Type must be application/json or application/fhir+json."));
  EXPECT_TRUE(handler_.calls().empty());
}

// ---- limits --------------------------------------------------------------------------------

TEST_F(HttpServerTest, BodyExactlyAtTheLimitIsAccepted) {
  server_config config;
  config.body_limit = 64;
  test_client client(start(config));
  const std::string body(64, 'b');
  expect_reply(client.request("POST", "/cds-services/x", body), 200, testing::service_body("x"));
  ASSERT_EQ(handler_.calls().size(), 1U);
  EXPECT_EQ(handler_.calls()[0].body, body);
}

TEST_F(HttpServerTest, BodyOneByteOverTheLimitGets413AndClose) {
  server_config config;
  config.body_limit = 64;
  test_client client(start(config));
  const testing::response res = client.request("POST", "/cds-services/x", std::string(65, 'b'));
  expect_reply(res, 413,
               outcome("error", "too-costly", "body-too-large", "The body is larger than the configured limit.",
                       "The body is larger than the limit of 64 bytes."));
  EXPECT_FALSE(res.keep_alive());
  expect_closed_silently(client);
  client.close();  // as a real client does on EOF; the server lingers until then
  EXPECT_TRUE(handler_.calls().empty());
  const server_stats_snapshot s = stats_after_stop();
  EXPECT_EQ(s.rejected_body_too_large, 1U);
  EXPECT_EQ(s.requests_total, 0U);
  EXPECT_EQ(s.responses_4xx, 1U);
}

TEST_F(HttpServerTest, ChunkedBodyOverTheLimitGets413) {
  server_config config;
  config.body_limit = 64;
  test_client client(start(config));
  client.write(
      "POST /cds-services/x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
      "28\r\n" +
      std::string(40, 'a') + "\r\n28\r\n" + std::string(40, 'a') + "\r\n0\r\n\r\n");
  const testing::response res = client.read_response();
  EXPECT_EQ(res.result_int(), 413U);
  EXPECT_FALSE(res.keep_alive());
  EXPECT_TRUE(handler_.calls().empty());
}

TEST_F(HttpServerTest, HeadersOverTheLimitGet431AndClose) {
  server_config config;
  config.header_limit = 1024;
  test_client client(start(config));
  client.write(raw_request("GET", "/healthz", {}, std::nullopt, "X-Padding: " + std::string(2000, 'p') + "\r\n"));
  const testing::response res = client.read_response();
  expect_reply(
      res, 431,
      outcome("error", "too-costly", "headers-too-large", "The request headers are larger than the configured limit.",
              "The request line and headers exceed the limit of 1024 bytes."));
  EXPECT_FALSE(res.keep_alive());
  expect_closed_silently(client);
  client.close();
  EXPECT_TRUE(handler_.calls().empty());
  EXPECT_EQ(stats_after_stop().rejected_headers_too_large, 1U);
}

TEST_F(HttpServerTest, GarbageBytesGet400AndClose) {
  test_client client(start());
  client.write(std::string("\x16\x03\x01\x02\x00 not http at all\r\n\r\n", 24));
  const testing::response res = client.read_response();
  expect_reply(res, 400,
               outcome("error", "structure", "http-malformed", "The request is not valid HTTP/1.1.",
                       "The request is not valid HTTP/1.1: bad method."));
  EXPECT_FALSE(res.keep_alive());
  expect_closed_silently(client);
  client.close();
  EXPECT_EQ(stats_after_stop().rejected_http_malformed, 1U);
}

TEST_F(HttpServerTest, EachResponseIsObservedWithItsRouteTemplateMethodStatusAndTime) {
  struct seen {
    std::string route, method;
    unsigned status;
    std::chrono::nanoseconds duration;
  };
  std::mutex mutex;
  std::vector<seen> observed;
  server_config config;
  const auto fixed = std::chrono::steady_clock::time_point(std::chrono::hours(1));
  config.steady_now = [fixed] { return fixed; };  // every duration is exactly zero on this clock
  config.on_response = [&](const response_observation& r) {
    const std::lock_guard lock(mutex);
    observed.push_back({std::string(r.route), std::string(r.method), r.status, r.duration});
  };
  {
    test_client client(start(config));
    expect_reply(client.request("GET", "/healthz"), 200, testing::health_body);
    EXPECT_EQ(client.request("GET", "/Patient/123?name=x").result_int(), 404U);
    EXPECT_EQ(client.request("BREW", "/cds-services/abc").result_int(), 405U);
  }
  {
    test_client client(port_);
    client.write(std::string("\x16\x03\x01\x02\x00 not http at all\r\n\r\n", 24));
    EXPECT_EQ(client.read_response().result_int(), 400U);
  }
  const std::lock_guard lock(mutex);
  const std::vector<seen> expected{{"/healthz", "GET", 200, std::chrono::nanoseconds(0)},
                                   {"other", "GET", 404, std::chrono::nanoseconds(0)},
                                   {"/cds-services/{id}", "BREW", 405, std::chrono::nanoseconds(0)},
                                   {"", "", 400, std::chrono::nanoseconds(0)}};
  ASSERT_EQ(observed.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(observed[i].route, expected[i].route) << i;
    EXPECT_EQ(observed[i].method, expected[i].method) << i;
    EXPECT_EQ(observed[i].status, expected[i].status) << i;
    EXPECT_EQ(observed[i].duration, expected[i].duration) << i;
  }
}

TEST_F(HttpServerTest, InvalidContentLengthGets400) {
  test_client client(start());
  client.write("POST /cds-services/x HTTP/1.1\r\nHost: t\r\nContent-Length: 12x\r\n\r\n");
  const testing::response res = client.read_response();
  EXPECT_EQ(res.result_int(), 400U);
  EXPECT_NE(res.body().find(R"("code":"http-malformed")"), std::string::npos) << res.body();
  EXPECT_FALSE(res.keep_alive());
  EXPECT_TRUE(handler_.calls().empty());
}

// ---- framing a proxy could read differently (request smuggling; security review 2026-11) ----

// A body whose Transfer-Encoding Beast would not take as chunked is read up to the connection's
// end, or as the next request by a proxy that reads it otherwise: refused, and the connection closed
// so that nothing after it is read as a request.
class SmuggledFraming : public HttpServerTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(SmuggledFraming, Gets400AndClosesBeforeTheHandler) {
  test_client client(start());
  client.write(std::string("POST /cds-services/x HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n") +
               GetParam() + "\r\n0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
  const testing::response res = client.read_response();
  EXPECT_EQ(res.result_int(), 400U);
  EXPECT_FALSE(res.keep_alive());
  expect_closed_silently(client);  // the smuggled GET /healthz is never answered
  client.close();
  EXPECT_TRUE(handler_.calls().empty());
  // Beast refuses Transfer-Encoding beside Content-Length itself, as malformed; the rest are ours.
  const server_stats_snapshot stats = stats_after_stop();
  EXPECT_EQ(stats.rejected_framing + stats.rejected_http_malformed, 1U);
}

INSTANTIATE_TEST_SUITE_P(TransferEncodingAndHost, SmuggledFraming,
                         ::testing::Values("Transfer-Encoding: chunked, identity\r\n", "Transfer-Encoding: gzip\r\n",
                                           "Transfer-Encoding: identity\r\nTransfer-Encoding: chunked\r\n",
                                           "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
                                           "Host: other\r\nContent-Length: 0\r\n"));

TEST_F(HttpServerTest, TransferEncodingOtherThanChunkedIsNamedInTheAnswer) {
  test_client client(start());
  client.write(
      "POST /cds-services/x HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nTransfer-Encoding: "
      "gzip, chunked\r\n\r\n0\r\n\r\n");
  expect_reply(client.read_response(), 400,
               outcome("error", "structure", "http-malformed", "The request is not valid HTTP/1.1.",
                       "Transfer-Encoding must be exactly 'chunked'."));
}

TEST_F(HttpServerTest, Http11RequestWithoutHostGets400) {
  test_client client(start());
  client.write("GET /healthz HTTP/1.1\r\n\r\n");
  expect_reply(client.read_response(), 400,
               outcome("error", "structure", "http-malformed", "The request is not valid HTTP/1.1.",
                       "An HTTP/1.1 request needs exactly one Host header."));
  EXPECT_TRUE(handler_.calls().empty());
}

TEST_F(HttpServerTest, PlainChunkedBodyIsStillAccepted) {
  test_client client(start());
  client.write(
      "POST /cds-services/x HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nTransfer-Encoding: "
      "Chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n");
  expect_reply(client.read_response(), 200, testing::service_body("x"));
}

TEST_F(HttpServerTest, AnExpectationOtherThanContinueGets417AndClose) {
  test_client client(start());
  client.write(
      "POST /cds-services/x HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: "
      "2\r\nExpect: 200-ok\r\n\r\n{}");
  const testing::response res = client.read_response();
  expect_reply(
      res, 417,
      outcome("error", "not-supported", "expectation-failed", "The only expectation this server meets is 100-continue.",
              "Expect supports only 100-continue."));
  EXPECT_FALSE(res.keep_alive());
  expect_closed_silently(client);
  client.close();
  EXPECT_TRUE(handler_.calls().empty());
  EXPECT_EQ(stats_after_stop().rejected_framing, 1U);
}

TEST_F(HttpServerTest, PostWithoutContentTypeGets415) {
  test_client client(start());
  const testing::response res = client.request("POST", "/cds-services/x/feedback", "{}", "");
  expect_reply(res, 415,
               outcome("error", "not-supported", "unsupported-media-type", "The body must be application/json.",
                       "Content-Type must be application/json or application/fhir+json."));
  EXPECT_TRUE(handler_.calls().empty());
}

TEST_F(HttpServerTest, EveryAnswerIsNeitherSniffedNorCached) {
  test_client client(start());
  for (const testing::response& res : {client.request("GET", "/cds-services"), client.request("GET", "/nowhere"),
                                       client.request("POST", "/cds-services/x", "{}")}) {
    EXPECT_EQ(res[http::field::cache_control], "no-store") << res.result_int();
    EXPECT_EQ(res["X-Content-Type-Options"], "nosniff") << res.result_int();
  }
}

// ---- CORS: browser clients (the CDS Hooks sandbox, SMART apps) -------------------------------

server_config cors_for(std::vector<std::string> origins) {
  server_config config;
  config.cors_origins = std::move(origins);
  return config;
}

std::string preflight(std::string_view target, std::string_view origin) {
  return "OPTIONS " + std::string(target) + " HTTP/1.1\r\nHost: t\r\nOrigin: " + std::string(origin) +
         "\r\nAccess-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: authorization, "
         "content-type\r\n\r\n";
}

TEST_F(HttpServerTest, APreflightFromAnAllowedOriginIsAnswered204WithWhatTheBrowserMaySend) {
  test_client client(start(cors_for({"https://sandbox.cds-hooks.org"})));
  client.write(preflight("/cds-services/ivig-order-select", "https://sandbox.cds-hooks.org"));
  const testing::response res = client.read_response();
  EXPECT_EQ(res.result_int(), 204U);
  EXPECT_EQ(res[http::field::access_control_allow_origin], "https://sandbox.cds-hooks.org");
  EXPECT_EQ(res[http::field::access_control_allow_methods], "POST, OPTIONS");
  EXPECT_EQ(res[http::field::access_control_allow_headers], "Authorization, Content-Type");
  EXPECT_EQ(res[http::field::access_control_max_age], "600");
  EXPECT_EQ(res[http::field::vary], "Origin");
  EXPECT_TRUE(res.keep_alive());
  EXPECT_TRUE(handler_.calls().empty());  // a preflight never reaches the service
  client.write(preflight("/cds-services", "https://sandbox.cds-hooks.org"));
  EXPECT_EQ(client.read_response()[http::field::access_control_allow_methods], "GET, OPTIONS");
}

TEST_F(HttpServerTest, AnOriginOffTheListGetsNoAllowOrigin) {
  test_client client(start(cors_for({"https://sandbox.cds-hooks.org"})));
  client.write(preflight("/cds-services/x", "https://evil.example"));
  const testing::response res = client.read_response();
  EXPECT_EQ(res.result_int(), 204U);
  EXPECT_EQ(res.count(http::field::access_control_allow_origin), 0U);
  EXPECT_EQ(res[http::field::vary], "Origin");
}

TEST_F(HttpServerTest, EveryAnswerToAnAllowedOriginCarriesAllowOriginErrorsIncluded) {
  server_config config = cors_for({"https://app.example.org"});
  config.body_limit = 64;
  test_client client(start(config));
  const std::string origin = "Origin: https://app.example.org\r\n";
  for (const auto& [request, status] : std::vector<std::pair<std::string, unsigned>>{
           {raw_request("POST", "/cds-services/x", "{}", std::nullopt, origin), 200},
           {raw_request("POST", "/cds-services/x", "{}", "text/plain", origin), 415},
           {raw_request("GET", "/nowhere", {}, std::nullopt, origin), 404},
           {raw_request("POST", "/cds-services/x", std::string(65, 'b'), std::nullopt, origin), 413}}) {
    client.write(request);
    const testing::response res = client.read_response();
    EXPECT_EQ(res.result_int(), status);
    EXPECT_EQ(res[http::field::access_control_allow_origin], "https://app.example.org") << status;
  }
}

TEST_F(HttpServerTest, AStarAllowsAnyOrigin) {
  test_client client(start(cors_for({"*"})));
  client.write(preflight("/healthz", "https://anywhere.example"));
  EXPECT_EQ(client.read_response()[http::field::access_control_allow_origin], "*");
}

TEST_F(HttpServerTest, WithoutAnOriginListNoBrowserMayCall) {
  test_client client(start());
  client.write(preflight("/healthz", "https://anywhere.example"));
  const testing::response res = client.read_response();
  EXPECT_EQ(res.result_int(), 204U);
  EXPECT_EQ(res.count(http::field::access_control_allow_origin), 0U);
  EXPECT_EQ(res.count(http::field::vary), 0U);
}

// ---- Expect: 100-continue ------------------------------------------------------------------
// Each client sends the head, then waits as curl does; but where curl gives up after a second and
// sends the body anyway, these read with test_client's deadline, so a missing 100 Continue fails.

TEST_F(HttpServerTest, ExpectContinueGetsAnInterim100BeforeTheBodyIsSent) {
  test_client client(start());
  const std::string body = R"({"hook":"order-sign","hookInstance":"d1577c69"})";
  const auto [head, rest] = split_head(
      raw_request("POST", "/cds-services/ivig-order-sign", body, "application/json", "Expect: 100-continue\r\n"));
  client.write(head);
  ASSERT_EQ(client.read_head(), interim_continue);  // throws at the deadline if it never comes
  EXPECT_TRUE(handler_.calls().empty());
  client.write(rest);
  const testing::response res = client.read_response();
  expect_reply(res, 200, testing::service_body("ivig-order-sign"));
  EXPECT_TRUE(res.keep_alive());
  EXPECT_EQ(handler_.calls(), (std::vector<recording_handler::call>{{"call_service", "ivig-order-sign", body}}));
  // The connection goes on as usual after the interim response.
  expect_reply(client.request("GET", "/healthz"), 200, testing::health_body);
  client.close();  // otherwise the drain lingers on the idle connection until read_timeout
  const server_stats_snapshot s = stats_after_stop();
  EXPECT_EQ(s.continues_written, 1U);
  EXPECT_EQ(s.requests_total, 2U);
  EXPECT_EQ(s.responses_2xx, 2U);
  EXPECT_EQ(s.responses_written, 2U);
}

TEST_F(HttpServerTest, ExpectContinueWithContentLengthOverTheLimitGets413AndNoContinue) {
  server_config config;
  config.body_limit = 64;
  test_client client(start(config));
  client.write(
      split_head(raw_request("POST", "/cds-services/x", std::string(65, 'b'), std::nullopt, "Expect: 100-continue\r\n"))
          .first);
  // The first message is the final one: a 100 Continue before it would be read here instead.
  const testing::response res = client.read_response();
  expect_reply(res, 413,
               outcome("error", "too-costly", "body-too-large", "The body is larger than the configured limit.",
                       "The body is larger than the limit of 64 bytes."));
  EXPECT_FALSE(res.keep_alive());
  expect_closed_silently(client);
  client.close();
  EXPECT_TRUE(handler_.calls().empty());
  const server_stats_snapshot s = stats_after_stop();
  EXPECT_EQ(s.continues_written, 0U);
  EXPECT_EQ(s.rejected_body_too_large, 1U);
  EXPECT_EQ(s.requests_total, 0U);
}

TEST_F(HttpServerTest, RequestWithoutExpectGetsNoInterimResponse) {
  test_client client(start());
  const auto [head, rest] = split_head(raw_request("POST", "/cds-services/x", "{}"));
  client.write(head);
  client.write(rest);
  // Were a 100 Continue sent after the head, it would precede the final response on the wire.
  const std::string first = client.read_head();
  EXPECT_EQ(first.rfind("HTTP/1.1 200 OK\r\n", 0), 0U) << first;
  client.close();
  EXPECT_EQ(stats_after_stop().continues_written, 0U);
}

/// Sends `head` alone and never the body it announces: whatever the server sends first arrives
/// while it waits for that body (with the header parsed), so it must be the 408 at the deadline.
void expect_no_interim_before_the_408(test_client& client, const std::string& head) {
  client.write(head);
  const testing::response res = client.read_response();
  EXPECT_EQ(res.result_int(), 408U);
  EXPECT_FALSE(res.keep_alive());
  expect_closed_silently(client);
  client.close();
}

TEST_F(HttpServerTest, RequestWithoutExpectWaitingForItsBodyGetsNoInterimResponse) {
  server_config config;
  config.read_timeout = 200ms;
  test_client client(start(config));
  expect_no_interim_before_the_408(client, split_head(raw_request("POST", "/cds-services/x", "{}")).first);
  const server_stats_snapshot s = stats_after_stop();
  EXPECT_EQ(s.continues_written, 0U);
  EXPECT_EQ(s.request_timeouts, 1U);
}

TEST_F(HttpServerTest, Http10ExpectContinueIsIgnored) {
  // RFC 9110 10.1.1: a server must ignore a 100-continue expectation in an HTTP/1.0 request.
  server_config config;
  config.read_timeout = 200ms;
  test_client client(start(config));
  expect_no_interim_before_the_408(
      client, "POST /cds-services/x HTTP/1.0\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n");
  const server_stats_snapshot s = stats_after_stop();
  EXPECT_EQ(s.continues_written, 0U);
  EXPECT_EQ(s.request_timeouts, 1U);
}

TEST_F(HttpServerTest, PipelinedExpectContinueFollowsTheResponsesBeforeIt) {
  // Response 1 is 32 MiB and cannot be written before the client reads it, so the head of request
  // 2 is normally parsed while response 1 is still being written. Its 100 Continue must not
  // overtake (or cut into) response 1: the client reads it only after the whole of response 1.
  test_client client(start());
  const auto [head, rest] = split_head(raw_request("POST", "/cds-services/second", R"({"n":2})", std::nullopt,
                                                   "Expect: 100-Continue\r\n"));  // the value is case-insensitive
  client.write(raw_request("POST", "/cds-services/big", "{}") + head);
  const testing::response first = client.read_response();
  EXPECT_EQ(first.result_int(), 200U);
  EXPECT_EQ(first.body().size(), testing::big_body_size);
  ASSERT_EQ(client.read_head(), interim_continue);
  client.write(rest);
  expect_reply(client.read_response(), 200, testing::service_body("second"));
  client.close();
  EXPECT_EQ(stats_after_stop().continues_written, 1U);
}

TEST_F(HttpServerTest, ExpectContinueWhoseBodyNeverComesGets408AfterTheReadTimeout) {
  server_config config;
  config.read_timeout = 200ms;
  test_client client(start(config));
  client.write(
      split_head(raw_request("POST", "/cds-services/x", "{}", std::nullopt, "Expect: 100-continue\r\n")).first);
  ASSERT_EQ(client.read_head(), interim_continue);
  const testing::response res = client.read_response();  // arrives when the deadline passes
  expect_reply(res, 408,
               outcome("error", "timeout", "request-timeout", "The request was not received within the read timeout.",
                       "No complete request arrived within 200 ms."));
  EXPECT_FALSE(res.keep_alive());
  expect_closed_silently(client);
  client.close();
  EXPECT_TRUE(handler_.calls().empty());
  const server_stats_snapshot s = stats_after_stop();
  EXPECT_EQ(s.request_timeouts, 1U);
  EXPECT_EQ(s.continues_written, 1U);
}

// ---- connections ---------------------------------------------------------------------------

TEST_F(HttpServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  test_client client(start());
  const testing::response first = client.request("GET", "/healthz");
  const testing::response second = client.request("POST", "/cds-services/a", "{}");
  expect_reply(first, 200, testing::health_body);
  expect_reply(second, 200, testing::service_body("a"));
  EXPECT_TRUE(first.keep_alive());
  EXPECT_TRUE(second.keep_alive());
  EXPECT_EQ(server_->stats().snapshot().connections_accepted, 1U);
  EXPECT_EQ(server_->stats().snapshot().requests_total, 2U);
}

TEST_F(HttpServerTest, ClientConnectionCloseIsHonoured) {
  test_client client(start());
  client.write(raw_request("GET", "/healthz", {}, std::nullopt, "Connection: close\r\n"));
  const testing::response res = client.read_response();
  expect_reply(res, 200, testing::health_body);
  EXPECT_EQ(res[http::field::connection], "close");
  expect_closed_silently(client);
}

TEST_F(HttpServerTest, Http10RequestIsAnsweredInHttp10AndClosed) {
  test_client client(start());
  client.write("GET /healthz HTTP/1.0\r\n\r\n");
  const testing::response res = client.read_response();
  expect_reply(res, 200, testing::health_body);
  EXPECT_EQ(res.version(), 10U);
  EXPECT_FALSE(res.keep_alive());
  expect_closed_silently(client);
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  test_client client(start());
  client.write(raw_request("POST", "/cds-services/first", "{}", "application/json") + raw_request("GET", "/healthz") +
               raw_request("POST", "/cds-services/third", R"({"n":3})"));
  expect_reply(client.read_response(), 200, testing::service_body("first"));
  expect_reply(client.read_response(), 200, testing::health_body);
  expect_reply(client.read_response(), 200, testing::service_body("third"));
  // Answered in order whatever order the handlers ran in: on worker threads (the default) /healthz,
  // answered on the I/O thread, may run before "first".
  const std::vector<recording_handler::call> expected{
      {"call_service", "first", "{}"}, {"health", "", ""}, {"call_service", "third", R"({"n":3})"}};
  const std::vector<recording_handler::call> calls = handler_.calls();
  EXPECT_TRUE(std::is_permutation(calls.begin(), calls.end(), expected.begin(), expected.end()));
  EXPECT_EQ(server_->stats().snapshot().connections_accepted, 1U);
}

TEST_F(HttpServerTest, PipelineLimitStopsReadingUntilAResponseIsWritten) {
  // Response 1 is 32 MiB, more than the socket buffers hold, so it cannot be completely written
  // before the client reads it. With pipeline_limit 2, request 2 fills the queue, so request 3 is
  // read (and its handler called) only after response 1 has been written: the "written" handler
  // reports responses_written >= 1. Without the limit it would run at once and report 0.
  server_config config;
  config.pipeline_limit = 2;
  test_client client(start(config));
  client.write(raw_request("POST", "/cds-services/big", "{}") + raw_request("POST", "/cds-services/written", "{}") +
               raw_request("POST", "/cds-services/written", "{}"));
  const testing::response first = client.read_response();
  EXPECT_EQ(first.result_int(), 200U);
  EXPECT_EQ(first.body().size(), testing::big_body_size);
  EXPECT_EQ(client.read_response().result_int(), 200U);
  const testing::response third = client.read_response();
  ASSERT_EQ(third.result_int(), 200U);
  EXPECT_GE(std::stoull(third.body()), 1U) << "request 3 was handled before response 1 was written";
}

// ---- deadlines -----------------------------------------------------------------------------

TEST_F(HttpServerTest, PartialRequestGets408AfterTheReadTimeout) {
  server_config config;
  config.read_timeout = 200ms;
  test_client client(start(config));
  client.write("POST /cds-services/x HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc");
  const testing::response res = client.read_response();  // arrives when the deadline passes
  expect_reply(res, 408,
               outcome("error", "timeout", "request-timeout", "The request was not received within the read timeout.",
                       "No complete request arrived within 200 ms."));
  EXPECT_FALSE(res.keep_alive());
  expect_closed_silently(client);
  client.close();  // as a real client does on EOF; the server lingers until then
  EXPECT_TRUE(handler_.calls().empty());
  const server_stats_snapshot s = stats_after_stop();
  EXPECT_EQ(s.request_timeouts, 1U);
  EXPECT_EQ(s.idle_timeouts, 0U);
}

TEST_F(HttpServerTest, LingeringCloseEndsAtItsDeadlineWhenTheClientKeepsSending) {
  // After the 408 the server shuts down its send side and discards input until the client closes
  // or read_timeout passes. This client completes its request late and never closes: the session
  // must still end at the linger deadline, not linger until the drain deadline (10 s).
  server_config config;
  config.read_timeout = 200ms;
  test_client client(start(config));
  client.write("POST /cds-services/x HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc");
  EXPECT_EQ(client.read_response().result_int(), 408U);
  expect_closed_silently(client);
  client.write("defghij");  // completes the request the server has stopped answering
  const server_stats_snapshot s = stats_after_stop();
  EXPECT_EQ(s.connections_force_closed, 0U);
  EXPECT_EQ(s.connections_closed, 1U);
  EXPECT_TRUE(handler_.calls().empty());
}

TEST_F(HttpServerTest, IdleKeepAliveConnectionIsClosedSilently) {
  server_config config;
  config.idle_timeout = 200ms;
  test_client client(start(config));
  expect_reply(client.request("GET", "/healthz"), 200, testing::health_body);
  expect_closed_silently(client);  // returns when the idle deadline passes
  client.close();
  const server_stats_snapshot s = stats_after_stop();
  EXPECT_EQ(s.idle_timeouts, 1U);
  EXPECT_EQ(s.request_timeouts, 0U);
}

TEST_F(HttpServerTest, ConnectionThatSendsNothingIsClosedSilently) {
  server_config config;
  config.read_timeout = 200ms;
  test_client client(start(config));
  expect_closed_silently(client);
  client.close();
  const server_stats_snapshot s = stats_after_stop();
  EXPECT_EQ(s.idle_timeouts, 1U);
  EXPECT_EQ(s.responses_4xx, 0U);
}

TEST_F(HttpServerTest, WriteTimeoutDropsAClientThatDoesNotRead) {
  server_config config;
  config.write_timeout = 200ms;
  test_client client(start(config));
  client.write(raw_request("POST", "/cds-services/big", "{}"));
  ASSERT_TRUE(handler_.wait_calls(1));
  // wait() returns once the session is gone: through the write timeout (200 ms), long before the
  // drain deadline (10 s) would force-close it.
  const server_stats_snapshot s = stats_after_stop();
  EXPECT_EQ(s.write_timeouts, 1U);
  EXPECT_EQ(s.responses_written, 0U);
  EXPECT_EQ(s.connections_force_closed, 0U);
}

// ---- handler failures ----------------------------------------------------------------------

TEST_F(HttpServerTest, HandlerExceptionGets500InternalErrorAndTheConnectionSurvives) {
  test_client client(start());
  const testing::response res = client.request("POST", "/cds-services/throw", "{}");
  expect_reply(res, 500, internal_error_body);
  EXPECT_EQ(res.body().find("secret"), std::string::npos);
  EXPECT_TRUE(res.keep_alive());
  expect_reply(client.request("GET", "/healthz"), 200, testing::health_body);
  EXPECT_EQ(server_->stats().snapshot().handler_exceptions, 1U);
}

// ---- graceful drain ------------------------------------------------------------------------

TEST_F(HttpServerTest, StopFinishesInFlightRequestsClosesIdleOnesAndRefusesNewConnections) {
  server_config config;
  config.threads = 3;  // one blocked in the gate, others free to close the idle connection
  const unsigned short port = start(config);
  test_client idle(port);
  expect_reply(idle.request("GET", "/healthz"), 200, testing::health_body);
  test_client in_flight(port);
  in_flight.write(raw_request("POST", "/cds-services/gate", "{}"));
  ASSERT_TRUE(handler_.the_gate.wait_entered(1));

  server_->stop();

  EXPECT_TRUE(server_->draining());
  EXPECT_EQ(connect_error(port), net::error::connection_refused);
  expect_closed_silently(idle);  // closed while the in-flight request is still running

  handler_.the_gate.open();
  const testing::response res = in_flight.read_response();
  expect_reply(res, 200, testing::service_body("gate"));
  EXPECT_EQ(res[http::field::connection], "close");
  expect_closed_silently(in_flight);

  in_flight.close();
  idle.close();
  server_->wait();
  const server_stats_snapshot s = server_->stats().snapshot();
  EXPECT_EQ(s.responses_2xx, 2U);
  EXPECT_EQ(s.responses_written, 2U);
  EXPECT_EQ(s.connections_closed, 2U);
  EXPECT_EQ(s.connections_force_closed, 0U);
  EXPECT_EQ(s.rejected_draining, 0U);
}

TEST_F(HttpServerTest, RequestPipelinedBehindAnInFlightOneGets503WhileDraining) {
  // Calls on the I/O thread: held in the gate, it reads the pipelined request only after stop().
  // With worker threads it may read (and answer) it before, which is as right and not this case.
  server_config config;
  config.worker_threads = 0;
  const unsigned short port = start(config);
  test_client client(port);
  client.write(raw_request("POST", "/cds-services/gate", "{}") + raw_request("GET", "/healthz"));
  ASSERT_TRUE(handler_.the_gate.wait_entered(1));
  server_->stop();
  handler_.the_gate.open();

  const testing::response first = client.read_response();
  expect_reply(first, 200, testing::service_body("gate"));
  EXPECT_TRUE(first.keep_alive());  // another response follows on this connection
  const testing::response second = client.read_response();
  expect_reply(second, 503, draining_body);
  EXPECT_EQ(second[http::field::connection], "close");
  expect_closed_silently(client);

  client.close();
  server_->wait();
  const server_stats_snapshot s = server_->stats().snapshot();
  EXPECT_EQ(s.rejected_draining, 1U);
  EXPECT_EQ(s.responses_5xx, 1U);
  EXPECT_EQ(handler_.calls().size(), 1U);  // the health handler was not asked
}

TEST_F(HttpServerTest, DrainDeadlineForceClosesAConnectionThatDoesNotFinish) {
  server_config config;
  config.drain_timeout = 200ms;  // far below write_timeout (10 s)
  test_client client(start(config));
  client.write(raw_request("POST", "/cds-services/big", "{}"));  // and never read the answer
  ASSERT_TRUE(handler_.wait_calls(1));
  const server_stats_snapshot s = stats_after_stop();  // returns at the drain deadline
  EXPECT_EQ(s.connections_force_closed, 1U);
  EXPECT_EQ(s.write_timeouts, 0U);
  EXPECT_EQ(s.responses_written, 0U);
}

TEST_F(HttpServerTest, StopWithNoConnectionsEndsTheThreadsAndIsIdempotent) {
  const unsigned short port = start();
  server_->stop();
  server_->stop();
  server_->wait();
  server_->wait();
  EXPECT_TRUE(server_->draining());
  EXPECT_EQ(connect_error(port), net::error::connection_refused);
}

/// Waits (yielding, bounded) until asio has installed its handler for `signal_number`, so that
/// raising the signal cannot hit the default disposition and kill the test process.
bool signal_handler_installed(int signal_number) {
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < deadline) {
    struct sigaction current {};
    sigaction(signal_number, nullptr, &current);
    if (current.sa_handler != SIG_DFL) return true;
    std::this_thread::yield();
  }
  return false;
}

void expect_signal_drains(http_server& server, unsigned short port, int signal_number) {
  std::thread runner([&] { server.run_until_signal(); });
  if (!signal_handler_installed(signal_number)) {
    ADD_FAILURE() << "run_until_signal() did not install a handler for signal " << signal_number;
    server.stop();
  } else {
    std::raise(signal_number);
  }
  runner.join();  // run_until_signal() returns only after stop() and wait()
  EXPECT_TRUE(server.draining());
  EXPECT_EQ(connect_error(port), net::error::connection_refused);
}

TEST_F(HttpServerTest, RunUntilSignalDrainsOnSigterm) {
  const unsigned short port = start();
  expect_signal_drains(*server_, port, SIGTERM);
}

TEST_F(HttpServerTest, RunUntilSignalDrainsOnSigint) {
  const unsigned short port = start();
  expect_signal_drains(*server_, port, SIGINT);
}

// ---- stats ---------------------------------------------------------------------------------

TEST_F(HttpServerTest, StatsCountEveryOutcomeByValue) {
  server_config config;
  config.body_limit = 16;
  const unsigned short port = start(config);
  {
    test_client client(port);
    EXPECT_EQ(client.request("GET", "/cds-services").result_int(), 200U);
    EXPECT_EQ(client.request("GET", "/nowhere").result_int(), 404U);
    EXPECT_EQ(client.request("POST", "/cds-services/x", "{}", "text/plain").result_int(), 415U);
    EXPECT_EQ(client.request("POST", "/cds-services/throw", "{}").result_int(), 500U);
    test_client over_limit(port);
    EXPECT_EQ(over_limit.request("POST", "/cds-services/x", std::string(17, 'b')).result_int(), 413U);
    expect_closed_silently(over_limit);
  }
  server_stats_snapshot expected;
  expected.connections_accepted = 2;
  expected.connections_closed = 2;
  expected.requests_total = 4;
  expected.responses_2xx = 1;
  expected.responses_4xx = 3;
  expected.responses_5xx = 1;
  expected.responses_written = 5;
  expected.rejected_body_too_large = 1;
  expected.handler_exceptions = 1;
  const server_stats_snapshot actual = stats_after_stop();
  EXPECT_EQ(actual, expected);
  server_->stats().for_each([&](std::string_view name, std::string_view help, std::uint64_t) {
    EXPECT_FALSE(name.empty());
    EXPECT_FALSE(help.empty());
  });
}

// ---- connection limits ----------------------------------------------------------------------

const std::string too_many_connections_body =
    outcome("fatal", "transient", "too-many-connections", "The service has as many connections open as it allows.",
            "The service has as many connections open as it allows, in all or from this address; retry shortly.");

TEST_F(HttpServerTest, AConnectionOverTheGlobalCapIsAnswered503AndClosed) {
  server_config config;
  config.max_connections = 2;
  config.max_connections_per_peer = 2;
  const unsigned short port = start(config);
  {
    test_client first(port), second(port);
    ASSERT_EQ(first.request("GET", "/healthz").result_int(), 200);  // both accepted and registered
    ASSERT_EQ(second.request("GET", "/healthz").result_int(), 200);
    test_client third(port);
    const auto answer = third.read_until_close();
    EXPECT_EQ(answer.bytes.substr(0, answer.bytes.find("\r\n")), "HTTP/1.1 503 Service Unavailable");
    EXPECT_NE(answer.bytes.find("\r\nRetry-After: 1\r\n"), std::string::npos) << answer.bytes;
    EXPECT_EQ(answer.bytes.substr(answer.bytes.find("\r\n\r\n") + 4), too_many_connections_body);
    // The two that were in keep serving.
    EXPECT_EQ(first.request("GET", "/healthz").result_int(), 200);
  }
  EXPECT_EQ(stats_after_stop().rejected_connection_limit, 1U);
}

TEST_F(HttpServerTest, AConnectionOverThePerPeerCapIsAnswered503) {
  server_config config;
  config.max_connections_per_peer = 1;
  const unsigned short port = start(config);
  {
    test_client first(port);
    ASSERT_EQ(first.request("GET", "/healthz").result_int(), 200);
    test_client second(port);  // the same address
    const auto answer = second.read_until_close();
    EXPECT_EQ(answer.bytes.substr(answer.bytes.find("\r\n\r\n") + 4), too_many_connections_body);
  }
  EXPECT_EQ(stats_after_stop().rejected_connection_limit, 1U);
}

TEST_F(HttpServerTest, AConnectionOlderThanItsLifetimeClosesAfterItsNextResponse) {
  auto now = std::make_shared<std::atomic<std::int64_t>>(0);  // milliseconds on the injected clock
  server_config config;
  config.max_connection_lifetime = std::chrono::milliseconds(60'000);
  config.steady_now = [now] { return std::chrono::steady_clock::time_point(std::chrono::milliseconds(now->load())); };
  test_client client(start(config));
  const auto young = client.request("GET", "/healthz");
  EXPECT_TRUE(young.keep_alive());
  now->store(60'000);
  const auto old = client.request("GET", "/healthz");
  EXPECT_EQ(old.result_int(), 200);
  EXPECT_FALSE(old.keep_alive());
  EXPECT_EQ(client.read_until_close().error, net::error::eof);
}

TEST(ServerConfig, RejectsConnectionCapsThatCannotWork) {
  server_config per_peer_above_total;
  per_peer_above_total.max_connections = 10;
  per_peer_above_total.max_connections_per_peer = 11;
  EXPECT_THROW(validate(per_peer_above_total), std::invalid_argument);
  server_config no_lifetime;
  no_lifetime.max_connection_lifetime = std::chrono::milliseconds(0);
  EXPECT_THROW(validate(no_lifetime), std::invalid_argument);
}

}  // namespace
}  // namespace ivig::server

// tests/unit/server/router_test.cpp: the routing table, media types and handler containment.
//
// Pure unit tests of route(): no sockets, no threads; handler calls run in place or when the test
// runs them. Each row of the table states the whole
// outcome (status, Allow header, which handler method ran with which id, close flag), so a change
// to any route shows up as a failing row.
#include "hooks/server/router.hpp"

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "recording_handler.hpp"

namespace ivig::server {
namespace {

using protocol::error_code;
using testing::recording_handler;
using call = recording_handler::call;

std::optional<std::string> header(const http_reply& reply, std::string_view name) {
  for (const auto& [n, v] : reply.headers) {
    if (n == name) return v;
  }
  return std::nullopt;
}

struct route_case {
  std::string method;
  std::string target;
  std::optional<std::string> content_type;
  bool draining;
  unsigned status;
  std::optional<std::string> allow;
  std::vector<call> calls;  // what the handler must have been asked
  std::optional<error_code> error;
};

std::ostream& operator<<(std::ostream& os, const route_case& c) {
  os << c.method << " " << c.target;
  if (c.content_type) os << " [" << *c.content_type << "]";
  if (c.draining) os << " (draining)";
  return os;
}

const call discovery_call{"discovery", {}, {}};
const call health_call{"health", {}, {}};
const call readiness_call{"readiness", {}, {}};
call feedback_call(std::string id) {
  return {"feedback", std::move(id), "{}"};
}
call service_call(std::string id) {
  return {"call_service", std::move(id), "{}"};
}

const handler_dispatch in_place = [](std::function<void()> handler_call) { handler_call(); };

/// Routes `r` with handler calls run in place and returns its outcome, whether route() returned it
/// or the handler sent it (these handlers answer before returning). Fails the test when neither.
route_outcome route_now(route_request r, request_handler& handler, bool draining) {
  std::optional<route_outcome> sent;
  int sends = 0;
  std::optional<route_outcome> returned = route(std::move(r), handler, draining, in_place, [&](route_outcome out) {
    ++sends;
    sent = std::move(out);
  });
  EXPECT_EQ(sends + (returned ? 1 : 0), 1) << "exactly one outcome per request";
  if (returned) return std::move(*returned);
  if (sent) return std::move(*sent);
  ADD_FAILURE() << "no outcome";
  return {};
}

class RouteTable : public ::testing::TestWithParam<route_case> {};

TEST_P(RouteTable, GivesTheExpectedOutcome) {
  const route_case& c = GetParam();
  recording_handler handler;
  route_request r;
  r.method = c.method;
  r.target = c.target;
  if (c.content_type) r.content_type = *c.content_type;
  r.body = "{}";

  const route_outcome out = route_now(r, handler, c.draining);

  EXPECT_EQ(out.reply.status, c.status);
  EXPECT_EQ(header(out.reply, "Allow"), c.allow);
  EXPECT_EQ(handler.calls(), c.calls);
  EXPECT_EQ(out.error, c.error);
  EXPECT_EQ(out.close_connection, c.draining);
  EXPECT_EQ(out.reply.content_type, "application/json");
  if (c.error) {
    // The whole body is checked exactly in the tests below; here the stable code it carries.
    const std::string code(protocol::describe(*c.error).code);
    EXPECT_NE(out.reply.body.find(R"("system":"urn:ivig-cds:error","code":")" + code + '"'), std::string::npos)
        << out.reply.body;
  }
}

const std::vector<route_case> route_cases = {
    // Discovery.
    {"GET", "/cds-services", {}, false, 200, {}, {discovery_call}, {}},
    {"GET", "/cds-services/", {}, false, 200, {}, {discovery_call}, {}},
    {"GET", "/cds-services?x=1&y=/a/b", {}, false, 200, {}, {discovery_call}, {}},
    {"POST", "/cds-services", {}, false, 405, "GET", {}, error_code::method_not_allowed},
    {"PUT", "/cds-services/", {}, false, 405, "GET", {}, error_code::method_not_allowed},
    {"DELETE", "/cds-services", {}, false, 405, "GET", {}, error_code::method_not_allowed},
    {"get", "/cds-services", {}, false, 405, "GET", {}, error_code::method_not_allowed},
    // Service calls.
    {"POST",
     "/cds-services/ivig-order-select",
     "application/json",
     false,
     200,
     {},
     {service_call("ivig-order-select")},
     {}},
    {"POST", "/cds-services/Az09._-", "application/json", false, 200, {}, {service_call("Az09._-")}, {}},
    {"POST", "/cds-services/x?debug=1", "application/json", false, 200, {}, {service_call("x")}, {}},
    // No Content-Type at all: a cross-origin form or text POST could look like this (415).
    {"POST", "/cds-services/x", {}, false, 415, {}, {}, error_code::unsupported_media_type},
    {"POST", "/cds-services/x", "application/json", false, 200, {}, {service_call("x")}, {}},
    {"POST", "/cds-services/x", "application/fhir+json", false, 200, {}, {service_call("x")}, {}},
    {"POST", "/cds-services/x", "Application/JSON; charset=UTF-8", false, 200, {}, {service_call("x")}, {}},
    {"POST", "/cds-services/x", "application/fhir+json;charset=utf-8", false, 200, {}, {service_call("x")}, {}},
    {"POST", "/cds-services/x", " application/json ; charset=utf-8", false, 200, {}, {service_call("x")}, {}},
    {"POST", "/cds-services/x", "text/plain", false, 415, {}, {}, error_code::unsupported_media_type},
    {"POST", "/cds-services/x", "application/jsonp", false, 415, {}, {}, error_code::unsupported_media_type},
    {"POST", "/cds-services/x", "application/json-patch+json", false, 415, {}, {}, error_code::unsupported_media_type},
    {"POST",
     "/cds-services/x",
     "application/xml; charset=utf-8",
     false,
     415,
     {},
     {},
     error_code::unsupported_media_type},
    {"POST", "/cds-services/x", "", false, 415, {}, {}, error_code::unsupported_media_type},
    {"GET", "/cds-services/x", {}, false, 405, "POST", {}, error_code::method_not_allowed},
    {"GET", "/cds-services/x", "text/plain", false, 405, "POST", {}, error_code::method_not_allowed},
    {"PUT", "/cds-services/x", {}, false, 405, "POST", {}, error_code::method_not_allowed},
    // Health.
    {"GET", "/healthz", {}, false, 200, {}, {health_call}, {}},
    {"GET", "/healthz?probe=liveness", {}, false, 200, {}, {health_call}, {}},
    {"POST", "/healthz", {}, false, 405, "GET", {}, error_code::method_not_allowed},
    {"HEAD", "/healthz", {}, false, 405, "GET", {}, error_code::method_not_allowed},
    // Not found.
    {"GET", "/", {}, false, 404, {}, {}, error_code::route_not_found},
    {"GET", "", {}, false, 404, {}, {}, error_code::route_not_found},
    {"OPTIONS", "*", {}, false, 404, {}, {}, error_code::route_not_found},
    {"GET", "/cds-servicesx", {}, false, 404, {}, {}, error_code::route_not_found},
    {"GET", "/CDS-SERVICES", {}, false, 404, {}, {}, error_code::route_not_found},
    {"GET", "http://host/cds-services", {}, false, 404, {}, {}, error_code::route_not_found},
    {"POST", "/cds-services/a/b", {}, false, 404, {}, {}, error_code::route_not_found},
    {"POST", "/cds-services/x/feedback", "application/json", false, 200, {}, {feedback_call("x")}, {}},
    {"POST", "/cds-services/x/feedback", {}, false, 415, {}, {}, error_code::unsupported_media_type},
    {"GET", "/cds-services/x/feedback", {}, false, 405, "POST", {}, error_code::method_not_allowed},
    {"POST", "/cds-services/x/feedback", "text/plain", false, 415, {}, {}, error_code::unsupported_media_type},
    {"POST", "/cds-services/a/b/feedback", {}, false, 404, {}, {}, error_code::route_not_found},
    {"GET", "/readyz", {}, false, 200, {}, {readiness_call}, {}},
    {"POST", "/readyz", {}, false, 405, "GET", {}, error_code::method_not_allowed},
    {"GET", "/readyz", {}, true, 503, {}, {}, error_code::service_draining},
    {"POST", "/cds-services/x/", {}, false, 404, {}, {}, error_code::route_not_found},
    {"POST", "/cds-services//x", {}, false, 404, {}, {}, error_code::route_not_found},
    {"POST", "/cds-services/a%20b", {}, false, 404, {}, {}, error_code::route_not_found},
    {"POST", "/cds-services/a~b", {}, false, 404, {}, {}, error_code::route_not_found},
    {"POST", "/cds-services/a:b", {}, false, 404, {}, {}, error_code::route_not_found},
    {"POST", "/cds-services/.", {}, false, 404, {}, {}, error_code::route_not_found},
    {"POST", "/cds-services/..", {}, false, 404, {}, {}, error_code::route_not_found},
    {"GET", "/healthz/", {}, false, 404, {}, {}, error_code::route_not_found},
    {"GET", "/HEALTHZ", {}, false, 404, {}, {}, error_code::route_not_found},
    // Draining: every request gets 503 and the connection closes; the handler is not asked.
    {"GET", "/healthz", {}, true, 503, {}, {}, error_code::service_draining},
    {"GET", "/cds-services", {}, true, 503, {}, {}, error_code::service_draining},
    {"POST", "/cds-services/x", {}, true, 503, {}, {}, error_code::service_draining},
    {"GET", "/nowhere", {}, true, 503, {}, {}, error_code::service_draining},
};

/// "7_POST_cds_services_x_text_plain": the row number, then the request with punctuation as '_'.
std::string case_name(const ::testing::TestParamInfo<route_case>& info) {
  const route_case& c = info.param;
  std::string name = std::to_string(info.index) + "_" + c.method + "_" + c.target;
  if (c.content_type) name += "_" + *c.content_type;
  if (c.draining) name += "_draining";
  for (char& ch : name) {
    const bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
    if (!alnum) ch = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Router, RouteTable, ::testing::ValuesIn(route_cases), case_name);

route_request get(std::string_view target) {
  route_request r;
  r.method = "GET";
  r.target = target;
  return r;
}

TEST(Router, NotFoundIsTheExactOperationOutcome) {
  recording_handler handler;
  const route_outcome out = route_now(get("/nowhere"), handler, false);
  EXPECT_EQ(out.reply.status, 404U);
  EXPECT_EQ(
      out.reply.body,
      R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"not-found",)"
      R"("details":{"coding":[{"system":"urn:ivig-cds:error","code":"route-not-found",)"
      R"("display":"No endpoint has this path."}]},"diagnostics":"The endpoints are )"
      R"(GET /cds-services, POST /cds-services/{id}, POST /cds-services/{id}/feedback, GET /healthz and GET /readyz."}]})");
}

TEST(Router, MethodNotAllowedIsTheExactOperationOutcome) {
  recording_handler handler;
  route_request r = get("/cds-services/x");
  const route_outcome out = route_now(r, handler, false);
  EXPECT_EQ(out.reply.status, 405U);
  EXPECT_EQ(out.reply.body, R"({"resourceType":"OperationOutcome","issue":[{"severity":"error",)"
                            R"("code":"not-supported","details":{"coding":[{"system":"urn:ivig-cds:error",)"
                            R"("code":"method-not-allowed","display":"The endpoint does not accept this method."}]},)"
                            R"("diagnostics":"This endpoint accepts only POST."}]})");
}

TEST(Router, DrainingIsTheExactOperationOutcome) {
  recording_handler handler;
  const route_outcome out = route_now(get("/healthz"), handler, true);
  EXPECT_EQ(out.reply.status, 503U);
  EXPECT_EQ(out.reply.body, R"({"resourceType":"OperationOutcome","issue":[{"severity":"fatal","code":"transient",)"
                            R"("details":{"coding":[{"system":"urn:ivig-cds:error","code":"service-draining",)"
                            R"("display":"The service is shutting down."}]},"diagnostics":"The service is )"
                            R"(shutting down; retry on a new connection."}]})");
}

TEST(Router, ServiceCallReceivesTheIdAndTheBodyAsSent) {
  recording_handler handler;
  route_request r;
  r.method = "POST";
  r.target = "/cds-services/ivig-order-sign?x=1";
  r.content_type = "application/json";
  r.body = R"({"hook":"order-sign","context":{}})";
  const route_outcome out = route_now(r, handler, false);
  EXPECT_EQ(out.reply.status, 200U);
  EXPECT_EQ(out.reply.body, testing::service_body("ivig-order-sign"));
  EXPECT_EQ(handler.calls(),
            (std::vector<call>{{"call_service", "ivig-order-sign", R"({"hook":"order-sign","context":{}})"}}));
}

const std::string internal_error_body =
    R"({"resourceType":"OperationOutcome","issue":[{"severity":"fatal","code":"exception",)"
    R"("details":{"coding":[{"system":"urn:ivig-cds:error","code":"internal-error",)"
    R"("display":"The service failed; the failure has been logged."}]},)"
    R"("diagnostics":"The service failed; the failure has been logged."}]})";

TEST(Router, HandlerExceptionBecomes500WithoutTheExceptionText) {
  recording_handler handler;
  route_request r;
  r.method = "POST";
  r.target = "/cds-services/throw";
  r.content_type = "application/json";
  const route_outcome out = route_now(r, handler, false);
  EXPECT_EQ(out.reply.status, 500U);
  EXPECT_EQ(out.error, error_code::internal_error);
  EXPECT_EQ(out.reply.body, internal_error_body);
  EXPECT_EQ(out.reply.body.find("secret"), std::string::npos);
  EXPECT_FALSE(out.close_connection);
}

/// A handler whose every method returns `reply` or throws `thrown`.
class scripted_handler final : public request_handler {
 public:
  explicit scripted_handler(http_reply r) : reply(std::move(r)) {}
  http_reply discovery() override { return answer(); }
  void call_service(const caller&, std::string_view, std::string, reply_sink done) override { done.send(answer()); }
  http_reply health() override { return answer(); }
  void feedback(const caller&, std::string_view, std::string, reply_sink done) override { done.send(answer()); }
  http_reply readiness() override { return answer(); }
  void rejected(const rejection&, http_reply r, reply_sink done) override { done.send(std::move(r)); }
  void reload(reply_sink done) override { done.send(answer()); }
  http_reply reply;
  bool throw_int = false;

 private:
  http_reply answer() {
    if (throw_int) throw 42;  // not a std::exception
    return reply;
  }
};

TEST(Router, NonStandardExceptionBecomes500) {
  scripted_handler handler({});
  handler.throw_int = true;
  const route_outcome out = route_now(get("/healthz"), handler, false);
  EXPECT_EQ(out.reply.status, 500U);
  EXPECT_EQ(out.reply.body, internal_error_body);
}

TEST(Router, UnsendableHandlerReplyBecomes500) {
  for (const http_reply& bad :
       {http_reply{0, "", "application/json", {}}, http_reply{199, "", "application/json", {}},
        http_reply{600, "", "application/json", {}}, http_reply{204, "not empty", "application/json", {}},
        http_reply{304, "not empty", "application/json", {}}}) {
    scripted_handler handler(bad);
    const route_outcome out = route_now(get("/cds-services"), handler, false);
    EXPECT_EQ(out.reply.status, 500U) << "status " << bad.status;
    EXPECT_EQ(out.error, error_code::internal_error) << "status " << bad.status;
  }
}

TEST(Router, HandlerReplyPassesThroughUnchanged) {
  scripted_handler handler(http_reply{201, "created", "text/plain", {{"X-Trace", "abc"}, {"Link", "<a>"}}});
  const route_outcome out = route_now(get("/healthz"), handler, false);
  EXPECT_EQ(out.reply.status, 201U);
  EXPECT_EQ(out.reply.body, "created");
  EXPECT_EQ(out.reply.content_type, "text/plain");
  EXPECT_EQ(out.reply.headers, handler.reply.headers);
  EXPECT_FALSE(out.error.has_value());
}

TEST(Router, NoContentWithEmptyBodyIsSendable) {
  scripted_handler handler(http_reply{204, "", "", {}});
  EXPECT_EQ(route_now(get("/healthz"), handler, false).reply.status, 204U);
}

route_request post(std::string_view target) {
  route_request r;
  r.method = "POST";
  r.target = target;
  r.content_type = "application/json";
  r.body = "{}";
  return r;
}

/// The router's own 500: the exact body, marked as its error so that the session audits it.
void expect_internal_error(const route_outcome& out) {
  EXPECT_EQ(out.reply.status, 500U);
  EXPECT_EQ(out.error, error_code::internal_error);
  EXPECT_EQ(out.reply.body, internal_error_body);
}

TEST(Router, UnsendableServiceReplyBecomes500) {
  scripted_handler handler(http_reply{600, "", "application/json", {}});
  expect_internal_error(route_now(post("/cds-services/x"), handler, false));
}

TEST(Router, AHandlerThatDropsItsReplyIsAnswered500) {
  recording_handler handler;
  expect_internal_error(route_now(post("/cds-services/drop"), handler, false));
}

TEST(Router, ServiceCallsGoThroughTheDispatchAndAnswerWhenTheHandlerSends) {
  recording_handler handler;
  std::vector<std::function<void()>> dispatched;
  const handler_dispatch later = [&](std::function<void()> handler_call) {
    dispatched.push_back(std::move(handler_call));
  };
  std::vector<route_outcome> outcomes;
  const auto collect = [&](route_outcome out) { outcomes.push_back(std::move(out)); };

  EXPECT_FALSE(route(post("/cds-services/later"), handler, false, later, collect).has_value());
  EXPECT_FALSE(route(post("/cds-services/x/feedback"), handler, false, later, collect).has_value());
  // Discovery is answered at once, without the dispatch.
  const std::optional<route_outcome> discovery = route(get("/cds-services"), handler, false, later, collect);
  ASSERT_TRUE(discovery.has_value());
  EXPECT_EQ(discovery->reply.body, testing::discovery_body);
  EXPECT_TRUE(handler.calls() == (std::vector<call>{discovery_call}));
  ASSERT_EQ(dispatched.size(), 2U);
  EXPECT_TRUE(outcomes.empty());

  for (auto& handler_call : dispatched) handler_call();
  // The feedback call answered as it ran; the service call waits for its reply.
  ASSERT_EQ(outcomes.size(), 1U);
  EXPECT_EQ(outcomes[0].reply.body, "{}");
  handler.answer_later([](std::size_t) { return std::string(R"({"cards":[]})"); });
  ASSERT_EQ(outcomes.size(), 2U);
  EXPECT_EQ(outcomes[1].reply.status, 200U);
  EXPECT_EQ(outcomes[1].reply.body, R"({"cards":[]})");
  EXPECT_FALSE(outcomes[1].error.has_value());
  EXPECT_EQ(handler.calls(), (std::vector<call>{discovery_call, service_call("later"), feedback_call("x")}));
}

TEST(Router, AThrowingDispatchIsAnswered500) {
  recording_handler handler;
  const handler_dispatch broken = [](std::function<void()>) { throw std::runtime_error("pool stopped"); };
  std::vector<route_outcome> outcomes;
  EXPECT_FALSE(route(post("/cds-services/x"), handler, false, broken, [&](route_outcome out) {
                 outcomes.push_back(std::move(out));
               }).has_value());
  ASSERT_EQ(outcomes.size(), 1U);
  EXPECT_EQ(outcomes[0].reply.status, 500U);
  EXPECT_EQ(outcomes[0].error, error_code::internal_error);
  EXPECT_TRUE(handler.calls().empty());
}

TEST(Router, ReloadIsForLoopbackPeersOnlyAndInvisibleToOthers) {
  recording_handler handler;
  for (const char* peer : {"127.0.0.1:5000", "[::1]:5000", "[::ffff:127.0.0.1]:5000"}) {
    route_request r = post("/admin/reload");
    r.peer = peer;
    const route_outcome out = route_now(std::move(r), handler, false);
    EXPECT_EQ(out.reply.status, 200U) << peer;
    EXPECT_EQ(out.reply.body, R"({"reloaded":true})") << peer;
  }
  EXPECT_EQ(handler.calls(), (std::vector<call>(3, call{"reload", {}, {}})));
  // Elsewhere it answers exactly as a path that does not exist, and the handler never hears of it.
  const route_outcome unknown = route_now(get("/nowhere"), handler, false);
  for (const char* peer : {"10.0.0.7:5000", "[2001:db8::1]:5000", "128.0.0.1:5000", "[::ffff:10.0.0.1]:5000", ""}) {
    route_request r = post("/admin/reload");
    r.peer = peer;
    const route_outcome out = route_now(std::move(r), handler, false);
    EXPECT_EQ(out.reply.status, 404U) << peer;
    EXPECT_EQ(out.reply.body, unknown.reply.body) << peer;
  }
  EXPECT_EQ(handler.calls().size(), 3U);
}

TEST(Router, ReloadTakesOnlyPostAndNeedsNoToken) {
  recording_handler handler;
  route_request r = get("/admin/reload");
  r.peer = "127.0.0.1:5000";
  const route_outcome out = route_now(std::move(r), handler, false);
  EXPECT_EQ(out.reply.status, 405U);
  EXPECT_EQ(header(out.reply, "Allow"), "POST");
  // An authenticator guards the EHR's endpoints; the host's operator has no EHR token to show.
  class refusing_authenticator final : public request_authenticator {
   public:
    void authenticate(authentication_request, done_function) override { ADD_FAILURE() << "asked for a reload"; }
  } auth;
  route_request loopback = post("/admin/reload");
  loopback.peer = "127.0.0.1:5000";
  std::vector<route_outcome> outcomes;
  EXPECT_FALSE(route(
      std::move(loopback), handler, false, in_place, [&](route_outcome o) { outcomes.push_back(std::move(o)); },
      &auth));
  ASSERT_EQ(outcomes.size(), 1U);
  EXPECT_EQ(outcomes[0].reply.status, 200U);
}

TEST(Router, ErrorReplyUsesTheStatusAndBodyOfEveryErrorCode) {
  for (int i = 0; i <= static_cast<int>(error_code::internal_error); ++i) {
    const auto code = static_cast<error_code>(i);
    const http_reply reply = error_reply(code, "diag");
    EXPECT_EQ(reply.status, protocol::describe(code).http_status) << protocol::describe(code).code;
    EXPECT_EQ(reply.body, protocol::operation_outcome_json(code, "diag"));
    EXPECT_EQ(reply.content_type, "application/json");
  }
}

TEST(MediaType, JsonTypesWithParametersInAnyCaseAreJson) {
  for (const char* t :
       {"application/json", "application/fhir+json", "APPLICATION/JSON", "application/json;charset=utf-8",
        "application/json; charset=\"utf-8\"", "\tapplication/fhir+json\t;q=1"}) {
    EXPECT_TRUE(is_json_media_type(t)) << t;
  }
  for (const char* t : {"", ";", "text/json", "application/jsonx", "application/json+fhir",
                        "application/x-www-form-urlencoded", "application/ json", "json"}) {
    EXPECT_FALSE(is_json_media_type(t)) << t;
  }
}

}  // namespace
}  // namespace ivig::server

// ---- with an authenticator ---------------------------------------------------------------------

namespace ivig::server {
namespace {

/// Holds each decision until the test gives it (an authenticator waiting for a JWK Set), or throws.
class held_authenticator final : public request_authenticator {
 public:
  void authenticate(authentication_request request, done_function done) override {
    if (throws) throw std::runtime_error("secret-detail-from-the-authenticator");
    asked.push_back(request);
    pending.push_back(std::move(done));
  }
  std::vector<authentication_request> asked;
  std::vector<done_function> pending;
  bool throws = false;
};

}  // namespace

TEST(RouterAuthentication, TheHandlerRunsOnlyOnceTheCallerIsAcceptedAndSeesWhoItIs) {
  recording_handler handler;
  held_authenticator auth;
  std::vector<route_outcome> outcomes;
  std::string target = "/cds-services/ivig-order-sign?x=1";
  route_request r = post(target);
  const std::string authorization = "Bearer a.b.c";
  r.authorization = authorization;
  r.peer = "127.0.0.1:5000";
  EXPECT_FALSE(route(
      std::move(r), handler, false, in_place, [&](route_outcome o) { outcomes.push_back(std::move(o)); }, &auth));
  target.assign(target.size(), 'x');  // the request's memory is gone once route() returns
  ASSERT_EQ(auth.asked.size(), 1u);
  EXPECT_EQ(auth.asked[0].path, "/cds-services/ivig-order-sign");
  EXPECT_EQ(auth.asked[0].authorization, "Bearer a.b.c");
  EXPECT_EQ(auth.asked[0].peer, "127.0.0.1:5000");
  EXPECT_TRUE(handler.calls().empty());  // nothing ran before the decision

  authentication_outcome accepted;
  accepted.accepted = caller{"127.0.0.1:5000", "https://ehr.example.org", "client-7", "tenant-a", "jti-1"};
  auth.pending[0](accepted);
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].reply.status, 200u);
  EXPECT_EQ(handler.calls(), (std::vector<call>{service_call("ivig-order-sign")}));
  EXPECT_EQ(handler.last_caller.issuer, "https://ehr.example.org");
  EXPECT_EQ(handler.last_caller.token_id, "jti-1");
}

TEST(RouterAuthentication, ARefusalIsA401WithTheReasonAndNoHandlerCall) {
  recording_handler handler;
  held_authenticator auth;
  std::vector<route_outcome> outcomes;
  route_request r;
  r.method = "GET";
  r.target = "/cds-services";
  EXPECT_FALSE(route(
      std::move(r), handler, false, in_place, [&](route_outcome o) { outcomes.push_back(std::move(o)); }, &auth));
  authentication_outcome refused;
  refused.failure = {"token-missing", "This service requires Authorization: Bearer <JWT>.", true};
  auth.pending[0](refused);
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].reply.status, 401u);
  EXPECT_EQ(outcomes[0].error, error_code::unauthorized);
  EXPECT_EQ(outcomes[0].reason, "token-missing");
  EXPECT_EQ(header(outcomes[0].reply, "WWW-Authenticate"), R"(Bearer realm="ivig-cds")");
  EXPECT_TRUE(handler.calls().empty());
}

TEST(RouterAuthentication, HealthReadinessAndPreflightsAreNeverAuthenticated) {
  recording_handler handler;
  held_authenticator auth;
  for (const auto& [method, target] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/healthz"}, {"GET", "/readyz"}, {"OPTIONS", "/cds-services/ivig-order-select"}}) {
    route_request r;
    r.method = method;
    r.target = target;
    const auto out = route(
        std::move(r), handler, false, in_place, [](route_outcome) {}, &auth);
    ASSERT_TRUE(out) << target;
    EXPECT_EQ(out->reply.status, method == "OPTIONS" ? 204u : 200u) << target;
  }
  EXPECT_TRUE(auth.asked.empty());
}

TEST(RouterAuthentication, AnAuthenticatorThatThrowsIsA500WithoutItsText) {
  recording_handler handler;
  held_authenticator auth;
  auth.throws = true;
  std::vector<route_outcome> outcomes;
  EXPECT_FALSE(route(
      post("/cds-services/ivig-order-select"), handler, false, in_place,
      [&](route_outcome o) { outcomes.push_back(std::move(o)); }, &auth));
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].reply.status, 500u);
  EXPECT_EQ(outcomes[0].reply.body.find("secret-detail"), std::string::npos);
  EXPECT_TRUE(handler.calls().empty());
}

}  // namespace ivig::server

// ---- metrics: route templates and the metrics listener's routing --------------------------------

namespace ivig::server {
namespace {

TEST(RouteTemplate, NamesTheRouteNeverThePath) {
  EXPECT_EQ(route_template("/cds-services"), "/cds-services");
  EXPECT_EQ(route_template("/cds-services/"), "/cds-services");
  EXPECT_EQ(route_template("/cds-services/ivig-order-select?patient=123"), "/cds-services/{id}");
  EXPECT_EQ(route_template("/cds-services/anything-at-all"), "/cds-services/{id}");
  EXPECT_EQ(route_template("/cds-services/ivig-order-sign/feedback"), "/cds-services/{id}/feedback");
  EXPECT_EQ(route_template("/healthz"), "/healthz");
  EXPECT_EQ(route_template("/readyz"), "/readyz");
  EXPECT_EQ(route_template("/Patient/123"), "other");
  EXPECT_EQ(route_template("/cds-services/a/b"), "other");
  EXPECT_EQ(route_template("/metrics"), "other");  // the main listener has no /metrics
}

TEST(RouteMetrics, AnswersGetMetricsOnlyAndContainsAFailingExporter) {
  const std::function<http_reply()> metrics = [] {
    http_reply reply;
    reply.body = "ivig_cds_up 1\n";
    reply.content_type = "text/plain; version=0.0.4";
    return reply;
  };
  const route_outcome ok = route_metrics("GET", "/metrics?x=1", metrics);
  EXPECT_EQ(ok.reply.status, 200u);
  EXPECT_EQ(ok.reply.body, "ivig_cds_up 1\n");
  EXPECT_FALSE(ok.error);
  const route_outcome post = route_metrics("POST", "/metrics", metrics);
  EXPECT_EQ(post.reply.status, 405u);
  EXPECT_EQ(header(post.reply, "Allow"), "GET");
  EXPECT_EQ(route_metrics("GET", "/cds-services", metrics).reply.status, 404u);
  EXPECT_EQ(route_metrics("GET", "/healthz", metrics).reply.status, 404u);
  const route_outcome failed = route_metrics("GET", "/metrics", []() -> http_reply { throw std::runtime_error("x"); });
  EXPECT_EQ(failed.reply.status, 500u);
  EXPECT_EQ(failed.error, error_code::internal_error);
}

}  // namespace
}  // namespace ivig::server

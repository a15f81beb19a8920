// tests/integration/authentication_test.cpp: CDS client authentication by JWT, over HTTP to the real
// server: the spec's signed example, tokens minted with keys generated for the run (ES384, RS384),
// every refusal with its exact status, reason code, diagnostics and challenge, jku JWK Sets fetched
// over real TLS, the replay cache, CORS on a 401, the caller in a real SQLite audit log, and the
// binding of issuers to the FHIR servers they may name. The clock is injected.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <mutex>

#include "fhir/client/cpprest_fhir_client.hpp"
#include "hooks/audit/record_json.hpp"
#include "hooks/audit/sqlite_store.hpp"
#include "hooks/auth/jwt_authenticator.hpp"
#include "tests/support/audit_entries.hpp"
#include "tests/support/fhir_builders.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/jwt_minting.hpp"
#include "tests/support/scratch_folder.hpp"
#include "tests/support/test_support.hpp"
#include "tests/support/tls_fhir_server.hpp"

using namespace ivig::test;
namespace auth = ivig::auth;

namespace {

constexpr std::int64_t now_seconds = 1795348800;  // 2026-11-22T12:00:00Z, scenario_now()
const std::string public_url = "https://cds.example.org";
const std::string ehr = "https://ehr.example.org";
const std::string discovery_aud = public_url + "/cds-services";

/// The claims of a token; every field can be changed or left out (an empty string or nullopt).
struct claims {
  std::string iss = ehr;
  std::string aud = discovery_aud;
  std::optional<std::int64_t> iat = now_seconds - 10;
  std::optional<std::int64_t> exp = now_seconds + 290;
  std::optional<std::int64_t> nbf{};
  std::string jti;
  std::string tenant{};
  std::string sub{};

  std::string json() const {
    std::string out = "{";
    auto add = [&](const std::string& member) { out += (out.size() > 1 ? "," : "") + member; };
    if (!iss.empty()) add(R"("iss":")" + iss + '"');
    if (!aud.empty()) add(R"("aud":")" + aud + '"');
    if (iat) add(R"("iat":)" + std::to_string(*iat));
    if (exp) add(R"("exp":)" + std::to_string(*exp));
    if (nbf) add(R"("nbf":)" + std::to_string(*nbf));
    if (!jti.empty()) add(R"("jti":")" + jti + '"');
    if (!tenant.empty()) add(R"("tenant":")" + tenant + '"');
    if (!sub.empty()) add(R"("sub":")" + sub + '"');
    return out + "}";
  }
};

std::string fresh_jti() {
  static std::atomic<int> n{0};
  return "jti-" + std::to_string(++n);
}

class Authentication : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    es384_ = new test_signing_key(test_signing_key::es384("es384-key"));
    rs384_ = new test_signing_key(test_signing_key::rs384("rs384-key"));
    es256_ = new test_signing_key(test_signing_key::es256("es256-key"));
  }
  static void TearDownTestSuite() {
    delete es384_;
    delete rs384_;
    delete es256_;
  }

  /// Settings with the EHR issuer registered with the ES384, RS384 and ES256 keys.
  auth::auth_settings settings() const {
    auth::auth_settings s;
    auth::issuer_settings issuer;
    issuer.issuer = ehr;
    issuer.jwks_json = jwks_of({es384_, rs384_, es256_});
    s.issuers.push_back(issuer);
    s.public_urls = {public_url};
    return s;
  }

  void start(auth::auth_settings s, std::shared_ptr<ivig::fhir::client::fhir_client> jku_client = nullptr,
             running_service::authenticated_setup setup = {}) {
    auto made = auth::jwt_authenticator::create(
        std::move(s), std::move(jku_client), [this] { return now_.load(); },
        [this](std::string_view line) {
          const std::lock_guard lock(log_mutex_);
          log_.emplace_back(line);
        });
    ASSERT_TRUE(made) << made.error();
    authenticator_ = *made;
    setup.authenticator = authenticator_.get();
    server_ = std::make_unique<running_service>(scenario_now(), std::move(setup));
  }

  http_result discovery(const std::string& token) const {
    return http_request(server_->port(), "GET", "/cds-services", {}, "application/json", token);
  }

  /// A token over `c` (a fresh jti unless one is set) with `key`.
  static std::string token(claims c, const test_signing_key& key = *es384_,
                           std::map<std::string, std::string> header = {}) {
    if (c.jti.empty()) c.jti = fresh_jti();
    return key.sign(c.json(), std::move(header));
  }

  /// Asserts a 401 with exactly this reason and diagnostics, and the Bearer challenge.
  void expect_refused(const http_result& r, const std::string& reason, const std::string& diagnostics) const {
    EXPECT_EQ(r.status, 401u) << r.body;
    EXPECT_EQ(r.body,
              R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"login","details":{"coding":[)"
              R"({"system":"urn:ivig-cds:error","code":"unauthorized","display":"The request carries no valid )"
              R"(credentials."},{"system":"urn:ivig-cds:auth-reason","code":")" +
                  reason + R"("}]},"diagnostics":")" + diagnostics + R"("}]})");
    const auto challenge = r.headers.find("www-authenticate");
    ASSERT_NE(challenge, r.headers.end());
    if (reason == "token-missing")
      EXPECT_EQ(challenge->second, R"(Bearer realm="ivig-cds")");
    else
      EXPECT_EQ(challenge->second,
                R"(Bearer realm="ivig-cds", error="invalid_token", error_description=")" + reason + "\"");
    EXPECT_EQ(authenticator_->counters().accepted(), accepted_before_);
  }

  std::vector<std::string> log_lines() {
    const std::lock_guard lock(log_mutex_);
    return log_;
  }

  static test_signing_key* es384_;
  static test_signing_key* rs384_;
  static test_signing_key* es256_;
  std::atomic<std::int64_t> now_{now_seconds};
  std::shared_ptr<auth::jwt_authenticator> authenticator_;
  std::unique_ptr<running_service> server_;
  std::uint64_t accepted_before_ = 0;
  std::mutex log_mutex_;
  std::vector<std::string> log_;
};

test_signing_key* Authentication::es384_ = nullptr;
test_signing_key* Authentication::rs384_ = nullptr;
test_signing_key* Authentication::es256_ = nullptr;

}  // namespace

TEST_F(Authentication, TheSpecsSignedExampleVerifiesWithItsJwks) {
  // The 2.0.1 spec's ES384 token (aud .../some-service) and the JWKS of its example, at a time
  // between its iat (2011) and exp (2015): authenticated, then answered by the service (no such id).
  auth::auth_settings s;
  auth::issuer_settings issuer;
  issuer.issuer = "https://fhir-ehr.example.com/";
  issuer.jwks_json = read_file(shared_dir() / "cds-hooks/examples/spec201-24-example.json");
  s.issuers.push_back(issuer);
  s.public_urls = {public_url};
  s.max_lifetime = std::chrono::seconds(200'000'000);  // its exp - iat is 3.5 years
  now_ = 1400000000;
  start(s);
  std::string jwt = read_file(shared_dir() / "cds-hooks/examples/spec201-example-jwt-es384.txt");
  while (!jwt.empty() && (jwt.back() == '\n' || jwt.back() == '\r')) jwt.pop_back();
  const http_result r =
      http_request(server_->port(), "POST", "/cds-services/some-service", "{}", "application/json", jwt);
  EXPECT_EQ(r.status, 404u) << r.body;
  EXPECT_NE(r.body.find("unknown-service"), std::string::npos) << r.body;
  EXPECT_EQ(authenticator_->counters().accepted(), 1u);

  // The same token today: long expired.
  now_ = now_seconds;
  const http_result late =
      http_request(server_->port(), "POST", "/cds-services/some-service", "{}", "application/json", jwt);
  accepted_before_ = 1;
  expect_refused(late, "token-expired", "The token expired 372779940 s ago (allowed clock skew 60 s).");
}

TEST_F(Authentication, Es384AndRs384TokensAreAccepted) {
  start(settings());
  const http_result es = discovery(token({}));
  EXPECT_EQ(es.status, 200u) << es.body;
  EXPECT_NE(es.body.find("ivig-order-select"), std::string::npos);
  const http_result rs = discovery(token({}, *rs384_));
  EXPECT_EQ(rs.status, 200u) << rs.body;
  EXPECT_EQ(authenticator_->counters().accepted(), 2u);
}

TEST_F(Authentication, HealthAndReadinessNeedNoToken) {
  start(settings());
  EXPECT_EQ(server_->get("/healthz").status, 200u);
  EXPECT_EQ(server_->get("/readyz").status, 200u);
}

TEST_F(Authentication, EveryRefusalHasItsReasonDiagnosticsAndChallenge) {
  auto s = settings();
  s.issuers[0].tenants = {"tenant-a"};
  start(s);
  const std::string public_jwk = es384_->public_jwk();

  struct refusal_case {
    std::string authorization;
    std::string reason;
    std::string diagnostics;
  };
  claims wrong_tenant;
  wrong_tenant.tenant = "tenant-b";
  claims tenant_ok;
  tenant_ok.tenant = "tenant-a";
  std::string tampered = token(tenant_ok);
  {
    // The claims changed after signing: the signature no longer matches.
    claims other = tenant_ok;
    other.sub = "someone-else";
    other.jti = fresh_jti();
    tampered =
        tampered.substr(0, tampered.find('.')) + "." + base64url(other.json()) + tampered.substr(tampered.rfind('.'));
  }
  claims expired;
  expired.iat = now_seconds - 700;
  expired.exp = now_seconds - 61;
  claims not_yet;
  not_yet.nbf = now_seconds + 120;
  claims future;
  future.iat = now_seconds + 61;
  future.exp = now_seconds + 300;
  claims long_lived;
  long_lived.exp = now_seconds + 3600;  // exp - iat = 3610 s
  claims unknown_iss;
  unknown_iss.iss = "https://attacker.example.org";
  claims wrong_aud;
  wrong_aud.aud = "https://other.example.org/cds-services";
  claims no_jti;
  no_jti.jti = "";
  const std::vector<refusal_case> cases{
      {"", "token-missing", "This service requires Authorization: Bearer <JWT>."},
      {"Basic dXNlcjpwYXNz", "not-bearer", "The Authorization header must use the Bearer scheme."},
      {std::string(8193, 'a'), "token-too-large", "The token is longer than 8192 bytes."},
      {"abc.def", "token-malformed", "The token is not three dot-separated segments (JWS compact form)."},
      {"a$b.c.d", "token-malformed", "A segment of the token is not base64url."},
      {base64url("[1]") + "." + base64url("{}") + ".", "token-malformed", "The token's header is not a JSON object."},
      {assemble_token(R"({"alg":"none","typ":"JWT","kid":"es384-key"})",
                      claims{ehr, discovery_aud, now_seconds - 10, now_seconds + 290, {}, fresh_jti()}.json(), ""),
       "algorithm-refused", "The token's alg is not one this service accepts."},
      {hs256_token(public_jwk, R"({"alg":"HS256","typ":"JWT","kid":"es384-key"})",
                   claims{ehr, discovery_aud, now_seconds - 10, now_seconds + 290, {}, fresh_jti()}.json()),
       "algorithm-refused", "The token's alg is not one this service accepts."},
      {token({}, *es256_), "algorithm-refused", "The token's alg is not one this service accepts."},
      {token({}, *es384_, {{"typ", "JOSE+JSON"}}), "token-type-invalid", "The token's typ is not JWT."},
      {token({}, *es384_, {{"kid", ""}}), "claim-missing", "The token's header has no kid."},
      {token(unknown_iss), "issuer-unknown", "The token's iss is not a registered issuer."},
      {token(wrong_aud), "audience-mismatch",
       "The token's aud is not the URL of the endpoint called (https://cds.example.org/cds-services)."},
      {es384_->sign(no_jti.json()), "claim-missing", "The token lacks exp, iat or jti."},
      {token(expired), "token-expired", "The token expired 61 s ago (allowed clock skew 60 s)."},
      {token(not_yet), "token-not-yet-valid", "The token is not valid for another 120 s."},
      {token(future), "token-issued-in-future", "The token was issued 61 s in the future (allowed clock skew 60 s)."},
      {token(long_lived), "lifetime-too-long",
       "The token's lifetime (exp - iat = 3610 s) exceeds this site's maximum of 3600 s (local policy)."},
      {token(wrong_tenant), "tenant-refused", "The token's tenant is not one its issuer may call for."},
      {token(tenant_ok, *es384_, {{"kid", "no-such-key"}}), "key-unknown",
       "No key registered for the token's issuer has its kid."},
      {token(tenant_ok, *rs384_, {{"kid", "es384-key"}}), "key-mismatch",
       "The key with the token's kid cannot verify its alg."},
      {tampered, "signature-invalid", "The token's signature does not verify."},
      {token(tenant_ok, *es384_, {{"jku", "https://attacker.example.org/jwks"}, {"kid", "their-key"}}),
       "jku-not-allowed", "The token's jku is not on its issuer's allowlist."},
  };
  std::size_t counted = 0;
  for (const refusal_case& c : cases) {
    SCOPED_TRACE(c.reason + ": " + c.diagnostics);
    expect_refused(discovery(c.authorization), c.reason, c.diagnostics);
    ++counted;
  }
  std::uint64_t total = 0;
  for (const auto& [reason, count] : authenticator_->counters().nonzero()) total += count;
  EXPECT_EQ(total, counted);
  EXPECT_EQ(authenticator_->counters().refused(auth::refusal_reason::algorithm_refused), 3u);
  EXPECT_EQ(authenticator_->counters().refused(auth::refusal_reason::claim_missing), 2u);
  // A valid token for the allowed tenant still passes after all that.
  EXPECT_EQ(discovery(token(tenant_ok)).status, 200u);
}

TEST_F(Authentication, AReplayedTokenIsRefusedForItsLifetimeOnly) {
  start(settings());
  const std::string once = token({});
  EXPECT_EQ(discovery(once).status, 200u);
  accepted_before_ = 1;
  expect_refused(discovery(once), "token-replayed", "This token (its jti) was used before.");
  // The same jti from another issuer is another token; the same jti after the first expired is new.
  now_ = now_seconds + 290 + 61;
  claims again;
  again.iat = now_.load() - 10;
  again.exp = now_.load() + 290;
  again.jti = "jti-reused";
  EXPECT_EQ(discovery(token(again)).status, 200u);
}

TEST_F(Authentication, AFullReplayCacheRefusesRatherThanForgets) {
  auto s = settings();
  s.replay_capacity = 2;
  start(s);
  EXPECT_EQ(discovery(token({})).status, 200u);
  EXPECT_EQ(discovery(token({})).status, 200u);
  accepted_before_ = 2;
  expect_refused(discovery(token({})), "replay-cache-full",
                 "The service cannot remember more token ids now; retry with a new token shortly.");
  now_ = now_seconds + 290 + 61;  // both remembered tokens expired: room again
  claims later;
  later.iat = now_.load() - 10;
  later.exp = now_.load() + 290;
  EXPECT_EQ(discovery(token(later)).status, 200u);
}

TEST_F(Authentication, RefusalsAreLoggedWithoutTheTokenAndRateLimited) {
  start(settings());
  claims expired;
  expired.iat = now_seconds - 700;
  expired.exp = now_seconds - 100;
  expired.jti = "expired-1";
  const std::string jwt = token(expired);
  expect_refused(discovery(jwt), "token-expired", "The token expired 100 s ago (allowed clock skew 60 s).");
  const auto lines = log_lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_TRUE(lines[0].starts_with("authentication refused: reason=token-expired peer=127.0.0.1:")) << lines[0];
  EXPECT_TRUE(lines[0].ends_with(" iss=https://ehr.example.org kid=es384-key jti=expired-1")) << lines[0];
  for (const std::string& segment : {jwt.substr(0, jwt.find('.')), jwt.substr(jwt.rfind('.') + 1)})
    EXPECT_EQ(lines[0].find(segment), std::string::npos);
  // A flood: ten lines a second, then one line that counts the rest.
  for (int i = 0; i < 25; ++i) discovery("");
  EXPECT_EQ(log_lines().size(), 10u);
  now_ = now_seconds + 1;
  discovery("");
  const auto after = log_lines();
  ASSERT_EQ(after.size(), 12u);
  EXPECT_EQ(after[10], "authentication: 16 more refusals not logged one by one");
}

TEST_F(Authentication, A401CarriesCorsHeadersForAnAllowedOrigin) {
  running_service::authenticated_setup setup;
  setup.config.cors_origins = {"https://sandbox.cds-hooks.org"};
  start(settings(), nullptr, setup);
  const http_result r =
      http_exchange(server_->port(), "GET", "/cds-services", {{"Origin", "https://sandbox.cds-hooks.org"}});
  expect_refused(r, "token-missing", "This service requires Authorization: Bearer <JWT>.");
  EXPECT_EQ(r.headers.at("access-control-allow-origin"), "https://sandbox.cds-hooks.org");
  EXPECT_EQ(r.headers.at("vary"), "Origin");
  // The preflight itself carries no token and is answered.
  const http_result preflight = http_exchange(server_->port(), "OPTIONS", "/cds-services/ivig-order-select",
                                              {{"Origin", "https://sandbox.cds-hooks.org"},
                                               {"Access-Control-Request-Method", "POST"},
                                               {"Access-Control-Request-Headers", "authorization, content-type"}});
  EXPECT_EQ(preflight.status, 204u);
  EXPECT_EQ(preflight.headers.at("access-control-allow-headers"), "Authorization, Content-Type");
}

// ---- jku ------------------------------------------------------------------------------------

class JkuAuthentication : public Authentication {
 protected:
  void start_with_jku(std::chrono::seconds min_refresh = std::chrono::seconds(60)) {
    tls_.put_document("/jwks.json", "application/jwk-set+json", jwks_of({es384_}));
    auth::auth_settings s;
    auth::issuer_settings issuer;
    issuer.issuer = ehr;
    issuer.jku_allow = {tls_.url("/jwks.json"), tls_.url("/not-a-jwks.json"), closed_jku};
    s.issuers.push_back(issuer);
    s.public_urls = {public_url};
    s.jku_min_refresh = min_refresh;
    ivig::fhir::client::client_options options;
    options.policy = {issuer.jku_allow, false};
    options.ca_file = tls_.certificate_file();
    options.accept = "application/jwk-set+json, application/json";
    options.media_types = {"application/jwk-set+json", "application/json"};
    start(s, std::make_shared<ivig::fhir::client::cpprest_fhir_client>(options));
  }
  std::string jku_token(const test_signing_key& key, const std::string& path = "/jwks.json") {
    return token({}, key, {{"jku", tls_.url(path)}});
  }
  tls_fhir_server tls_;
  const std::string closed_jku = "https://127.0.0.1:1/jwks.json";  // nothing listens on port 1
};

TEST_F(JkuAuthentication, KeysComeFromTheAllowlistedJkuOverTlsAndAreCached) {
  start_with_jku();
  EXPECT_EQ(discovery(jku_token(*es384_)).status, 200u);
  EXPECT_EQ(discovery(jku_token(*es384_)).status, 200u);
  EXPECT_EQ(tls_.requests_for("/jwks.json"), 1);  // fetched once, then from the cache
}

TEST_F(JkuAuthentication, AnUnknownKidRefreshesTheSetAtABoundedRate) {
  start_with_jku();
  EXPECT_EQ(discovery(jku_token(*es384_)).status, 200u);
  // The issuer rotates: the new key is published. Within a minute of the last fetch its token
  // waits; after it, the new kid refreshes the set.
  tls_.put_document("/jwks.json", "application/jwk-set+json", jwks_of({es384_, rs384_}));
  accepted_before_ = 1;
  expect_refused(discovery(jku_token(*rs384_)), "key-unknown",
                 "Neither the registered keys nor the jku's JWK Set have the token's kid.");
  EXPECT_EQ(tls_.requests_for("/jwks.json"), 1);
  now_ = now_seconds + 60;
  EXPECT_EQ(discovery(jku_token(*rs384_)).status, 200u);
  EXPECT_EQ(tls_.requests_for("/jwks.json"), 2);
  // A stream of made-up kids costs one fetch a minute, not one per token.
  accepted_before_ = 2;
  const auto made_up = [&](int i) {
    return token({}, *es384_, {{"jku", tls_.url("/jwks.json")}, {"kid", "made-up-" + std::to_string(i)}});
  };
  for (int i = 0; i < 3; ++i)
    expect_refused(discovery(made_up(i)), "key-unknown",
                   "Neither the registered keys nor the jku's JWK Set have the token's kid.");
  EXPECT_EQ(tls_.requests_for("/jwks.json"), 2);
  now_ = now_seconds + 120;
  expect_refused(discovery(made_up(3)), "key-unknown",
                 "Neither the registered keys nor the jku's JWK Set have the token's kid.");
  EXPECT_EQ(tls_.requests_for("/jwks.json"), 3);
}

TEST_F(JkuAuthentication, AnUnreachableJkuIsRefusedWithItsCause) {
  start_with_jku();
  // Allowlisted, but it answers a FHIR Bundle as FHIR JSON: not a JWK Set.
  expect_refused(discovery(jku_token(*es384_, "/not-a-jwks.json")), "jku-unreachable",
                 "The JWK Set at the token's jku could not be fetched (a Content-Type that is not JWK Set JSON).");
  expect_refused(discovery(token({}, *es384_, {{"jku", closed_jku}})), "jku-unreachable",
                 "The JWK Set at the token's jku could not be fetched (connection failed).");
}

// ---- the caller in the audit log; issuers bound to FHIR servers ----------------------------------

TEST_F(Authentication, TheAuditLogRecordsWhoCalledNeverTheToken) {
  const scratch_folder dir("auth-audit");
  ivig::audit::audit_options options;
  options.path = dir.file("audit.sqlite3");
  options.log = [](std::string_view) {};
  running_service::authenticated_setup setup;
  setup.audit = std::make_shared<ivig::audit::sqlite_audit_store>(options);
  start(settings(), nullptr, setup);

  claims call;
  call.aud = public_url + "/cds-services/ivig-order-select";
  call.tenant = "tenant-a";
  call.sub = "epic-client-7";
  call.jti = "call-jti-1";
  const std::string jwt = token(call);
  const http_result answered = http_request(server_->port(), "POST", "/cds-services/ivig-order-select",
                                            two_card_request(numbered_uuid(1)).json(), "application/json", jwt);
  ASSERT_EQ(answered.status, 200u) << answered.body;
  const http_result refused = http_request(server_->port(), "POST", "/cds-services/ivig-order-select",
                                           two_card_request(numbered_uuid(2)).json(), "application/json", jwt);
  ASSERT_EQ(refused.status, 401u);
  server_.reset();  // drains: both records are committed

  const auto payloads = audit_entry_payloads(options.path);
  ASSERT_EQ(payloads.size(), 2u);
  const auto accepted = ivig::audit::call_from_json(payloads[0]);
  ASSERT_TRUE(accepted);
  EXPECT_EQ(accepted->client_iss, ehr);
  EXPECT_EQ(accepted->client_sub, "epic-client-7");
  EXPECT_EQ(accepted->client_tenant, "tenant-a");
  EXPECT_EQ(accepted->client_jti, "call-jti-1");
  EXPECT_TRUE(accepted->client_address.starts_with("127.0.0.1:")) << accepted->client_address;
  const auto rejected = ivig::audit::call_from_json(payloads[1]);
  ASSERT_TRUE(rejected);
  EXPECT_EQ(rejected->http_status, 401u);
  EXPECT_EQ(rejected->error_code, "unauthorized");
  EXPECT_EQ(rejected->error_reason, "token-replayed");
  EXPECT_EQ(rejected->service_id, "POST /cds-services/ivig-order-select");
  EXPECT_TRUE(rejected->client_address.starts_with("127.0.0.1:")) << rejected->client_address;
  for (const std::string& payload : payloads) {
    EXPECT_EQ(payload.find(jwt.substr(jwt.rfind('.') + 1)), std::string::npos);
    EXPECT_EQ(payload.find(jwt.substr(0, jwt.find('.'))), std::string::npos);
  }
}

TEST_F(Authentication, AnIssuerMayMakeTheServiceFetchOnlyFromItsBoundFhirServers) {
  tls_fhir_server fhir;
  ivig::fhir::client::client_options options;
  options.policy = {{fhir.base(), "https://ehr.example.org/fhir"}, false};
  options.ca_file = fhir.certificate_file();
  running_service::authenticated_setup setup;
  setup.client = std::make_shared<ivig::fhir::client::cpprest_fhir_client>(options);
  setup.issuer_fhir_servers.emplace();
  (*setup.issuer_fhir_servers)[ehr] = {fhir.base()};
  start(settings(), nullptr, setup);

  claims call;
  call.aud = public_url + "/cds-services/ivig-order-select";
  // Allowed by the deployment's allowlist, but not bound to this issuer: refused before any fetch.
  hook_request elsewhere = two_card_request(numbered_uuid(3));
  elsewhere.prefetch.clear();
  elsewhere.fhir_server = "https://ehr.example.org/fhir";
  const http_result refused = http_request(server_->port(), "POST", "/cds-services/ivig-order-select", elsewhere.json(),
                                           "application/json", token(call));
  EXPECT_EQ(refused.status, 400u);
  EXPECT_EQ(
      refused.body,
      R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"security","details":{"coding":[{"system":"urn:ivig-cds:error","code":"fhir-server-refused","display":"fhirServer is not a FHIR server this service may query."}]},"diagnostics":"The prefetch lacks data and fhirServer may not be queried: it is not a FHIR server the calling issuer is bound to."}]})");
  // Its own FHIR server: fetched (the test server has the patient and no other data).
  hook_request bound = elsewhere;
  bound.hook_instance = numbered_uuid(4);
  bound.fhir_server = fhir.base();
  const http_result fetched = http_request(server_->port(), "POST", "/cds-services/ivig-order-select", bound.json(),
                                           "application/json", token(call));
  EXPECT_EQ(fetched.status, 200u) << fetched.body;
  EXPECT_GE(fhir.requests_for("/fhir/Patient/example"), 1);
}

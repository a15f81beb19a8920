// bench/auth_bench.cpp: the cost of verifying a caller's JWT (hooks/auth), in process; part of
// service_bench, so that the references run in the same process and run.
//
// jwt_authenticator::authenticate, on ES384 and on RS384 tokens signed with keys made for the run,
// against BM_Baseline_ReadToken (splitting, decoding and reading the token: what any check must do
// first) and BM_OrderSelect_SmallRequest in service_bench.cpp (the call the check guards).
// The replay cache refuses a token id it has seen, so every iteration needs its own token: a batch is
// minted before timing, and each run of a benchmark makes a fresh authenticator (an empty cache) and
// verifies the batch once (a fixed iteration count). The cache therefore grows from empty to the
// batch size during a run, as it does in a service over a token's lifetime.
#include <benchmark/benchmark.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "hooks/auth/jwt_authenticator.hpp"
#include "hooks/auth/signed_token.hpp"
#include "tests/support/jwt_minting.hpp"

namespace {

using namespace ivig;

constexpr std::int64_t now_seconds = 1795348800;  // 2026-11-22T12:00:00Z, fixed: the tokens never age
constexpr int batch = 2000;                       // about 2 s of ES384 verification, 0.1 s of RS384
const std::string issuer = "https://ehr.example.org";
const std::string public_url = "https://cds.example.org";
const std::string path = "/cds-services/ivig-order-select";

const test::test_signing_key& es384_key() {
  static const test::test_signing_key key = test::test_signing_key::es384("bench-es384");
  return key;
}

const test::test_signing_key& rs384_key() {
  static const test::test_signing_key key = test::test_signing_key::rs384("bench-rs384");
  return key;
}

std::string claims(const std::string& jti) {
  return R"({"iss":")" + issuer + R"(","aud":")" + public_url + path + R"(","iat":)" +
         std::to_string(now_seconds - 10) + R"(,"exp":)" + std::to_string(now_seconds + 290) + R"(,"jti":")" + jti +
         R"("})";
}

/// `batch` Authorization header values with distinct jti, minted once per key.
std::vector<std::string> mint_batch(const test::test_signing_key& key) {
  std::vector<std::string> headers;
  headers.reserve(batch);
  for (int i = 0; i < batch; ++i) headers.push_back("Bearer " + key.sign(claims(key.kid() + "-" + std::to_string(i))));
  return headers;
}

std::shared_ptr<auth::jwt_authenticator> fresh_authenticator() {
  auth::auth_settings settings;
  auth::issuer_settings registered;
  registered.issuer = issuer;
  registered.jwks_json = test::jwks_of({&es384_key(), &rs384_key()});
  settings.issuers.push_back(registered);
  settings.public_urls = {public_url};
  // The replay cache keeps the service's default capacity (a million ids), far above one batch.
  auto made = auth::jwt_authenticator::create(settings, nullptr, [] { return now_seconds; });
  if (!made) throw std::runtime_error(made.error());
  return *made;
}

void authenticate_batch(benchmark::State& state, const std::vector<std::string>& headers) {
  const auto authenticator = fresh_authenticator();
  std::size_t next = 0;
  for (auto _ : state) {
    bool accepted = false;
    // Registered keys: the authenticator answers before it returns.
    authenticator->authenticate(
        server::authentication_request{path, headers[next++], "127.0.0.1:50000"},
        [&accepted](server::authentication_outcome outcome) { accepted = outcome.accepted.has_value(); });
    if (!accepted) state.SkipWithError("a token was refused");
  }
}

void BM_Baseline_ReadToken(benchmark::State& state) {
  const std::string compact = es384_key().sign(claims("read-only"));
  for (auto _ : state) {
    auto token = auth::read_token(compact);
    benchmark::DoNotOptimize(token);
  }
}

void BM_Authenticate_ES384(benchmark::State& state) {
  static const std::vector<std::string> headers = mint_batch(es384_key());
  authenticate_batch(state, headers);
}

void BM_Authenticate_RS384(benchmark::State& state) {
  static const std::vector<std::string> headers = mint_batch(rs384_key());
  authenticate_batch(state, headers);
}

}  // namespace

BENCHMARK(BM_Baseline_ReadToken)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Authenticate_ES384)->Iterations(batch)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Authenticate_RS384)->Iterations(batch)->Unit(benchmark::kMicrosecond);

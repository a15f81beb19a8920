// tests/integration/fhir_fault_matrix_test.cpp: the FHIR client failing at each step of a fetch in
// turn, for each prefetch key in turn (issue 14, "Fault matrices"; docs/reliability.md).
//
// The call is two_card_request's, whose prefetch has all nine keys; one key at a time is left out, so
// that exactly that key is fetched, from a server (tests/support/step_fault_fhir_server.hpp) that
// holds exactly the data left out. Fault-free, the answer is the full prefetch's, byte for byte.
// Failing at a step, the declared answer is the one the service gives when that fetch fails with an
// HTTP 500 (the reference failure, whose card the FaultyServer tests already pin), with the reason
// in its words for this step: the same status (200, or 412 for the Patient: docs/errors.md), the same
// cards, the same missing-data card naming the same data. Compared whole, card UUIDs numbered.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "fhir/client/cpprest_fhir_client.hpp"
#include "tests/support/fhir_builders.hpp"
#include "tests/support/golden_normaliser.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/step_fault_fhir_server.hpp"
#include "tests/support/test_support.hpp"

using namespace ivig::test;
using ivig::fhir::client::client_options;
using ivig::fhir::client::cpprest_fhir_client;
using ivig::service::fetch_limits;

namespace {

const std::string instance = "00000000-0000-4000-8000-00000000fb01";

/// The step as the issue names it, the server's fault (or, for connect and TLS, the address), and
/// the reason the service must give.
enum class address { listening, nothing_listening, https_to_plain };
struct step_case {
  const char* step = "";
  fhir_step_fault fault = fhir_step_fault::none;
  address at = address::listening;
  const char* reason = "";
  bool stalls = false;
  bool paged = false;  ///< the fault is on the second page: searches only
};

const std::vector<step_case>& steps() {
  static const std::vector<step_case> all{
      {"connect (nothing listening)", fhir_step_fault::none, address::nothing_listening, "it could not be reached"},
      {"TLS (a peer that is not TLS)", fhir_step_fault::none, address::https_to_plain, "it could not be reached"},
      {"send (closed before the request is read)", fhir_step_fault::close_unread, address::listening,
       "it could not be reached"},
      {"first byte (never comes)", fhir_step_fault::stall_before_head, address::listening,
       "it did not answer within the time limit", true},
      {"first byte (reset before it)", fhir_step_fault::reset_before_head, address::listening,
       "it could not be reached"},
      {"body (reset mid-body)", fhir_step_fault::reset_mid_body, address::listening, "it could not be reached"},
      {"body (closed mid-body)", fhir_step_fault::truncated_body, address::listening, "it could not be reached"},
      {"next page (reset)", fhir_step_fault::page2_reset, address::listening, "it could not be reached", false, true},
  };
  return all;
}

/// Short only where the deadline is what ends the fault (as FaultyServer does); generous elsewhere,
/// so that a loaded machine cannot turn an answered fault into a timeout.
constexpr auto stall_deadline = std::chrono::milliseconds(300);
constexpr auto answer_deadline = std::chrono::milliseconds(10'000);

/// A loopback port bound but not listening: a connection to it is refused, and while it is held no
/// other socket (nor a connection's own ephemeral port, which could connect to itself) can take it.
class refusing_port {
 public:
  refusing_port() : socket_(io_) {
    socket_.open(boost::asio::ip::tcp::v4());
    socket_.bind({boost::asio::ip::make_address("127.0.0.1"), 0});
  }
  unsigned short port() const { return socket_.local_endpoint().port(); }

 private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
};

struct answer {
  unsigned status = 0;
  std::string body{};
  int requests = 0;  ///< requests the FHIR server read
};

/// The call, with `key` left out of the prefetch and fetched from `base`.
answer call_fetching(const std::string& key, const std::string& base, bool stalls) {
  hook_request request = two_card_request(instance);
  request.prefetch.erase(key);
  request.fhir_server = base;
  request.access_token = "matrix-token";
  client_options options;
  options.policy.allowed_bases = {base};
  fetch_limits limits;
  limits.deadline = stalls ? stall_deadline : answer_deadline;
  running_service service(scenario_now(), std::make_shared<cpprest_fhir_client>(options), limits);
  const http_result result = service.post("ivig-order-select", request.json());
  return {result.status, result.body};
}

answer call_with(const std::string& key, const std::string& data, fhir_step_fault fault, bool stalls = false) {
  step_fault_fhir_server server(fault, data);
  answer got = call_fetching(key, server.base(), stalls);
  got.requests = server.requests();
  return got;
}

/// Each card's indicator and summary, one line each.
std::vector<std::string> card_lines(const std::string& body) {
  const auto doc = parse(body);
  std::vector<std::string> lines;
  for (const auto& card : doc["cards"].GetArray())
    lines.push_back(std::string(card["indicator"].GetString()) + " " + card["summary"].GetString());
  return lines;
}

/// The reference answer's cards when `key` cannot be fetched: those the rest of the prefetch
/// supports, and the missing-data cards listing the checks not done (docs/fhir-fallback.md); and how
/// the cards name the data.
struct key_reference {
  std::string what{};
  std::vector<std::string> cards{};
};

key_reference reference_for(const std::string& key) {
  const std::string r4 = "critical Privigen contains proline: contraindicated with hyperprolinemia";
  const std::string r3 = "warning IgA deficiency or anti-IgA antibodies: consider a product with less IgA";
  const auto not_done = [](int n) {
    return "info " + std::to_string(n) + (n == 1 ? " IVIg safety check" : " IVIg safety checks") +
           " could not be completed: see which and why";
  };
  const auto screen = [](int n) {
    return "warning Contraindication screen incomplete: " + std::to_string(n) +
           " labelled contraindications were not checked";
  };
  if (key == "administrations") return {"immune globulin infusions given", {r4, r3, not_done(4)}};
  if (key == "allergies") return {"allergies", {r4, r3, screen(2), not_done(1)}};
  if (key == "conditions") return {"conditions", {screen(4), not_done(11)}};  // R3 and R4 need them
  if (key == "immunizations") return {"immunizations", {r4, r3, not_done(5)}};
  if (key == "medicationHistory") return {"earlier immune globulin orders", {r4, r3, not_done(4)}};
  if (key == "medications") return {"active medications", {r4, r3, not_done(10)}};
  if (key == "observations")
    return {"laboratory results and vital signs",
            {r4, r3, "warning No body weight on file: the weight-based IVIg dose cannot be checked", not_done(15)}};
  if (key == "procedures") return {"procedures", {r4, r3, not_done(1)}};
  return {"patient demographics", {}};
}

/// The body with its card UUIDs numbered by appearance (they are derived from the card's content).
std::string numbered(const std::string& body) {
  uuid_numbering uuids;
  return normalise_text(body, {scenario_now(), {}}, uuids);
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

}  // namespace

TEST(FhirFaultMatrix, EachStepOfEachFetchFailingAnswersTheReferenceCardsWithTheMissingDataCard) {
  const hook_request full = two_card_request(instance);
  const http_result prefetched = [&] {
    running_service service(scenario_now());
    return service.post("ivig-order-select", full.json());
  }();
  ASSERT_EQ(prefetched.status, 200u);
  const std::string reference_failure = "it failed (HTTP 500)";
  int runs = 0;
  for (const auto& [key, data] : full.prefetch) {
    SCOPED_TRACE("key " + key);
    const bool is_patient = key == "patient";
    // Fault-free, fetching the key gives exactly what prefetching it gave.
    const answer fetched = call_with(key, data, fhir_step_fault::none);
    ++runs;
    EXPECT_EQ(fetched.requests, 1);  // exactly the key left out is fetched
    EXPECT_EQ(fetched.status, 200u);
    EXPECT_EQ(fetched.body, prefetched.body);
    const key_reference expected = reference_for(key);
    const answer reference = call_with(key, data, fhir_step_fault::http_500);
    ++runs;
    const std::string missing = "the EHR's FHIR server could not provide " + expected.what + ": " + reference_failure;
    if (is_patient) {
      EXPECT_EQ(reference.status, 412u);
      EXPECT_EQ(
          reference.body,
          R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"processing","details":{"coding":[{"system":"urn:ivig-cds:error","code":"patient-unavailable","display":"The patient could not be read from the prefetch or the FHIR server."}]},"diagnostics":"The prefetch has no Patient and reading it from fhirServer failed: )" +
              missing + R"(."}]})");
    } else {
      EXPECT_EQ(reference.status, 200u);
      EXPECT_EQ(card_lines(reference.body), expected.cards);
      EXPECT_NE(reference.body.find(missing), std::string::npos) << reference.body;
    }
    answer paged_reference;
    if (!is_patient) {
      const answer paged = call_with(key, data, fhir_step_fault::paged);
      EXPECT_EQ(paged.requests, 2);
      EXPECT_EQ(paged.body, prefetched.body);
      paged_reference = call_with(key, data, fhir_step_fault::page2_500);
      runs += 2;
      EXPECT_EQ(paged_reference.status, 200u);
      EXPECT_NE(
          paged_reference.body.find("only part of " + expected.what +
                                    " was read from the EHR's FHIR server: page 2 failed (" + reference_failure + ")"),
          std::string::npos)
          << paged_reference.body;
    }
    for (const step_case& step : steps()) {
      if (step.paged && is_patient) continue;  // a read has no next page
      SCOPED_TRACE(step.step);
      answer got;
      if (step.at == address::nothing_listening) {
        const refusing_port nothing;
        got = call_fetching(key, "http://127.0.0.1:" + std::to_string(nothing.port()) + "/fhir", false);
      } else if (step.at == address::https_to_plain) {
        step_fault_fhir_server plain(step.fault, data);
        got = call_fetching(key, "https://127.0.0.1:" + std::to_string(plain.port()) + "/fhir", false);
      } else {
        got = call_with(key, data, step.fault, step.stalls);
      }
      ++runs;
      const answer& like = step.paged ? paged_reference : reference;
      EXPECT_EQ(got.status, like.status);
      EXPECT_EQ(numbered(got.body), numbered(replaced(like.body, reference_failure, step.reason)));
    }
  }
  std::printf("[ matrix   ] fhir %zu keys, %d runs\n", full.prefetch.size(), runs);
}

// tests/integration/record_text_test.cpp: what the record and the request carry stays text, over
// HTTP against the real server: Markdown and HTML in a prefetched resource are shown, not rendered;
// a body that is not UTF-8 is refused with the byte; an error quotes a short, escaped excerpt.
#include <gtest/gtest.h>

#include "tests/support/fhir_builders.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/test_support.hpp"

using namespace ivig::test;

namespace {

class RecordText : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = std::make_unique<running_service>(scenario_now()); }
  static void TearDownTestSuite() { server_.reset(); }
  static std::unique_ptr<running_service> server_;

  static void expect_error(const http_result& result, unsigned status, const std::string& code,
                           const std::string& diagnostics) {
    EXPECT_EQ(result.status, status) << result.body;
    const auto doc = parse(result.body);
    ASSERT_TRUE(doc.IsObject()) << result.body;
    EXPECT_EQ(std::string(doc["issue"][0]["details"]["coding"][0]["code"].GetString()), code);
    EXPECT_EQ(std::string(doc["issue"][0]["diagnostics"].GetString()), diagnostics);
  }

  static std::string valid_select() { return order_select_with(medication_request("m1", privigen()), "m1").json(); }
};
std::unique_ptr<running_service> RecordText::server_;

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  return text.replace(text.find(from), from.size(), to);
}

}  // namespace

TEST_F(RecordText, MarkdownAndHtmlInAPrefetchedConditionAreShownAsTextOnTheCard) {
  auto request = order_select_with(medication_request("m1", privigen()), "m1");
  // A Condition whose words a clinician typed: a phishing link, a tracking image, an HTML handler,
  // and on a new line a fake heading, table and emphasis.
  const std::string typed =
      "Hyperprolinemia [call us](http://evil.example/login) ![x](http://evil.example/t.png) "
      "<img src=x onerror=alert(1)>\n# URGENT | stop *all* `IVIG`";
  set_prefetch(request, "conditions", {condition("c1", concept_of("urn:local", "HP1", "", typed))});
  const http_result result = server_->post("ivig-order-select", request.json());
  ASSERT_EQ(result.status, 200u) << result.body;
  const auto doc = parse(result.body);
  ASSERT_TRUE(doc.IsObject()) << result.body;
  const auto& card = doc["cards"][0];
  EXPECT_EQ(std::string(card["summary"].GetString()),
            "Privigen contains proline: contraindicated with hyperprolinemia");
  const std::string version = embedded_knowledge()->version;
  EXPECT_EQ(
      std::string(card["detail"].GetString()),
      "**Order:** Privigen (MedicationRequest/m1)\n\n"
      "**Found in the record:**\n\n"
      "- Condition: “Hyperprolinemia [call us\\](http://evil.example/login) \\![x\\](http://evil.example/t.png) "
      "&lt;img src=x onerror=alert(1)> # URGENT \\| stop \\*all\\* \\`IVIG\\`” (matched by text), active, recorded "
      "2025-01-10\n"
      "- Product: Privigen contains 'The product contains 250 mmol/L of L-proline as a stabiliser ... Privigen® "
      "contains no carbohydrate stabiliser (e.g. sucrose, maltose) and no preservative' (Australian PI) [C]\n\n"
      "Proline-containing IVIg (Privigen, L-proline 250 mmol/L) is contraindicated in patients with hyperprolinemia. "
      "Choose a product without proline.\n\n"
      "**Sources** (evidence: [C] confirmed, [S] secondary copy, [U] unconfirmed):\n\n"
      "- [C] Privigen Australian PI: Privigen contains L-proline 250 mmol/L. "
      "<https://paperzz.com/doc/7983672/igpro10-pi>\n"
      "- [C] Privigen Important Safety Information: Privigen is contraindicated in patients with hyperprolinemia (too "
      "much proline in the blood). <https://www.privigen.com/important-safety-information>\n"
      "- [C] Privigen EU SmPC (ES): The Privigen EU SmPC lists the proline content and the hyperprolinemia "
      "contraindication. "
      "<https://ec.europa.eu/health/documents/community-register/2014/20141022130050/anx_130050_es.pdf>\n\n"
      "Rule R4 v1.0.0, knowledge " +
          version + ".");
}

TEST_F(RecordText, ABodyThatIsNotUtf8Is400WithTheByte) {
  const std::string body = valid_select();
  const std::size_t at = body.find("order-select") + 5;           // inside the hook's value
  for (const std::string& bad : {std::string("\xc0\xaf"),         // overlong "/"
                                 std::string("\x80"),             // lone continuation byte
                                 std::string("\xe2\x82"),         // truncated sequence
                                 std::string("\xed\xa0\x80")}) {  // surrogate U+D800 encoded in UTF-8
    std::string sent = body;
    sent.insert(at, bad);
    expect_error(
        server_->post("ivig-order-select", sent), 400, "json-malformed",
        "The body is not valid UTF-8: the byte sequence at byte " + std::to_string(at) + " is not a UTF-8 character.");
  }
  EXPECT_EQ(server_->get("/healthz").status, 200u);  // and the server is still serving
}

TEST_F(RecordText, AnUnknownServiceIdIsQuotedShort) {
  // The router lets only [A-Za-z0-9._-] through as an id, so length is what is left to bound.
  expect_error(server_->post(std::string(8'000, 'x'), valid_select()), 404, "unknown-service",
               "No CDS service has the id '" + std::string(63, 'x') + "…'.");
  expect_error(server_->post(std::string(64, 'x'), valid_select()), 404, "unknown-service",
               "No CDS service has the id '" + std::string(64, 'x') + "'.");
}

TEST_F(RecordText, AHookValueWithTerminalEscapesIsQuotedShortAndEscaped) {
  const std::string hook = "\\u001b[2J\\u001b]0;owned\\u0007'\\\"" + std::string(100'000, 'h');
  expect_error(server_->post("ivig-order-select",
                             replaced(valid_select(), "\"hook\":\"order-select\"", "\"hook\":\"" + hook + "\"")),
               400, "hook-mismatch",
               R"(This service answers the hook 'order-select', not '\x1b[2J\x1b]0;owned\x07\'\")" +
                   std::string(47, 'h') + "…'.");
}

TEST_F(RecordText, ASelectionWithANewlineIsQuotedOnOneLine) {
  expect_error(server_->post("ivig-order-select", replaced(valid_select(), "\"MedicationRequest/m1\"",
                                                           "\"MedicationRequest/x\\nForged: line\"")),
               400, "selection-not-in-draft-orders",
               R"(The selection 'MedicationRequest/x\x0aForged: line' names no resource in context.draftOrders.)");
}

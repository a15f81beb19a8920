// tests/unit/support/golden_normaliser_test.cpp: the tokens golden files hold instead of versions,
// UUIDs and dates.
#include "tests/support/golden_normaliser.hpp"

#include <gtest/gtest.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "tests/support/test_support.hpp"

using namespace ivig::test;

namespace {

const golden_context scenario{scenario_now(), "2026.11.1"};  // 2026-11-22T12:00:00Z

std::string text(std::string_view in, const golden_context& context = scenario) {
  uuid_numbering uuids;
  return normalise_text(in, context, uuids);
}

std::string document(std::string_view json, const golden_context& context = scenario) {
  rapidjson::Document doc = parse(json);
  normalise_golden(doc, context);
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> writer(out);
  doc.Accept(writer);
  return {out.GetString(), out.GetSize()};
}

}  // namespace

TEST(GoldenNormaliser, KnowledgeVersionBecomesATokenWhereverItIsInAString) {
  EXPECT_EQ(text("Rule R4 v1.0.0, knowledge 2026.11.1."), "Rule R4 v1.0.0, knowledge {{knowledgeVersion}}.");
  EXPECT_EQ(text("ivig-cds IVIg knowledge base 2026.11.1"), "ivig-cds IVIg knowledge base {{knowledgeVersion}}");
  EXPECT_EQ(text("2026.11.1"), "{{knowledgeVersion}}");
  EXPECT_EQ(text("2026.11.10 12026.11.1 2026.11.1.5"), "2026.11.10 12026.11.1 2026.11.1.5");
  EXPECT_EQ(text("knowledge 2026.11.1", golden_context{scenario_now(), "2099.1.1"}), "knowledge 2026.11.1");
  EXPECT_EQ(text("knowledge 2099.1.1", golden_context{scenario_now(), "2099.1.1"}), "knowledge {{knowledgeVersion}}");
  EXPECT_EQ(text("knowledge 2026.11.1", golden_context{scenario_now(), ""}), "knowledge 2026.11.1");
}

TEST(GoldenNormaliser, UuidsAreNumberedInOrderOfFirstAppearanceInTheDocument) {
  EXPECT_EQ(
      document(R"({"cards":[{"uuid":"66131818-a59d-5ab9-a41b-4527ed18ba30",)"
               R"("suggestions":[{"uuid":"0e61c3ad-d11e-4080-a6aa-cac89cae4e37"}]},)"
               R"({"uuid":"urn:uuid:66131818-A59D-5AB9-A41B-4527ED18BA30"}]})"),
      R"({"cards":[{"uuid":"{{uuid-1}}","suggestions":[{"uuid":"{{uuid-2}}"}]},{"uuid":"urn:uuid:{{uuid-1}}"}]})");
}

TEST(GoldenNormaliser, UuidLikeRunsThatAreLongerOrMalformedStay) {
  EXPECT_EQ(text("66131818-a59d-5ab9-a41b-4527ed18ba301"), "66131818-a59d-5ab9-a41b-4527ed18ba301");
  EXPECT_EQ(text("066131818-a59d-5ab9-a41b-4527ed18ba30"), "066131818-a59d-5ab9-a41b-4527ed18ba30");
  EXPECT_EQ(text("66131818-a59d-5ab9-a41b4527ed18ba30"), "66131818-a59d-5ab9-a41b4527ed18ba30");
  EXPECT_EQ(text("g6131818-a59d-5ab9-a41b-4527ed18ba30"), "g6131818-a59d-5ab9-a41b-4527ed18ba30");
}

TEST(GoldenNormaliser, DatesBecomeWholeDaysFromTheClocksDate) {
  EXPECT_EQ(text("2026-11-22"), "{{today}}");
  EXPECT_EQ(text("Height 170.0 cm on 2026-11-15 (7 days ago)"), "Height 170.0 cm on {{today-7d}} (7 days ago)");
  EXPECT_EQ(text("until 2027-09-22 (Deferral"), "until {{today+304d}} (Deferral");
  EXPECT_EQ(text("onset 1997-06-19, 2026-11-21"), "onset {{today-10748d}}, {{today-1d}}");
  const golden_context new_year{ivig::fhir::parse_fhir_time("2020-01-01T23:59:59Z")->at, ""};
  EXPECT_EQ(text("2019-12-31 2020-01-01 2020-03-01", new_year), "{{today-1d}} {{today}} {{today+60d}}");
}

TEST(GoldenNormaliser, PartialInvalidOrLongerDatesStay) {
  EXPECT_EQ(text("2026-11 2026-02-29 2026-13-01 2026-1-15"), "2026-11 2026-02-29 2026-13-01 2026-1-15");
  EXPECT_EQ(text("12026-11-15 2026-11-155 20141022130050"), "12026-11-15 2026-11-155 20141022130050");
  EXPECT_EQ(text("2028-02-29"), "{{today+464d}}");
}

TEST(GoldenNormaliser, InstantsBecomeTheExactDifferenceFromTheClock) {
  EXPECT_EQ(text("2026-11-22T12:00:00Z"), "{{now}}");
  EXPECT_EQ(text("at 2026-11-19T09:30:00Z."), "at {{now-3d2h30m}}.");
  EXPECT_EQ(text("2026-11-23T12:00:01Z"), "{{now+1d1s}}");
  EXPECT_EQ(text("2026-11-22T12:00:45.25Z"), "{{now+45.250s}}");
  EXPECT_EQ(text("2026-11-22T11:59:59.999Z"), "{{now-0.001s}}");
  EXPECT_EQ(text("2026-11-22T07:00:00-05:00"), "{{now@-05:00}}");
  EXPECT_EQ(text("2026-11-22T14:00:00+01:00"), "{{now+1h@+01:00}}");
}

TEST(GoldenNormaliser, DateTimesWithoutAZoneKeepTheirTimeAsText) {
  EXPECT_EQ(text("2026-11-22T12:00:00"), "{{today}}T12:00:00");
  EXPECT_EQ(text("2026-11-22T12:00:00.1234Z"), "{{today}}T12:00:00.1234Z");
  EXPECT_EQ(text("2026-11-22T25:00:00Z"), "{{today}}T25:00:00Z");
}

TEST(GoldenNormaliser, MemberNamesAndNonStringsAreLeftAlone) {
  EXPECT_EQ(document(R"({"2026-11-22":"2026-11-22","n":20261122,"b":true,"z":null,"a":["2026.11.1"]})"),
            R"({"2026-11-22":"{{today}}","n":20261122,"b":true,"z":null,"a":["{{knowledgeVersion}}"]})");
}

TEST(GoldenNormaliser, NormalisingTwiceChangesNothingMore) {
  const std::string once =
      document(R"({"a":"2026.11.1 66131818-a59d-5ab9-a41b-4527ed18ba30 2026-11-15 2026-11-22T12:00:00Z"})");
  EXPECT_EQ(once, R"({"a":"{{knowledgeVersion}} {{uuid-1}} {{today-7d}} {{now}}"})");
  EXPECT_EQ(document(once), once);
}

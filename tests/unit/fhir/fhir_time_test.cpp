// tests/unit/fhir/fhir_time_test.cpp: FHIR date/dateTime/instant parsing.
#include <gtest/gtest.h>

#include "fhir/model/fhir_time.hpp"

using namespace ivig::fhir;

TEST(FhirTime, ReadsInstantWithOffsetAsUtc) {
  const auto t = parse_fhir_time("2026-11-22T10:30:00+02:00");
  ASSERT_TRUE(t);
  EXPECT_EQ(format_instant(t->at), "2026-11-22T08:30:00Z");
  EXPECT_EQ(t->precision, date_precision::second);
}

TEST(FhirTime, ReadsFractionalSecondsAndZulu) {
  EXPECT_EQ(format_instant(parse_fhir_time("2019-03-04T05:06:07.123Z")->at), "2019-03-04T05:06:07Z");
}

TEST(FhirTime, PartialDatesStartTheirPeriod) {
  const auto year = parse_fhir_time("2019");
  ASSERT_TRUE(year);
  EXPECT_EQ(format_date(year->at), "2019-01-01");
  EXPECT_EQ(year->precision, date_precision::year);
  EXPECT_EQ(format_date(parse_fhir_time("2019-07")->at), "2019-07-01");
  EXPECT_EQ(parse_fhir_time("2019-07-15")->precision, date_precision::day);
}

TEST(FhirTime, RejectsMalformedValues) {
  for (const char* bad : {"", "19", "2019-13-01", "2019-02-30", "2019-01-01T25:00:00Z", "2019-01-01T10:00:00X",
                          "2019-01-01 10:00", "2019-1-1", "tomorrow"})
    EXPECT_FALSE(parse_fhir_time(bad)) << bad;
}

TEST(FhirTime, CountsWholeDaysBetween) {
  const auto a = parse_fhir_time("2026-11-08T12:00:00Z")->at;
  const auto b = parse_fhir_time("2026-11-22T11:59:59Z")->at;
  EXPECT_EQ(days_between(a, b), 13);
  EXPECT_EQ(days_between(b, a), -14);
}

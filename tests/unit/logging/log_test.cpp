// tests/unit/logging/log_test.cpp: the line of one log event, JSON and text.
#include <gtest/gtest.h>

#include <chrono>

#include "hooks/logging/log.hpp"

namespace ivig::logging {
namespace {

// 2026-11-30T18:00:00.042Z
const std::chrono::system_clock::time_point at =
    std::chrono::system_clock::time_point(std::chrono::seconds(1796061600)) + std::chrono::milliseconds(42);

TEST(LogLine, AJsonEventHasTimeLevelComponentTheRequestsFieldsAndTheMessageLast) {
  EXPECT_EQ(format_line(format::json, at, level::info, "service", "call answered",
                        {"3f1c2a7e-5d4b-4c1a-9e8f-0a1b2c3d4e5f", "ivig-order-select", 200, 19.6544}),
            R"({"time":"2026-11-30T18:00:00.042Z","level":"info","component":"service",)"
            R"("request_id":"3f1c2a7e-5d4b-4c1a-9e8f-0a1b2c3d4e5f","service":"ivig-order-select","status":200,)"
            R"("duration_ms":19.654,"message":"call answered"})");
}

TEST(LogLine, FieldsNotGivenAreLeftOutAndAMessageCannotBreakTheJson) {
  EXPECT_EQ(format_line(format::json, at, level::error, "server", "a \"quoted\"\nline\\", {}),
            R"({"time":"2026-11-30T18:00:00.042Z","level":"error","component":"server",)"
            R"("message":"a \"quoted\"\nline\\"})");
  EXPECT_EQ(format_line(format::json, at, level::warning, "audit", "x", {{}, {}, 503, -1}),
            R"({"time":"2026-11-30T18:00:00.042Z","level":"warning","component":"audit","status":503,"message":"x"})");
}

TEST(LogLine, TheTextFormatReadsAsTheServiceAlwaysHasWithTheFieldsAfter) {
  EXPECT_EQ(format_line(format::text, at, level::info, "server", "stopped", {}), "ivig-cds server: stopped");
  EXPECT_EQ(format_line(format::text, at, level::info, "app", "stopped", {}), "ivig-cds: stopped");
  EXPECT_EQ(format_line(format::text, at, level::info, "service", "call answered", {"h1", "s1", 200, 1.5}),
            "ivig-cds service: call answered request_id=h1 service=s1 status=200 duration_ms=1.500");
}

}  // namespace
}  // namespace ivig::logging

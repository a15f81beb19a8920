// tests/unit/service/replay_input_codec_test.cpp: a replay input is stored deflated and base64-encoded,
// reads back exactly, and a damaged or oversized stored input is refused with its reason.
#include <gtest/gtest.h>

#include <string>

#include "hooks/service/replay_input_codec.hpp"

namespace ivig::service {
namespace {

std::string fhir_like(std::size_t bytes) {
  std::string json = R"({"request":{"prefetch":{"observations":[)";
  while (json.size() < bytes)
    json += R"({"resourceType":"Observation","status":"final","valueQuantity":{"value":72.5}},)";
  json += "{}]}}}";
  return json;
}

TEST(ReplayInputCodec, AnInputIsStoredDeflatedAsBase64AndReadsBackExactly) {
  const std::string json = fhir_like(64 * 1024);
  const std::string stored = pack_replay_input(json);
  ASSERT_TRUE(stored.starts_with("deflate:"));
  EXPECT_EQ(stored.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=", 8),
            std::string::npos);
  EXPECT_LT(stored.size() * 10, json.size());  // repetitive FHIR JSON shrinks well over ten times
  const auto back = unpack_replay_input(stored, json.size());
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(*back, json);
}

TEST(ReplayInputCodec, AnInputStoredAsPlainJsonBeforeItWasPackedReadsAsItIs) {
  const auto back = unpack_replay_input(R"({"request":{"hook":"order-select"}})", 10);
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(*back, R"({"request":{"hook":"order-select"}})");
}

TEST(ReplayInputCodec, EmptyAndTinyInputsRoundTrip) {
  for (const std::string& json : {std::string(), std::string("{}")}) {
    const auto back = unpack_replay_input(pack_replay_input(json), 16);
    ASSERT_TRUE(back) << back.error();
    EXPECT_EQ(*back, json);
  }
}

TEST(ReplayInputCodec, AnInputThatWouldInflatePastTheBoundIsRefusedNamingIt) {
  const std::string json = fhir_like(100000);
  const auto refused = unpack_replay_input(pack_replay_input(json), json.size() - 1);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), "it inflates past " + std::to_string(json.size() - 1) + " bytes");
}

TEST(ReplayInputCodec, DamagedStoredInputsAreRefusedWithTheirReason) {
  const std::string stored = pack_replay_input(fhir_like(4096));
  struct damaged {
    std::string stored;
    std::string reason;
  };
  const damaged cases[] = {
      {"deflate:abc", "its base64 is not a whole number of groups"},
      {"deflate:ab!d", "it is not base64"},
      {"deflate:AAAA", "its deflated data is damaged"},
      {stored.substr(0, stored.size() - 8), "its deflated data is damaged"},  // cut short
  };
  for (const damaged& d : cases) {
    const auto refused = unpack_replay_input(d.stored, std::size_t{1} << 20);
    ASSERT_FALSE(refused) << d.stored;
    EXPECT_EQ(refused.error(), d.reason) << d.stored;
  }
}

}  // namespace
}  // namespace ivig::service

// tests/unit/auth/key_set_test.cpp: JWK Sets whose key material cjose cannot decode are refused key by
// key, before cjose sees them (its decoder asserts, aborting the process, on some of them).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "hooks/auth/key_set.hpp"
#include "tests/support/test_support.hpp"

using ivig::auth::key_set;

namespace {

std::string sandbox_jwks() {
  std::ifstream in(ivig::test::shared_dir() / "cds-hooks" / "examples" / "sandbox-jwks-public.json");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

/// The sandbox's one EC key with its `y` replaced.
std::string sandbox_jwks_with_y(const std::string& y) {
  std::string text = sandbox_jwks();
  const std::size_t start = text.find('"', text.find(':', text.find("\"y\""))) + 1;
  return text.replace(start, text.find('"', start) - start, y);
}

}  // namespace

TEST(JwkSet, TheSandboxKeyIsUsable) {
  const auto keys = key_set::parse(sandbox_jwks());
  ASSERT_TRUE(keys) << keys.error();
  EXPECT_EQ(keys->size(), 1U);
  EXPECT_TRUE(keys->skipped().empty());
}

// Found by tests/fuzz/fuzz_jwt (tests/fuzz/regressions/jwt/jwk-padding-inside-y): a '=' after 13
// characters of `y` made cjose's base64url decoder assert and abort the process, for a registered
// set or one fetched from an allowlisted jku.
TEST(JwkSet, PaddingInsideKeyMaterialSkipsTheKeyInsteadOfAborting) {
  const auto keys =
      key_set::parse(sandbox_jwks_with_y("Sm3mLE-n1zYNl=_aiE3cb3nZsL51RbC7ysw3q8aJLxGm-hx79RPMYpITDjp7kgzy"));
  ASSERT_TRUE(keys) << keys.error();
  EXPECT_EQ(keys->size(), 0U);
  ASSERT_EQ(keys->skipped().size(), 1U);
  EXPECT_EQ(keys->skipped().front(), "key 44823f3d-0b01-4a6c-a80e-b9d3e8a7226f: 'y' is not base64url");
}

TEST(JwkSet, KeyMaterialOneCharacterPastAGroupOfFourIsNotBase64url) {
  for (const std::string y : {"AAAAA", "AAAAA=", "AAAAA==", "AA+A", "AA/A", "A A="}) {
    const auto keys = key_set::parse(sandbox_jwks_with_y(y));
    ASSERT_TRUE(keys) << keys.error();
    EXPECT_EQ(keys->size(), 0U) << y;
    ASSERT_EQ(keys->skipped().size(), 1U) << y;
    EXPECT_NE(keys->skipped().front().find("'y' is not base64url"), std::string::npos) << y;
  }
}

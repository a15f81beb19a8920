// tests/unit/fhir/result_test.cpp: ivig::result<T, E>, value or error, never both, never neither.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "fhir/model/result.hpp"

using ivig::failure;
using ivig::result;

namespace {

struct parse_error {
  int code;
  std::string text;
};

result<int, parse_error> parse_digit(char c) {
  if (c < '0' || c > '9') return failure(parse_error{1, std::string("not a digit: ") + c});
  return c - '0';
}

result<void, std::string> check_even(int n) {
  if (n % 2 != 0) return failure("odd");
  return {};
}

}  // namespace

TEST(Result, HoldsTheValueOnSuccess) {
  const auto r = parse_digit('7');
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(static_cast<bool>(r));
  EXPECT_EQ(r.value(), 7);
  EXPECT_EQ(*r, 7);
}

TEST(Result, HoldsTheErrorOnFailure) {
  const auto r = parse_digit('x');
  ASSERT_FALSE(r.has_value());
  EXPECT_FALSE(static_cast<bool>(r));
  EXPECT_EQ(r.error().code, 1);
  EXPECT_EQ(r.error().text, "not a digit: x");
}

TEST(Result, SameValueAndErrorTypesStayDistinct) {
  const result<std::string, std::string> ok = std::string("value");
  const result<std::string, std::string> bad = failure(std::string("error"));
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, "value");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error(), "error");
}

TEST(Result, FailureConvertsToTheErrorType) {
  const result<int, std::string> r = failure("from a literal");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), "from a literal");
}

TEST(Result, ValueConvertsToTheValueType) {
  // The loader returns a shared_ptr<knowledge> as a result<shared_ptr<const knowledge>, ...>.
  const result<std::shared_ptr<const int>, std::string> r = std::make_shared<int>(5);
  ASSERT_TRUE(r);
  EXPECT_EQ(**r, 5);
}

TEST(Result, ArrowReachesTheValue) {
  result<std::vector<int>, std::string> r = std::vector<int>{1, 2, 3};
  EXPECT_EQ(r->size(), 3u);
  r->push_back(4);
  EXPECT_EQ(r.value().back(), 4);
}

TEST(Result, MovesTheValueAndTheErrorOut) {
  result<std::unique_ptr<int>, std::string> ok = std::make_unique<int>(9);
  const std::unique_ptr<int> taken = std::move(ok).value();
  EXPECT_EQ(*taken, 9);
  result<int, std::unique_ptr<int>> bad = failure(std::make_unique<int>(3));
  const std::unique_ptr<int> error = std::move(bad).error();
  EXPECT_EQ(*error, 3);
}

TEST(Result, VoidResultIsSuccessOrAnError) {
  const auto even = check_even(4);
  EXPECT_TRUE(even.has_value());
  const auto odd = check_even(3);
  ASSERT_FALSE(odd);
  EXPECT_EQ(odd.error(), "odd");
}

TEST(Result, IsNodiscardAndNotDefaultConstructible) {
  // [[nodiscard]] is checked by the compiler (-Werror): a dropped result does not build. A result
  // always holds one of the two, so there is no empty state to construct.
  EXPECT_FALSE((std::is_default_constructible_v<result<int, std::string>>));
  EXPECT_TRUE((std::is_default_constructible_v<result<void, std::string>>));
}

#ifndef NDEBUG
TEST(ResultDeathTest, ValueOfAnErrorIsAProgrammingError) {
  const auto r = parse_digit('x');
  EXPECT_DEATH(static_cast<void>(r.value()), "value\\(\\) on an error");
}

TEST(ResultDeathTest, ErrorOfAValueIsAProgrammingError) {
  const auto r = parse_digit('4');
  EXPECT_DEATH(static_cast<void>(r.error()), "error\\(\\) on a value");
}
#endif

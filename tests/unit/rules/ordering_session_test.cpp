// tests/unit/rules/ordering_session_test.cpp: which of the session's orders are in a value set,
// found once per call.
#include <gtest/gtest.h>

#include "rules/engine/ordering_session.hpp"
#include "tests/support/test_support.hpp"

namespace {

using namespace ivig;

/// A value set of the test's own, matched by text, so that no clinical code appears here.
rules::value_set alpha_set() {
  rules::value_set set;
  set.id = "vs-test-alpha";
  set.text_terms = {"alpha"};
  return set;
}

fhir::medication_order order_of(std::string_view id, std::string_view text, std::string_view status) {
  fhir::medication_order order;
  order.resource_type = "MedicationRequest";
  order.id = id;
  order.status = status;
  order.medication_concept.text = text;
  return order;
}

TEST(OrderingSession, ListsTheOrdersInASetWhateverTheirStatusInSessionOrder) {
  const auto kb = test::embedded_knowledge();
  const rules::value_set set = alpha_set();
  const fhir::medication_order a = order_of("a", "Alpha drops", "active");
  const fhir::medication_order b = order_of("b", "Beta tablets", "active");
  const fhir::medication_order c = order_of("c", "alpha gel", "cancelled");
  rules::ordering_session session;
  session.medication_orders = {&a, &b, &c};
  const auto& found = session.medication_orders_in(*kb, set);
  ASSERT_EQ(found.size(), 2U);
  EXPECT_EQ(found[0].order, &a);
  EXPECT_EQ(found[0].description, "“Alpha drops” (matched by text)");
  EXPECT_EQ(found[1].order, &c);
  EXPECT_EQ(found[1].description, "“alpha gel” (matched by text)");
}

TEST(OrderingSession, ListsTheServiceRequestsInASetInSessionOrder) {
  const auto kb = test::embedded_knowledge();
  const rules::value_set set = alpha_set();
  rules::ordering_session session;
  session.service_requests = {{"s1", {{}, "Beta test"}, "active"},
                              {"s2", {{}, "Alpha test"}, "revoked"},
                              {"s3", {{{"urn:local", "x", "alpha panel"}}, {}}, "active"}};
  const auto& found = session.service_requests_in(*kb, set);
  ASSERT_EQ(found.size(), 2U);
  EXPECT_EQ(found[0].request, &session.service_requests[1]);
  EXPECT_EQ(found[0].description, "“Alpha test” (matched by text)");
  EXPECT_EQ(found[1].request, &session.service_requests[2]);
  EXPECT_EQ(found[1].description, "“alpha panel” (matched by text)");
}

TEST(OrderingSession, FindsEachSetsOrdersOnceAndKeepsThemForTheCall) {
  const auto kb = test::embedded_knowledge();
  const rules::value_set set = alpha_set();
  const fhir::medication_order a = order_of("a", "Alpha drops", "active");
  rules::ordering_session session;
  session.medication_orders = {&a};
  const auto& first = session.medication_orders_in(*kb, set);
  // The session does not change during a call; a later question is answered from the kept list.
  const fhir::medication_order late = order_of("late", "Alpha syrup", "active");
  session.medication_orders.push_back(&late);
  const auto& again = session.medication_orders_in(*kb, set);
  EXPECT_EQ(&again, &first);
  EXPECT_EQ(again.size(), 1U);
  EXPECT_TRUE(session.service_requests_in(*kb, set).empty());
}

}  // namespace

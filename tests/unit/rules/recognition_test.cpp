// tests/unit/rules/recognition_test.cpp: which orders are IVIg, and which product they are.
#include <gtest/gtest.h>

#include "rules/engine/ivig_order.hpp"
#include "rules/engine/terminology.hpp"
#include "tests/support/test_support.hpp"

using namespace ivig::rules;
using ivig::fhir::codeable_concept;
using ivig::fhir::medication_order;

namespace {

medication_order order_with_route(std::string_view route_code, std::string_view route_text = {}) {
  medication_order o;
  o.resource_type = "MedicationRequest";
  o.id = "1";
  if (!route_code.empty() || !route_text.empty())
    o.routes.push_back(codeable_concept{route_code.empty()
                                            ? std::vector<ivig::fhir::coding>{}
                                            : std::vector<ivig::fhir::coding>{{snomed_system, route_code, ""}},
                                        route_text});
  return o;
}

std::optional<ivig_order> recognise(const medication_order& o, const codeable_concept& medication) {
  return recognise_ivig(o, {medication}, *ivig::test::embedded_knowledge());
}

}  // namespace

TEST(Recognition, SbdCodeIdentifiesTheProduct) {
  const auto r = recognise(order_with_route({}), {{{rxnorm_system, "1809521", ""}}, {}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->product_description(), "Privigen");
  EXPECT_EQ(r->recognised_by, "RxNorm 1809521");
}

TEST(Recognition, NdcPackageCodeIdentifiesTheProduct) {
  const auto r = recognise(order_with_route({}), {{{"http://hl7.org/fhir/sid/ndc", "44206-0437-05", ""}}, {}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->product_description(), "Privigen");
}

TEST(Recognition, SharedBrandIdentifiesTheFamilyOnly) {
  const auto r = recognise(order_with_route({}), {{{rxnorm_system, "226026", "Octagam"}}, {}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->candidates.size(), 2u);
  EXPECT_EQ(r->identified_product(), nullptr);
}

TEST(Recognition, IngredientCodeNeedsAnIntravenousRoute) {
  const codeable_concept ingredient{{{rxnorm_system, "5666", "immunoglobulin G"}}, {}};
  EXPECT_FALSE(recognise(order_with_route({}), ingredient));
  EXPECT_FALSE(recognise(order_with_route("34206005"), ingredient));  // subcutaneous route
  const auto r = recognise(order_with_route("47625008"), ingredient);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->product_description(), "IVIg, product not identified");
}

TEST(Recognition, SubcutaneousProductIsNeverIvig) {
  EXPECT_FALSE(recognise(order_with_route("47625008"), {{{rxnorm_system, "1809076", "Hizentra"}}, {}}));
}

TEST(Recognition, TextFallbackNeedsImmuneGlobulinAndIntravenous) {
  EXPECT_TRUE(recognise(order_with_route({}), {{}, "Immune globulin intravenous (human) 10%"}));
  EXPECT_FALSE(recognise(order_with_route({}), {{}, "Immune globulin subcutaneous"}));
  EXPECT_TRUE(recognise(order_with_route({}, "IV"), {{}, "Immunoglobulin 10%"}));
}

TEST(Recognition, ProductNameInTextIdentifiesTheProduct) {
  const auto r = recognise(order_with_route({}), {{}, "Gammaplex 10% 20 g"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->product_description(), "Gammaplex 10%");
}

TEST(Recognition, UnrelatedMedicationIsNotIvig) {
  EXPECT_FALSE(recognise(order_with_route("47625008"), {{{rxnorm_system, "161", "Acetaminophen"}}, "Acetaminophen"}));
}

TEST(Recognition, AtcAndCvxCodesMeanIvigWhateverTheRoute) {
  const auto atc = recognise(order_with_route({}),
                             {{{atc_system, "J06BA02", "immunoglobulins, normal human, for intravascular adm."}}, {}});
  ASSERT_TRUE(atc);
  EXPECT_EQ(atc->product_description(), "IVIg, product not identified");
  EXPECT_TRUE(recognise(order_with_route({}), {{{cvx_system, "87", "IGIV"}}, {}}));
  EXPECT_FALSE(recognise(order_with_route({}), {{{cvx_system, "86", "IG, intramuscular"}}, {}}));
}

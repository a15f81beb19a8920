// tests/support/rule_harness.cpp: the in-process engine harness.
#include "tests/support/rule_harness.hpp"

#include <gtest/gtest.h>

#include "fhir/model/resources.hpp"
#include "rules/engine/order_facts.hpp"
#include "tests/support/fhir_builders.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/test_support.hpp"

namespace ivig::test {

rule_harness ordinary_adult(double kg, double cm) { return ordinary_adult_on(nullptr, kg, cm); }

rule_harness ordinary_adult_on(std::shared_ptr<const rules::knowledge> kb, double kg, double cm) {
  rule_harness h(std::move(kb));
  h.with(patient())
      .with(body_weight(kg))
      .with(body_height(cm))
      .with(serum_creatinine(0.9))
      .with(
          observation("iga", concept_of(loinc, "2458-8", "IgA"), quantity_value(180, "mg/dL"), "2026-09-01T08:00:00Z"));
  return h;
}

rule_harness::rule_harness(std::shared_ptr<const rules::knowledge> kb, fhir::time_point now)
    : kb_(kb ? std::move(kb) : embedded_knowledge()), now_(now == fhir::time_point{} ? scenario_now() : now) {
  for (const char* category : {"patient", "conditions", "observations", "allergies", "immunizations", "medications",
                               "medicationHistory", "administrations", "procedures"})
    record_.set_status(category, {fhir::data_state::provided, {}});
}

rapidjson::Document& rule_harness::keep(const std::string& json) {
  documents_.push_back(std::make_unique<rapidjson::Document>(parse(json)));
  return *documents_.back();
}

rule_harness& rule_harness::with(const std::string& resource_json) {
  record_.add_resource(keep(resource_json));
  return *this;
}

rule_harness& rule_harness::without(const std::string& category) {
  record_.set_status(category, {fhir::data_state::not_provided, category + " were not provided"});
  return *this;
}

rule_harness& rule_harness::order(const std::string& medication_request_json) {
  order_ = std::make_unique<fhir::medication_order>(fhir::read_medication_order(keep(medication_request_json)));
  session_.medication_orders.push_back(order_.get());
  std::optional<rules::ivig_order> recognised = rules::recognise_ivig(*order_, {order_->medication_concept}, *kb_);
  EXPECT_TRUE(recognised.has_value()) << "the order was not recognised as IVIg";
  if (recognised) ivig_ = std::make_unique<rules::ivig_order>(std::move(*recognised));
  return *this;
}

rule_harness& rule_harness::also_ordered(const std::string& resource_json) {
  const rapidjson::Document& resource = keep(resource_json);
  if (fhir::resource_type_of(resource) == "ServiceRequest") {
    session_.service_requests.push_back(fhir::read_service_request(resource));
    return *this;
  }
  session_orders_.push_back(std::make_unique<fhir::medication_order>(fhir::read_medication_order(resource)));
  session_.medication_orders.push_back(session_orders_.back().get());
  return *this;
}

const rules::evaluation& rule_harness::evaluate(rules::hook_stage stage) {
  EXPECT_NE(ivig_, nullptr) << "no IVIg order: call order() first";
  if (ivig_ == nullptr) return result_;
  facts_ = std::make_unique<rules::order_facts>(rules::gather_order_facts(record_, *ivig_, *kb_, now_, stage));
  result_ = rules::evaluate(record_, *ivig_, *kb_, now_, session_, *facts_, stage);
  return result_;
}

std::vector<std::string> rule_harness::findings() const {
  std::vector<std::string> out;
  for (const rules::finding& f : result_.findings)
    out.push_back(std::string(rules::severity_name(f.level)) + " " + f.rule_id);
  return out;
}

std::vector<std::string> rule_harness::incomplete_rules() const {
  std::vector<std::string> out;
  for (const rules::incomplete_check& check : result_.incomplete) out.push_back(check.rule_id);
  return out;
}

const rules::finding* rule_harness::finding_of(const std::string& rule_id) const {
  for (const rules::finding& f : result_.findings)
    if (f.rule_id == rule_id) return &f;
  ADD_FAILURE() << "no finding of " << rule_id;
  return nullptr;
}

}  // namespace ivig::test

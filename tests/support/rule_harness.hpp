// tests/support/rule_harness.hpp: runs the engine in-process on a record built in the test.
//
// A clinical test states the patient (FHIR resources as JSON, from fhir_builders.hpp), the IVIg
// order and the hook, and asserts what the engine concluded — which rules found what, at which
// severity, and the order facts — without HTTP and without card wording, so that a clinical test
// does not break when a sentence changes. The HTTP scenario tests with golden cards remain the
// check of what clinicians see.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "fhir/model/patient_record.hpp"
#include "rules/engine/engine.hpp"
#include "rules/engine/ivig_order.hpp"
#include "rules/engine/knowledge.hpp"

namespace ivig::test {

class rule_harness;

/// A harness holding an ordinary adult woman of 46 (`kg`, `cm`) with a recent weight and height, a
/// normal serum creatinine and a normal IgA: only what a test adds is news.
rule_harness ordinary_adult(double kg = 70, double cm = 170);
/// The same patient checked against other knowledge (a fault, a site's edit).
rule_harness ordinary_adult_on(std::shared_ptr<const rules::knowledge> kb, double kg = 70, double cm = 170);

class rule_harness {
 public:
  /// The embedded knowledge and the scenario clock unless given.
  explicit rule_harness(std::shared_ptr<const rules::knowledge> kb = nullptr, fhir::time_point now = {});

  /// A resource of the patient's record (Patient, Observation, Condition, AllergyIntolerance, …).
  /// Every data category counts as provided (complete) unless a test says otherwise.
  rule_harness& with(const std::string& resource_json);
  /// Marks a data category ("conditions", "observations", …) as not sent by the EHR.
  rule_harness& without(const std::string& category);
  /// The IVIg order to check (a MedicationRequest); it must be recognised as IVIg.
  rule_harness& order(const std::string& medication_request_json);
  /// Another draft order of the same ordering session (MedicationRequest or ServiceRequest).
  rule_harness& also_ordered(const std::string& resource_json);

  /// Gathers the order's facts and runs every active rule at `stage`.
  const rules::evaluation& evaluate(rules::hook_stage stage = rules::hook_stage::select);
  const rules::order_facts& facts() const { return *facts_; }

  /// "severity rule" for every finding, in evaluation order: {"warning R15", "info R19"}.
  std::vector<std::string> findings() const;
  /// The rule ids of the incomplete checks, in order.
  std::vector<std::string> incomplete_rules() const;
  /// The finding of `rule_id`, or a test failure (and a null result).
  const rules::finding* finding_of(const std::string& rule_id) const;

 private:
  rapidjson::Document& keep(const std::string& json);
  std::shared_ptr<const rules::knowledge> kb_;
  fhir::time_point now_;
  std::vector<std::unique_ptr<rapidjson::Document>> documents_;
  fhir::patient_record record_;
  std::vector<std::unique_ptr<fhir::medication_order>> session_orders_;
  rules::ordering_session session_;
  std::unique_ptr<fhir::medication_order> order_;
  std::unique_ptr<rules::ivig_order> ivig_;
  std::unique_ptr<rules::order_facts> facts_;
  rules::evaluation result_;
};

}  // namespace ivig::test

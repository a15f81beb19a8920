// fhir/model/patient_record.hpp: everything known about one patient for one call, and how
// complete it is.
//
// The record holds the resources gathered for a call (from prefetch now, from the FHIR server in a
// later step) and, per data category (the prefetch keys: conditions, observations, ...), whether the
// data came, was empty, was missing or failed. Rules read the status before trusting an absence:
// "no IgA deficiency on file" means nothing when the conditions never arrived.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "fhir/model/resources.hpp"

namespace ivig::fhir {

enum class data_state {
  provided,      ///< the data arrived (possibly with zero resources)
  not_provided,  ///< the key was absent: the client did not send it
  error,         ///< the client sent an OperationOutcome instead of data
  incomplete,    ///< only the first page of a paged search arrived
};

struct data_status {
  data_state state = data_state::not_provided;
  std::string detail;  ///< why, in words a clinician can read (no tokens, no clinical content)
  bool fetched = false;  ///< asked of the EHR's FHIR server (the prefetch lacked it), whatever came of it
  std::string reason{};  ///< for the audit, when not provided: "not sent", "timeout", "401 unauthorized", ...

  bool complete() const { return state == data_state::provided; }
};

/// Hashes a category name given as a std::string or a string_view alike (rules ask by string_view).
struct category_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view name) const { return std::hash<std::string_view>{}(name); }
};

struct patient_record {
  std::optional<patient> subject;
  std::vector<condition> conditions;
  std::vector<observation> observations;
  std::vector<allergy_intolerance> allergies;
  std::vector<medication_order> medication_orders;         ///< the patient's existing medication orders
  std::vector<medication_administration> administrations;  ///< infusions given (history)
  std::vector<immunization> immunizations;
  std::vector<procedure> procedures;    ///< Procedure resources (plasma exchange, for R31)
  std::vector<medication> medications;  ///< Medication resources, for references
  /// Asked for a dozen times by every rule's data check: hashed, not searched.
  std::unordered_map<std::string, data_status, category_hash, std::equal_to<>> categories;

  /// The status of a data category; `not_provided` for a category never mentioned.
  const data_status& status_of(std::string_view category) const;
  void set_status(std::string_view category, data_status status);

  /// Reads `resource` by its resourceType into the matching list; other types are ignored.
  void add_resource(const json_value& resource);
};

}  // namespace ivig::fhir

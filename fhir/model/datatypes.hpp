// fhir/model/datatypes.hpp: the FHIR data types the rules read (Coding, CodeableConcept,
// Quantity, Reference) as views into the request's JSON.
//
// Reading is lenient: a CodeableConcept given as an array (a repeated field collapsed by a client)
// reads as the union of its elements; a Quantity with a string value reads as absent. Nothing here
// knows a clinical code: matching against value sets is rules/engine's job.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "fhir/model/json_view.hpp"

namespace ivig::fhir {

struct coding {
  std::string_view system;
  std::string_view code;
  std::string_view display;
};

struct codeable_concept {
  std::vector<coding> codings;
  std::string_view text;

  bool empty() const { return codings.empty() && text.empty(); }
  /// The best human-readable name: text, else the first display, else the first code.
  std::string_view label() const;
};

/// Reads a CodeableConcept; also accepts an array of CodeableConcepts and a bare Coding.
codeable_concept read_codeable_concept(const json_value* value);
/// Appends every CodeableConcept of a repeated field (array or single object) to `out`.
void read_codeable_concepts(const json_value* value, std::vector<codeable_concept>& out);

struct quantity {
  double value = 0;
  std::string_view comparator;  ///< "<", "<=", ">=", ">" or empty
  std::string_view unit;        ///< human unit text
  std::string_view system;
  std::string_view code;  ///< UCUM code when system is UCUM

  /// The unit to interpret: the UCUM code when present, else the unit text.
  std::string_view effective_unit() const { return code.empty() ? unit : code; }
};

std::optional<quantity> read_quantity(const json_value* value);

/// The reference string of a Reference (`{"reference": "Medication/1"}`), or empty.
std::string_view read_reference(const json_value* value);

/// Splits "Type/id" (also a full URL ending in Type/id, and "Type/id/_history/n") into its parts.
struct reference_parts {
  std::string_view type;
  std::string_view id;
};
std::optional<reference_parts> split_reference(std::string_view reference);

/// A FHIR id: [A-Za-z0-9\-\.]{1,64}.
bool is_fhir_id(std::string_view id);

}  // namespace ivig::fhir

// rules/engine/terminology.hpp: matching FHIR codings against the knowledge's value sets.
//
// Codes are compared after system-specific normalisation that is about notation, not meaning:
// ICD-10-CM without its dot and in upper case; NDC as labeler-product numbers (so 0944-2700-03,
// 00944270003 and 944-2700 agree). Text terms are a fallback for local codes and match whole words
// only ("diabetes" does not match "prediabetes").
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "fhir/model/datatypes.hpp"
#include "rules/engine/knowledge.hpp"

namespace ivig::rules {

inline constexpr std::string_view snomed_system = "http://snomed.info/sct";
inline constexpr std::string_view icd10cm_system = "http://hl7.org/fhir/sid/icd-10-cm";
inline constexpr std::string_view loinc_system = "http://loinc.org";
inline constexpr std::string_view rxnorm_system = "http://www.nlm.nih.gov/research/umls/rxnorm";
inline constexpr std::string_view ndc_system = "http://hl7.org/fhir/sid/ndc";
inline constexpr std::string_view cvx_system = "http://hl7.org/fhir/sid/cvx";
inline constexpr std::string_view atc_system = "http://www.whocc.no/atc";
inline constexpr std::string_view cpt_system = "http://www.ama-assn.org/go/cpt";
inline constexpr std::string_view icd10pcs_system = "http://www.cms.gov/Medicare/Coding/ICD10";

/// "system|code" with the code normalised for its (canonical) system.
std::string code_key(std::string_view canonical_system, std::string_view code);
/// The code part of code_key: `code` itself, or its normalised form written into `scratch`.
std::string_view normalise_code(std::string_view canonical_system, std::string_view code, std::string& scratch);

/// "SNOMED CT", "ICD-10-CM", "LOINC", "RxNorm", ... or the URI itself.
std::string_view system_short_name(std::string_view canonical_system);

std::string to_lower(std::string_view text);
/// True when `term` (lower case) occurs in `lower_text` at word boundaries.
bool contains_term(std::string_view lower_text, std::string_view term);

/// How a concept matched a value set: the code (or text term) that matched and its evidence.
struct concept_match {
  evidence_level evidence = evidence_level::unconfirmed;
  std::string system;  ///< short system name; empty for a text match
  std::string code;
  std::string display;  ///< the record's display/text for the concept, as written (plain text)
  bool by_text = false;

  /// "Hyperprolinemia (ICD-10-CM E72.59)" or "“corn” (matched by text)", as card Markdown: the
  /// record's words in it are escaped (fhir/model/markdown_text.hpp).
  std::string describe() const;
};

/// Matches a concept's codings (then, failing that, its text and displays) against a value set.
std::optional<concept_match> match_concept(const knowledge& kb, const value_set& set,
                                           const fhir::codeable_concept& concept_to_match);

/// Whether free text (any case) contains one of the value set's text terms.
bool text_matches(const value_set& set, std::string_view text);

}  // namespace ivig::rules

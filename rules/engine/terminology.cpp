// rules/engine/terminology.cpp: code normalisation, value-set matching and word-boundary text terms.
#include "rules/engine/terminology.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace ivig::rules {
namespace {

bool is_word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

std::string strip_leading_zeros(std::string_view digits) {
  std::size_t first = 0;
  while (first + 1 < digits.size() && digits[first] == '0') ++first;
  return std::string(digits.substr(first));
}

std::string normalise_ndc(std::string_view code) {
  const auto first_dash = code.find('-');
  if (first_dash != std::string_view::npos) {
    const std::string_view labeler = code.substr(0, first_dash);
    std::string_view rest = code.substr(first_dash + 1);
    const std::string_view product = rest.substr(0, rest.find('-'));
    return strip_leading_zeros(labeler) + "-" + strip_leading_zeros(product);
  }
  if (code.size() == 11 && std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return strip_leading_zeros(code.substr(0, 5)) + "-" + strip_leading_zeros(code.substr(5, 4));
  return std::string(code);
}

}  // namespace

std::string to_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string code_key(std::string_view canonical_system, std::string_view code) {
  std::string normalised;
  if (canonical_system == icd10cm_system) {
    for (char c : code)
      if (c != '.' && c != ' ') normalised.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  } else if (canonical_system == ndc_system) {
    normalised = normalise_ndc(code);
  } else {
    normalised = std::string(code);
  }
  std::string key(canonical_system);
  key.push_back('|');
  key.append(normalised);
  return key;
}

std::string_view system_short_name(std::string_view system) {
  if (system == snomed_system) return "SNOMED CT";
  if (system == icd10cm_system) return "ICD-10-CM";
  if (system == loinc_system) return "LOINC";
  if (system == rxnorm_system) return "RxNorm";
  if (system == ndc_system) return "NDC";
  if (system == cvx_system) return "CVX";
  if (system == atc_system) return "ATC";
  if (system == cpt_system) return "CPT";
  if (system == icd10pcs_system) return "ICD-10-PCS";
  return system;
}

bool contains_term(std::string_view lower_text, std::string_view term) {
  if (term.empty()) return false;
  for (std::size_t pos = lower_text.find(term); pos != std::string_view::npos; pos = lower_text.find(term, pos + 1)) {
    const bool starts_word = pos == 0 || !is_word_char(lower_text[pos - 1]) || !is_word_char(term.front());
    const std::size_t end = pos + term.size();
    const bool ends_word = end == lower_text.size() || !is_word_char(lower_text[end]) || !is_word_char(term.back());
    if (starts_word && ends_word) return true;
  }
  return false;
}

bool text_matches(const value_set& set, std::string_view text) {
  if (text.empty() || set.text_terms.empty()) return false;
  const std::string lower = to_lower(text);
  return std::any_of(set.text_terms.begin(), set.text_terms.end(),
                     [&](const std::string& term) { return contains_term(lower, term); });
}

std::string concept_match::describe() const {
  if (by_text) return "“" + display + "” (matched by text)";
  std::string out = display.empty() ? std::string{} : display + " ";
  out += "(" + system + " " + code + ")";
  return out;
}

std::optional<concept_match> match_concept(const knowledge& kb, const value_set& set,
                                           const fhir::codeable_concept& concept_to_match) {
  for (const fhir::coding& c : concept_to_match.codings) {
    if (c.code.empty()) continue;
    const std::string_view system = kb.canonical_system(c.system);
    const std::string key = code_key(system, c.code);
    if (const auto it = set.code_index.find(key); it != set.code_index.end()) {
      const code_entry& entry = set.codes[it->second];
      return concept_match{entry.evidence, std::string(system_short_name(system)), std::string(c.code),
                           std::string(c.display.empty() ? std::string_view{entry.display} : c.display), false};
    }
    for (const prefix_entry& prefix : set.prefixes) {
      if (prefix.system != system) continue;
      const std::string normalised = key.substr(system.size() + 1);
      if (normalised.rfind(prefix.prefix, 0) == 0)
        return concept_match{prefix.evidence, std::string(system_short_name(system)), std::string(c.code),
                             std::string(c.display.empty() ? std::string_view{prefix.display} : c.display), false};
    }
  }
  if (set.text_terms.empty()) return std::nullopt;
  auto try_text = [&](std::string_view text) -> std::optional<concept_match> {
    if (!text_matches(set, text)) return std::nullopt;
    // A text match is only as good as the words a clinician typed: treated as secondary evidence.
    return concept_match{evidence_level::secondary, {}, {}, std::string(text), true};
  };
  if (auto found = try_text(concept_to_match.text)) return found;
  for (const fhir::coding& c : concept_to_match.codings)
    if (auto found = try_text(c.display)) return found;
  return std::nullopt;
}

}  // namespace ivig::rules

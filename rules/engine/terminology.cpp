// rules/engine/terminology.cpp: code normalisation, value-set matching and word-boundary text terms.
#include "rules/engine/terminology.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include "fhir/model/markdown_text.hpp"

namespace ivig::rules {
namespace {

// Case and word characters are ASCII: the program never sets a locale, so in the "C" locale these
// are exactly std::tolower and std::isalnum, without a library call per character.
char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool is_word_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/// `text` in lower case, in a buffer on the stack when it is short (most codings' displays and
/// texts), so that matching a record's text against a value set allocates nothing.
class lowered {
 public:
  explicit lowered(std::string_view text) {
    char* out = small_.data();
    if (text.size() > small_.size()) {
      large_.resize(text.size());
      out = large_.data();
    }
    for (std::size_t i = 0; i < text.size(); ++i) out[i] = ascii_lower(text[i]);
    view_ = {out, text.size()};
  }
  lowered(const lowered&) = delete;
  lowered& operator=(const lowered&) = delete;
  std::string_view view() const { return view_; }

 private:
  std::array<char, 256> small_;
  std::string large_;
  std::string_view view_;
};

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
  for (char& c : out) c = ascii_lower(c);
  return out;
}

std::string_view normalise_code(std::string_view canonical_system, std::string_view code, std::string& scratch) {
  if (canonical_system == icd10cm_system) {
    scratch.clear();
    for (char c : code)
      if (c != '.' && c != ' ') scratch.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    return scratch;
  }
  if (canonical_system == ndc_system) {
    scratch = normalise_ndc(code);
    return scratch;
  }
  return code;
}

std::string code_key(std::string_view canonical_system, std::string_view code) {
  std::string scratch;
  const std::string_view normalised = normalise_code(canonical_system, code, scratch);
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
  const lowered lower(text);
  return std::any_of(set.text_terms.begin(), set.text_terms.end(),
                     [&](const std::string& term) { return contains_term(lower.view(), term); });
}

// Markdown: the display, the code and an unknown system's URI are the record's words, escaped here
// where they enter card text (fhir/model/markdown_text.hpp).
std::string concept_match::describe() const {
  if (by_text) return "“" + fhir::markdown_text(display) + "” (matched by text)";
  std::string out = display.empty() ? std::string{} : fhir::markdown_text(display) + " ";
  out += "(" + fhir::markdown_text(system) + " " + fhir::markdown_text(code) + ")";
  return out;
}

std::optional<concept_match> match_concept(const knowledge& kb, const value_set& set,
                                           const fhir::codeable_concept& concept_to_match) {
  std::string scratch;
  for (const fhir::coding& c : concept_to_match.codings) {
    if (c.code.empty()) continue;
    const std::string_view system = kb.canonical_system(c.system);
    const std::string_view normalised = normalise_code(system, c.code, scratch);
    if (const auto it = set.code_index.find(code_key_parts{system, normalised}); it != set.code_index.end()) {
      const code_entry& entry = set.codes[it->second];
      return concept_match{entry.evidence, std::string(system_short_name(system)), std::string(c.code),
                           std::string(c.display.empty() ? std::string_view{entry.display} : c.display), false};
    }
    for (const prefix_entry& prefix : set.prefixes) {
      if (prefix.system != system) continue;
      if (normalised.starts_with(prefix.prefix))
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

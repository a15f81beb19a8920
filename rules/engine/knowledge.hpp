// rules/engine/knowledge.hpp: the in-memory knowledge bundle the engine evaluates against.
//
// Built once at start-up by rules/load from the data in rules/knowledge/ (see
// docs/knowledge-format.md), then shared read-only by every request thread. Indexes (codes by
// system, products by identifier) are built at load so that no request scans strings. The object
// holds pointers into itself, so it is neither copied nor moved: it lives behind a shared_ptr.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ivig::rules {

enum class evidence_level { confirmed, secondary, unconfirmed };
/// "[C]", "[S]" or "[U]", the markers of ivig-knowledge.md.
std::string_view evidence_marker(evidence_level level);
std::optional<evidence_level> parse_evidence(std::string_view marker);

enum class severity { info, warning, critical };
std::string_view severity_name(severity level);

struct source {
  std::string id;
  std::string label;
  std::string url;
};

/// A reference from a knowledge entry to a source, with the evidence it gives.
struct citation {
  const source* cited = nullptr;
  evidence_level evidence = evidence_level::unconfirmed;
  std::string detail;
};

/// A transparent string hash: a std::string_view finds a std::string key without a copy.
struct string_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};

/// A "system|code" key given as its two parts (the code already normalised), to look up a
/// code_key_map without concatenating the parts into a new string on every lookup.
struct code_key_parts {
  std::string_view system;
  std::string_view code;
};

/// Hash and equality of code_key_map: a stored "system|code" and code_key_parts hash and compare as
/// the same bytes, so a lookup by parts finds exactly what a lookup by the joined key would.
struct code_key_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view key) const;
  std::size_t operator()(const code_key_parts& key) const;
};
struct code_key_equal {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const { return a == b; }
  bool operator()(const code_key_parts& a, std::string_view b) const;
  bool operator()(std::string_view a, const code_key_parts& b) const { return (*this)(b, a); }
};
/// Normalised "system|code" (terminology.hpp code_key) -> T.
template <typename T>
using code_key_map = std::unordered_map<std::string, T, code_key_hash, code_key_equal>;

struct code_entry {
  std::string system;  ///< canonical system URI
  std::string code;    ///< as written in the knowledge
  std::string display;
  evidence_level evidence = evidence_level::unconfirmed;
};

struct prefix_entry {
  std::string system;
  std::string prefix;  ///< normalised like codes (ICD without the dot)
  std::string display;
  evidence_level evidence = evidence_level::unconfirmed;
};

struct value_set {
  std::string id;
  std::string title;
  std::string provenance;
  std::vector<code_entry> codes;
  std::vector<prefix_entry> prefixes;
  std::vector<std::string> text_terms;  ///< lower case
  /// normalised "system|code" -> index into `codes`
  code_key_map<std::size_t> code_index;
  /// The configuration option through which a site adds its local codes (`siteCodesOption`, e.g.
  /// "anti-iga-test-code" where no standard code exists), and how many it added at start-up.
  std::string site_codes_option;
  std::size_t site_codes = 0;
};

struct excipient {
  std::string substance;
  std::string detail;
  evidence_level evidence = evidence_level::unconfirmed;
  std::vector<const source*> sources;
  std::optional<double> mg_per_ml;  ///< the amount, when the label gives it (for the worksheet's load)
};

struct sourced_value {
  double value = 0;
  evidence_level evidence = evidence_level::unconfirmed;
  std::vector<const source*> sources;
  std::string detail;  ///< the label's words, or why the value is unconfirmed
};

struct iga_content {
  double micrograms_per_ml = 0;
  std::string kind;  ///< "max", "average" or "less-than"
  evidence_level evidence = evidence_level::unconfirmed;
  std::vector<const source*> sources;
  /// "≤ 25 µg/mL", "average 37 µg/mL", "< 20 µg/mL"
  std::string describe() const;
};

struct indication_rate {
  std::string indication;
  sourced_value rate;  ///< mg/kg/min
};

/// A labelled content the worksheet reports and totals (sodium, osmolality): a value with its unit
/// as the label gives it, whether it is a maximum, an average or "less than", and the label's words.
struct labelled_content {
  double value = 0;
  std::string unit;  ///< sodium: "mg/mL" or "mmol/L"; osmolality: "mOsm/kg" or "mOsm/L"
  std::string kind;  ///< "max", "average", "less-than", "trace" or "range-max"
  std::string detail;
  evidence_level evidence = evidence_level::unconfirmed;
  std::vector<const source*> sources;
  /// "≤ 240 mOsm/kg", "average 0.2 mg/mL", "trace"
  std::string describe() const;
};

/// The product label a row was verified against: its title, region and printed revision date.
/// A row without one, or with an unconfirmed one, was not verified against a label.
struct label_reference {
  std::string title;
  std::string region;   ///< "US", "EU" or "other"
  std::string revised;  ///< "2024-01" as printed; empty when not found
  std::string url;
  std::string detail;
  evidence_level evidence = evidence_level::unconfirmed;
  std::vector<const source*> sources;
};

/// One step of a labelled rate titration: the rate, and how long it runs before the next step (the
/// last step runs to the end of the infusion).
struct titration_step {
  double mg_per_kg_min = 0;
  std::optional<double> minutes;
};

/// The label's rate titration for an indication ("" for every indication).
struct titration_schedule {
  std::string indication;  ///< as products.json names it, or "all"
  std::vector<titration_step> steps;
  std::string detail;  ///< the label's words
  evidence_level evidence = evidence_level::unconfirmed;
  std::vector<const source*> sources;
};

/// The label's dose for an indication: its words, and the highest g/kg per day and per course they allow.
struct labelled_dose {
  std::string indication;  ///< as products.json names it
  std::string region;
  std::string text;  ///< the label's dose, verbatim
  std::string detail;
  std::optional<double> per_day_max_g_per_kg;
  std::optional<double> per_course_max_g_per_kg;
  evidence_level evidence = evidence_level::unconfirmed;
  std::vector<const source*> sources;
};

/// A handling statement from the label: diluent, filter, pooling, storage, compatibility or other.
struct handling_statement {
  std::string topic;
  std::string text;
  sourced_value fact;  ///< evidence and sources (value unused)
};

struct product_identifier {
  std::string system;
  std::string code;
  std::string kind;  ///< "BN", "SBD", "labeler-product"
};

struct product {
  std::string id;
  std::string name;
  std::string family;
  std::string labeler;
  bool marketed = true;
  std::vector<std::string> names;  ///< lower case
  std::optional<sourced_value> concentration_mg_per_ml;
  std::vector<excipient> excipients;
  /// Whether products.json lists the product's excipients at all. A product without the list is not
  /// "free of excipients": the excipient checks name it as unknown instead of passing it.
  bool excipients_known = false;
  std::optional<iga_content> iga;
  std::optional<sourced_value> initial_rate;
  std::vector<indication_rate> max_rates;
  std::optional<sourced_value> at_risk_max_rate;
  std::optional<sourced_value> vial_sizes_g_evidence;
  std::vector<double> vial_sizes_g;
  std::vector<product_identifier> identifiers;
  std::vector<handling_statement> administration;
  std::optional<label_reference> label;
  std::optional<labelled_content> sodium;
  std::optional<labelled_content> osmolality;
  std::vector<titration_schedule> titrations;
  std::vector<labelled_dose> dose_ranges;

  /// The label's titration for `indication`, else the one for every indication; null when none.
  const titration_schedule* titration_for(std::string_view indication) const;
  /// The label's dose for `indication`; null when the label gives none for it.
  const labelled_dose* dose_for(std::string_view indication) const;
  /// Whether the knowledge names the indications the label covers (a maximum rate, titration or
  /// dose for a named indication; an "all" entry names none).
  bool indications_known() const;
  /// Whether the label covers `indication` (a maximum rate, titration or dose named for it).
  bool labelled_for(std::string_view indication) const;

  const excipient* find_excipient(std::string_view substance) const;
  /// The code that names this product and no other, for writing an order: the labeler-product NDC
  /// (product without a package size), else the SBD when there is only one. Never the BN, which
  /// RxNorm shares between products (Gammagard Liquid and S/D; Gammaplex 5% and 10%), nor one SBD
  /// of several (each is one vial size). Null when there is none.
  const product_identifier* specific_identifier() const;
};

struct recognition_policy {
  const value_set* iv_product_codes = nullptr;
  const value_set* ingredient_codes = nullptr;
  const value_set* not_intravenous_codes = nullptr;
  const value_set* intravenous_routes = nullptr;
  std::vector<std::string> text_terms;
  std::vector<std::string> intravenous_text_terms;
  std::vector<citation> citations;
};

struct threshold {
  std::string id;
  double value = 0;
  std::string unit;
  evidence_level evidence = evidence_level::unconfirmed;
  std::string description;
  std::string rationale;
  std::vector<const source*> sources;
  bool local_policy() const { return evidence == evidence_level::unconfirmed; }
};

/// The knowledge entries a rule (or an order-fact group) reads, by the role names its
/// implementation uses: rules.json's `valueSets`, `thresholds` and `params` of one entry.
struct knowledge_roles {
  std::map<std::string, const value_set*, std::less<>> value_sets;
  std::map<std::string, const threshold*, std::less<>> thresholds;
  std::map<std::string, std::string, std::less<>> params;
};

struct data_need {
  std::string key;  ///< prefetch key: patient, conditions, observations, allergies, ...
  /// The value sets whose codes filter the key's query (observations and the immune globulin history).
  std::vector<const value_set*> observation_sets;
};

enum class rule_status { active, planned };

struct override_reason;

struct rule_definition {
  std::string id;
  std::string version;
  rule_status status = rule_status::planned;
  std::string title;
  severity level = severity::info;
  std::string when;
  std::string then;
  std::vector<citation> citations;
  std::vector<data_need> data;
  knowledge_roles roles;
  /// A labelled-contraindication screen (R1, R2, R4–R6): when it cannot run, the clinician gets a
  /// warning naming it, not a trailing info line.
  bool contraindication_screen = false;
  /// The override reasons its cards offer (rules.json `overrideReasons`), in the entry's order;
  /// required for a warning or critical rule.
  std::vector<const override_reason*> override_reasons;
};

/// A group of order facts (facts.json): the knowledge the computations shared by several rules and
/// the worksheet read (dosing weight, risk factors, rate limits, vials, dose limits, cost, deferral).
struct fact_definition {
  std::string id;
  std::string title;
  knowledge_roles roles;
};

struct rule_unit;          // rules/engine/rule_unit.hpp
struct order_fact_inputs;  // rules/engine/order_facts.hpp

/// An active rule bound at load to its implementation and the typed knowledge it reads.
struct bound_rule {
  const rule_definition* definition = nullptr;
  const rule_unit* unit = nullptr;
  std::shared_ptr<const void> inputs;  ///< the unit's own inputs type (see rule_unit.hpp)
};

/// A reason a clinician may give for overriding a card: a choice offered on the card, not a clinical
/// fact (policy.json `overrideReasons`; each rule lists the codes that fit it).
struct override_reason {
  std::string system;
  std::string code;
  std::string display;
  std::string description;  ///< when the reason fits, for the people who maintain the knowledge
};

struct knowledge {
  knowledge() = default;
  knowledge(const knowledge&) = delete;
  knowledge& operator=(const knowledge&) = delete;

  std::string bundle;
  std::string version;
  std::string published;

  std::map<std::string, source, std::less<>> sources;
  std::map<std::string, value_set, std::less<>> value_sets;
  std::unordered_map<std::string, std::string, string_hash, std::equal_to<>> system_aliases;
  std::vector<product> products;
  recognition_policy recognition;
  std::vector<rule_definition> rules;
  std::vector<fact_definition> facts;
  std::map<std::string, threshold, std::less<>> thresholds;
  /// The catalogue of override reasons (policy.json); rules point into it, so it never reallocates after load.
  std::vector<override_reason> override_reasons;
  /// The reasons offered on the "contraindication screen incomplete" warning.
  std::vector<const override_reason*> incomplete_screen_override_reasons;
  unsigned low_iga_suggestion_limit = 3;

  /// normalised "system|code" -> products carrying that identifier (several for a shared brand)
  code_key_map<std::vector<const product*>> product_index;

  /// The active rules in evaluation order, each bound to its unit and inputs (filled by the loader
  /// through bind_catalogue, rule_catalogue.hpp), and the inputs of the order facts.
  std::vector<bound_rule> active_rules;
  std::shared_ptr<const order_fact_inputs> fact_inputs;

  const rule_definition* find_rule(std::string_view id) const;
  const value_set* find_value_set(std::string_view id) const;
  /// The canonical form of a code system URI (aliases resolved, trailing slash dropped).
  std::string_view canonical_system(std::string_view system) const;
};

}  // namespace ivig::rules

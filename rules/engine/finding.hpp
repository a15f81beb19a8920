// rules/engine/finding.hpp: what the engine concludes about one IVIg order.
//
// A finding is one concern, with its severity, the words a clinician reads (summary and markdown
// detail), the record entries that support it, and its citations. hooks/service turns findings
// into CDS Hooks cards; nothing here knows the card format. An incomplete check is a check that
// could not be done, with the reason: it is never dropped silently.
//
// Text from the record: `summary` is plain text (the record's words in it as written; the card
// writer keeps control characters out). `evidence`, `explanation`, `policy_notes` and an incomplete
// check's `reason` are card Markdown: every word taken from the record is escaped where it enters
// them (fhir/model/markdown_text.hpp), so the card builder adds them as they are. `order_reference`
// is the record's id as read (it keys uuids and joins); whoever puts it into Markdown escapes it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "fhir/model/fhir_time.hpp"
#include "rules/engine/knowledge.hpp"

namespace ivig::rules {

/// A one-click alternative product (for example a lower-IgA product).
struct product_switch {
  const product* to = nullptr;
  std::string label;   ///< "Switch to Gammaplex 10% (IgA < 20 µg/mL)"
  std::string reason;  ///< what changes and what to review
  bool recommended = false;
};

/// A corrected order the service can compute: dose on the dosing weight, rounded to the product's
/// vials, and a rate capped for an at-risk patient. hooks/service turns it into an `update` action.
struct order_correction {
  std::optional<double> g_per_kg;  ///< the ordered weight-based dose
  std::optional<double> grams;     ///< the calculated, rounded dose per administration
  std::optional<double> max_rate_mg_per_kg_min;
  std::optional<double> max_rate_ml_per_hour;
  /// With a max rate: the titration's start (the label's start rate, or the ordered first step when
  /// lower), so that the capped order is a range from the start to the cap, not one flat rate.
  std::optional<double> min_rate_mg_per_kg_min;
  std::optional<double> min_rate_ml_per_hour;  ///< set exactly when max_rate_ml_per_hour is
  /// The dose is recomputed on the dosing weight (R17): it supersedes a rounding of the ordered grams.
  bool dose_recomputed = false;
  std::string label;        ///< the suggestion's button text, short
  std::string description;  ///< exactly what changes
};

/// A laboratory test the service can order in one click (a `create` ServiceRequest): the code from
/// the knowledge, and when it is due.
struct lab_order {
  std::string system;
  std::string code;
  std::string display;
  std::string when;  ///< "before the infusion", "36–96 h after the last dose"
  fhir::time_point from;
  std::optional<fhir::time_point> to;  ///< a window's end; none for "from then on"
};

struct finding {
  std::string rule_id;
  std::string rule_version;  ///< the catalogue entry's version, printed on the card
  severity level = severity::info;
  std::string summary;  ///< one sentence, under 140 characters
  std::string order_reference;
  std::string product_description;
  std::vector<std::string> evidence;  ///< "Condition: Hyperprolinemia (ICD-10-CM E72.59), recorded 2024-01-02"
  std::string explanation;            ///< why it matters and what to do
  std::vector<citation> citations;
  const source* primary_source = nullptr;  ///< the card's source; the first citation's when null
  std::vector<std::string> policy_notes;   ///< each local-policy [U] item the finding rests on
  std::vector<product_switch> switches;
  std::optional<order_correction> correction;
  std::vector<lab_order> lab_orders;  ///< offered together as one "order the labs" suggestion
  /// The reasons a clinician may give to override the card: the rule's own (rules.json), and those of
  /// every rule that joined it, each once.
  std::vector<const override_reason*> override_reasons;
  /// An info finding that changes the order (a rounding, a missing indication) is shown on
  /// order-select; other info findings wait for order-sign (docs/cards.md, card discipline).
  bool changes_order = false;
  /// Rules whose card, when present for the same order, this finding joins instead of having its
  /// own (R13's rate cap joins the renal or thrombosis boxed-warning card).
  std::vector<std::string> joins;
  /// Rules whose findings joined this one (filled by the card builder).
  std::vector<std::string> also_rules;

  std::vector<std::string> joined_rule_ids() const {
    std::vector<std::string> ids{rule_id};
    ids.insert(ids.end(), also_rules.begin(), also_rules.end());
    return ids;
  }
};

struct incomplete_check {
  std::string rule_id;
  std::string check;   ///< the rule's title
  std::string reason;  ///< "conditions were not provided by the EHR"
  std::string order_reference;
  bool contraindication_screen = false;  ///< a labelled contraindication went unchecked
};

/// A rule that failed (threw) on this order: its check is reported as not completed, the other
/// rules' findings stand, and the service logs and audits the failure.
struct rule_failure {
  std::string rule_id;
  std::string order_reference;
  std::string what;  ///< the exception's message, for the log line; never shown on a card
};

struct evaluation {
  std::vector<finding> findings;
  std::vector<incomplete_check> incomplete;
  std::vector<rule_failure> failures;
};

}  // namespace ivig::rules

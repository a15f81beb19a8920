// rules/engine/hypersensitivity_rules.cpp: R1–R3, hypersensitivity to immune globulin and IgA
// deficiency (ivig-knowledge.md §1.1, §2.3).
//
// R1: a severe reaction to immune globulin is the labelled contraindication (critical); a recorded
// allergy without a severe reaction is a warning, because the label's contraindication is the severe
// reaction and the record does not say it was mild on purpose. R2: IgA deficiency with anti-IgA
// antibodies and a hypersensitivity history is the labelled contraindication (critical); a known
// deficiency with no anti-IgA result at all leaves that screen incomplete (a warning joining R3's
// card: "anti-IgA antibody status is unknown"). R3: IgA deficiency or anti-IgA antibodies alone is a
// warning that proposes lower-IgA products: only those the patient can take (not an excipient R4–R7
// would flag) and only by a code naming that product.
#include "rules/engine/hypersensitivity_rules.hpp"

#include <algorithm>
#include <cstdio>

#include "fhir/model/markdown_text.hpp"
#include "rules/engine/rule_support.hpp"

namespace ivig::rules {
namespace {

struct r1_inputs {
  const value_set& ig_substances;
  const value_set& anaphylaxis_manifestations;
  const value_set& anaphylaxis_conditions;
};

r1_inputs bind_r1(role_binder& b) {
  return {b.value_set_role("igSubstances"), b.value_set_role("anaphylaxisManifestations"),
          b.value_set_role("anaphylaxisConditions")};
}

/// What telling anti-IgA antibodies apart in a result needs (R2 and R3 read the same roles).
struct anti_iga_sets {
  const value_set& tests;
  const value_set& positive;
  const value_set& negative;
};

anti_iga_sets bind_anti_iga(role_binder& b) {
  return {b.value_set_role("antiIgaTests"), b.value_set_role("positiveResults"), b.value_set_role("negativeResults")};
}

struct r2_inputs {
  const value_set& iga_deficiency;
  anti_iga_sets anti_iga;
  const value_set& ig_substances;
  const value_set& anaphylaxis_conditions;
  const value_set& blood_product_reactions;
  // R2 also reads the serum IgA as R3 does: a known deficiency with no anti-IgA result is an
  // incomplete contraindication screen.
  const value_set& serum_iga_tests;
  const threshold& iga_deficiency_level;
};

r2_inputs bind_r2(role_binder& b) {
  return {b.value_set_role("igaDeficiency"),
          bind_anti_iga(b),
          b.value_set_role("igSubstances"),
          b.value_set_role("anaphylaxisConditions"),
          b.value_set_role("bloodProductReactions"),
          b.value_set_role("serumIgaTests"),
          b.threshold_role("igaDeficiencyLevel", "mg/dL")};
}

/// R3's own view of the excipient contraindications (the value sets R4–R7 use, bound to R3's entry):
/// a lower-IgA product the patient cannot take is not offered.
struct r3_excipient_roles {
  const value_set& hyperprolinemia;
  const value_set& fructose_intolerance;
  const value_set& corn_allergy;
  const value_set& diabetes;
  std::string_view proline;
  std::string_view sorbitol;
  std::string_view maltose;
};

struct r3_inputs {
  const value_set& iga_deficiency;
  anti_iga_sets anti_iga;
  const value_set& serum_iga_tests;
  const threshold& iga_deficiency_level;
  r3_excipient_roles excipients;
};

r3_inputs bind_r3(role_binder& b) {
  return {b.value_set_role("igaDeficiency"),
          bind_anti_iga(b),
          b.value_set_role("serumIgaTests"),
          b.threshold_role("igaDeficiencyLevel", "mg/dL"),
          {b.value_set_role("hyperprolinemia"), b.value_set_role("fructoseIntolerance"),
           b.value_set_role("cornAllergy"), b.value_set_role("diabetes"), b.param_role("prolineExcipient"),
           b.param_role("sorbitolExcipient"), b.param_role("maltoseExcipient")}};
}

bool severe(const r1_inputs& in, const rule_context& context, const fhir::allergy_intolerance& allergy) {
  const value_set& anaphylaxis = in.anaphylaxis_manifestations;
  if (allergy.criticality == "high") return true;
  for (const fhir::allergy_reaction& reaction : allergy.reactions) {
    if (reaction.severity == "severe") return true;
    for (const fhir::codeable_concept& manifestation : reaction.manifestations)
      if (match_concept(context.kb, anaphylaxis, manifestation)) return true;
  }
  return false;
}

/// Anaphylaxis conditions whose words tie them to immune globulin ("anaphylaxis after IVIG").
std::vector<matched<fhir::condition>> ig_anaphylaxis_conditions(const rule_context& context,
                                                                const value_set& anaphylaxis,
                                                                const value_set& ig_substances) {
  std::vector<matched<fhir::condition>> found;
  for (auto& candidate : conditions_in(context, anaphylaxis, status_filter::any_not_refuted)) {
    const fhir::condition& c = *candidate.resource;
    std::string words(c.code.text);
    for (const fhir::coding& coding : c.code.codings) words.append(" ").append(coding.display);
    words.append(" ").append(c.note);
    if (text_matches(ig_substances, words)) found.push_back(std::move(candidate));
  }
  return found;
}

/// A positive anti-IgA antibody result, or a condition/allergy whose words record the antibodies.
struct anti_iga_evidence {
  std::vector<std::string> lines;
  bool any() const { return !lines.empty(); }
};

bool result_is_positive(const anti_iga_sets& sets, const rule_context& context, const fhir::observation& o) {
  const value_set& positive = sets.positive;
  const value_set& negative = sets.negative;
  auto classify = [&](const fhir::codeable_concept& c) -> int {
    if (c.empty()) return 0;
    if (match_concept(context.kb, negative, c)) return -1;
    if (match_concept(context.kb, positive, c)) return 1;
    return 0;
  };
  for (const fhir::codeable_concept& interpretation : o.interpretations)
    if (const int verdict = classify(interpretation); verdict != 0) return verdict > 0;
  if (const int verdict = classify(o.value_concept); verdict != 0) return verdict > 0;
  if (!o.value_string.empty()) {
    if (text_matches(negative, o.value_string)) return false;
    return text_matches(positive, o.value_string);
  }
  return false;
}

anti_iga_evidence find_anti_iga(const anti_iga_sets& sets, const rule_context& context) {
  const value_set& tests = sets.tests;
  anti_iga_evidence evidence;
  for (const auto& found : observations_in(context, tests)) {
    if (result_is_positive(sets, context, *found.resource)) {
      evidence.lines.push_back(describe(found) + " (positive)");
      break;  // newest positive result is enough
    }
  }
  for (const auto& found : conditions_in(context, tests, status_filter::any_not_refuted))
    evidence.lines.push_back(describe(found));
  return evidence;
}

std::vector<std::string> hypersensitivity_history(const r2_inputs& in, const rule_context& context) {
  std::vector<std::string> lines;
  const value_set& ig = in.ig_substances;
  const value_set& anaphylaxis = in.anaphylaxis_conditions;
  const value_set& blood = in.blood_product_reactions;
  for (const auto& found : allergies_in(context, ig, status_filter::any_not_refuted)) lines.push_back(describe(found));
  for (const auto& found : allergies_in(context, blood, status_filter::any_not_refuted))
    lines.push_back(describe(found));
  for (const auto& found : conditions_in(context, anaphylaxis, status_filter::any_not_refuted))
    lines.push_back(describe(found));
  for (const auto& found : conditions_in(context, blood, status_filter::any_not_refuted)) {
    const std::string line = describe(found);
    if (std::find(lines.begin(), lines.end(), line) == lines.end()) lines.push_back(line);
  }
  return lines;
}

void append(std::vector<std::string>& into, const std::vector<std::string>& from) {
  into.insert(into.end(), from.begin(), from.end());
}

void check_r1(const r1_inputs& in, const rule_context& context, evaluation& out) {
  const value_set& ig = in.ig_substances;
  std::vector<std::string> severe_lines, other_lines;
  for (const auto& found : allergies_in(context, ig, status_filter::active_only))
    (severe(in, context, *found.resource) ? severe_lines : other_lines).push_back(describe(found));
  for (const auto& found : ig_anaphylaxis_conditions(context, in.anaphylaxis_conditions, ig))
    severe_lines.push_back(describe(found));

  if (!severe_lines.empty()) {
    finding f = start_finding(context, severity::critical,
                              "IVIg contraindicated: anaphylaxis or severe reaction to immune globulin on record");
    f.evidence = severe_lines;
    append(f.evidence, other_lines);
    out.findings.push_back(std::move(f));
  } else if (!other_lines.empty()) {
    finding f =
        start_finding(context, severity::warning,
                      "Allergy to immune globulin on record: confirm the reaction was not severe before giving IVIg");
    f.evidence = other_lines;
    f.explanation =
        "The label contraindicates IVIg after an anaphylactic or severe systemic reaction to human "
        "immune globulin. This allergy record does not say the reaction was severe (no high "
        "criticality, severe reaction or anaphylaxis is recorded); confirm the history before ordering.";
    out.findings.push_back(std::move(f));
  }
}

void screen_anti_iga_status(const r2_inputs& in, const rule_context& context,
                            const std::vector<matched<fhir::condition>>& deficiency, evaluation& out);

void check_r2(const r2_inputs& in, const rule_context& context, evaluation& out) {
  const auto deficiency = conditions_in(context, in.iga_deficiency, status_filter::active_only);
  const anti_iga_evidence antibodies = find_anti_iga(in.anti_iga, context);
  const std::vector<std::string> history =
      deficiency.empty() || !antibodies.any() ? std::vector<std::string>{} : hypersensitivity_history(in, context);
  if (history.empty()) {
    screen_anti_iga_status(in, context, deficiency, out);
    return;
  }
  finding f =
      start_finding(context, severity::critical,
                    "IVIg contraindicated: IgA deficiency with anti-IgA antibodies and a hypersensitivity history");
  for (const auto& found : deficiency) f.evidence.push_back(describe(found));
  append(f.evidence, antibodies.lines);
  append(f.evidence, history);
  out.findings.push_back(std::move(f));
}

/// The newest serum IgA result, judged against the assay limit and the local policy level.
struct iga_level_verdict {
  bool deficient = false;
  std::string line;
  std::string policy;
  std::string problem;  ///< set when the newest result cannot be interpreted
};

std::optional<iga_level_verdict> judge_serum_iga(const value_set& serum_iga_tests, const threshold& deficiency_level,
                                                 const rule_context& context) {
  const auto results = observations_in(context, serum_iga_tests);
  for (const auto& found : results) {
    const fhir::observation& o = *found.resource;
    if (!o.value_quantity) continue;
    iga_level_verdict verdict;
    verdict.line = describe(found);
    const fhir::quantity& q = *o.value_quantity;
    if (q.comparator == "<" || q.comparator == "<=") {
      verdict.deficient = true;
      verdict.line += " (below the assay's reporting limit)";
      return verdict;
    }
    const std::optional<double> mg_per_dl = to_mg_per_dl(q.value, q.effective_unit());
    if (!mg_per_dl) {
      verdict.problem = "the newest serum IgA result is in a unit the service cannot interpret (" +
                        fhir::markdown_text(q.effective_unit()) + ")";
      return verdict;
    }
    const threshold& level = deficiency_level;
    if (*mg_per_dl < level.value) {
      verdict.deficient = true;
      verdict.policy = policy_note(level, "Counting serum IgA as deficient");
    }
    return verdict;
  }
  return std::nullopt;
}

/// An excipient this patient should not be switched to, and why.
struct excluded_excipient {
  std::string_view substance;
  std::string because;  ///< "hyperprolinemia"
};

std::vector<excluded_excipient> excluded_excipients(const r3_excipient_roles& in, const rule_context& context) {
  std::vector<excluded_excipient> excluded;
  auto by_condition = [&](const value_set& set, std::string_view substance, std::string because) {
    if (!conditions_in(context, set, status_filter::active_only).empty())
      excluded.push_back({substance, std::move(because)});
  };
  by_condition(in.hyperprolinemia, in.proline, "hyperprolinemia");
  by_condition(in.fructose_intolerance, in.sorbitol, "hereditary fructose intolerance");
  if (!allergies_in(context, in.corn_allergy, status_filter::active_only).empty())
    excluded.push_back({in.maltose, "corn allergy"});
  // R7's group: a diabetic's glucose meter reads maltose as glucose. A product without maltose is
  // the better switch than one that needs glucose-specific meters.
  by_condition(in.diabetes, in.maltose, "diabetes (glucose meters read maltose as glucose)");
  return excluded;
}

/// Why `p` cannot be offered to this patient, or empty when it can.
std::string why_not_offered(const product& p, const std::vector<excluded_excipient>& excluded) {
  if (p.specific_identifier() == nullptr) return "no product-specific code to order it by";
  // A product whose excipients are not known cannot be screened against this patient's excipient
  // contraindications (R4–R7): it is not offered until its label is in the knowledge.
  if (!p.excipients_known) return "its excipients are not in the knowledge base";
  for (const excluded_excipient& e : excluded)
    if (p.find_excipient(e.substance) != nullptr) return "contains " + std::string(e.substance) + ": " + e.because;
  return {};
}

/// Lower-IgA products this patient can take, best first; `left_out` says which others were not
/// offered and why ("Privigen (contains proline: hyperprolinemia)").
std::vector<product_switch> lower_iga_switches(const r3_inputs& in, const rule_context& context,
                                               std::string& left_out) {
  const std::vector<excluded_excipient> excluded = excluded_excipients(in.excipients, context);
  std::vector<const product*> ranked;
  const product* current = context.order.identified_product();
  for (const product& p : context.kb.products) {
    if (!p.marketed || !p.iga) continue;
    if (std::find(context.order.candidates.begin(), context.order.candidates.end(), &p) !=
        context.order.candidates.end())
      continue;
    if (current != nullptr && current->iga && p.iga->micrograms_per_ml >= current->iga->micrograms_per_ml) continue;
    if (const std::string why = why_not_offered(p, excluded); !why.empty()) {
      left_out += (left_out.empty() ? "" : "; ") + p.name + " (" + why + ")";
      continue;
    }
    ranked.push_back(&p);
  }
  std::stable_sort(ranked.begin(), ranked.end(), [](const product* a, const product* b) {
    return a->iga->micrograms_per_ml < b->iga->micrograms_per_ml;
  });
  if (ranked.size() > context.kb.low_iga_suggestion_limit) ranked.resize(context.kb.low_iga_suggestion_limit);
  std::vector<product_switch> switches;
  for (const product* p : ranked) {
    product_switch s;
    s.to = p;
    s.label = "Switch to " + p->name + " (IgA " + p->iga->describe() + ")";
    s.reason = "Changes the product of " + context.order.reference() + " from " + context.order.product_description() +
               " to " + p->name + " (IgA " + p->iga->describe() + " " + std::string(evidence_marker(p->iga->evidence)) +
               "); dose and rate are unchanged: review the volume and infusion rate for the new product";
    if (!left_out.empty()) s.reason += ". Not offered for this patient: " + left_out;
    // Allergies are not R3's declared data (whether R3 fires does not depend on them), so their
    // absence is said where it matters: a corn allergy could not rule out a maltose product.
    if (p->find_excipient(in.excipients.maltose) != nullptr && !context.record.status_of("allergies").complete())
      s.reason += ". Allergies were not sent: check for a corn allergy (" + p->name + " contains maltose)";
    s.recommended = switches.empty();
    switches.push_back(std::move(s));
  }
  return switches;
}

/// True when R2 found the labelled contraindication for this order (not its incomplete-screen warning,
/// which joins R3's card).
bool r2_contraindication_found(const evaluation& out, const rule_context& context) {
  const std::string order = context.order.reference();
  return std::any_of(out.findings.begin(), out.findings.end(), [&](const finding& f) {
    return f.rule_id == r2_iga_deficiency_with_antibodies.id && f.order_reference == order &&
           f.level == severity::critical;
  });
}

/// R2's screen cannot be completed when IgA deficiency is known (condition, or serum IgA below the
/// level R3 uses) and the record holds no anti-IgA result at all: the labelled contraindication can
/// be neither found nor excluded. An incomplete contraindication screen is a warning; it joins R3's
/// card (one card per concern), whose evidence then says the status is unknown.
void screen_anti_iga_status(const r2_inputs& in, const rule_context& context,
                            const std::vector<matched<fhir::condition>>& deficiency, evaluation& out) {
  const value_set& tests = in.anti_iga.tests;
  if (!observations_in(context, tests).empty() ||
      !conditions_in(context, tests, status_filter::any_not_refuted).empty())
    return;
  std::vector<std::string> lines;
  for (const auto& found : deficiency) lines.push_back(describe(found));
  std::string policy;
  if (deficiency.empty()) {
    const std::optional<iga_level_verdict> level =
        judge_serum_iga(in.serum_iga_tests, in.iga_deficiency_level, context);
    if (!level || !level->deficient) return;
    lines.push_back(level->line);
    policy = level->policy;
  }
  finding f = start_finding(context, severity::warning,
                            "IgA deficiency with unknown anti-IgA antibody status: contraindication screen incomplete");
  f.evidence = std::move(lines);
  f.evidence.push_back(
      "**Anti-IgA antibody status is unknown**: no anti-IgA antibody result is in the record, so the labelled "
      "contraindication (IgA deficiency with anti-IgA antibodies and a hypersensitivity history) can be neither "
      "found nor excluded. Until antibodies are excluded, give the product with the least IgA and ask about "
      "earlier reactions to blood products or immune globulin.");
  f.evidence.push_back(tests.site_codes == 0
                           ? "This site has not configured the local codes of its anti-IgA test, so an anti-IgA "
                             "result is found only when its name contains words such as \"anti-IgA\"."
                           : "Anti-IgA results are looked for under this site's " + std::to_string(tests.site_codes) +
                                 " configured local test code(s) and by their words.");
  if (!policy.empty()) f.policy_notes.push_back(policy);
  f.explanation =
      "IVIg is contraindicated in IgA deficiency with anti-IgA antibodies and a history of hypersensitivity. "
      "Without an anti-IgA result that contraindication cannot be excluded: test for anti-IgA antibodies if the "
      "result would change the choice, and until then choose the product with the least IgA.";
  f.joins = {std::string(r3_iga_deficiency.id)};
  out.findings.push_back(std::move(f));
}

void check_r3(const r3_inputs& in, const rule_context& context, evaluation& out) {
  // R2 owns the combination with a hypersensitivity history (it runs first); R3 is the partial picture.
  if (r2_contraindication_found(out, context)) return;
  const auto deficiency = conditions_in(context, in.iga_deficiency, status_filter::active_only);
  const anti_iga_evidence antibodies = find_anti_iga(in.anti_iga, context);
  const std::optional<iga_level_verdict> level = judge_serum_iga(in.serum_iga_tests, in.iga_deficiency_level, context);

  std::vector<std::string> lines;
  for (const auto& found : deficiency) lines.push_back(describe(found));
  append(lines, antibodies.lines);
  std::vector<std::string> policy;
  if (level && level->deficient) {
    lines.push_back(level->line);
    if (!level->policy.empty()) policy.push_back(level->policy);
  }
  if (lines.empty()) {
    if (level && !level->problem.empty()) {
      out.incomplete.push_back(incomplete(context, level->problem));
    } else if (!level && context.record.status_of("observations").complete()) {
      out.incomplete.push_back(
          incomplete(context, "no serum IgA result is on file, so IgA deficiency cannot be excluded"));
    }
    return;
  }
  finding f = start_finding(context, severity::warning,
                            "IgA deficiency or anti-IgA antibodies: consider a product with less IgA");
  f.evidence = std::move(lines);
  f.policy_notes = std::move(policy);
  std::string left_out;
  f.switches = lower_iga_switches(in, context, left_out);
  if (f.switches.empty() && !left_out.empty())
    f.explanation += " No lower-IgA product is offered for this patient: " + left_out + ".";
  out.findings.push_back(std::move(f));
}

}  // namespace

const rule_unit r1_ig_hypersensitivity = define_rule<r1_inputs, &bind_r1, &check_r1>("R1", __FILE__);
const rule_unit r2_iga_deficiency_with_antibodies = define_rule<r2_inputs, &bind_r2, &check_r2>("R2", __FILE__);
const rule_unit r3_iga_deficiency = define_rule<r3_inputs, &bind_r3, &check_r3>("R3", __FILE__);

}  // namespace ivig::rules

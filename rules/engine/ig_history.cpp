// rules/engine/ig_history.cpp: gathering the patient's earlier immune globulin.
#include "rules/engine/ig_history.hpp"

#include <algorithm>

#include "fhir/model/markdown_text.hpp"
#include "rules/engine/ivig_order.hpp"
#include "rules/engine/number_format.hpp"
#include "rules/engine/record_queries.hpp"
#include "rules/engine/rule_unit.hpp"
#include "rules/engine/terminology.hpp"

namespace ivig::rules {
namespace {

/// What the record names, and the product when one is identified; nullopt when it is not immune globulin.
std::optional<std::pair<std::string, const product*>> immune_globulin_in(const knowledge& kb, const value_set& substances,
                                                                         const fhir::medication_order& as_order) {
  // The product by name when the record identifies one; else what the immune globulin codes matched.
  if (auto recognised = recognise_ivig(as_order, {as_order.medication_concept}, kb))
    if (const product* identified = recognised->identified_product())
      return std::make_pair(identified->name + " (" + recognised->recognised_by + ")", identified);
  if (const auto match = match_concept(kb, substances, as_order.medication_concept))
    return std::make_pair(match->describe(), static_cast<const product*>(nullptr));
  return std::nullopt;
}

bool ended(std::string_view status) {
  return status == "completed" || status == "stopped";
}

bool never_happened(std::string_view status) {
  return status == "entered-in-error" || status == "cancelled" || status == "draft" || status == "not-done";
}

std::optional<double> grams_of(const std::optional<fhir::quantity>& dose) {
  if (!dose) return std::nullopt;
  const std::string_view unit = dose->effective_unit();
  if (unit == "g") return dose->value;
  if (unit == "mg") return dose->value / 1000.0;
  return std::nullopt;
}

void date_record(ig_record& r, std::optional<fhir::time_point> when, fhir::time_point now) {
  r.when = when;
  if (when) r.days_ago = fhir::days_between(*when, now);
}

}  // namespace

ig_history_inputs bind_ig_history(role_binder& b) {
  return {b.value_set_role("igSubstances"), b.value_set_role("igAdministration")};
}

std::string ig_record::line() const {
  std::string out;
  switch (kind) {
    case ig_record_kind::current_order:
      out = "Existing order: " + what + " (" + reference + ", " + status + ")";
      return out;
    case ig_record_kind::ended_order:
      out = "Earlier order: " + what + " (" + reference + ", " + status;
      if (when) out += ", written " + fhir::format_date(*when);
      return out + ")";
    case ig_record_kind::administration:
    case ig_record_kind::immunization:
      out = "Given: " + what;
      if (when) out += " on " + fhir::format_date(*when) + " (" + std::to_string(days_ago) + " days ago)";
      if (!dose_text.empty()) out += ", " + dose_text;
      if (kind == ig_record_kind::administration) out += " (" + reference + ")";
      return out;
  }
  return out;
}

bool ig_history::any_intravenous() const {
  return std::any_of(records.begin(), records.end(), [](const ig_record& r) { return r.intravenous; });
}

std::vector<const product*> ig_history::products() const {
  std::vector<const product*> out;
  for (const ig_record& r : records)
    if (r.identified != nullptr && std::find(out.begin(), out.end(), r.identified) == out.end())
      out.push_back(r.identified);
  return out;
}

const ig_record* ig_history::last_course() const {
  const ig_record* newest_given = nullptr;
  const ig_record* newest_ended = nullptr;
  for (const ig_record& r : records) {
    // An intramuscular or unspecified immune globulin record is not an IVIg course.
    if (!r.when || !r.intravenous) continue;
    if (r.given() && (newest_given == nullptr || *r.when > *newest_given->when)) newest_given = &r;
    if (r.kind == ig_record_kind::ended_order && (newest_ended == nullptr || *r.when > *newest_ended->when))
      newest_ended = &r;
  }
  return newest_given != nullptr ? newest_given : newest_ended;
}

std::optional<double> ig_history::grams_given_since(fhir::time_point since) const {
  double grams = 0;
  for (const ig_record& r : records) {
    if (r.kind != ig_record_kind::administration || !r.when || *r.when < since) continue;
    if (!r.grams) return std::nullopt;
    grams += *r.grams;
  }
  return grams;
}

ig_history gather_ig_history(const fhir::patient_record& record, const knowledge& kb, const ig_history_inputs& in,
                             fhir::time_point now) {
  ig_history history;
  history.complete =
      record.status_of("medicationHistory").complete() && record.status_of("administrations").complete();
  for (const fhir::medication_order& o : record.medication_orders) {
    if (never_happened(o.status)) continue;
    const auto found = immune_globulin_in(kb, in.ig_substances, o);
    if (!found) continue;
    ig_record r;
    r.kind = ended(o.status) ? ig_record_kind::ended_order : ig_record_kind::current_order;
    r.order = &o;
    r.what = found->first;
    r.identified = found->second;
    r.reference = reference_text(o.resource_type, o.id);
    r.status = fhir::markdown_text(o.status);
    date_record(r, o.authored ? std::optional<fhir::time_point>(o.authored->at) : std::nullopt, now);
    for (std::string_view text : o.dosage_texts)
      r.dose_text += (r.dose_text.empty() ? "" : "; ") + fhir::markdown_text(text);
    history.records.push_back(std::move(r));
  }
  for (const fhir::medication_administration& a : record.administrations) {
    if (never_happened(a.status)) continue;
    fhir::medication_order as_order;
    as_order.resource_type = "MedicationAdministration";
    as_order.id = a.id;
    as_order.medication_concept = a.medication_concept;
    const auto found = immune_globulin_in(kb, in.ig_substances, as_order);
    if (!found) continue;
    ig_record r;
    r.kind = ig_record_kind::administration;
    r.what = found->first;
    r.identified = found->second;
    r.reference = reference_text("MedicationAdministration", a.id);
    r.status = fhir::markdown_text(a.status);
    date_record(r, a.effective ? std::optional<fhir::time_point>(a.effective->at) : std::nullopt, now);
    r.grams = grams_of(a.dose);
    if (a.dose)
      r.dose_text = format_rounded(a.dose->value) + " " + fhir::markdown_text(a.dose->effective_unit());
    else
      r.dose_text = fhir::markdown_text(a.dosage_text);
    for (std::string_view note : a.notes) r.notes.push_back(fhir::markdown_text(note));
    history.records.push_back(std::move(r));
  }
  for (const fhir::immunization& i : record.immunizations) {
    if (never_happened(i.status)) continue;
    const auto match = match_concept(kb, in.ig_administration, i.vaccine);
    if (!match || !i.occurrence) continue;
    ig_record r;
    r.kind = ig_record_kind::immunization;
    r.what = match->describe();
    // Only intravenous immune globulin (CVX 87, an IV product code) makes an IVIg infusion "not the first".
    r.intravenous = kb.recognition.iv_product_codes != nullptr &&
                    match_concept(kb, *kb.recognition.iv_product_codes, i.vaccine).has_value();
    r.reference = reference_text("Immunization", i.id);
    r.status = fhir::markdown_text(i.status);
    date_record(r, i.occurrence->at, now);
    history.records.push_back(std::move(r));
  }
  // Current orders first; then the newest first, so that the last course leads.
  std::stable_sort(history.records.begin(), history.records.end(), [](const ig_record& a, const ig_record& b) {
    const bool a_current = a.kind == ig_record_kind::current_order;
    const bool b_current = b.kind == ig_record_kind::current_order;
    if (a_current != b_current) return a_current;
    if (a.when && b.when) return *a.when > *b.when;
    return a.when.has_value() && !b.when.has_value();
  });
  return history;
}

}  // namespace ivig::rules

// fhir/model/dosage.cpp: reading doses, rates, timing and maxDosePerPeriod out of dosageInstruction,
// with the unit tables that say which spellings are accepted and how each converts.
#include "fhir/model/dosage.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <string_view>

#include "fhir/model/datatypes.hpp"
#include "fhir/model/markdown_text.hpp"

namespace ivig::fhir {
namespace {

// ---- unit tables -------------------------------------------------------------------------------
// Keys are compared after normalise(): lower case, whitespace removed. Lower-casing is safe for
// these units (no accepted spelling differs from another only by case, and "ML/H" or "Mg/kg" in a
// unit text means what the clinician typed). Each spelling is one row so the tables read as lists.

struct dose_unit {
  std::string_view key;
  double divisor;  // written value / divisor = grams (or g/kg); divide rather than multiply by 0.001
                   // so 400 mg/kg reads as exactly the double 0.4
  dose_basis basis;
  bool per_day;
};

constexpr auto absolute = dose_basis::absolute;
constexpr auto per_kg = dose_basis::per_kg;

constexpr std::array dose_units{
    dose_unit{"g", 1, absolute, false},
    dose_unit{"gm", 1, absolute, false},
    dose_unit{"gms", 1, absolute, false},
    dose_unit{"gram", 1, absolute, false},
    dose_unit{"grams", 1, absolute, false},
    dose_unit{"mg", 1000, absolute, false},
    dose_unit{"milligram", 1000, absolute, false},
    dose_unit{"milligrams", 1000, absolute, false},
    dose_unit{"g/kg", 1, per_kg, false},
    dose_unit{"gm/kg", 1, per_kg, false},
    dose_unit{"gram/kg", 1, per_kg, false},
    dose_unit{"grams/kg", 1, per_kg, false},
    dose_unit{"mg/kg", 1000, per_kg, false},
    dose_unit{"milligram/kg", 1000, per_kg, false},
    dose_unit{"milligrams/kg", 1000, per_kg, false},
    // Per-day spellings (UCUM g/kg/d, also written g/(kg.d)). The amount is still one day's dose, so it is read
    // as a dose with `per_day` set, not rejected.
    dose_unit{"g/d", 1, absolute, true},
    dose_unit{"g/day", 1, absolute, true},
    dose_unit{"mg/d", 1000, absolute, true},
    dose_unit{"mg/day", 1000, absolute, true},
    dose_unit{"g/kg/d", 1, per_kg, true},
    dose_unit{"g/kg/day", 1, per_kg, true},
    dose_unit{"g/(kg.d)", 1, per_kg, true},
    dose_unit{"gm/kg/day", 1, per_kg, true},
    dose_unit{"mg/kg/d", 1000, per_kg, true},
    dose_unit{"mg/kg/day", 1000, per_kg, true},
    dose_unit{"mg/(kg.d)", 1000, per_kg, true},
};

struct rate_unit {
  std::string_view key;
  rate_kind kind;
  double multiplier;  // written value * multiplier / divisor = value in the kind's unit
  double divisor;
};

constexpr auto ml_h = rate_kind::ml_per_hour;
constexpr auto ml_kg_h = rate_kind::ml_per_kg_per_hour;
constexpr auto mg_kg_min = rate_kind::mg_per_kg_per_min;

constexpr std::array rate_units{
    rate_unit{"ml/h", ml_h, 1, 1},
    rate_unit{"ml/hr", ml_h, 1, 1},
    rate_unit{"ml/hour", ml_h, 1, 1},
    rate_unit{"ml/min", ml_h, 60, 1},
    rate_unit{"ml/kg/h", ml_kg_h, 1, 1},
    rate_unit{"ml/kg/hr", ml_kg_h, 1, 1},
    rate_unit{"ml/(kg.h)", ml_kg_h, 1, 1},
    rate_unit{"ml/kg/min", ml_kg_h, 60, 1},
    rate_unit{"ml/(kg.min)", ml_kg_h, 60, 1},
    rate_unit{"mg/kg/min", mg_kg_min, 1, 1},
    rate_unit{"mg/(kg.min)", mg_kg_min, 1, 1},
    rate_unit{"mg/kg/h", mg_kg_min, 1, 60},
    rate_unit{"mg/kg/hr", mg_kg_min, 1, 60},
    rate_unit{"mg/(kg.h)", mg_kg_min, 1, 60},
};
constexpr std::string_view rate_units_in_words = "mL/h, mL/min, mL/kg/h, mL/kg/min, mg/kg/min or mg/kg/h";

/// The numerator of a rateRatio: what is given per the denominator's time.
struct amount_unit {
  std::string_view key;
  rate_kind kind;
};
constexpr std::array amount_units{
    amount_unit{"ml", ml_h},         amount_unit{"milliliter", ml_h},  amount_unit{"milliliters", ml_h},
    amount_unit{"millilitre", ml_h}, amount_unit{"millilitres", ml_h}, amount_unit{"ml/kg", ml_kg_h},
    amount_unit{"mg/kg", mg_kg_min},
};

/// UCUM units of time (the units-of-time value set of Timing) and their usual spellings.
/// UCUM defines `mo` as the mean Julian month, 1/12 of `a` = 365.25 d, i.e. 30.4375 d; that is a
/// calendar convention of the unit system, not a clinical choice, and is used as-is here.
struct time_unit {
  std::string_view key;
  std::string_view code;
  double seconds;
};
constexpr double seconds_per_day = 86400;
constexpr std::array time_units{
    time_unit{"s", "s", 1},
    time_unit{"sec", "s", 1},
    time_unit{"second", "s", 1},
    time_unit{"seconds", "s", 1},
    time_unit{"min", "min", 60},
    time_unit{"minute", "min", 60},
    time_unit{"minutes", "min", 60},
    time_unit{"h", "h", 3600},
    time_unit{"hr", "h", 3600},
    time_unit{"hour", "h", 3600},
    time_unit{"hours", "h", 3600},
    time_unit{"d", "d", seconds_per_day},
    time_unit{"day", "d", seconds_per_day},
    time_unit{"days", "d", seconds_per_day},
    time_unit{"wk", "wk", 7 * seconds_per_day},
    time_unit{"week", "wk", 7 * seconds_per_day},
    time_unit{"weeks", "wk", 7 * seconds_per_day},
    time_unit{"mo", "mo", 30.4375 * seconds_per_day},
    time_unit{"month", "mo", 30.4375 * seconds_per_day},
    time_unit{"months", "mo", 30.4375 * seconds_per_day},
    time_unit{"a", "a", 365.25 * seconds_per_day},
    time_unit{"yr", "a", 365.25 * seconds_per_day},
    time_unit{"year", "a", 365.25 * seconds_per_day},
    time_unit{"years", "a", 365.25 * seconds_per_day},
};
constexpr std::string_view time_units_in_words = "s, min, h, d, wk, mo or a";

std::string normalise(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte == ' ' || byte == '\t' || byte == '\n' || byte == '\r') continue;
    out.push_back(byte >= 'A' && byte <= 'Z' ? static_cast<char>(byte - 'A' + 'a') : c);
  }
  return out;
}

template <typename Entry, std::size_t size>
const Entry* find_unit(const std::array<Entry, size>& table, std::string_view written) {
  const std::string key = normalise(written);
  if (key.empty()) return nullptr;
  for (const Entry& entry : table)
    if (entry.key == key) return &entry;
  return nullptr;
}

bool is_ucum(std::string_view system) {
  return system == "http://unitsofmeasure.org" || system == "http://unitsofmeasure.org/" ||
         system == "urn:oid:2.16.840.1.113883.6.8";
}

template <typename Entry>
struct resolved_unit {
  const Entry* entry = nullptr;
  std::string written;  // what was matched, or what to quote when nothing matched
  bool present = false;
};

/// The unit of a Quantity. A UCUM code is authoritative (a unit text that disagrees with it is a
/// display string). Any other code (a SNOMED CT unit code, or a code without a system) is tried and
/// then the unit text, which is where hand-written orders put "mg/kg" or "mL/hr".
template <typename Entry, std::size_t size>
resolved_unit<Entry> resolve_unit(const json_value& quantity, const std::array<Entry, size>& table) {
  const std::string_view code = string_member(quantity, "code");
  const std::string_view unit = string_member(quantity, "unit");
  resolved_unit<Entry> out;
  if (!normalise(code).empty() && is_ucum(string_member(quantity, "system"))) {
    out.present = true;
    out.written = code;
    out.entry = find_unit(table, code);
    return out;
  }
  if (const Entry* by_code = find_unit(table, code)) {
    out.present = true;
    out.written = code;
    out.entry = by_code;
    return out;
  }
  out.written = normalise(unit).empty() ? code : unit;
  out.present = !normalise(out.written).empty();
  out.entry = find_unit(table, unit);
  return out;
}

std::string format_number(double value) {
  std::array<char, 32> buffer{};
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  return {buffer.data(), result.ptr};
}

// ---- problems ----------------------------------------------------------------------------------

/// Collects problem lines; `prefix` names the doseAndRate entry ("calculated ") so a clinician can
/// tell which of two doses could not be read.
struct problem_sink {
  std::vector<std::string>& lines;
  std::string prefix;

  void add(std::string_view text) const { lines.push_back(prefix + std::string(text)); }
};

/// The order's own words in a problem, which becomes card Markdown (an evidence line, the
/// worksheet): escaped (markdown_text.hpp).
std::string quoted(std::string_view text) {
  return "'" + markdown_text(text) + "'";
}

// ---- quantities --------------------------------------------------------------------------------

/// The non-negative value of the Quantity at `field`, or nullopt with a problem. With
/// `keep_negative` a negative value is still named as a problem but returned, so that the order's
/// dose is judged as written ("a dose of -30 g cannot be right") rather than silently replaced.
std::optional<double> checked_value(const json_value* quantity, std::string_view field, const problem_sink& sink,
                                    bool keep_negative = false) {
  const std::string name(field);
  if (quantity != nullptr && !quantity->IsObject()) {
    sink.add(name + " is not a Quantity");
    return std::nullopt;
  }
  const json_value* value = member(quantity, "value");
  if (value == nullptr) {
    sink.add(name + " without a value");
    return std::nullopt;
  }
  if (!value->IsNumber()) {
    sink.add(name + " value is not a number");
    return std::nullopt;
  }
  if (value->GetDouble() < 0) {
    sink.add(name + " value is negative");
    if (!keep_negative) return std::nullopt;
  }
  return value->GetDouble();
}

/// A dose Quantity; `label` is the clinician's word for it in problems ("dose").
std::optional<dose_value> read_dose(const json_value* quantity, std::string_view field, std::string_view label,
                                    const problem_sink& sink) {
  const std::optional<double> value = checked_value(quantity, field, sink, true);
  if (!value) return std::nullopt;
  const auto unit = resolve_unit(*quantity, dose_units);
  if (!unit.present) {
    sink.add(std::string(label) + " has no unit");
    return std::nullopt;
  }
  if (unit.entry == nullptr) {
    sink.add(std::string(label) + " unit " + quoted(unit.written) + " is not a mass or mass per kg unit");
    return std::nullopt;
  }
  dose_value out;
  out.value = *value;
  out.unit = unit.written;
  out.basis = unit.entry->basis;
  out.grams = *value / unit.entry->divisor;
  out.per_day = unit.entry->per_day;
  return out;
}

std::optional<rate_value> read_rate(const json_value* quantity, std::string_view field, std::string_view label,
                                    const problem_sink& sink) {
  const std::optional<double> value = checked_value(quantity, field, sink);
  if (!value) return std::nullopt;
  const auto unit = resolve_unit(*quantity, rate_units);
  if (!unit.present) {
    sink.add(std::string(label) + " has no unit");
    return std::nullopt;
  }
  if (unit.entry == nullptr) {
    sink.add(std::string(label) + " unit " + quoted(unit.written) + " is not " + std::string(rate_units_in_words));
    return std::nullopt;
  }
  rate_value out;
  out.value = *value * unit.entry->multiplier / unit.entry->divisor;
  out.kind = unit.entry->kind;
  out.unit = unit.written;
  return out;
}

struct duration {
  double value = 0;
  const time_unit* unit = nullptr;
  std::string written;

  double seconds() const { return value * unit->seconds; }
  double days() const { return value * unit->seconds / seconds_per_day; }
};

/// A Duration (or the time denominator of a Ratio).
std::optional<duration> read_duration(const json_value* quantity, std::string_view field, std::string_view label,
                                      const problem_sink& sink) {
  const std::optional<double> value = checked_value(quantity, field, sink);
  if (!value) return std::nullopt;
  const auto unit = resolve_unit(*quantity, time_units);
  if (!unit.present) {
    sink.add(std::string(label) + " has no unit");
    return std::nullopt;
  }
  if (unit.entry == nullptr) {
    sink.add(std::string(label) + " unit " + quoted(unit.written) + " is not a time unit (" +
             std::string(time_units_in_words) + ")");
    return std::nullopt;
  }
  return duration{*value, unit.entry, unit.written};
}

/// rateRatio: an amount (mL, mL/kg or mg/kg) over a time, e.g. 100 mL / 1 h or 500 mL / 30 min.
std::optional<rate_value> read_rate_ratio(const json_value& ratio, const problem_sink& sink) {
  if (!ratio.IsObject()) {
    sink.add("rateRatio is not a Ratio");
    return std::nullopt;
  }
  const json_value* numerator = member(ratio, "numerator");
  std::optional<double> amount = checked_value(numerator, "rateRatio.numerator", sink);
  const amount_unit* amount_kind = nullptr;
  std::string amount_written;
  if (amount) {
    const auto unit = resolve_unit(*numerator, amount_units);
    amount_written = unit.written;
    amount_kind = unit.entry;
    if (!unit.present)
      sink.add("rateRatio numerator has no unit");
    else if (unit.entry == nullptr)
      sink.add("rateRatio numerator unit " + quoted(unit.written) + " is not mL, mL/kg or mg/kg");
  }
  const std::optional<duration> time =
      read_duration(member(ratio, "denominator"), "rateRatio.denominator", "rateRatio denominator", sink);
  if (time && time->value == 0) {
    sink.add("rateRatio.denominator is zero");
    return std::nullopt;
  }
  if (!amount || amount_kind == nullptr || !time) return std::nullopt;
  rate_value out;
  out.kind = amount_kind->kind;
  // mL and mL/kg are per hour, mg/kg per minute (rate_kind's units).
  const double per = out.kind == rate_kind::mg_per_kg_per_min ? 60 : 3600;
  out.value = *amount * per / time->seconds();
  out.unit =
      amount_written + "/" + (time->value == 1 ? std::string() : format_number(time->value) + " ") + time->written;
  return out;
}

std::optional<dose_value> read_dose_range(const json_value& range, const problem_sink& sink) {
  if (!range.IsObject()) {
    sink.add("doseRange is not a Range");
    return std::nullopt;
  }
  // The high end: a maximum-dose check must see the most that may be given.
  std::optional<dose_value> dose = read_dose(member(range, "high"), "doseRange.high", "dose", sink);
  if (dose) dose->from_range = true;
  return dose;
}

void read_rate_range(const json_value& range, dose_and_rate& entry, const problem_sink& sink) {
  if (!range.IsObject()) {
    sink.add("rateRange is not a Range");
    return;
  }
  const json_value* low = member(range, "low");
  const json_value* high = member(range, "high");
  if (low == nullptr && high == nullptr) sink.add("rateRange has neither low nor high");
  if (low != nullptr) entry.rate_low = read_rate(low, "rateRange.low", "rate range low", sink);
  if (high != nullptr) entry.rate_high = read_rate(high, "rateRange.high", "rate range high", sink);
}

/// The dose[x] and rate[x] of `holder`: an R4 doseAndRate element, or an STU3/DSTU2 dosage itself.
void read_dose_and_rate_fields(const json_value& holder, dose_and_rate& entry, const problem_sink& sink) {
  const json_value* dose_quantity = member(holder, "doseQuantity");
  const json_value* dose_range = member(holder, "doseRange");
  if (dose_quantity != nullptr) entry.dose = read_dose(dose_quantity, "doseQuantity", "dose", sink);
  if (dose_range != nullptr) {
    if (dose_quantity != nullptr)
      sink.add("doseQuantity and doseRange both given; doseRange not read");
    else
      entry.dose = read_dose_range(*dose_range, sink);
  }
  const json_value* rate_quantity = member(holder, "rateQuantity");
  const json_value* rate_ratio = member(holder, "rateRatio");
  if (rate_quantity != nullptr) entry.rate = read_rate(rate_quantity, "rateQuantity", "rate", sink);
  if (rate_ratio != nullptr) {
    if (rate_quantity != nullptr)
      sink.add("rateQuantity and rateRatio both given; rateRatio not read");
    else
      entry.rate = read_rate_ratio(*rate_ratio, sink);
  }
  if (const json_value* rate_range = member(holder, "rateRange")) read_rate_range(*rate_range, entry, sink);
}

bool has_direct_dose_or_rate(const json_value& dosage) {
  for (const std::string_view key : {"doseQuantity", "doseRange", "rateQuantity", "rateRatio", "rateRange"})
    if (member(dosage, key) != nullptr) return true;
  return false;
}

/// doseAndRate.type: "ordered" or "calculated" (dose-rate-type). Matched on the code whatever the
/// system, and on the text, case-insensitively; a bare string is read as the code.
std::string read_type(const json_value* type, std::vector<std::string>& problems) {
  if (type == nullptr) return {};
  std::string_view written;
  std::vector<std::string_view> candidates;
  if (type->IsString()) {
    written = as_string(type);
    candidates.push_back(written);
  } else {
    const codeable_concept concept_read = read_codeable_concept(type);
    for (const coding& c : concept_read.codings) candidates.push_back(c.code);
    candidates.push_back(concept_read.text);
    written = concept_read.label();
  }
  for (const std::string_view candidate : candidates) {
    const std::string key = normalise(candidate);
    if (key == "ordered" || key == "calculated") return key;
  }
  if (normalise(written).empty()) return {};
  problems.push_back("doseAndRate type " + quoted(written) + " is not ordered or calculated");
  return std::string(written);
}

// ---- timing and maximum dose -------------------------------------------------------------------

std::optional<int> positive_int(const json_value& repeat, std::string_view key, std::string_view label,
                                const problem_sink& sink) {
  const json_value* value = member(repeat, key);
  if (value == nullptr) return std::nullopt;
  if (value->IsNumber()) {
    const double number = value->GetDouble();
    if (number >= 1 && number <= std::numeric_limits<int>::max() && std::floor(number) == number)
      return static_cast<int>(number);
  }
  sink.add(std::string(label) + " is not a positive whole number");
  return std::nullopt;
}

/// The first element of a field that is 0..1 in R4 but arrives as an array (or is 0..* in R5).
const json_value* first_element(const json_value* value) {
  const json_value* first = nullptr;
  for_each_element(value, [&](const json_value& element) {
    if (first == nullptr) first = &element;
  });
  return first;
}

std::optional<timing_reading> read_timing(const json_value& dosage, const problem_sink& sink) {
  const json_value* repeat = first_element(member(member(dosage, "timing"), "repeat"));
  if (repeat == nullptr) return std::nullopt;
  timing_reading out;
  out.count = positive_int(*repeat, "count", "timing count", sink);
  out.frequency = positive_int(*repeat, "frequency", "timing frequency", sink);
  if (const json_value* period = member(repeat, "period")) {
    if (period->IsNumber() && period->GetDouble() > 0)
      out.period = period->GetDouble();
    else
      sink.add("timing period is not a positive number");
  }
  std::string_view unit = string_member(repeat, "periodUnit");
  if (unit.empty()) unit = string_member(repeat, "periodUnits");  // DSTU2
  if (!normalise(unit).empty()) {
    if (const time_unit* known = find_unit(time_units, unit)) {
      out.period_unit = known->code;
      if (out.period) out.period_days = *out.period * known->seconds / seconds_per_day;
    } else {
      out.period_unit = unit;
      sink.add("timing periodUnit " + quoted(unit) + " is not a time unit (" + std::string(time_units_in_words) + ")");
    }
  } else if (out.period) {
    sink.add("timing period has no periodUnit");
  }
  const json_value* bounds = member(repeat, "boundsDuration");
  if (bounds == nullptr) bounds = member(repeat, "boundsQuantity");  // DSTU2
  if (bounds != nullptr) {
    if (const auto length = read_duration(bounds, "timing boundsDuration", "timing boundsDuration", sink))
      out.bounds_days = length->days();
  }
  return out;
}

void read_max_dose(const json_value& dosage, dosage_reading& out, const problem_sink& sink) {
  const json_value* field = member(dosage, "maxDosePerPeriod");
  if (field == nullptr) return;
  const json_value* ratio = first_element(field);
  if (field->IsArray() && field->Size() > 1) sink.add("more than one maxDosePerPeriod; only the first is read");
  if (ratio == nullptr || !ratio->IsObject()) {
    sink.add("maxDosePerPeriod is not a Ratio");
    return;
  }
  out.max_dose_per_period =
      read_dose(member(ratio, "numerator"), "maxDosePerPeriod.numerator", "maximum dose per period", sink);
  const std::optional<duration> period =
      read_duration(member(ratio, "denominator"), "maxDosePerPeriod.denominator", "maximum dose period", sink);
  if (period && period->value == 0)
    sink.add("maxDosePerPeriod.denominator is zero");
  else if (period)
    out.max_dose_period_days = period->days();
}

}  // namespace

const dose_and_rate* dosage_reading::ordered() const {
  for (const dose_and_rate& entry : entries)
    if (entry.type == "ordered") return &entry;
  for (const dose_and_rate& entry : entries)
    if (entry.type.empty()) return &entry;
  return nullptr;
}

const dose_and_rate* dosage_reading::calculated() const {
  for (const dose_and_rate& entry : entries)
    if (entry.type == "calculated") return &entry;
  return nullptr;
}

dosage_reading read_dosage(const json_value& dosage) {
  dosage_reading out;
  const problem_sink sink{out.problems, {}};
  if (!dosage.IsObject()) {
    sink.add("dosageInstruction is not an object");
    return out;
  }
  out.text = string_member(dosage, "text");
  for_each_element(member(dosage, "doseAndRate"), [&](const json_value& element) {
    if (!element.IsObject()) {
      sink.add("doseAndRate entry is not an object");
      return;
    }
    dose_and_rate entry;
    entry.type = read_type(member(element, "type"), out.problems);
    read_dose_and_rate_fields(element, entry, problem_sink{out.problems, entry.type.empty() ? "" : entry.type + " "});
    out.entries.push_back(std::move(entry));
  });
  if (const json_value* dose_and_rate_field = member(dosage, "doseAndRate");
      dose_and_rate_field != nullptr && !dose_and_rate_field->IsArray() && !dose_and_rate_field->IsObject())
    sink.add("doseAndRate is not an object");
  // STU3/DSTU2 place dose[x] and rate[x] on the dosage itself; R4 orders from some clients do too.
  if (has_direct_dose_or_rate(dosage)) {
    dose_and_rate entry;
    read_dose_and_rate_fields(dosage, entry, sink);
    out.entries.push_back(std::move(entry));
  }
  out.timing = read_timing(dosage, sink);
  read_max_dose(dosage, out, sink);
  return out;
}

std::vector<dosage_reading> read_dosages(const json_value& medication_order) {
  std::vector<dosage_reading> out;
  const json_value* instructions = member(medication_order, "dosageInstruction");
  if (instructions != nullptr && instructions->IsArray()) {
    for (const json_value& dosage : instructions->GetArray()) out.push_back(read_dosage(dosage));
  } else if (instructions != nullptr) {
    out.push_back(read_dosage(*instructions));  // a single object, or something unreadable said so
  }
  return out;
}

}  // namespace ivig::fhir

// hooks/audit/report.hpp: the alert-fatigue view: per rule and per indicator, cards shown over a period
// and what clinicians did with them.
//
// Owns the counting rule and the two renderings (text table, CSV). Counting: every card shown by a call
// received in [from, to) counts once as shown; it counts as accepted or overridden by its *latest*
// feedback item (greatest outcomeTimestamp, then the later record), whenever that feedback came.
// Cards without feedback are neither (CDS Hooks clients never report ignored cards). A card with
// several rules counts once under each rule. Unmatched feedback (unknown card uuids) is not counted.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ivig::audit {

struct report_line {
  std::string key;  ///< a rule id ("R3") or an indicator ("warning")
  std::int64_t shown = 0;
  std::int64_t accepted = 0;
  std::int64_t overridden = 0;
  friend bool operator==(const report_line&, const report_line&) = default;
};

struct audit_report {
  std::string from;                       ///< received_at >= from ("" = from the start)
  std::string to;                         ///< received_at < to ("" = to the end)
  std::vector<report_line> by_rule;       ///< in rule order (R2 before R10)
  std::vector<report_line> by_indicator;  ///< critical, warning, info, then any other alphabetically
};

class audit_reader;

/// The report of either store (audit_reader.hpp). Throws store_error when the log cannot be read.
audit_report build_report(audit_reader& reader, const std::string& from, const std::string& to);
/// The same for the SQLite file at `path`.
audit_report build_report(const std::string& path, const std::string& from, const std::string& to);

/// Fixed-width text: a period line, then a rule table and an indicator table; rates with one decimal.
std::string report_table(const audit_report& report);
/// `group,key,shown,accepted,overridden,acceptance_rate,override_rate` then one row per line; rates
/// are fractions with three decimals.
std::string report_csv(const audit_report& report);

}  // namespace ivig::audit

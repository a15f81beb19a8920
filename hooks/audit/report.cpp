// hooks/audit/report.cpp: counting cards and their latest feedback per rule and per indicator.
//
// The reader (either store) gives each card shown in the period with its latest feedback outcome; the
// per-rule and per-indicator counts and their ordering are done here, and the two renderings below.
#include "hooks/audit/report.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>
#include <string_view>
#include <tuple>
#include <utility>

#include "hooks/audit/audit_reader.hpp"

namespace ivig::audit {
namespace {

// "R2" < "R10": compare the letters, then the number, then the whole text.
bool rule_order(const std::string& a, const std::string& b) {
  const auto split = [](const std::string& id) {
    const std::size_t digits = id.find_first_of("0123456789");
    const std::string prefix = id.substr(0, digits);
    long number = -1;
    if (digits != std::string::npos && id.find_first_not_of("0123456789", digits) == std::string::npos &&
        id.size() - digits < 10)
      number = std::stol(id.substr(digits));
    return std::make_tuple(prefix, number, id);
  };
  return split(a) < split(b);
}

int indicator_rank(const std::string& indicator) {
  if (indicator == "critical") return 0;
  if (indicator == "warning") return 1;
  if (indicator == "info") return 2;
  return 3;
}

void count(std::map<std::string, report_line>& lines, const std::string& key, const std::string& outcome) {
  report_line& line = lines[key];
  line.key = key;
  ++line.shown;
  if (outcome == "accepted") ++line.accepted;
  if (outcome == "overridden") ++line.overridden;
}

template <typename Less>
std::vector<report_line> sorted(const std::map<std::string, report_line>& lines, Less less) {
  std::vector<report_line> out;
  for (const auto& [key, line] : lines) out.push_back(line);
  std::sort(out.begin(), out.end(), [&](const report_line& a, const report_line& b) { return less(a.key, b.key); });
  return out;
}

std::string percent(std::int64_t part, std::int64_t whole) {
  char text[16];
  std::snprintf(text, sizeof text, "%.1f%%", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
  return text;
}

std::string fraction(std::int64_t part, std::int64_t whole) {
  char text[16];
  std::snprintf(text, sizeof text, "%.3f", static_cast<double>(part) / static_cast<double>(whole));
  return text;
}

std::size_t key_width(const audit_report& report) {
  std::size_t width = std::string_view("indicator").size();
  for (const report_line& line : report.by_rule) width = std::max(width, line.key.size());
  for (const report_line& line : report.by_indicator) width = std::max(width, line.key.size());
  return width;
}

// Both tables share the key column's width, so that their numbers line up.
void table(std::ostringstream& out, const char* title, const std::vector<report_line>& lines, std::size_t width) {
  const auto key = [&](std::string_view text) { out << text << std::string(width - text.size(), ' '); };
  char numbers[128];
  key(title);
  std::snprintf(numbers, sizeof numbers, "  %6s  %8s  %10s  %10s  %8s\n", "shown", "accepted", "overridden",
                "acceptance", "override");
  out << numbers;
  for (const report_line& line : lines) {
    key(line.key);
    std::snprintf(numbers, sizeof numbers, "  %6lld  %8lld  %10lld  %10s  %8s\n", static_cast<long long>(line.shown),
                  static_cast<long long>(line.accepted), static_cast<long long>(line.overridden),
                  percent(line.accepted, line.shown).c_str(), percent(line.overridden, line.shown).c_str());
    out << numbers;
  }
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace

audit_report build_report(audit_reader& reader, const std::string& from, const std::string& to) {
  std::map<std::string, report_line> rules;
  std::map<std::string, report_line> indicators;
  reader.for_each_card_outcome(
      from, to, [&](const std::string& indicator, const std::string& rule_ids, const std::string& outcome) {
        count(indicators, indicator, outcome);
        std::istringstream ids(rule_ids);
        for (std::string id; ids >> id;) count(rules, id, outcome);
      });
  audit_report report{from, to, sorted(rules, rule_order), {}};
  report.by_indicator = sorted(indicators, [](const std::string& a, const std::string& b) {
    return std::make_pair(indicator_rank(a), a) < std::make_pair(indicator_rank(b), b);
  });
  return report;
}

audit_report build_report(const std::string& path, const std::string& from, const std::string& to) {
  return build_report(*sqlite_reader(path), from, to);
}

std::string report_table(const audit_report& report) {
  std::ostringstream out;
  out << "cards shown in calls received from " << (report.from.empty() ? "the start" : report.from) << " to "
      << (report.to.empty() ? "the end" : report.to) << " (each card by its latest feedback)\n\n";
  const std::size_t width = key_width(report);
  table(out, "rule", report.by_rule, width);
  out << '\n';
  table(out, "indicator", report.by_indicator, width);
  return out.str();
}

std::string report_csv(const audit_report& report) {
  std::ostringstream out;
  out << "group,key,shown,accepted,overridden,acceptance_rate,override_rate\n";
  const auto rows = [&](const char* group, const std::vector<report_line>& lines) {
    for (const report_line& line : lines)
      out << group << ',' << csv_field(line.key) << ',' << line.shown << ',' << line.accepted << ',' << line.overridden
          << ',' << fraction(line.accepted, line.shown) << ',' << fraction(line.overridden, line.shown) << '\n';
  };
  rows("rule", report.by_rule);
  rows("indicator", report.by_indicator);
  return out.str();
}

}  // namespace ivig::audit

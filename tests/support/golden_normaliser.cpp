// tests/support/golden_normaliser.cpp: replacing versions, UUIDs and dates by golden-file tokens.
#include "tests/support/golden_normaliser.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <optional>

namespace ivig::test {
namespace {

namespace chr = std::chrono;

bool is_digit(std::string_view text, std::size_t i) {
  return i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) != 0;
}
bool is_hex(std::string_view text, std::size_t i) {
  return i < text.size() && std::isxdigit(static_cast<unsigned char>(text[i])) != 0;
}
bool is_char(std::string_view text, std::size_t i, char c) {
  return i < text.size() && text[i] == c;
}
/// The digits at [i, i + n) as a number, or nullopt when any is not a digit.
std::optional<int> digits(std::string_view text, std::size_t i, std::size_t n) {
  int value = 0;
  for (std::size_t k = i; k < i + n; ++k) {
    if (!is_digit(text, k)) return std::nullopt;
    value = value * 10 + (text[k] - '0');
  }
  return value;
}

/// A token replacing text[begin, begin + length).
struct match {
  std::size_t length = 0;
  std::string token;
};

std::optional<match> version_at(std::string_view text, std::size_t i, std::string_view version) {
  if (version.empty() || text.substr(i, version.size()) != version) return std::nullopt;
  if (i > 0 && is_digit(text, i - 1)) return std::nullopt;
  const std::size_t end = i + version.size();
  if (is_digit(text, end) || (is_char(text, end, '.') && is_digit(text, end + 1))) return std::nullopt;
  return match{version.size(), "{{knowledgeVersion}}"};
}

std::optional<match> uuid_at(std::string_view text, std::size_t i, uuid_numbering& uuids) {
  constexpr std::size_t length = 36;
  if (i > 0 && is_hex(text, i - 1)) return std::nullopt;
  if (text.size() - i < length || is_hex(text, i + length)) return std::nullopt;
  for (std::size_t k = 0; k < length; ++k) {
    const bool hyphen = k == 8 || k == 13 || k == 18 || k == 23;
    if (hyphen ? text[i + k] != '-' : !is_hex(text, i + k)) return std::nullopt;
  }
  return match{length, uuids.token_for(text.substr(i, length))};
}

std::string signed_days(long long n) {
  return (n < 0 ? "-" : "+") + std::to_string(n < 0 ? -n : n) + "d";
}

/// "3d2h30m45.250s" for a positive number of milliseconds, zero parts left out.
std::string duration_text(std::int64_t ms) {
  const std::int64_t day = 86'400'000;
  std::string text;
  if (ms >= day) text += std::to_string(ms / day) + "d";
  ms %= day;
  if (ms >= 3'600'000) text += std::to_string(ms / 3'600'000) + "h";
  ms %= 3'600'000;
  if (ms >= 60'000) text += std::to_string(ms / 60'000) + "m";
  ms %= 60'000;
  if (ms > 0) {
    text += std::to_string(ms / 1000);
    if (ms % 1000 != 0) {
      const std::string fraction = std::to_string(1000 + ms % 1000);  // "1250" → ".250"
      text += "." + fraction.substr(1);
    }
    text += "s";
  }
  return text;
}

/// "Thh:mm:ss[.f{1,3}](Z|±hh:mm)" at `i`: its length, the time of day plus zone correction in
/// milliseconds (to add to the date's midnight), and the zone when it is not Z.
struct time_part {
  std::size_t length = 0;
  std::int64_t offset_ms = 0;
  std::string zone;
};

std::optional<time_part> time_at(std::string_view text, std::size_t i) {
  if (!is_char(text, i, 'T') || !is_char(text, i + 3, ':') || !is_char(text, i + 6, ':')) return std::nullopt;
  const auto hh = digits(text, i + 1, 2), mm = digits(text, i + 4, 2), ss = digits(text, i + 7, 2);
  if (!hh || !mm || !ss || *hh > 23 || *mm > 59 || *ss > 59) return std::nullopt;
  std::size_t at = i + 9;
  std::int64_t ms = ((*hh * 60 + *mm) * 60 + *ss) * std::int64_t{1000};
  if (is_char(text, at, '.')) {
    std::size_t n = 0;
    while (is_digit(text, at + 1 + n)) ++n;
    if (n == 0 || n > 3) return std::nullopt;
    const int fraction = *digits(text, at + 1, n);
    ms += fraction * (n == 1 ? 100 : n == 2 ? 10 : 1);
    at += 1 + n;
  }
  time_part part;
  if (is_char(text, at, 'Z')) {
    part.length = at + 1 - i;
  } else if ((is_char(text, at, '+') || is_char(text, at, '-')) && is_char(text, at + 3, ':')) {
    const auto zh = digits(text, at + 1, 2), zm = digits(text, at + 4, 2);
    if (!zh || !zm || *zh > 14 || *zm > 59) return std::nullopt;
    const std::int64_t zone_ms = (*zh * 60 + *zm) * std::int64_t{60'000};
    ms += text[at] == '+' ? -zone_ms : zone_ms;  // local time + zone = UTC: subtract an east offset
    part.zone = std::string(text.substr(at, 6));
    part.length = at + 6 - i;
  } else {
    return std::nullopt;
  }
  if (is_digit(text, i + part.length)) return std::nullopt;
  part.offset_ms = ms;
  return part;
}

std::optional<match> date_at(std::string_view text, std::size_t i, fhir::time_point now) {
  if (i > 0 && is_digit(text, i - 1)) return std::nullopt;
  if (!is_char(text, i + 4, '-') || !is_char(text, i + 7, '-')) return std::nullopt;
  const auto y = digits(text, i, 4), m = digits(text, i + 5, 2), d = digits(text, i + 8, 2);
  if (!y || !m || !d) return std::nullopt;
  const chr::year_month_day date{chr::year{*y}, chr::month{static_cast<unsigned>(*m)},
                                 chr::day{static_cast<unsigned>(*d)}};
  if (!date.ok()) return std::nullopt;
  const chr::sys_days midnight{date};
  if (const auto time = time_at(text, i + 10)) {
    const std::int64_t at_ms =
        chr::duration_cast<chr::milliseconds>(midnight.time_since_epoch()).count() + time->offset_ms;
    const std::int64_t now_ms = chr::duration_cast<chr::milliseconds>(now.time_since_epoch()).count();
    const std::int64_t diff = at_ms - now_ms;
    std::string token = "{{now";
    if (diff != 0) token += (diff < 0 ? "-" : "+") + duration_text(diff < 0 ? -diff : diff);
    if (!time->zone.empty()) token += "@" + time->zone;
    return match{10 + time->length, token + "}}"};
  }
  if (is_digit(text, i + 10)) return std::nullopt;
  const long long days = (midnight - chr::floor<chr::days>(now)).count();
  return match{10, days == 0 ? "{{today}}" : "{{today" + signed_days(days) + "}}"};
}

void normalise_value(rapidjson::Value& value, const golden_context& context, uuid_numbering& uuids,
                     rapidjson::Document::AllocatorType& allocator) {
  if (value.IsString()) {
    const std::string text = normalise_text({value.GetString(), value.GetStringLength()}, context, uuids);
    value.SetString(text.data(), static_cast<rapidjson::SizeType>(text.size()), allocator);
  } else if (value.IsArray()) {
    for (auto& element : value.GetArray()) normalise_value(element, context, uuids, allocator);
  } else if (value.IsObject()) {
    for (auto& member : value.GetObject()) normalise_value(member.value, context, uuids, allocator);
  }
}

}  // namespace

std::string uuid_numbering::token_for(std::string_view uuid) {
  std::string key(uuid);
  std::transform(key.begin(), key.end(), key.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  auto found = std::find(seen_.begin(), seen_.end(), key);
  if (found == seen_.end()) found = seen_.insert(seen_.end(), key);
  return "{{uuid-" + std::to_string(found - seen_.begin() + 1) + "}}";
}

std::string normalise_text(std::string_view text, const golden_context& context, uuid_numbering& uuids) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    std::optional<match> found = version_at(text, i, context.knowledge_version);
    if (!found) found = uuid_at(text, i, uuids);
    if (!found) found = date_at(text, i, context.now);
    if (found) {
      out += found->token;
      i += found->length;
    } else {
      out += text[i++];
    }
  }
  return out;
}

void normalise_golden(rapidjson::Document& document, const golden_context& context) {
  uuid_numbering uuids;
  normalise_value(document, context, uuids, document.GetAllocator());
}

}  // namespace ivig::test

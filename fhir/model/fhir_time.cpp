// fhir/model/fhir_time.cpp: a strict, allocation-free parser for FHIR temporal values.
#include "fhir/model/fhir_time.hpp"

#include <cstdio>

namespace ivig::fhir {
namespace {

bool read_digits(std::string_view text, std::size_t pos, std::size_t count, int& out) {
  if (pos + count > text.size()) return false;
  int value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  out = value;
  return true;
}

}  // namespace

std::optional<fhir_time> parse_fhir_time(std::string_view text) {
  using namespace std::chrono;
  int year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0;
  if (!read_digits(text, 0, 4, year)) return std::nullopt;
  date_precision precision = date_precision::year;
  std::size_t pos = 4;
  if (pos < text.size()) {
    if (text[pos] != '-' || !read_digits(text, pos + 1, 2, month)) return std::nullopt;
    precision = date_precision::month;
    pos += 3;
  }
  if (pos < text.size()) {
    if (text[pos] != '-' || !read_digits(text, pos + 1, 2, day)) return std::nullopt;
    precision = date_precision::day;
    pos += 3;
  }
  int offset_seconds = 0;
  if (pos < text.size()) {
    if (text[pos] != 'T' || !read_digits(text, pos + 1, 2, hour) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !read_digits(text, pos + 4, 2, minute))
      return std::nullopt;
    pos += 6;
    if (pos < text.size() && text[pos] == ':') {
      if (!read_digits(text, pos + 1, 2, second)) return std::nullopt;
      pos += 3;
    }
    if (pos < text.size() && text[pos] == '.') {
      ++pos;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    }
    precision = date_precision::second;
    if (pos < text.size()) {
      if (text[pos] == 'Z') {
        ++pos;
      } else if (text[pos] == '+' || text[pos] == '-') {
        int offset_hours = 0, offset_minutes = 0;
        if (!read_digits(text, pos + 1, 2, offset_hours) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
            !read_digits(text, pos + 4, 2, offset_minutes))
          return std::nullopt;
        offset_seconds = (offset_hours * 3600 + offset_minutes * 60) * (text[pos] == '-' ? -1 : 1);
        pos += 6;
      } else {
        return std::nullopt;
      }
    }
    if (pos != text.size() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  }
  const year_month_day ymd{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                           std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return std::nullopt;
  const time_point at = sys_days{ymd} + hours{hour} + minutes{minute} + seconds{second} - seconds{offset_seconds};
  return fhir_time{at, precision};
}

std::string format_date(time_point at) {
  using namespace std::chrono;
  const year_month_day ymd{floor<days>(at)};
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buffer;
}

std::string format_instant(time_point at) {
  using namespace std::chrono;
  const auto day_start = floor<days>(at);
  const hh_mm_ss<seconds> time{at - day_start};
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%sT%02ld:%02ld:%02ldZ", format_date(at).c_str(),
                static_cast<long>(time.hours().count()), static_cast<long>(time.minutes().count()),
                static_cast<long>(time.seconds().count()));
  return buffer;
}

long days_between(time_point earlier, time_point later) {
  return static_cast<long>(std::chrono::floor<std::chrono::days>(later - earlier).count());
}

}  // namespace ivig::fhir

// fhir/model/fhir_time.hpp: FHIR date, dateTime and instant values as points in time.
//
// Partial dates are common in real records ("2019", "2019-03"). They read as the first instant of
// the period, with `precision` saying how much was given, so a rule can tell "measured in 2019"
// from "measured on 2019-01-01". A dateTime without a zone is read as UTC (FHIR leaves the zone to
// the server's local time; the service runs in UTC).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace ivig::fhir {

using time_point = std::chrono::sys_seconds;

enum class date_precision { year, month, day, second };

struct fhir_time {
  time_point at;
  date_precision precision = date_precision::second;
};

/// Parses a FHIR date/dateTime/instant; nullopt when malformed.
std::optional<fhir_time> parse_fhir_time(std::string_view text);

/// "2026-11-22" for a time point (UTC).
std::string format_date(time_point at);
/// "2026-11-22T04:55:33Z" for a time point (UTC).
std::string format_instant(time_point at);

/// Whole days from `earlier` to `later` (floor), negative when `earlier` is after `later`.
long days_between(time_point earlier, time_point later);

}  // namespace ivig::fhir

// tests/support/record_shift.hpp: Synthea records moved in time so that "recent" is recent.
//
// The Synthea records in ../shared/fhir-data/synthea end in 2019–2021. A scenario that needs a
// fresh weight or a vaccine given last week shifts every date in the record by one whole-day offset
// (intervals between entries are kept) instead of changing the service's clock.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/model/fhir_time.hpp"
#include "tests/support/fhir_builders.hpp"

namespace ivig::test {

/// `text` moved by `offset` when it is a FHIR date, dateTime or instant, keeping its precision:
/// "2019", "2019-03" and "2019-03-04" stay a year, a month and a date (the first day of the period
/// is moved and the result cut back to that precision); a value with a time becomes UTC
/// "YYYY-MM-DDThh:mm:ssZ" (fractional seconds are dropped). nullopt for anything else.
/// `year_only_is_date` says whether a bare four-digit string counts (it does in a date element such
/// as birthDate, not in postalCode "2339").
std::optional<std::string> shift_fhir_time(std::string_view text, std::chrono::days offset,
                                           bool year_only_is_date = true);

/// The record (any FHIR JSON) with every date/dateTime/instant string value shifted by `offset`.
/// A string is shifted when it parses as a FHIR date/dateTime/instant with at least a month
/// ("2019-03", "2019-03-04", "2019-03-04T10:00:00-05:00"); a bare year ("2019") only in a member
/// whose name says it is a date (…Date, …DateTime, date, start, end, issued, …), so codes, ids,
/// postal codes and OIDs are left alone.
std::string shift_record_dates(const std::string& record_json, std::chrono::days offset);

/// The whole-day offset that moves the newest Observation.effectiveDateTime in the record (a Bundle)
/// to `now - before`, or to less than a day earlier when its time of day differs: after the shift
/// `fhir::days_between(newest, now)` is exactly `before`. Zero when the record has no observation.
std::chrono::days offset_to_make_newest(const std::string& record_json, fhir::time_point now, std::chrono::days before);

/// The same for the newest Immunization.occurrenceDateTime whose vaccineCode carries one of
/// `vaccine_codes` (any system; all immunizations when empty).
std::chrono::days offset_to_make_newest_immunization(const std::string& record_json, fhir::time_point now,
                                                     std::chrono::days before,
                                                     const std::vector<std::string>& vaccine_codes = {});

/// The text of the Synthea record whose file name starts with `file_prefix` (e.g. "Dana_Feest").
std::string read_synthea_record(const std::string& file_prefix);

/// An order-select request for `medication` built like `synthea_request` from a record's text: the
/// record split by resource type into the service's prefetch keys (active MedicationRequests only),
/// the patient id the record's own, the whole record under "synthea-record".
hook_request synthea_request_from_record(const std::string& record_json, const std::string& medication);

/// `synthea_request` on the record shifted so that its newest observation is
/// `newest_observation_age` days before scenario_now() (2026-11-22T12:00:00Z).
hook_request synthea_request_shifted(const std::string& prefix, const std::string& medication,
                                     std::chrono::days newest_observation_age);

}  // namespace ivig::test

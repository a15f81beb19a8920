// tests/support/record_shift.cpp: shifting every date in a FHIR record by whole days.
#include "tests/support/record_shift.hpp"

#include <algorithm>
#include <array>
#include <filesystem>
#include <map>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "tests/support/http_client.hpp"
#include "tests/support/test_support.hpp"

namespace ivig::test {
namespace {

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

/// Whether a member of this name holds a FHIR date/dateTime/instant (R4 names; enough to tell a
/// birthDate "1942" from a postalCode "2339").
bool names_a_date(std::string_view name) {
  if (ends_with(name, "Date") || ends_with(name, "DateTime") || ends_with(name, "Instant")) return true;
  static constexpr std::array<std::string_view, 14> names{
      "date",    "start",       "end",      "issued",         "created",      "started",   "authoredOn",
      "instant", "lastUpdated", "recorded", "whenHandedOver", "whenPrepared", "timestamp", "dateWritten"};
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string to_json(const rapidjson::Value& value) {
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> w(out);
  value.Accept(w);
  return std::string(out.GetString(), out.GetSize());
}

/// Shifts every date string under `value`; `name` is the member that holds it (the array's member
/// for array items).
void shift_value(rapidjson::Value& value, std::string_view name, std::chrono::days offset,
                 rapidjson::Document::AllocatorType& allocator) {
  if (value.IsObject()) {
    for (auto& member : value.GetObject())
      shift_value(member.value, std::string_view(member.name.GetString(), member.name.GetStringLength()), offset,
                  allocator);
  } else if (value.IsArray()) {
    for (auto& item : value.GetArray()) shift_value(item, name, offset, allocator);
  } else if (value.IsString()) {
    const std::string_view text(value.GetString(), value.GetStringLength());
    if (const auto shifted = shift_fhir_time(text, offset, names_a_date(name)))
      value.SetString(shifted->c_str(), static_cast<rapidjson::SizeType>(shifted->size()), allocator);
  }
}

std::optional<fhir::time_point> time_of(const rapidjson::Value& resource, const char* member) {
  if (!resource.IsObject() || !resource.HasMember(member) || !resource[member].IsString()) return std::nullopt;
  const auto parsed = fhir::parse_fhir_time(resource[member].GetString());
  if (!parsed) return std::nullopt;
  return parsed->at;
}

bool has_code(const rapidjson::Value& resource, const char* member, const std::vector<std::string>& codes) {
  if (codes.empty()) return true;
  if (!resource.HasMember(member) || !resource[member].IsObject()) return false;
  const rapidjson::Value& code = resource[member];
  if (!code.HasMember("coding") || !code["coding"].IsArray()) return false;
  for (const auto& coding : code["coding"].GetArray())
    if (coding.IsObject() && coding.HasMember("code") && coding["code"].IsString() &&
        std::find(codes.begin(), codes.end(), coding["code"].GetString()) != codes.end())
      return true;
  return false;
}

/// The newest `member` time among the record's resources of `type` that pass `codes`.
std::optional<fhir::time_point> newest_in(const std::string& record_json, std::string_view type, const char* member,
                                          const char* code_member, const std::vector<std::string>& codes) {
  const rapidjson::Document record = parse(record_json);
  std::optional<fhir::time_point> newest;
  if (!record.IsObject() || !record.HasMember("entry") || !record["entry"].IsArray()) return newest;
  for (const auto& entry : record["entry"].GetArray()) {
    if (!entry.IsObject() || !entry.HasMember("resource")) continue;
    const rapidjson::Value& resource = entry["resource"];
    if (!resource.IsObject() || !resource.HasMember("resourceType") || resource["resourceType"].GetString() != type)
      continue;
    if (!has_code(resource, code_member, codes)) continue;
    if (const auto at = time_of(resource, member); at && (!newest || *at > *newest)) newest = at;
  }
  return newest;
}

/// Whole days that bring `newest` to `now - before` or less than a day earlier.
std::chrono::days offset_for(std::optional<fhir::time_point> newest, fhir::time_point now, std::chrono::days before) {
  if (!newest) return std::chrono::days{0};
  return std::chrono::floor<std::chrono::days>(now - before - *newest);
}

}  // namespace

std::optional<std::string> shift_fhir_time(std::string_view text, std::chrono::days offset, bool year_only_is_date) {
  const std::optional<fhir::fhir_time> parsed = fhir::parse_fhir_time(text);
  if (!parsed) return std::nullopt;
  const fhir::time_point shifted = parsed->at + offset;
  switch (parsed->precision) {
    case fhir::date_precision::year:
      if (!year_only_is_date) return std::nullopt;
      return fhir::format_date(shifted).substr(0, 4);
    case fhir::date_precision::month:
      return fhir::format_date(shifted).substr(0, 7);
    case fhir::date_precision::day:
      return fhir::format_date(shifted);
    case fhir::date_precision::second:
      return fhir::format_instant(shifted);
  }
  return std::nullopt;
}

std::string shift_record_dates(const std::string& record_json, std::chrono::days offset) {
  rapidjson::Document record = parse(record_json);
  shift_value(record, {}, offset, record.GetAllocator());
  return to_json(record);
}

std::chrono::days offset_to_make_newest(const std::string& record_json, fhir::time_point now,
                                        std::chrono::days before) {
  return offset_for(newest_in(record_json, "Observation", "effectiveDateTime", "code", {}), now, before);
}

std::chrono::days offset_to_make_newest_immunization(const std::string& record_json, fhir::time_point now,
                                                     std::chrono::days before,
                                                     const std::vector<std::string>& vaccine_codes) {
  return offset_for(newest_in(record_json, "Immunization", "occurrenceDateTime", "vaccineCode", vaccine_codes), now,
                    before);
}

std::string read_synthea_record(const std::string& file_prefix) {
  const std::filesystem::path folder = shared_dir() / "fhir-data/synthea";
  std::filesystem::path file = folder / (file_prefix + "-not-found");
  for (const auto& entry : std::filesystem::directory_iterator(folder))
    if (entry.path().filename().string().rfind(file_prefix, 0) == 0) file = entry.path();
  return read_file(file);
}

hook_request synthea_request_from_record(const std::string& record_json, const std::string& medication) {
  const rapidjson::Document record = parse(record_json);
  std::map<std::string, std::vector<std::string>> by_key;
  std::string patient_json, patient_id;
  for (const auto& entry : record["entry"].GetArray()) {
    const rapidjson::Value& resource = entry["resource"];
    const std::string_view type = resource["resourceType"].GetString();
    std::string json = to_json(resource);
    if (type == "Patient") {
      patient_json = std::move(json);
      patient_id = resource["id"].GetString();
    } else if (type == "Condition") {
      by_key["conditions"].push_back(std::move(json));
    } else if (type == "Observation") {
      by_key["observations"].push_back(std::move(json));
    } else if (type == "AllergyIntolerance") {
      by_key["allergies"].push_back(std::move(json));
    } else if (type == "Immunization") {
      by_key["immunizations"].push_back(std::move(json));
    } else if (type == "Procedure") {
      by_key["procedures"].push_back(std::move(json));
    } else if (type == "MedicationRequest" && std::string_view(resource["status"].GetString()) == "active") {
      by_key["medications"].push_back(std::move(json));
    }
  }
  hook_request request = order_select_with(medication_request("ivig-1", medication, true, patient_id), "ivig-1");
  request.patient_id = patient_id;
  request.prefetch["patient"] = patient_json;
  for (const char* key : {"conditions", "observations", "allergies", "immunizations", "medications", "procedures"})
    request.prefetch[key] = bundle(by_key[key]);
  // The history queries are filtered by immune globulin codes; none of these records has any.
  for (const char* key : {"medicationHistory", "administrations"}) request.prefetch[key] = bundle({});
  request.prefetch["synthea-record"] = record_json;
  return request;
}

hook_request synthea_request_shifted(const std::string& prefix, const std::string& medication,
                                     std::chrono::days newest_observation_age) {
  const std::string record = read_synthea_record(prefix);
  const std::chrono::days offset = offset_to_make_newest(record, scenario_now(), newest_observation_age);
  return synthea_request_from_record(shift_record_dates(record, offset), medication);
}

}  // namespace ivig::test

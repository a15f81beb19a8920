// tests/support/test_support.hpp: files, JSON comparison and the knowledge every test shares.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "fhir/model/fhir_time.hpp"
#include "rules/engine/knowledge.hpp"

namespace ivig::test {

std::filesystem::path shared_dir();
std::filesystem::path source_dir();
std::string read_file(const std::filesystem::path& path);
void write_file(const std::filesystem::path& path, std::string_view text);

/// Parses JSON or fails the current test.
rapidjson::Document parse(std::string_view json);
/// Pretty JSON text (for messages and golden files).
std::string pretty(const rapidjson::Value& value);
std::string pretty(std::string_view json);

/// The embedded knowledge bundle, loaded once.
std::shared_ptr<const rules::knowledge> embedded_knowledge();

/// The embedded bundle loaded afresh with one of its files edited by `edit` (a site's changed
/// policy value, a bumped version); a load failure fails the test and returns null.
std::shared_ptr<const rules::knowledge> embedded_knowledge_edited(
    std::string_view file, const std::function<void(rapidjson::Document&)>& edit);
/// Sets the value of a threshold of policy.json in a rapidjson document of that file.
void set_threshold(rapidjson::Document& policy, std::string_view id, double value);

/// 2026-11-22T12:00:00Z, the "now" of the scenario tests.
fhir::time_point scenario_now();

/// Compares `actual` JSON with the golden file tests/<relative>; with IVIG_UPDATE_GOLDEN=1 in the
/// environment it (re)writes the file instead. Both sides are normalised first (golden_normaliser:
/// knowledge version, UUIDs, and dates relative to `now`, the clock the service was given; the
/// version is the embedded bundle's unless `knowledge_version` is set). Returns an empty string
/// when equal, else the file name and one line per difference (json_diff).
std::string compare_with_golden(std::string_view actual_json, const std::string& relative,
                                fhir::time_point now = scenario_now(), std::string_view knowledge_version = {});

}  // namespace ivig::test

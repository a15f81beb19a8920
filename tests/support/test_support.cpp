// tests/support/test_support.cpp: shared helpers for every test binary.
#include "tests/support/test_support.hpp"

#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "rules/load/embedded_knowledge.hpp"
#include "rules/load/knowledge_loader.hpp"
#include "tests/support/golden_normaliser.hpp"
#include "tests/support/json_diff.hpp"

namespace ivig::test {

std::filesystem::path shared_dir() {
  return IVIG_SHARED_DIR;
}
std::filesystem::path source_dir() {
  return IVIG_SOURCE_DIR;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  // Fail loudly: a missing ../shared (the test data beside the project) must not look like a bug.
  if (!in) throw std::runtime_error("cannot read " + path.string() + " (is ../shared beside the project?)");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_file(const std::filesystem::path& path, std::string_view text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << text;
}

rapidjson::Document parse(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError()) ADD_FAILURE() << "invalid JSON at " << doc.GetErrorOffset() << ": " << json.substr(0, 300);
  return doc;
}

std::string pretty(const rapidjson::Value& value) {
  rapidjson::StringBuffer out;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(out);
  w.SetIndent(' ', 2);
  value.Accept(w);
  return std::string(out.GetString(), out.GetSize());
}

std::string pretty(std::string_view json) {
  return pretty(parse(json));
}

std::shared_ptr<const rules::knowledge> embedded_knowledge() {
  static std::once_flag once;
  static std::shared_ptr<const rules::knowledge> kb;
  std::call_once(once, [] {
    rules::load_result loaded = rules::load_embedded_knowledge();
    if (loaded)
      kb = *loaded;
    else
      ADD_FAILURE() << loaded.error();
  });
  return kb;
}

std::shared_ptr<const rules::knowledge> embedded_knowledge_edited(
    std::string_view file, const std::function<void(rapidjson::Document&)>& edit) {
  std::vector<rules::knowledge_file> files;
  for (const auto& [name, text] : rules::embedded_knowledge_files()) {
    rules::knowledge_file entry{std::string(name), std::string(text)};
    if (name == file) {
      rapidjson::Document doc = parse(entry.text);
      edit(doc);
      rapidjson::StringBuffer out;
      rapidjson::Writer<rapidjson::StringBuffer> writer(out);
      doc.Accept(writer);
      entry.text.assign(out.GetString(), out.GetSize());
    }
    files.push_back(std::move(entry));
  }
  rules::load_result loaded = rules::load_knowledge(files);
  if (!loaded) {
    ADD_FAILURE() << loaded.error();
    return nullptr;
  }
  return *loaded;
}

void set_threshold(rapidjson::Document& policy, std::string_view id, double value) {
  for (auto& t : policy["thresholds"].GetArray())
    if (std::string_view(t["id"].GetString()) == id) {
      t["value"].SetDouble(value);
      return;
    }
  ADD_FAILURE() << "no threshold " << id;
}

fhir::time_point scenario_now() {
  return fhir::parse_fhir_time("2026-11-22T12:00:00Z")->at;
}

std::string compare_with_golden(std::string_view actual_json, const std::string& relative, fhir::time_point now,
                                std::string_view knowledge_version) {
  const std::filesystem::path path = source_dir() / "tests" / relative;
  const golden_context context{
      now, knowledge_version.empty() ? embedded_knowledge()->version : std::string(knowledge_version)};
  rapidjson::Document got = parse(actual_json);
  normalise_golden(got, context);
  const char* update = std::getenv("IVIG_UPDATE_GOLDEN");
  if (update != nullptr && std::string_view(update) == "1") {
    write_file(path, pretty(got) + "\n");
    return {};
  }
  if (!std::filesystem::exists(path))
    return "golden file " + path.string() + " is missing (run with IVIG_UPDATE_GOLDEN=1)";
  rapidjson::Document expected = parse(read_file(path));
  normalise_golden(expected, context);
  const std::vector<std::string> lines = json_diff(expected, got);
  if (lines.empty()) return {};
  constexpr std::size_t shown = 40;
  std::string message = "differs from " + path.string() + " (expected → actual, " + std::to_string(lines.size()) +
                        " difference" + (lines.size() == 1 ? "" : "s") + "):\n";
  for (std::size_t i = 0; i < lines.size() && i < shown; ++i) message += "  " + lines[i] + "\n";
  if (lines.size() > shown) message += "  … and " + std::to_string(lines.size() - shown) + " more\n";
  return message;
}

}  // namespace ivig::test

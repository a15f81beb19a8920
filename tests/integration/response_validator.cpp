// tests/integration/response_validator.cpp: a hand-written CDS Hooks 2.0 response checker.
#include "tests/integration/response_validator.hpp"

#include <set>

#include <rapidjson/document.h>

#include "tests/support/utf8_length.hpp"

namespace ivig::test {
namespace {

using value = rapidjson::Value;

void check_no_empty(const value& v, const std::string& path, std::vector<std::string>& problems) {
  if (v.IsNull()) problems.push_back(path + " is null");
  if (v.IsString() && v.GetStringLength() == 0) problems.push_back(path + " is an empty string");
  if (v.IsArray()) {
    if (v.Empty() && path != "cards") problems.push_back(path + " is an empty array");
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i)
      check_no_empty(v[i], path + "[" + std::to_string(i) + "]", problems);
  }
  if (v.IsObject()) {
    if (v.MemberCount() == 0) problems.push_back(path + " is an empty object");
    for (const auto& m : v.GetObject()) check_no_empty(m.value, path + "." + m.name.GetString(), problems);
  }
}

bool is_string(const value& object, const char* key) {
  return object.HasMember(key) && object[key].IsString() && object[key].GetStringLength() > 0;
}

}  // namespace

std::vector<std::string> cds_response_problems(std::string_view json) {
  std::vector<std::string> problems;
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsObject()) return {"not a JSON object"};
  if (!doc.HasMember("cards") || !doc["cards"].IsArray()) return {"cards is missing or not an array"};
  for (const auto& m : doc.GetObject()) check_no_empty(m.value, m.name.GetString(), problems);
  const std::set<std::string_view> indicators{"info", "warning", "critical"};
  for (rapidjson::SizeType i = 0; i < doc["cards"].Size(); ++i) {
    const value& card = doc["cards"][i];
    const std::string at = "cards[" + std::to_string(i) + "]";
    if (!is_string(card, "summary"))
      problems.push_back(at + ".summary is required");
    else if (utf8_code_points(card["summary"].GetString()) >= summary_limit)
      problems.push_back(at + ".summary is 140 characters or more");
    if (!is_string(card, "indicator") || indicators.count(card["indicator"].GetString()) == 0)
      problems.push_back(at + ".indicator must be info, warning or critical");
    if (!card.HasMember("source") || !card["source"].IsObject() || !is_string(card["source"], "label"))
      problems.push_back(at + ".source.label is required");
    if (!is_string(card, "uuid")) problems.push_back(at + ".uuid is missing (feedback needs it)");
    if (card.HasMember("suggestions")) {
      if (!is_string(card, "selectionBehavior"))
        problems.push_back(at + ".selectionBehavior is required with suggestions");
      const std::string behavior = is_string(card, "selectionBehavior") ? card["selectionBehavior"].GetString() : "";
      if (!behavior.empty() && behavior != "at-most-one" && behavior != "any")
        problems.push_back(at + ".selectionBehavior must be at-most-one or any");
      int recommended = 0;
      for (const auto& s : card["suggestions"].GetArray()) {
        if (!is_string(s, "label")) problems.push_back(at + ": a suggestion has no label");
        if (s.HasMember("isRecommended") && s["isRecommended"].IsTrue()) ++recommended;
        if (!s.HasMember("actions")) continue;
        for (const auto& a : s["actions"].GetArray()) {
          const std::string type = is_string(a, "type") ? a["type"].GetString() : "";
          if (type != "create" && type != "update" && type != "delete")
            problems.push_back(at + ": an action type is invalid");
          if (!is_string(a, "description")) problems.push_back(at + ": an action has no description (cds-resp-5)");
          if ((type == "create" || type == "update") && (!a.HasMember("resource") || !a["resource"].IsObject()))
            problems.push_back(at + ": a create/update action has no resource");
        }
      }
      if (behavior == "at-most-one" && recommended > 1)
        problems.push_back(at + ": more than one isRecommended (cds-resp-1)");
    }
    if (card.HasMember("overrideReasons"))
      for (const auto& reason : card["overrideReasons"].GetArray())
        if (!is_string(reason, "display") || !is_string(reason, "code") || !is_string(reason, "system"))
          problems.push_back(at + ": an override reason lacks system, code or display (cds-resp-4)");
    if (card.HasMember("links"))
      for (const auto& link : card["links"].GetArray())
        if (!is_string(link, "label") || !is_string(link, "url") || !is_string(link, "type"))
          problems.push_back(at + ": a link lacks label, url or type");
  }
  return problems;
}

}  // namespace ivig::test

// hooks/protocol/feedback.cpp: validating feedback items one by one, naming the first bad one.
#include "hooks/protocol/feedback.hpp"

#include <string>

#include "fhir/model/fhir_time.hpp"
#include "fhir/model/json_view.hpp"

namespace ivig::protocol {
namespace {

using fhir::member;

failure<request_error> missing(const std::string& field) {
  return failure(request_error{error_code::field_missing, "The required field '" + field + "' is missing."});
}
failure<request_error> invalid(const std::string& field, std::string_view why) {
  return failure(request_error{error_code::field_invalid, "The field '" + field + "' " + std::string(why)});
}

std::string_view text(const rapidjson::Value* value) {
  return fhir::as_string(value);
}

}  // namespace

result<std::vector<feedback_item>, request_error> read_feedback(const rapidjson::Value& body) {
  const rapidjson::Value* list = member(body, "feedback");
  if (list == nullptr) return missing("feedback");
  if (!list->IsArray() || list->Empty()) return invalid("feedback", "must be a non-empty array of feedback items.");
  std::vector<feedback_item> items;
  rapidjson::SizeType index = 0;
  for (const auto& item : list->GetArray()) {
    const std::string at = "feedback[" + std::to_string(index++) + "]";
    if (!item.IsObject()) return invalid(at, "must be a JSON object.");
    feedback_item read;
    const rapidjson::Value* card = member(item, "card");
    if (card == nullptr) return missing(at + ".card");
    read.card = text(card);
    if (read.card.empty()) return invalid(at + ".card", "must be the card's uuid (a non-empty string).");
    const rapidjson::Value* outcome = member(item, "outcome");
    if (outcome == nullptr) return missing(at + ".outcome");
    read.outcome = text(outcome);
    if (read.outcome != "accepted" && read.outcome != "overridden")
      return invalid(at + ".outcome", "must be accepted or overridden.");
    if (const rapidjson::Value* accepted = member(item, "acceptedSuggestions")) {
      if (!accepted->IsArray()) return invalid(at + ".acceptedSuggestions", "must be an array.");
      rapidjson::SizeType j = 0;
      for (const auto& suggestion : accepted->GetArray()) {
        const std::string_view id = text(member(suggestion, "id"));
        if (id.empty()) return missing(at + ".acceptedSuggestions[" + std::to_string(j) + "].id");
        read.accepted_suggestions.push_back(id);
        ++j;
      }
    }
    if (read.outcome == "accepted" && read.accepted_suggestions.empty()) return missing(at + ".acceptedSuggestions");
    if (const rapidjson::Value* reason = member(item, "overrideReason")) {
      if (!reason->IsObject()) return invalid(at + ".overrideReason", "must be a JSON object.");
      if (const rapidjson::Value* coding = member(*reason, "reason")) {
        read.override_code = text(member(coding, "code"));
        read.override_system = text(member(coding, "system"));
        read.override_display = text(member(coding, "display"));
        if (read.override_code.empty() || read.override_system.empty())
          return invalid(at + ".overrideReason.reason", "must be a Coding with system and code.");
      }
      read.user_comment = text(member(*reason, "userComment"));
      if (read.override_code.empty() && read.user_comment.empty())
        return invalid(at + ".overrideReason", "needs a reason, a userComment or both (cds-fb-3).");
    }
    const rapidjson::Value* timestamp = member(item, "outcomeTimestamp");
    if (timestamp == nullptr) return missing(at + ".outcomeTimestamp");
    read.outcome_timestamp = text(timestamp);
    const auto parsed = fhir::parse_fhir_time(read.outcome_timestamp);
    if (!parsed || parsed->precision != fhir::date_precision::second)
      return invalid(at + ".outcomeTimestamp", "must be an RFC 3339 date-time such as 2026-11-22T10:05:31Z.");
    items.push_back(std::move(read));
  }
  return items;
}

}  // namespace ivig::protocol

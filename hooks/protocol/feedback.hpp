// hooks/protocol/feedback.hpp: the CDS Hooks 2.0 feedback request, read and validated.
//
// `{"feedback": [...]}`: each item needs `card`, `outcome` (accepted | overridden, cds-fb-1),
// `acceptedSuggestions` with ids when accepted (cds-fb-2), an overrideReason with a reason and/or a
// userComment when present (cds-fb-3; the sandbox sends reason codes without display, which is
// accepted), and an RFC 3339 `outcomeTimestamp`. A malformed item rejects the request with a 400
// naming the item (feedback[2].outcome); nothing of that request is recorded.
#pragma once

#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "fhir/model/result.hpp"
#include "hooks/protocol/error.hpp"

namespace ivig::protocol {

struct feedback_item {
  std::string_view card;
  std::string_view outcome;
  std::vector<std::string_view> accepted_suggestions;
  std::string_view override_system;
  std::string_view override_code;
  std::string_view override_display;
  std::string_view user_comment;
  std::string_view outcome_timestamp;
};

/// The items of a feedback request, or the problem with its first malformed item.
[[nodiscard]] result<std::vector<feedback_item>, request_error> read_feedback(const rapidjson::Value& body);

}  // namespace ivig::protocol

// hooks/service/replay_input.hpp: what the audit keeps of a call so that `ivig-cds replay` can run it
// again through another knowledge version (docs/audit.md, "Replay inputs").
//
// The input is the request as the EHR sent it, without `fhirAuthorization` (an access token is never
// stored), and what the service fetched from the EHR's FHIR server for it: per prefetch key, the
// status it ended with and the resources that came; and the Medication resources read for references.
// With both, the service rebuilds the patient record the call was evaluated on without asking any
// server again. One JSON object, written compactly:
//   {"request":{…},"fetched":[{"key":…,"state":…,"detail":…,"reason":…,"resources":[…]}],"medications":[…]}
// ("fetched" and "medications" only when the call fetched).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "fhir/model/result.hpp"
#include "hooks/service/record_fetcher.hpp"

namespace ivig::service {

/// The replay input of a call whose request is `request` and whose fetches gave `fetched` (null: it
/// fetched nothing).
std::string write_replay_input(const rapidjson::Value& request, const fetched_data* fetched);

/// A stored replay input, read back.
struct replay_input {
  std::string request;                    ///< the request body, as JSON text
  std::shared_ptr<fetched_data> fetched;  ///< null when the call fetched nothing
};

/// Reads what write_replay_input wrote; the error says what is wrong with it. `max_depth` bounds its
/// JSON nesting as for a request.
result<replay_input, std::string> read_replay_input(std::string_view text, std::size_t max_depth);

}  // namespace ivig::service

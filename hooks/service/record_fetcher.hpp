// hooks/service/record_fetcher.hpp: fetching from the EHR's FHIR server what the prefetch lacks.
//
// For every template key the prefetch left absent or answered with an OperationOutcome, the key's
// query is run against `fhirServer` (the context tokens substituted), with the call's bearer token,
// all keys in parallel and under one deadline for the whole call. Searches follow `next` links on
// the same server up to a page bound and within a byte budget; Medication resources that orders
// reference and the request does not contain are read too. A search result naming another patient
// is dropped (and counted for the log). What is not back by the deadline, or failed, comes back as
// a status whose words say why, so that the cards can name the check that could not be done.
// docs/fhir-fallback.md is the operator's view.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/client/fhir_client.hpp"
#include "fhir/model/patient_record.hpp"
#include "hooks/protocol/cds_request.hpp"
#include "hooks/protocol/json_body.hpp"
#include "hooks/service/prefetch_templates.hpp"

namespace ivig::service {

struct fetch_limits {
  /// For every fetch of one call together, from the moment the call is read (the spec asks for an
  /// answer "on the order of 500 ms"; the rest of the call needs a few milliseconds).
  std::chrono::milliseconds deadline{400};
  std::size_t max_pages = 10;   ///< per search, the first page included
  std::size_t page_size = 100;  ///< `_count` asked of each search
  std::size_t max_bytes_per_fetch = 8U * 1024U * 1024U;
  std::size_t max_bytes_per_call = 32U * 1024U * 1024U;
  std::size_t max_json_depth = 64;
};

/// What was asked of the FHIR server for one call.
struct fetch_plan {
  struct key_fetch {
    prefetch_template key;
    /// The template's query relative to fhirServer, or, for a prefetched search the EHR paged,
    /// the absolute URL of its next page.
    std::string first;
    bool continues_prefetch = false;
  };
  std::vector<key_fetch> keys;
  std::vector<std::string> medication_ids;  ///< Medication ids referenced and not in the request
  bool empty() const { return keys.empty() && medication_ids.empty(); }
};

/// The keys to fetch: those the prefetch left absent or answered with an OperationOutcome (or with
/// something other than FHIR data), and the further pages of a paged prefetch; the Medications the
/// orders reference that nothing in the request holds.
fetch_plan plan_fetches(const protocol::cds_request& request, const std::vector<prefetch_template>& templates,
                        const fhir::patient_record& record);

/// What came back: the JSON documents (which the resources' views read) and, per key, its status.
struct fetched_data {
  struct key_result {
    std::string key;
    fhir::data_status status;
    std::vector<const rapidjson::Value*> resources;
  };
  std::vector<key_result> keys;
  std::vector<const rapidjson::Value*> medications;
  std::size_t other_patient_resources = 0;  ///< dropped: they named a patient other than the context's
  std::deque<protocol::json_body> documents;
};

/// Runs `plan` against the request's fhirServer (which the client must not refuse) and calls `done`
/// once, from a client thread, when everything is back or the deadline has passed.
void fetch_missing(fhir::client::fhir_client& client, const fetch_limits& limits, const protocol::cds_request& request,
                   fetch_plan plan, std::function<void(std::shared_ptr<fetched_data>)> done);

/// Adds what was fetched to `record`, with each key's status (fetched, or why not).
void merge_fetched(const fetched_data& fetched, fhir::patient_record& record);

/// True when `url` is `base` or lies below it (a next link must stay on the server the call named;
/// a caller's fhirServer must lie under a base its issuer is bound to).
bool under_base(std::string_view url, std::string_view base);

}  // namespace ivig::service

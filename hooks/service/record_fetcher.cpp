// hooks/service/record_fetcher.cpp: the fetches of one call, their limits and their words.
#include "hooks/service/record_fetcher.hpp"

#include <algorithm>
#include <mutex>
#include <set>
#include <utility>

#include "fhir/model/bundle.hpp"
#include "fhir/model/datatypes.hpp"
#include "fhir/model/json_view.hpp"
#include "fhir/model/resources.hpp"

namespace ivig::service {
namespace {

using fhir::client::fetch_failure;
using fhir::client::fetch_result;

/// Words a clinician can read for why the FHIR server did not provide the data.
std::string why_not(fetch_failure failure, int status) {
  switch (failure) {
    case fetch_failure::timeout:
      return "it did not answer within the time limit";
    case fetch_failure::unauthorized:
      return "it did not accept the access token (HTTP 401)";
    case fetch_failure::forbidden:
      return "it refused access (HTTP 403)";
    case fetch_failure::not_found:
      return "it answered 'not found' (HTTP " + std::to_string(status) + ")";
    case fetch_failure::server_error:
      return "it failed (HTTP " + std::to_string(status) + ")";
    case fetch_failure::http_error:
      return "it answered HTTP " + std::to_string(status);
    case fetch_failure::malformed:
      return "its answer was not valid JSON";
    case fetch_failure::wrong_content_type:
      return "its answer was not FHIR JSON";
    case fetch_failure::too_large:
      return "its answer was larger than this service accepts";
    case fetch_failure::connection_failed:
      return "it could not be reached";
    case fetch_failure::refused:
      return "this service may not query it";
    case fetch_failure::none:
      break;
  }
  return "it did not answer usefully";
}

/// fhirServer + the template's query, the patient id substituted, '|' (between a token's system and
/// code) percent-encoded as a URL needs, and `_count` added to a search (fewer pages to fetch).
std::string query_url(std::string_view base, std::string_view query, std::string_view patient_id,
                      std::size_t page_size) {
  std::string url(base);
  while (!url.empty() && url.back() == '/') url.pop_back();
  url += '/';
  static constexpr std::string_view token = "{{context.patientId}}";
  for (std::size_t i = 0; i < query.size();) {
    if (query.substr(i, token.size()) == token) {
      url += patient_id;  // a FHIR id ([A-Za-z0-9-.]{1,64}), checked when the request was read
      i += token.size();
    } else {
      if (query[i] == '|')
        url += "%7C";
      else
        url += query[i];
      ++i;
    }
  }
  if (page_size > 0 && query.find('?') != std::string_view::npos && query.find("_count=") == std::string_view::npos)
    url += "&_count=" + std::to_string(page_size);
  return url;
}

/// The Medication id of a reference the request does not resolve itself, or empty.
std::string_view external_medication_id(std::string_view reference) {
  if (reference.empty() || reference.front() == '#') return {};
  const auto parts = fhir::split_reference(reference);
  if (!parts || parts->type != "Medication" || !fhir::is_fhir_id(parts->id)) return {};
  return parts->id;
}

std::string_view medication_reference_of(const fhir::json_value& resource) {
  return fhir::read_reference(fhir::member(resource, "medicationReference"));
}

/// The patient a resource names (subject, else patient), or empty when it names none.
std::string_view patient_named_by(const fhir::json_value& resource) {
  std::string_view reference = fhir::read_reference(fhir::member(resource, "subject"));
  if (reference.empty()) reference = fhir::read_reference(fhir::member(resource, "patient"));
  return reference;
}

bool names_other_patient(const fhir::json_value& resource, std::string_view patient_id) {
  const std::string_view reference = patient_named_by(resource);
  if (reference.empty()) return false;  // the server matched it to the patient's search
  const auto parts = fhir::split_reference(reference);
  return !parts || parts->type != "Patient" || parts->id != patient_id;
}

class fetch_job : public std::enable_shared_from_this<fetch_job> {
 public:
  fetch_job(fhir::client::fhir_client& client, const fetch_limits& limits, const protocol::cds_request& request,
            std::function<void(std::shared_ptr<fetched_data>)> done)
      : client_(client),
        limits_(limits),
        base_(request.fhir_server),
        token_(request.access_token),
        patient_id_(request.context.patient_id),
        deadline_(std::chrono::steady_clock::now() + limits.deadline),
        done_(std::move(done)),
        data_(std::make_shared<fetched_data>()) {}

  void start(fetch_plan plan) {
    std::vector<std::pair<std::size_t, std::string>> pages;
    std::vector<std::string> medications;
    {
      std::lock_guard lock(mutex_);
      for (fetch_plan::key_fetch& k : plan.keys) {
        const std::size_t index = data_->keys.size();
        data_->keys.push_back({k.key.key, {fhir::data_state::provided, {}, true, {}}, {}});
        keys_.push_back(
            {std::move(k.key), k.continues_prefetch ? std::size_t{1} : std::size_t{0}});  // the EHR sent page 1
        pages.emplace_back(index,
                           k.continues_prefetch ? k.first : query_url(base_, k.first, patient_id_, limits_.page_size));
      }
      for (std::string& id : plan.medication_ids)
        if (medications_asked_.insert(id).second) medications.push_back(std::move(id));
      outstanding_ = pages.size() + medications.size() + 1;  // +1: this start, so no early finish
    }
    for (auto& [index, url] : pages) fetch_page(index, std::move(url));
    for (std::string& id : medications) fetch_medication(id);
    one_done();
  }

 private:
  struct key_state {
    prefetch_template key;
    std::size_t pages = 0;
  };

  std::size_t budget_for_next_fetch() {
    const std::size_t left = bytes_used_ >= limits_.max_bytes_per_call ? 0 : limits_.max_bytes_per_call - bytes_used_;
    return std::min(limits_.max_bytes_per_fetch, left);
  }

  void fetch_page(std::size_t index, std::string url) {
    fhir::client::fetch_request request{std::move(url), token_, 0, deadline_};
    {
      std::lock_guard lock(mutex_);
      request.max_bytes = budget_for_next_fetch();
    }
    if (request.max_bytes == 0)
      return on_page(index, {fetch_failure::too_large, 0, {}, "the call's byte budget is spent"});
    client_.get(std::move(request),
                [self = shared_from_this(), index](fetch_result result) { self->on_page(index, std::move(result)); });
  }

  void fetch_medication(const std::string& id) {
    std::string url = query_url(base_, "Medication/" + id, patient_id_, 0);
    fhir::client::fetch_request request{std::move(url), token_, 0, deadline_};
    {
      std::lock_guard lock(mutex_);
      request.max_bytes = budget_for_next_fetch();
    }
    client_.get(std::move(request),
                [self = shared_from_this()](fetch_result result) { self->on_medication(std::move(result)); });
  }

  /// The parsed body, kept in the call's documents; nullptr (and `result` marked malformed) if it is not JSON.
  const fhir::json_value* keep_document(fetch_result& result) {
    auto parsed = protocol::parse_json_body(result.body, limits_.max_json_depth);
    bytes_used_ += result.body.size();
    if (!parsed) {
      result.failure = fetch_failure::malformed;
      return nullptr;
    }
    data_->documents.push_back(std::move(*parsed));
    return &static_cast<const rapidjson::Value&>(data_->documents.back());
  }

  void on_page(std::size_t index, fetch_result result) {
    std::optional<std::string> next;
    std::vector<std::string> medications;
    std::vector<std::string> to_fetch;
    {
      std::lock_guard lock(mutex_);
      key_state& state = keys_[index];
      fetched_data::key_result& out = data_->keys[index];
      ++state.pages;
      const fhir::json_value* document = result.failure == fetch_failure::none ? keep_document(result) : nullptr;
      if (document == nullptr || !document->IsObject()) {
        fail_key(out, state, result.failure == fetch_failure::none ? fetch_failure::malformed : result.failure,
                 result.http_status);
      } else {
        const std::string_view type = fhir::resource_type_of(*document);
        if (type == "OperationOutcome") {
          out.status = {fhir::data_state::error,
                        "the EHR's FHIR server could not provide " + state.key.what + " (" +
                            fhir::summarize_operation_outcome(*document) + ")",
                        true, "operation outcome"};
        } else if (type == "Bundle") {
          read_bundle_page(*document, out, state, medications);
          const std::string_view link = fhir::next_page_url(*document);
          if (!link.empty() && out.status.state == fhir::data_state::provided) {
            if (state.pages >= limits_.max_pages) {
              out.status = {fhir::data_state::incomplete,
                            "only the first " + std::to_string(state.pages) + " pages of " + state.key.what +
                                " were read from the EHR's FHIR server (this service's page limit)",
                            true, "page limit"};
            } else if (!under_base(link, base_) || client_.refusal(link)) {
              out.status = {fhir::data_state::incomplete,
                            "the next page of " + state.key.what + " is on another server and was not read", true,
                            "next link refused"};
            } else {
              next = std::string(link);
            }
          }
        } else if (type == "Patient") {
          if (fhir::resource_id_of(*document) != patient_id_) {
            ++data_->other_patient_resources;
            out.status = {fhir::data_state::error, "the EHR's FHIR server returned a different patient", true,
                          "other patient"};
          } else {
            out.resources.push_back(document);
          }
        } else {
          fail_key(out, state, fetch_failure::malformed, result.http_status);
        }
      }
      if (next) ++outstanding_;
      for (std::string& id : medications)
        if (medications_asked_.insert(id).second) to_fetch.push_back(std::move(id));
      outstanding_ += to_fetch.size();
    }
    if (next) fetch_page(index, std::move(*next));
    for (const std::string& id : to_fetch) fetch_medication(id);
    one_done();
  }

  void read_bundle_page(const fhir::json_value& bundle, fetched_data::key_result& out, const key_state& state,
                        std::vector<std::string>& medications) {
    const std::optional<std::string> outcome =
        fhir::for_each_search_result(bundle, [&](const fhir::json_value& resource) {
          if (names_other_patient(resource, patient_id_)) {
            ++data_->other_patient_resources;
            return;
          }
          out.resources.push_back(&resource);
          const std::string_view id = external_medication_id(medication_reference_of(resource));
          if (!id.empty()) medications.emplace_back(id);
        });
    if (outcome)
      out.status = {
          fhir::data_state::error,
          "the search of the EHR's FHIR server for " + state.key.what + " reported a problem (" + *outcome + ")", true,
          "operation outcome"};
  }

  void fail_key(fetched_data::key_result& out, const key_state& state, fetch_failure failure, int status) {
    const std::string why = why_not(failure, status);
    if (state.pages <= 1)
      out.status = {fhir::data_state::error, "the EHR's FHIR server could not provide " + state.key.what + ": " + why,
                    true, std::string(fhir::client::describe(failure))};
    else
      out.status = {fhir::data_state::incomplete,
                    "only part of " + state.key.what + " was read from the EHR's FHIR server: page " +
                        std::to_string(state.pages) + " failed (" + why + ")",
                    true, std::string(fhir::client::describe(failure))};
  }

  void on_medication(fetch_result result) {
    {
      std::lock_guard lock(mutex_);
      const fhir::json_value* document = result.failure == fetch_failure::none ? keep_document(result) : nullptr;
      // A Medication that cannot be read leaves its order's product unidentified, which the order's
      // own checks already say; nothing more to record here.
      if (document != nullptr && fhir::resource_type_of(*document) == "Medication")
        data_->medications.push_back(document);
    }
    one_done();
  }

  void one_done() {
    bool finished = false;
    {
      std::lock_guard lock(mutex_);
      finished = --outstanding_ == 0;
    }
    if (finished) done_(data_);
  }

  fhir::client::fhir_client& client_;
  const fetch_limits limits_;
  const std::string base_;
  const std::string token_;  // the call's only copy beside the request; gone with the call
  const std::string patient_id_;
  const std::chrono::steady_clock::time_point deadline_;
  std::function<void(std::shared_ptr<fetched_data>)> done_;

  std::mutex mutex_;
  std::shared_ptr<fetched_data> data_;
  std::vector<key_state> keys_;
  std::set<std::string, std::less<>> medications_asked_;
  std::size_t outstanding_ = 0;
  std::size_t bytes_used_ = 0;
};

}  // namespace

fetch_plan plan_fetches(const protocol::cds_request& request, const std::vector<prefetch_template>& templates,
                        const fhir::patient_record& record) {
  fetch_plan plan;
  for (const prefetch_template& t : templates) {
    const fhir::data_status& status = record.status_of(t.key);
    if (status.state == fhir::data_state::not_provided || status.state == fhir::data_state::error) {
      plan.keys.push_back({t, t.query, false});
    } else if (status.state == fhir::data_state::incomplete && request.prefetch != nullptr) {
      const fhir::json_value* value = fhir::member(request.prefetch, t.key);
      if (value != nullptr && value->IsObject()) {
        const std::string_view next = fhir::next_page_url(*value);
        if (!next.empty()) plan.keys.push_back({t, std::string(next), true});
      }
    }
  }
  std::set<std::string, std::less<>> known;
  for (const fhir::medication& m : record.medications) known.emplace(m.id);
  auto want = [&](std::string_view reference) {
    const std::string_view id = external_medication_id(reference);
    if (id.empty() || request.context.draft_index.find(reference) != nullptr) return;
    if (known.emplace(id).second) plan.medication_ids.emplace_back(id);
  };
  if (request.context.draft_orders != nullptr)
    fhir::for_each_bundle_resource(*request.context.draft_orders,
                                   [&](const fhir::json_value& resource) { want(medication_reference_of(resource)); });
  for (const fhir::medication_order& order : record.medication_orders) want(order.medication_reference);
  for (const fhir::medication_administration& given : record.administrations) want(given.medication_reference);
  return plan;
}

void fetch_missing(fhir::client::fhir_client& client, const fetch_limits& limits, const protocol::cds_request& request,
                   fetch_plan plan, std::function<void(std::shared_ptr<fetched_data>)> done) {
  std::make_shared<fetch_job>(client, limits, request, std::move(done))->start(std::move(plan));
}

void merge_fetched(const fetched_data& fetched, fhir::patient_record& record) {
  for (const fetched_data::key_result& key : fetched.keys) {
    for (const rapidjson::Value* resource : key.resources) record.add_resource(*resource);
    const fhir::data_status& before = record.status_of(key.key);
    fhir::data_status status = key.status;
    // The EHR's own OperationOutcome said why it could not send the data; keep that beside the
    // server's answer when fetching failed too.
    if (before.state == fhir::data_state::error && status.state != fhir::data_state::provided)
      status.detail = before.detail + "; " + status.detail;
    record.set_status(key.key, std::move(status));
  }
  for (const rapidjson::Value* medication : fetched.medications) record.add_resource(*medication);
}

bool under_base(std::string_view url, std::string_view base) {
  while (!base.empty() && base.back() == '/') base.remove_suffix(1);
  if (url.substr(0, base.size()) != base) return false;
  return url.size() == base.size() || url[base.size()] == '/' || url[base.size()] == '?';
}

}  // namespace ivig::service

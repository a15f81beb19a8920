// hooks/service/ivig_service.cpp: the request pipeline, one short method per endpoint.
#include "hooks/service/ivig_service.hpp"

#include <algorithm>
#include <cstdio>

#include <rapidjson/document.h>

#include "hooks/logging/log.hpp"
#include "hooks/protocol/card.hpp"
#include "hooks/protocol/cds_request.hpp"
#include "hooks/protocol/discovery.hpp"
#include "hooks/protocol/error.hpp"
#include "hooks/protocol/feedback.hpp"
#include "hooks/protocol/json_body.hpp"
#include "hooks/protocol/sent_text.hpp"
#include "hooks/service/call_audit.hpp"
#include "hooks/service/card_builder.hpp"
#include "hooks/service/order_finder.hpp"
#include "hooks/service/replay_input.hpp"
#include "hooks/service/replay_input_codec.hpp"
#include "rules/engine/engine.hpp"

namespace ivig::service {
namespace {

constexpr std::string_view order_select_id = "ivig-order-select";
constexpr std::string_view order_sign_id = "ivig-order-sign";

server::http_reply error_reply(const protocol::request_error& error) {
  return {protocol::describe(error.code).http_status,
          protocol::operation_outcome_json(error.code, error.diagnostics),
          "application/json",
          {}};
}

std::string usage_requirements(const std::vector<prefetch_template>& templates, const fetch_limits* fetching) {
  std::string text =
      "Send the draft IVIg MedicationRequest in context.draftOrders. Checks are only as complete as the data: "
      "provide the prefetch keys";
  for (std::size_t i = 0; i < templates.size(); ++i) text += (i == 0 ? " " : ", ") + templates[i].key;
  if (fetching == nullptr) {
    text +=
        "; any key not provided is reported on a card as a check that could not be completed (this deployment "
        "does not fetch missing data from fhirServer).";
  } else {
    text +=
        ". A key not provided, or answered with an OperationOutcome, and the further pages of a paged one, are "
        "fetched from fhirServer with fhirAuthorization's access token, when fhirServer is one this deployment "
        "is allowed to query (otherwise the call is answered 400), all within " +
        std::to_string(fetching->deadline.count()) +
        " ms; whatever is still missing is reported on a card as a check that could not be completed, and a "
        "Patient that cannot be read is answered 412.";
  }
  if (std::any_of(templates.begin(), templates.end(),
                  [](const prefetch_template& t) { return t.key == "administrations"; }))
    text +=
        " medicationHistory and administrations are the patient's earlier immune globulin (orders that ended, "
        "infusions given): a first infusion, a product switch, the interval since the last dose and the course "
        "total are judged from them.";
  return text;
}

/// The entries of context.draftOrders (a Bundle; read_cds_request checked its shape).
std::size_t draft_order_count(const protocol::cds_request& request) {
  if (request.context.draft_orders == nullptr || !request.context.draft_orders->IsObject()) return 0;
  const auto entry = request.context.draft_orders->FindMember("entry");
  return entry != request.context.draft_orders->MemberEnd() && entry->value.IsArray() ? entry->value.Size() : 0;
}

/// The items of a feedback body's "feedback" array, before any is read (read_feedback checks the shape).
std::size_t feedback_item_count(const rapidjson::Value& document) {
  if (!document.IsObject()) return 0;
  const auto feedback = document.FindMember("feedback");
  return feedback != document.MemberEnd() && feedback->value.IsArray() ? feedback->value.Size() : 0;
}

/// Who made the call, as the audit record keeps it: never the token, only what identifies its sender.
void set_caller(audit::call_record& audit, const server::caller& who) {
  audit.client_address = who.peer;
  audit.client_iss = who.issuer;
  audit.client_sub = who.subject;
  audit.client_tenant = who.tenant;
  audit.client_jti = who.token_id;
}

}  // namespace

void log_to_stderr(std::string_view line) {
  logging::log(logging::level::info, "service", line);
}

fhir::time_point system_now() {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

/// One call between its request and its response: what the views of the request, the record and
/// the cards read (the parsed body, the fetched documents) lives here until the reply is sent.
struct call_in_progress {
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  explicit call_in_progress(server::reply_sink sink) : done(std::move(sink)) {}
  server::reply_sink done;
  audit::call_record audit;
  protocol::hook_kind hook = protocol::hook_kind::order_select;
  std::optional<protocol::json_body> body;
  std::optional<protocol::cds_request> request;
  fhir::patient_record record;
  std::shared_ptr<fetched_data> fetched;
  /// The version the call started with: a reload during the call does not change what it uses.
  std::shared_ptr<const served_knowledge> knowledge;
};

ivig_service::ivig_service(std::shared_ptr<const rules::knowledge> kb, service_options options,
                           std::shared_ptr<audit::audit_sink> audit,
                           std::shared_ptr<fhir::client::fhir_client> fhir_client)
    : options_(std::move(options)),
      audit_(std::move(audit)),
      rejections_(options_.rejections_recorded_per_minute),
      fhir_client_(std::move(fhir_client)) {
  knowledge_ = serve(std::move(kb));
}

std::shared_ptr<const served_knowledge> ivig_service::serve(std::shared_ptr<const rules::knowledge> kb) const {
  auto served = std::make_shared<served_knowledge>();
  served->kb = std::move(kb);
  served->templates = derive_prefetch_templates(*served->kb);
  std::vector<std::pair<std::string, std::string>> prefetch;
  for (const prefetch_template& t : served->templates) prefetch.emplace_back(t.key, t.query);
  const std::string requirements = usage_requirements(served->templates, fhir_client_ ? &options_.fetch : nullptr);
  const std::string& version = served->kb->version;
  served->discovery_body = protocol::discovery_json({
      {std::string(order_select_id), "order-select", "IVIg order safety check",
       "Checks a newly selected intravenous immunoglobulin (IVIg) order against the patient's record for labelled "
       "contraindications (immune globulin hypersensitivity, IgA deficiency with anti-IgA antibodies, "
       "hyperprolinemia, hereditary fructose intolerance, corn allergy) and product-specific hazards, and says "
       "which checks could not be completed. Knowledge " +
           version + ".",
       requirements, prefetch},
      {std::string(order_sign_id), "order-sign", "IVIg order verification at signing",
       "Checks every intravenous immunoglobulin (IVIg) order about to be signed, with the same checks as "
       "ivig-order-select applied to all draft orders. Knowledge " +
           version + ".",
       requirements, prefetch},
  });
  return served;
}

std::shared_ptr<const served_knowledge> ivig_service::current_knowledge() const {
  const std::lock_guard lock(knowledge_mutex_);
  return knowledge_;
}

void ivig_service::reload(server::reply_sink done) {
  const std::lock_guard one_at_a_time(reload_mutex_);
  const std::string running = current_knowledge()->kb->version;
  if (!options_.reload_from) {
    options_.log(
        "knowledge reload: not possible, the service runs on its embedded bundle (no --knowledge "
        "folder); still serving " +
        running);
    return done.send(error_reply({protocol::error_code::reload_unavailable,
                                  "The service runs on its embedded knowledge bundle (no --knowledge folder): there "
                                  "is nothing to read again. Still serving " +
                                      running + "."}));
  }
  auto loaded = options_.reload_from();
  if (!loaded) {
    options_.log("knowledge reload: REFUSED, still serving " + running + ": " + loaded.error());
    return done.send(
        error_reply({protocol::error_code::knowledge_rejected,
                     "The knowledge bundle was refused (" + loaded.error() + "). Still serving " + running + "."}));
  }
  // Built before the swap, so that the lock is held only for the pointer: a call that starts
  // during the swap gets one version or the other, whole.
  std::shared_ptr<const served_knowledge> fresh = serve(std::move(*loaded));
  const std::string version = fresh->kb->version;
  std::size_t active = 0;
  for (const auto& rule : fresh->kb->rules) active += rule.status == rules::rule_status::active ? 1 : 0;
  {
    const std::lock_guard lock(knowledge_mutex_);
    knowledge_ = std::move(fresh);
  }
  if (options_.on_reload) options_.on_reload(*current_knowledge()->kb);
  options_.log("knowledge reload: now serving " + version + " (" + std::to_string(active) +
               " active rules) to calls that start from now; was " + running);
  done.send({200,
             R"({"knowledgeVersion":")" + version + R"(","previousVersion":")" + running + R"(","activeRules":)" +
                 std::to_string(active) + "}",
             "application/json",
             {}});
}

std::vector<std::string> ivig_service::service_ids() {
  return {std::string(order_select_id), std::string(order_sign_id)};
}

server::http_reply ivig_service::discovery() {
  return {200, current_knowledge()->discovery_body, "application/json", {}};
}

server::http_reply ivig_service::health() {
  return {200,
          R"({"status":"ok","knowledgeVersion":")" + current_knowledge()->kb->version + R"("})",
          "application/json",
          {}};
}

std::optional<std::string> ivig_service::issuer_refusal(const server::caller& who, std::string_view fhir_server) const {
  if (!options_.issuer_fhir_servers) return std::nullopt;
  const auto bound = options_.issuer_fhir_servers->find(who.issuer);
  if (bound != options_.issuer_fhir_servers->end()) {
    for (const std::string& base : bound->second) {
      if (under_base(fhir_server, base)) return std::nullopt;
    }
  }
  return std::string("it is not a FHIR server the calling issuer is bound to");
}

void ivig_service::call_service(const server::caller& who, std::string_view service_id, std::string body,
                                server::reply_sink done) {
  auto call = std::make_shared<call_in_progress>(std::move(done));
  const fhir::time_point now = options_.now();
  submit_due_rejection_summaries(now);
  call->audit.received_at = fhir::format_instant(now);
  set_caller(call->audit, who);
  call->audit.service_id = std::string(service_id.substr(0, 64));
  call->knowledge = current_knowledge();
  call->audit.knowledge_version = call->knowledge->kb->version;
  std::optional<server::http_reply> rejected = read_call(service_id, body, *call);
  body = {};  // the parsed copy is what the call reads from now on
  if (rejected) return finish(call, std::move(*rejected));
  const protocol::cds_request& request = *call->request;
  const fetch_plan plan = fhir_client_ != nullptr && !request.fhir_server.empty()
                              ? plan_fetches(request, call->knowledge->templates, call->record)
                              : fetch_plan{};
  if (plan.empty()) return finish(call, evaluate_call(*call));
  auto refused = fhir_client_->refusal(request.fhir_server);
  if (!refused) refused = issuer_refusal(who, request.fhir_server);
  if (refused) {
    const protocol::request_error error{protocol::error_code::fhir_server_refused,
                                        "The prefetch lacks data and fhirServer may not be queried: " + *refused + "."};
    call->audit.error_code = std::string(protocol::describe(error.code).code);
    return finish(call, error_reply(error));
  }
  fetch_missing(*fhir_client_, options_.fetch, request, plan, [this, call](std::shared_ptr<fetched_data> fetched) {
    call->fetched = std::move(fetched);
    finish(call, continue_after_fetch(*call));
  });
}

void ivig_service::finish(const std::shared_ptr<call_in_progress>& call, server::http_reply reply) {
  call->audit.http_status = reply.status;
  call->audit.service_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - call->started).count();
  // One event per call in the operational log: which request (its hookInstance, a UUID the EHR
  // chose), which service, the status and the time; never what it was about.
  std::string hook_instance = call->audit.hook_instance;
  std::string service_id = call->audit.service_id;
  const double service_ms = call->audit.service_ms;
  // In the audit log before the response that it describes is sent (docs/audit.md): answer from the
  // completion, which the store runs once the record is committed or spooled.
  audit_->submit_call(std::move(call->audit), [call, reply = std::move(reply), hook_instance = std::move(hook_instance),
                                               service_id = std::move(service_id), service_ms](bool stored) mutable {
    const unsigned status = reply.status;
    call->done.send(std::move(reply));
    logging::log(stored ? logging::level::info : logging::level::warning, "service",
                 stored ? "call answered" : "call answered; its audit record went to the spool",
                 {hook_instance, service_id, status, service_ms});
  });
}

std::optional<server::http_reply> ivig_service::read_call(std::string_view service_id, std::string_view body,
                                                          call_in_progress& call) {
  auto reject = [&](const protocol::request_error& error) {
    call.audit.error_code = std::string(protocol::describe(error.code).code);
    return error_reply(error);
  };
  if (service_id == order_select_id)
    call.hook = protocol::hook_kind::order_select;
  else if (service_id == order_sign_id)
    call.hook = protocol::hook_kind::order_sign;
  else
    return reject({protocol::error_code::unknown_service,
                   "No CDS service has the id " + protocol::quoted_excerpt(service_id) + "."});

  auto doc = protocol::parse_json_body(body, options_.max_json_depth);
  if (!doc) return reject(doc.error());
  call.body.emplace(std::move(*doc));
  if (auto overlong = protocol::overlong_string(*call.body, options_.limits.string_bytes)) return reject(*overlong);
  auto parsed = protocol::read_cds_request(*call.body, call.hook);
  if (!parsed) return reject(parsed.error());
  call.request.emplace(std::move(*parsed));
  const protocol::cds_request& request = *call.request;
  // Before any record is gathered or rule run: the work of a call grows with its orders.
  if (auto many = protocol::too_many(draft_order_count(request), options_.limits.draft_orders, "draft orders",
                                     "--max-draft-orders"))
    return reject(*many);
  if (auto many = protocol::too_many(request.context.selections.size(), options_.limits.selections, "selections",
                                     "--max-selections"))
    return reject(*many);
  call.audit.hook = std::string(request.hook);
  call.audit.hook_instance = std::string(request.hook_instance);

  // What a key the prefetch lacks will say if the FHIR server is not asked for it.
  const std::string_view unfetched = request.fhir_server.empty() ? " and gave no FHIR server to query"
                                     : fhir_client_ == nullptr
                                         ? " and this service is not set up to query the EHR's FHIR server"
                                         : "";
  auto gathered = gather_record(request, call.knowledge->templates, unfetched);
  if (!gathered) return reject(gathered.error());
  call.record = std::move(*gathered);
  return std::nullopt;
}

server::http_reply ivig_service::continue_after_fetch(call_in_progress& call) {
  merge_fetched(*call.fetched, call.record);
  if (call.fetched->other_patient_resources > 0)
    options_.log("the FHIR server returned " + std::to_string(call.fetched->other_patient_resources) +
                 " resource(s) naming a patient other than the call's; they were dropped");
  const fhir::data_status& patient = call.record.status_of("patient");
  if (!call.record.subject && patient.fetched && !patient.complete()) {
    const protocol::request_error error{
        protocol::error_code::patient_unavailable,
        "The prefetch has no Patient and reading it from fhirServer failed: " + patient.detail + "."};
    call.audit.error_code = std::string(protocol::describe(error.code).code);
    return error_reply(error);
  }
  return evaluate_call(call);
}

server::http_reply ivig_service::evaluate_call(call_in_progress& call) {
  const protocol::cds_request& request = *call.request;
  const fhir::patient_record& record = call.record;
  const rules::knowledge& kb = *call.knowledge->kb;
  const orders_to_check orders = find_ivig_orders(request, record, kb, call.hook == protocol::hook_kind::order_select);
  const fhir::time_point now = options_.now();
  const rules::hook_stage stage =
      call.hook == protocol::hook_kind::order_sign ? rules::hook_stage::sign : rules::hook_stage::select;
  std::vector<checked_order> checked;
  for (const rules::ivig_order& order : orders.ivig_orders) {
    checked_order entry{&order, rules::gather_order_facts(record, order, kb, now, stage), {}};
    entry.result = rules::evaluate(record, order, kb, now, orders.session, entry.facts, stage);
    // A failing rule cost only itself (the engine listed its check as not completed); say which
    // and why where operators look. The exception text names code, not the patient's data.
    for (const rules::rule_failure& failure : entry.result.failures)
      options_.log("rule " + failure.rule_id + " failed on " + failure.order_reference + " (" + failure.what +
                   "); its check is listed as not completed, the other rules' cards are returned");
    checked.push_back(std::move(entry));
  }
  const card_options options{stage == rules::hook_stage::sign};
  const std::vector<protocol::card> cards = build_cards(request.hook_instance, checked, kb, options);
  describe_call(call.audit, request, record, call.knowledge->templates, checked, cards, kb, stage,
                options_.audit_patient_key);
  std::string response = protocol::cards_response_json(cards);
  if (response.size() > options_.limits.response_bytes) {
    const protocol::request_error error = protocol::response_too_large(response.size(), options_.limits.response_bytes);
    call.audit.error_code = std::string(protocol::describe(error.code).code);
    return error_reply(error);
  }
  // Packed here, on the worker thread, not by the audit log's single writer (replay_input_codec.hpp).
  if (options_.keep_replay_inputs)
    call.audit.replay_input = pack_replay_input(write_replay_input(*call.body, call.fetched.get()));
  return {200, std::move(response), "application/json", {}};
}

result<audit::call_record, std::string> ivig_service::replay(std::string_view service_id, std::string_view input) {
  // A bound far above what any call stores (a request within the server's body limit and what one
  // call may fetch), so that a damaged record cannot exhaust the replay command's memory.
  constexpr std::size_t largest_replay_input = std::size_t{1} << 30;
  auto text = unpack_replay_input(input, largest_replay_input);
  if (!text) return failure("its replay input cannot be read: " + text.error());
  auto recorded = read_replay_input(*text, options_.max_json_depth + 2);  // the request sits two levels down
  if (!recorded) return failure("its replay input cannot be read: " + recorded.error());
  call_in_progress call(server::reply_sink([](server::http_reply, bool) {}, [] { return server::http_reply{}; }));
  call.knowledge = current_knowledge();
  call.audit.knowledge_version = call.knowledge->kb->version;
  call.audit.service_id = std::string(service_id);
  std::optional<server::http_reply> refused = read_call(service_id, recorded->request, call);
  if (!refused) {
    if (recorded->fetched) call.fetched = std::move(recorded->fetched);
    server::http_reply reply = call.fetched ? continue_after_fetch(call) : evaluate_call(call);
    call.audit.http_status = reply.status;
    if (reply.status == 200) return std::move(call.audit);
    refused = std::move(reply);
  }
  return failure("this knowledge answers it " + std::to_string(refused->status) + " " + call.audit.error_code);
}

void ivig_service::feedback(const server::caller& who, std::string_view service_id, std::string body,
                            server::reply_sink done) {
  audit::call_record audit;
  audit.received_at = fhir::format_instant(options_.now());
  audit.service_id = std::string(service_id.substr(0, 64)) + "/feedback";
  audit.knowledge_version = current_knowledge()->kb->version;
  set_caller(audit, who);
  auto reject = [&](const protocol::request_error& error) {
    audit.error_code = std::string(protocol::describe(error.code).code);
    audit.http_status = protocol::describe(error.code).http_status;
    // A rejected feedback request is audited like any rejected call, and answered once it is.
    audit_->submit_call(std::move(audit),
                        [done, reply = error_reply(error)](bool) mutable { done.send(std::move(reply)); });
  };
  if (service_id != order_select_id && service_id != order_sign_id)
    return reject({protocol::error_code::unknown_service,
                   "No CDS service has the id " + protocol::quoted_excerpt(service_id) + "."});
  const auto doc = protocol::parse_json_body(body, options_.max_json_depth);
  if (!doc) return reject(doc.error());
  if (auto overlong = protocol::overlong_string(*doc, options_.limits.string_bytes)) return reject(*overlong);
  // Counted before any item is read: reading (and validating) each of 100,000 items is the work the
  // cap bounds.
  if (auto many = protocol::too_many(feedback_item_count(*doc), options_.limits.feedback_items, "feedback items",
                                     "--max-feedback-items"))
    return reject(*many);
  const auto parsed = protocol::read_feedback(*doc);
  if (!parsed) return reject(parsed.error());
  std::vector<audit::feedback_record> items;
  items.reserve(parsed->size());
  for (const protocol::feedback_item& item : *parsed) {
    audit::feedback_record& f = items.emplace_back();
    f.received_at = audit.received_at;
    f.service_id = std::string(service_id);
    f.card_uuid = std::string(item.card);
    f.outcome = std::string(item.outcome);
    for (std::string_view id : item.accepted_suggestions) f.accepted_suggestions.emplace_back(id);
    f.override_system = std::string(item.override_system);
    f.override_code = std::string(item.override_code);
    f.override_display = std::string(item.override_display);
    f.user_comment = std::string(item.user_comment);
    f.outcome_timestamp = std::string(item.outcome_timestamp);
    f.client_address = who.peer;
    f.client_iss = who.issuer;
    f.client_sub = who.subject;
    f.client_tenant = who.tenant;
    f.client_jti = who.token_id;
  }
  audit_->submit_feedback(
      std::move(items), [done, service_id = std::string(service_id)](std::vector<audit::feedback_result> results) {
        int recorded = 0, duplicates = 0, unmatched = 0;
        for (const audit::feedback_result result : results) {
          switch (result) {
            case audit::feedback_result::recorded_matched:
              ++recorded;
              break;
            case audit::feedback_result::recorded_unmatched:
              ++recorded;
              ++unmatched;
              break;
            case audit::feedback_result::duplicate:
              ++duplicates;
              break;
          }
        }
        logging::log(logging::level::info, "service",
                     "feedback recorded: " + std::to_string(recorded) + " item(s), " + std::to_string(duplicates) +
                         " duplicate(s), " + std::to_string(unmatched) + " unmatched",
                     {{}, service_id, 200, -1});
        done.send({200,
                   R"({"recorded":)" + std::to_string(recorded) + R"(,"duplicates":)" + std::to_string(duplicates) +
                       R"(,"unmatched":)" + std::to_string(unmatched) + "}",
                   "application/json",
                   {}});
      });
}

server::http_reply ivig_service::readiness() {
  if (audit_->ready()) return {200, R"({"status":"ready"})", "application/json", {}};
  return error_reply({protocol::error_code::service_unready,
                      "The audit store is failing: records are kept in the spool file and replayed when it recovers."});
}

void ivig_service::rejected(const server::rejection& what, server::http_reply reply, server::reply_sink done) {
  const fhir::time_point now = options_.now();
  submit_due_rejection_summaries(now);
  audit::call_record audit;
  audit.received_at = fhir::format_instant(now);
  audit.service_id =
      std::string(what.method.substr(0, 16)) + (what.method.empty() ? "" : " ") + std::string(what.path.substr(0, 128));
  audit.knowledge_version = current_knowledge()->kb->version;
  audit.http_status = what.status;
  audit.error_code = std::string(what.code);
  audit.error_reason = std::string(what.reason);
  audit.client_address = std::string(what.peer);
  // A flood is answered at once and counted: it must neither fill the log nor wait for its disk.
  if (!rejections_.record_individually(audit, now)) return done.send(std::move(reply));
  // The code says why; the path and the peer stay in the audit record (a path may carry anything).
  logging::log(logging::level::info, "service", "request rejected: " + std::string(what.code),
               {{}, {}, what.status, -1});
  audit_->submit_call(std::move(audit), [done = std::move(done), reply = std::move(reply)](bool) mutable {
    done.send(std::move(reply));
  });
}

void ivig_service::submit_due_rejection_summaries(fhir::time_point now) {
  for (audit::call_record& summary : rejections_.due(now)) {
    summary.knowledge_version = current_knowledge()->kb->version;
    audit_->submit_call(std::move(summary), [](bool) {});
  }
}

void ivig_service::flush_rejection_summaries() {
  for (audit::call_record& summary : rejections_.flush()) {
    summary.knowledge_version = current_knowledge()->kb->version;
    audit_->record_call(summary);
  }
}

}  // namespace ivig::service

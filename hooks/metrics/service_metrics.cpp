// hooks/metrics/service_metrics.cpp: the metric families, their bounded labels and the scrape.
#include "hooks/metrics/service_metrics.hpp"

#include <algorithm>
#include <array>
#include <sstream>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

namespace ivig::metrics {
namespace {

using prometheus::Counter;
using prometheus::Family;
using prometheus::Gauge;
using prometheus::Histogram;

/// Request and call latencies: from a millisecond (a small call) to ten seconds (past every deadline).
const Histogram::BucketBoundaries& latency_buckets() {
  static const Histogram::BucketBoundaries buckets{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                   0.25,  0.5,    1.0,   2.5,  5.0,   10.0};
  return buckets;
}

/// The audit writer's waits and transactions: a commit without fsync takes well under a millisecond,
/// so three finer bounds come before the latency buckets.
const Histogram::BucketBoundaries& audit_buckets() {
  static const Histogram::BucketBoundaries buckets{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                   0.05,   0.1,     0.25,   0.5,   1.0,    2.5,   5.0,  10.0};
  return buckets;
}

double seconds(std::chrono::nanoseconds d) {
  return std::chrono::duration<double>(d).count();
}

std::string_view one_of(std::string_view value, std::initializer_list<std::string_view> known) {
  return std::find(known.begin(), known.end(), value) != known.end() ? value : std::string_view("other");
}

}  // namespace

std::string_view method_label(std::string_view method) {
  return one_of(method, {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"});
}

struct service_metrics::families {
  explicit families(prometheus::Registry& r)
      : build_info(prometheus::BuildGauge()
                       .Name("ivig_cds_build_info")
                       .Help("The running program: always 1, its version in the labels")
                       .Register(r)),
        knowledge_info(prometheus::BuildGauge()
                           .Name("ivig_cds_knowledge_info")
                           .Help("The knowledge bundle served now: always 1, its name and version in the labels")
                           .Register(r)),
        requests(prometheus::BuildCounter()
                     .Name("ivig_cds_requests_total")
                     .Help("HTTP responses queued, by route template, method and status")
                     .Register(r)),
        request_duration(prometheus::BuildHistogram()
                             .Name("ivig_cds_request_duration_seconds")
                             .Help("Time from a request read to its response queued, by route template")
                             .Register(r)),
        calls(prometheus::BuildCounter()
                  .Name("ivig_cds_service_calls_total")
                  .Help("Service calls recorded, by service and HTTP status")
                  .Register(r)),
        call_duration(prometheus::BuildHistogram()
                          .Name("ivig_cds_service_call_duration_seconds")
                          .Help("Time the service took for an answered call (parse, gather, fetch, evaluate, "
                                "cards), by service")
                          .Register(r)),
        cards(prometheus::BuildCounter()
                  .Name("ivig_cds_cards_total")
                  .Help("Cards answered, by service, rule and indicator (a card of two rules counts for each)")
                  .Register(r)),
        rule_failures(prometheus::BuildCounter()
                          .Name("ivig_cds_rule_failures_total")
                          .Help("Rules that failed with an internal error on a call (their check was skipped and "
                                "listed as not done), by rule")
                          .Register(r)),
        prefetch_data(prometheus::BuildCounter()
                          .Name("ivig_cds_prefetch_data_total")
                          .Help("Prefetch keys per answered call by where the data came from: prefetch, fetched "
                                "(from the EHR's FHIR server), or why not whole: missing, error, incomplete")
                          .Register(r)),
        feedback(prometheus::BuildCounter()
                     .Name("ivig_cds_feedback_total")
                     .Help("Feedback items, by service, rule of the card (unknown when the card is not among the "
                           "recent ones), outcome and what the audit log made of it")
                     .Register(r)),
        audit_write_duration(prometheus::BuildHistogram()
                                 .Name("ivig_cds_audit_write_duration_seconds")
                                 .Help("Time from a record handed to the audit log to it committed (or spooled), "
                                       "by record kind")
                                 .Register(r)),
        audit_not_committed(prometheus::BuildCounter()
                                .Name("ivig_cds_audit_call_records_not_committed_total")
                                .Help("Call records the audit log could not commit (spooled, or lost)")
                                .Register(r)),
        audit_queue_wait(prometheus::BuildHistogram()
                             .Name("ivig_cds_audit_queue_wait_seconds")
                             .Help("Time an audit record waited in the queue until the writer took it, by record "
                                   "kind")
                             .Register(r)),
        audit_commit_duration(prometheus::BuildHistogram()
                                  .Name("ivig_cds_audit_commit_duration_seconds")
                                  .Help("Time of one audit transaction (a group commit) from BEGIN to the end of "
                                        "COMMIT, its flush included, or to its failure, by outcome")
                                  .Register(r)),
        fhir_fetch_duration(prometheus::BuildHistogram()
                                .Name("ivig_cds_fhir_fetch_duration_seconds")
                                .Help("Time of one GET to the EHR's FHIR server (a search page or a read), by "
                                      "outcome: ok or why it brought no FHIR JSON")
                                .Register(r)) {}

  Family<Gauge>& build_info;
  Family<Gauge>& knowledge_info;
  Family<Counter>& requests;
  Family<Histogram>& request_duration;
  Family<Counter>& calls;
  Family<Histogram>& call_duration;
  Family<Counter>& cards;
  Family<Counter>& rule_failures;
  Family<Counter>& prefetch_data;
  Family<Counter>& feedback;
  Family<Histogram>& audit_write_duration;
  Family<Counter>& audit_not_committed;
  Family<Histogram>& audit_queue_wait;
  Family<Histogram>& audit_commit_duration;
  Family<Histogram>& fhir_fetch_duration;
};

service_metrics::service_metrics(metrics_labels labels)
    : labels_(std::move(labels)),
      registry_(std::make_shared<prometheus::Registry>()),
      families_(std::make_unique<families>(*registry_)) {
  prometheus::Labels build{{"version", labels_.version}};
  if (!labels_.git_commit.empty()) build.emplace("git_commit", labels_.git_commit);
  families_->build_info.Add(build).Set(1);
  add_knowledge(labels_);
  cards_order_.resize(remembered_cards);
}

service_metrics::~service_metrics() = default;

void service_metrics::add_knowledge(const metrics_labels& labels) {
  prometheus::Gauge& info =
      families_->knowledge_info.Add({{"bundle", labels.knowledge_bundle}, {"version", labels.knowledge_version}});
  // Removed, not set to 0: the family always has one sample, the version served now, so that
  // queries need no "== 1" and a dashboard never shows a version that is gone.
  if (knowledge_info_ != nullptr && knowledge_info_ != &info) families_->knowledge_info.Remove(knowledge_info_);
  knowledge_info_ = &info;
  info.Set(1);
  for (const std::string& rule : labels.rule_ids) families_->rule_failures.Add({{"rule", rule}});
}

void service_metrics::knowledge_loaded(const metrics_labels& labels) {
  std::unique_lock lock(knowledge_mutex_);
  labels_.knowledge_bundle = labels.knowledge_bundle;
  labels_.knowledge_version = labels.knowledge_version;
  labels_.rule_ids.insert(labels.rule_ids.begin(), labels.rule_ids.end());
  labels_.prefetch_keys.insert(labels.prefetch_keys.begin(), labels.prefetch_keys.end());
  add_knowledge(labels);
}

std::string service_metrics::bounded_rule(std::string_view rule) const {
  std::shared_lock lock(knowledge_mutex_);
  return labels_.rule_ids.contains(rule) ? std::string(rule) : std::string("other");
}

std::string service_metrics::bounded_key(std::string_view key) const {
  std::shared_lock lock(knowledge_mutex_);
  return labels_.prefetch_keys.contains(key) ? std::string(key) : std::string("other");
}

void service_metrics::observe_request(std::string_view route, std::string_view method, unsigned status,
                                      std::chrono::nanoseconds duration) {
  const std::string route_label(route.empty() ? std::string_view("unparsed") : route);
  families_->requests
      .Add({{"route", route_label},
            {"method", std::string(method.empty() ? std::string_view("none") : method_label(method))},
            {"status", std::to_string(status)}})
      .Increment();
  families_->request_duration.Add({{"route", route_label}}, latency_buckets()).Observe(seconds(duration));
}

void service_metrics::observe_call(const audit::call_record& call) {
  // Only calls to a service this process offers: a rejected request to an unknown id, or a summary
  // of a flood of rejections, is already counted by route in ivig_cds_requests_total.
  if (call.rejections_summarised > 0 || !labels_.service_ids.contains(call.service_id)) return;
  const std::string& service = call.service_id;
  families_->calls.Add({{"service", service}, {"status", std::to_string(call.http_status)}}).Increment();
  if (!call.error_code.empty()) return;
  families_->call_duration.Add({{"service", service}}, latency_buckets()).Observe(call.service_ms / 1000.0);
  for (const audit::card_record& card : call.cards) {
    const std::string indicator(one_of(card.indicator, {"info", "warning", "critical"}));
    for (const std::string& rule : card.rule_ids)
      families_->cards.Add({{"service", service}, {"rule", bounded_rule(rule)}, {"indicator", indicator}}).Increment();
  }
  for (const audit::rule_record& rule : call.rules)
    if (!rule.error.empty()) families_->rule_failures.Add({{"rule", bounded_rule(rule.rule_id)}}).Increment();
  for (const audit::data_source_record& data : call.data)
    families_->prefetch_data
        .Add({{"service", service},
              {"key", bounded_key(data.key)},
              {"origin", std::string(one_of(data.origin, {"prefetch", "fetched", "missing", "error", "incomplete"}))}})
        .Increment();
  remember_cards(call);
}

void service_metrics::remember_cards(const audit::call_record& call) {
  std::lock_guard lock(cards_mutex_);
  for (const audit::card_record& card : call.cards) {
    if (card.uuid.empty() || card_rules_.contains(card.uuid)) continue;
    // A ring of the last remembered_cards uuids: the oldest is forgotten to make room.
    std::string& slot = cards_order_[cards_next_];
    if (!slot.empty()) card_rules_.erase(slot);
    slot = card.uuid;
    cards_next_ = (cards_next_ + 1) % cards_order_.size();
    std::vector<std::string> rules;
    for (const std::string& rule : card.rule_ids) rules.push_back(bounded_rule(rule));
    card_rules_.emplace(card.uuid, std::move(rules));
  }
}

std::vector<std::string> service_metrics::rules_of_card(const std::string& uuid) {
  std::lock_guard lock(cards_mutex_);
  const auto it = card_rules_.find(uuid);
  if (it == card_rules_.end() || it->second.empty()) return {"unknown"};
  return it->second;
}

void service_metrics::observe_feedback(const std::vector<audit::feedback_record>& items,
                                       const std::vector<audit::feedback_result>& results) {
  for (std::size_t i = 0; i < items.size(); ++i) {
    const audit::feedback_record& item = items[i];
    std::string_view result = "unmatched";
    if (i < results.size() && results[i] == audit::feedback_result::recorded_matched) result = "matched";
    if (i < results.size() && results[i] == audit::feedback_result::duplicate) result = "duplicate";
    const std::string service = labels_.service_ids.contains(item.service_id) ? item.service_id : std::string("other");
    const std::string outcome(one_of(item.outcome, {"accepted", "overridden"}));
    for (const std::string& rule : rules_of_card(item.card_uuid))
      families_->feedback
          .Add({{"service", service}, {"rule", rule}, {"outcome", outcome}, {"result", std::string(result)}})
          .Increment();
  }
}

void service_metrics::observe_audit_write(std::string_view kind, std::chrono::nanoseconds duration, bool stored) {
  families_->audit_write_duration.Add({{"kind", std::string(kind)}}, latency_buckets()).Observe(seconds(duration));
  if (!stored) families_->audit_not_committed.Add({}).Increment();
}

void service_metrics::observe_audit_queue_wait(std::string_view kind, std::chrono::nanoseconds waited) {
  families_->audit_queue_wait.Add({{"kind", std::string(one_of(kind, {"call", "feedback"}))}}, audit_buckets())
      .Observe(seconds(waited));
}

void service_metrics::observe_audit_transaction(bool committed, std::chrono::nanoseconds took) {
  families_->audit_commit_duration.Add({{"outcome", committed ? "committed" : "failed"}}, audit_buckets())
      .Observe(seconds(took));
}

void service_metrics::observe_fhir_fetch(std::string_view outcome, std::chrono::nanoseconds duration) {
  const std::string label(
      one_of(outcome, {"ok", "timeout", "unauthorized", "forbidden", "not_found", "server_error", "http_error",
                       "malformed", "wrong_content_type", "too_large", "connection_failed", "refused"}));
  families_->fhir_fetch_duration.Add({{"outcome", label}}, latency_buckets()).Observe(seconds(duration));
}

void service_metrics::add_sampled(std::string name, std::string help, sample_kind kind, label_pairs labels,
                                  std::function<double()> read) {
  std::lock_guard lock(sampled_mutex_);
  auto [it, added] = sampled_.try_emplace(std::move(name), sampled{std::move(help), kind, {}});
  it->second.series.emplace_back(std::move(labels), std::move(read));
}

std::string service_metrics::scrape() const {
  std::vector<prometheus::MetricFamily> all = registry_->Collect();
  {
    std::lock_guard lock(sampled_mutex_);
    for (const auto& [name, s] : sampled_) {
      prometheus::MetricFamily family;
      family.name = name;
      family.help = s.help;
      family.type = s.kind == sample_kind::counter ? prometheus::MetricType::Counter : prometheus::MetricType::Gauge;
      for (const auto& [labels, read] : s.series) {
        prometheus::ClientMetric metric;
        for (const auto& [label, value] : labels) metric.label.push_back({label, value});
        if (s.kind == sample_kind::counter)
          metric.counter.value = read();
        else
          metric.gauge.value = read();
        family.metric.push_back(std::move(metric));
      }
      all.push_back(std::move(family));
    }
  }
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, all);
  return out.str();
}

}  // namespace ivig::metrics

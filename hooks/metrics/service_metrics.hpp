// hooks/metrics/service_metrics.hpp: the service's Prometheus metrics, owned in one place.
//
// Owns the prometheus-cpp registry and every metric family of ivig-cds (docs/operations.md,
// "Metrics"), and writes the text exposition format for GET /metrics. Nothing else in the project
// links prometheus-cpp: the transport reports each response through a plain callback the application
// wires to observe_request(), the service's calls and feedback reach observe_call() and
// observe_feedback() through the audit sink decorator (metered_audit_sink.hpp), and counters other
// libraries already keep (the transport's, the JWT refusals, the audit store's) are read at scrape
// time through add_sampled().
//
// Labels have bounded values only: every label value is checked against a set that only loaded
// knowledge and the service fill (the rule ids and prefetch keys of every bundle loaded since start,
// the services' ids) or a closed list, and anything else is counted as "other". No patient, user,
// token, card text, URL or path is ever a label value.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "hooks/audit/audit_sink.hpp"

namespace prometheus {
class Gauge;
class Registry;
}  // namespace prometheus

namespace ivig::metrics {

/// What the metrics may name: from the knowledge at start, joined by each reload's (knowledge_loaded).
struct metrics_labels {
  std::string version;     ///< the program's version (ivig_cds_build_info)
  std::string git_commit;  ///< empty when unknown
  std::string knowledge_bundle;
  std::string knowledge_version;
  std::set<std::string, std::less<>> service_ids;    ///< e.g. ivig-order-select
  std::set<std::string, std::less<>> rule_ids;       ///< the knowledge's rule ids
  std::set<std::string, std::less<>> prefetch_keys;  ///< the prefetch templates' keys
};

/// The content type of the text exposition format that scrape() writes.
inline constexpr std::string_view exposition_content_type = "text/plain; version=0.0.4; charset=utf-8";

class service_metrics {
 public:
  /// The kind of a sampled metric: a counter (monotonic) or a gauge (a level, such as a queue depth).
  enum class sample_kind { counter, gauge };
  using label_pairs = std::vector<std::pair<std::string, std::string>>;

  explicit service_metrics(metrics_labels labels);
  ~service_metrics();
  service_metrics(const service_metrics&) = delete;
  service_metrics& operator=(const service_metrics&) = delete;

  /// One HTTP response queued: `route` the route template (never a raw path), `method` already
  /// reduced to a known method or "other" by the transport.
  void observe_request(std::string_view route, std::string_view method, unsigned status,
                       std::chrono::nanoseconds duration);
  /// One service call as audited: latency by service and status, cards by rule and indicator, the
  /// state of each prefetch key (where it came from, or why it is missing).
  void observe_call(const audit::call_record& call);
  /// One feedback request's items and what the audit log made of them; the rule comes from the
  /// card uuids of calls observed earlier (a bounded memory), else "unknown".
  void observe_feedback(const std::vector<audit::feedback_record>& items,
                        const std::vector<audit::feedback_result>& results);
  /// One audit record handed to the log and completed: the time until it was in the log, and
  /// whether it was committed (else spooled or lost).
  void observe_audit_write(std::string_view kind, std::chrono::nanoseconds duration, bool stored);
  /// One audit record taken by the writer after `waited` in its queue (`kind` call or feedback).
  void observe_audit_queue_wait(std::string_view kind, std::chrono::nanoseconds waited);
  /// One audit transaction (a group commit) from BEGIN to the end of COMMIT, or to its failure.
  void observe_audit_transaction(bool committed, std::chrono::nanoseconds took);
  /// One GET the service sent to a FHIR server, and its outcome: "ok" or a fetch failure's name
  /// (fhir/client/fhir_client.hpp; metered_fhir_client.hpp maps them), else counted as "other".
  void observe_fhir_fetch(std::string_view outcome, std::chrono::nanoseconds duration);
  /// A knowledge reload the service switched to: ivig_cds_knowledge_info names its bundle and version
  /// only (the previous version's sample is removed), and its rule ids and prefetch keys join the
  /// known ones (kept, not replaced: a call that started on the previous version still reports its
  /// rules). Only `labels`' knowledge fields are read.
  void knowledge_loaded(const metrics_labels& labels);

  /// A metric read from `read` at each scrape (counters other code owns). Several calls with the
  /// same name and different labels form one family; the first call's help and kind are the family's.
  void add_sampled(std::string name, std::string help, sample_kind kind, label_pairs labels,
                   std::function<double()> read);

  /// Every metric in the text exposition format 0.0.4 (exposition_content_type).
  [[nodiscard]] std::string scrape() const;

  /// How many card uuids are remembered for matching feedback to rules.
  static constexpr std::size_t remembered_cards = 65536;

 private:
  struct families;
  std::string bounded_rule(std::string_view rule) const;
  std::string bounded_key(std::string_view key) const;
  /// Under knowledge_mutex_: ivig_cds_knowledge_info for `labels`, and a zero failure count for each
  /// rule not known before (a rule's first failure then shows as an increase, not a new series).
  void add_knowledge(const metrics_labels& labels);
  void remember_cards(const audit::call_record& call);
  std::vector<std::string> rules_of_card(const std::string& uuid);

  metrics_labels labels_;  // rule_ids, prefetch_keys and the knowledge fields under knowledge_mutex_
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<families> families_;
  mutable std::shared_mutex knowledge_mutex_;
  prometheus::Gauge* knowledge_info_ = nullptr;  // the sample of the version served now

  struct sampled {
    std::string help;
    sample_kind kind;
    std::vector<std::pair<label_pairs, std::function<double()>>> series;
  };
  mutable std::mutex sampled_mutex_;
  std::map<std::string, sampled, std::less<>> sampled_;

  // Card uuid -> rule ids, the oldest forgotten first (insertion order in cards_order_).
  std::mutex cards_mutex_;
  std::unordered_map<std::string, std::vector<std::string>> card_rules_;
  std::vector<std::string> cards_order_;
  std::size_t cards_next_ = 0;
};

/// The method as a label: the methods HTTP defines, else "other" (a client may send any token).
std::string_view method_label(std::string_view method);

}  // namespace ivig::metrics

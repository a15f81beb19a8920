// hooks/metrics/metered_audit_sink.cpp: observe, then pass on (see the header).
#include "hooks/metrics/metered_audit_sink.hpp"

#include <utility>

namespace ivig::metrics {

metered_audit_sink::metered_audit_sink(std::shared_ptr<audit::audit_sink> inner, service_metrics& metrics,
                                       steady_clock_function now)
    : observer_(std::make_shared<const observer>(observer{metrics, std::move(now)})), inner_(std::move(inner)) {}

void metered_audit_sink::submit_call(audit::call_record call, call_done done) {
  observer_->metrics.observe_call(call);
  const auto started = observer_->now();
  inner_->submit_call(std::move(call), [o = observer_, started, done = std::move(done)](bool stored) {
    o->metrics.observe_audit_write("call", o->now() - started, stored);
    done(stored);
  });
}

void metered_audit_sink::submit_feedback(std::vector<audit::feedback_record> items, feedback_done done) {
  // The items go to the store; what the metrics need of them (service, outcome, card uuid) is kept.
  std::vector<audit::feedback_record> seen;
  seen.reserve(items.size());
  for (const audit::feedback_record& item : items) {
    audit::feedback_record kept;
    kept.service_id = item.service_id;
    kept.card_uuid = item.card_uuid;
    kept.outcome = item.outcome;
    seen.push_back(std::move(kept));
  }
  const auto started = observer_->now();
  inner_->submit_feedback(std::move(items), [o = observer_, started, seen = std::move(seen),
                                             done = std::move(done)](std::vector<audit::feedback_result> results) {
    o->metrics.observe_audit_write("feedback", o->now() - started, true);
    o->metrics.observe_feedback(seen, results);
    done(std::move(results));
  });
}

}  // namespace ivig::metrics

// hooks/metrics/metered_audit_sink.hpp: an audit sink that counts what passes through it.
//
// Every service call, rejection and feedback item the service reports goes to the audit sink, with
// the service id, status, duration, cards (rule ids, indicator) and the state of each prefetch key;
// this decorator shows each record to service_metrics and passes it on unchanged to the real sink
// (the SQLite store, or the null sink with --no-audit). So the service needs no metrics hook of its
// own, and metrics see exactly what the audit log records. The observation happens before the
// record's completion runs, so a client that has its answer finds it counted.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "hooks/audit/audit_sink.hpp"
#include "hooks/metrics/service_metrics.hpp"

namespace ivig::metrics {

class metered_audit_sink final : public audit::audit_sink {
 public:
  using steady_clock_function = std::function<std::chrono::steady_clock::time_point()>;

  /// `metrics` must outlive every submission's completion (a completion may run while `inner` is
  /// being destroyed, after this decorator is gone). `now` times the audit writes.
  metered_audit_sink(
      std::shared_ptr<audit::audit_sink> inner, service_metrics& metrics,
      steady_clock_function now = [] { return std::chrono::steady_clock::now(); });

  void submit_call(audit::call_record call, call_done done) override;
  void submit_feedback(std::vector<audit::feedback_record> items, feedback_done done) override;
  bool ready() const override { return inner_->ready(); }

 private:
  struct observer {
    service_metrics& metrics;
    steady_clock_function now;
  };
  // Held by every pending completion, so that none depends on this object's lifetime.
  std::shared_ptr<const observer> observer_;
  std::shared_ptr<audit::audit_sink> inner_;
};

}  // namespace ivig::metrics

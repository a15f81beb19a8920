// hooks/service/rejection_audit.hpp: how requests the transport rejected (404, 405, 401, 413 …) reach
// the audit log without a flood of them filling it or slowing the listener.
//
// Within each window (a minute of the service's clock) the first `per_window` rejections are
// recorded one by one, with their path, status, reason and peer, and answered once recorded, like
// every call. The rest of the window's rejections are answered at once and counted; when the
// window has passed, one summary record per (status, error code, reason) says how many there were
// and from which peers (the first ten). Nothing is lost: a window's summaries are written by the
// next rejection or call after it ends, or by flush() when the service stops. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "fhir/model/fhir_time.hpp"
#include "hooks/audit/audit_sink.hpp"

namespace ivig::service {

class rejection_audit {
 public:
  explicit rejection_audit(std::size_t per_window, std::chrono::seconds window = std::chrono::seconds(60))
      : per_window_(per_window), window_(window) {}

  /// Whether this rejection is recorded on its own (true) or only counted into its window's summary.
  bool record_individually(const audit::call_record& rejection, fhir::time_point now);
  /// The summaries of windows that ended before `now`, taken out (empty when there are none).
  std::vector<audit::call_record> due(fhir::time_point now);
  /// Every summary still held, whatever its window (at shutdown).
  std::vector<audit::call_record> flush();

 private:
  struct tally {
    std::uint64_t count = 0;
    std::set<std::string> peers;  ///< at most the first ten peer hosts
  };
  using key = std::tuple<unsigned, std::string, std::string>;  // status, error code, reason
  std::vector<audit::call_record> take_locked();

  std::size_t per_window_;
  std::chrono::seconds window_;
  std::mutex mutex_;
  fhir::time_point window_start_{};
  std::size_t recorded_in_window_ = 0;
  std::map<key, tally> suppressed_;
  /// Whether suppressed_ holds anything: due() runs on every call, and must not take the lock then.
  std::atomic<bool> any_suppressed_{false};
};

}  // namespace ivig::service

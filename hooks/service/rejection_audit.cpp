// hooks/service/rejection_audit.cpp: the window, the tallies and their summary records.
#include "hooks/service/rejection_audit.hpp"

namespace ivig::service {
namespace {

constexpr std::size_t peers_named = 10;

/// "203.0.113.7" of "203.0.113.7:50122", "[::1]" of "[::1]:41000": a flood comes from a host, not a port.
std::string host_of(const std::string& peer) {
  const auto colon = peer.rfind(':');
  return colon == std::string::npos ? peer : peer.substr(0, colon);
}

}  // namespace

bool rejection_audit::record_individually(const audit::call_record& rejection, fhir::time_point now) {
  const std::lock_guard lock(mutex_);
  if (now >= window_start_ + window_) {
    // A new window: what the old one suppressed is taken by due(), which the caller runs first.
    window_start_ = now;
    recorded_in_window_ = 0;
  }
  if (recorded_in_window_ < per_window_) {
    ++recorded_in_window_;
    return true;
  }
  any_suppressed_.store(true, std::memory_order_relaxed);
  tally& t = suppressed_[key{rejection.http_status, rejection.error_code, rejection.error_reason}];
  ++t.count;
  if (t.peers.size() < peers_named) t.peers.insert(host_of(rejection.client_address));
  return false;
}

std::vector<audit::call_record> rejection_audit::take_locked() {
  std::vector<audit::call_record> out;
  for (auto& [k, t] : suppressed_) {
    audit::call_record summary;
    summary.received_at = fhir::format_instant(window_start_);
    summary.service_id = "rejections not recorded one by one";
    summary.http_status = std::get<0>(k);
    summary.error_code = std::get<1>(k);
    summary.error_reason = std::get<2>(k);
    summary.rejections_summarised = t.count;
    summary.rejection_peers.assign(t.peers.begin(), t.peers.end());
    out.push_back(std::move(summary));
  }
  suppressed_.clear();
  any_suppressed_.store(false, std::memory_order_relaxed);
  return out;
}

std::vector<audit::call_record> rejection_audit::due(fhir::time_point now) {
  if (!any_suppressed_.load(std::memory_order_relaxed)) return {};  // the usual case: no flood
  const std::lock_guard lock(mutex_);
  if (suppressed_.empty() || now < window_start_ + window_) return {};
  return take_locked();
}

std::vector<audit::call_record> rejection_audit::flush() {
  const std::lock_guard lock(mutex_);
  return take_locked();
}

}  // namespace ivig::service

// tests/unit/server/recording_handler.hpp: a request_handler for the server tests.
//
// Records every call and returns fixed replies, with a few service ids that misbehave on purpose:
//   "throw"    throws (with text that must never reach the client),
//   "gate"     blocks until the test opens the gate (an in-flight request for drain tests),
//   "big"      returns a 32 MiB body (a response that cannot fit in the socket buffers),
//   "written"  returns the server's responses_written counter at the time of the call,
//   "later"    answers only when the test calls answer_later() (a reply from another thread),
//   "drop"     loses its reply_sink without sending.
// Any other id answers {"cards":[],"service":"<id>"}.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <future>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hooks/server/request_handler.hpp"
#include "hooks/server/server_stats.hpp"

namespace ivig::server::testing {

inline constexpr std::string_view discovery_body = R"({"services":[]})";
inline constexpr std::string_view health_body = R"({"status":"ok"})";
inline constexpr std::size_t big_body_size = 32U * 1024U * 1024U;

inline std::string service_body(std::string_view id) {
  return R"({"cards":[],"service":")" + std::string(id) + R"("})";
}

/// Holds handler calls until the test opens it; opening is final. Built on std::promise so that
/// blocked calls wake even if the gate is destroyed unopened (broken promise).
class gate {
 public:
  /// Called from the handler: counts the entry, then blocks until open().
  void pass() {
    std::shared_future<void> opened;
    {
      const std::lock_guard lock(mutex_);
      opened = opened_;
      ++entered_;
    }
    entered_changed_.notify_all();
    opened.wait();
  }
  /// Blocks the test until `n` calls are inside pass(); false after `timeout`.
  bool wait_entered(int n, std::chrono::seconds timeout = std::chrono::seconds(5)) {
    std::unique_lock lock(mutex_);
    return entered_changed_.wait_for(lock, timeout, [&] { return entered_ >= n; });
  }
  void open() {
    const std::lock_guard lock(mutex_);
    if (is_open_) return;
    is_open_ = true;
    promise_.set_value();
  }

 private:
  std::mutex mutex_;
  std::condition_variable entered_changed_;
  int entered_ = 0;
  bool is_open_ = false;
  std::promise<void> promise_;
  std::shared_future<void> opened_ = promise_.get_future().share();
};

class recording_handler final : public request_handler {
 public:
  struct call {
    std::string method;  // "discovery", "call_service", "feedback", "health", "readiness" or "reload"
    std::string service_id;
    std::string body;
    friend bool operator==(const call&, const call&) = default;
  };

  http_reply discovery() override {
    record({"discovery", {}, {}});
    return {200, std::string(discovery_body), "application/json", {}};
  }

  void call_service(const caller& who, std::string_view service_id, std::string body, reply_sink done) override {
    {
      const std::lock_guard lock(mutex_);
      last_caller = who;
    }
    if (service_id == "later") {
      // Held before the call is recorded: a test that saw the call can answer it at once.
      {
        const std::lock_guard lock(mutex_);
        later_.push_back(done);
      }
      record({"call_service", std::string(service_id), body});
      return;
    }
    record({"call_service", std::string(service_id), body});
    if (service_id == "throw") throw std::runtime_error("secret-detail-from-the-handler");
    if (service_id == "drop") return;  // loses its reply: the router must answer 500 for it
    if (service_id == "gate") the_gate.pass();
    if (service_id == "big") return done.send({200, std::string(big_body_size, 'x'), "application/json", {}});
    if (service_id == "written") {
      const auto written = stats == nullptr ? 0 : stats->responses_written.load();
      return done.send({200, std::to_string(written), "application/json", {}});
    }
    done.send({200, service_body(service_id), "application/json", {}});
  }

  http_reply health() override {
    record({"health", {}, {}});
    return {200, std::string(health_body), "application/json", {}};
  }

  void feedback(const caller&, std::string_view service_id, std::string body, reply_sink done) override {
    record({"feedback", std::string(service_id), std::move(body)});
    done.send({200, "{}", "application/json", {}});
  }

  http_reply readiness() override {
    record({"readiness", {}, {}});
    return {200, R"({"status":"ready"})", "application/json", {}};
  }

  void reload(reply_sink done) override {
    record({"reload", {}, {}});
    done.send({200, R"({"reloaded":true})", "application/json", {}});
  }

  /// Transport-level rejections are counted, not recorded as calls, so that existing call lists stay exact.
  void rejected(const rejection& what, http_reply reply, reply_sink done) override {
    {
      const std::lock_guard lock(mutex_);
      last_rejection_reason = std::string(what.reason);
    }
    ++rejections;
    done.send(std::move(reply));
  }
  std::atomic<int> rejections{0};
  /// The caller of the last service call, and the reason of the last rejection (guarded by mutex_;
  /// read them once the requests are answered).
  caller last_caller;
  std::string last_rejection_reason;

  /// Answers the "later" calls held so far, oldest first, from the test's thread (as the audit
  /// store's writer thread does in the service): `answer(i)` is the body of the i-th.
  template <class Answer>
  void answer_later(Answer&& answer) {
    std::vector<reply_sink> held;
    {
      const std::lock_guard lock(mutex_);
      held.swap(later_);
    }
    for (std::size_t i = 0; i < held.size(); ++i) held[i].send({200, answer(i), "application/json", {}});
  }

  /// Takes the "later" calls' sinks held so far, for a test that answers them itself.
  std::vector<reply_sink> take_later() {
    const std::lock_guard lock(mutex_);
    return std::exchange(later_, {});
  }

  std::vector<call> calls() const {
    const std::lock_guard lock(mutex_);
    return calls_;
  }

  /// Blocks until `n` calls have been recorded; false after `timeout`.
  bool wait_calls(std::size_t n, std::chrono::seconds timeout = std::chrono::seconds(5)) {
    std::unique_lock lock(mutex_);
    return calls_changed_.wait_for(lock, timeout, [&] { return calls_.size() >= n; });
  }

  gate the_gate;
  const server_stats* stats = nullptr;

 private:
  void record(call c) {
    {
      const std::lock_guard lock(mutex_);
      calls_.push_back(std::move(c));
    }
    calls_changed_.notify_all();
  }

  mutable std::mutex mutex_;
  std::condition_variable calls_changed_;
  std::vector<call> calls_;
  std::vector<reply_sink> later_;
};

}  // namespace ivig::server::testing

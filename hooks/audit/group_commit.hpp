// hooks/audit/group_commit.hpp: many callers, one writer thread, one transaction per batch.
//
// Owns the queue between the server's threads and the audit writer. A caller enqueues its record and
// blocks; the writer takes *every* record waiting, hands them to the batch function (which writes them
// in one transaction, or spools them), then wakes all their callers at once. One fsync then covers a
// whole batch, which is what keeps "durable before the response" cheap under concurrency.
//
// Back-pressure: at most `capacity` records wait in the queue (a batch being written is out of it, so
// at most 2 x capacity are in flight). A caller that finds the queue full blocks until the writer takes
// the next batch: when the disk is slower than the traffic, requests slow down rather than memory
// growing without bound or records being dropped.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <span>
#include <string>
#include <thread>

#include "hooks/audit/audit_sink.hpp"

namespace ivig::audit {

/// One record on its way to the store; it lives on its caller's stack until `done`.
struct pending_record {
  const call_record* call = nullptr;  ///< exactly one of call and feedback is set
  const feedback_record* feedback = nullptr;
  std::string payload;  ///< canonical JSON, made on the caller's thread

  // Written by the batch function, read by the caller after `done`.
  bool stored = false;  ///< committed to SQLite (false: spooled, or lost when the spool failed too)
  feedback_result feedback_outcome = feedback_result::recorded_unmatched;
};

class group_commit {
 public:
  /// Called on the writer thread with every record taken from the queue, oldest first. It must not
  /// throw: it is where a failure turns into a spooled record and a result.
  using batch_function = std::function<void(std::span<pending_record* const> batch)>;

  /// With `idle_interval` above zero, the writer also calls `write` with an empty batch after that long
  /// without records (the store retries a failed store then, so that recovery does not wait for traffic
  /// that an unready instance will not get).
  group_commit(batch_function write, std::size_t capacity, std::chrono::milliseconds idle_interval);
  /// Stops taking new records, lets the writer drain everything queued, and joins it. No caller may be
  /// inside `submit` or enter it once destruction has begun.
  ~group_commit();
  group_commit(const group_commit&) = delete;
  group_commit& operator=(const group_commit&) = delete;

  /// Enqueues `record` (blocking while the queue is full) and returns once the batch function has run
  /// on it.
  void submit(pending_record& record);

  /// Records waiting in the queue now (not counting a batch being written).
  std::size_t queue_depth() const;
  /// Batches handed to the batch function so far.
  std::uint64_t batches() const;

 private:
  void run();

  batch_function write_;
  const std::size_t capacity_;
  const std::chrono::milliseconds idle_interval_;
  mutable std::mutex mutex_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::condition_variable written_;
  std::deque<pending_record*> queue_;
  std::uint64_t batches_started_ = 0;
  std::uint64_t batches_done_ = 0;
  bool stopping_ = false;
  std::thread writer_;  // last: started once everything above exists
};

}  // namespace ivig::audit

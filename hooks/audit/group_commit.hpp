// hooks/audit/group_commit.hpp: many submitters, one writer thread, one transaction per batch.
//
// Owns the queue between the server's threads and the audit writer. A submitter hands over records
// it no longer needs and returns at once: it never waits for the disk. The writer takes the records
// waiting (at most `max_batch` at a time, oldest first), hands them to the batch function (which
// writes them in one transaction, or spools them), then calls each record's completion. One fsync
// then covers every record that was ready, from every connection, which is what keeps "in the log
// before the response" cheap under concurrency.
//
// Memory: the queue is not capped here. Every record belongs to a request that is waiting for it
// (the service answers only from the completion), and the server bounds the requests in flight
// (connections x pipeline limit), so the queue is bounded by the traffic the server admits. When the
// disk is slower than the traffic, responses wait, clients stop sending, and nothing is dropped.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "hooks/audit/audit_sink.hpp"

namespace ivig::audit {

/// One record on its way to the store; the queue owns it until its completion has run.
struct pending_record {
  std::optional<call_record> call;  ///< exactly one of call and feedback is set
  std::optional<feedback_record> feedback;
  std::string payload;  ///< canonical JSON, made on the submitter's thread
  /// When submit() queued it (the queue wait the metrics report starts here).
  std::chrono::steady_clock::time_point queued_at{};

  // Written by the batch function, read by the completion.
  bool stored = false;  ///< committed to SQLite (false: spooled, or lost when the spool failed too)
  feedback_result feedback_outcome = feedback_result::recorded_unmatched;
  /// The seq and hash the last transaction gave its entry (0: none); spooled with it if that failed.
  std::int64_t attempted_seq = 0;
  std::string attempted_hash{};

  /// Called on the writer thread once the batch holding this record is written (or spooled). It must
  /// not throw and should be quick: it runs before the next batch is taken.
  std::function<void(pending_record&)> done;
};

class group_commit {
 public:
  /// Called on the writer thread with the records taken from the queue, oldest first. It must not
  /// throw: it is where a failure turns into a spooled record and a result.
  using batch_function = std::function<void(std::span<pending_record* const> batch)>;

  /// With `idle_interval` above zero, the writer also calls `write` with an empty batch after that long
  /// without records (the store retries a failed store then, so that recovery does not wait for traffic
  /// that an unready instance will not get).
  /// `after_batch`, when set, runs on the writer thread after each batch's completions (the store
  /// checkpoints there: the responses of the batch are already on their way).
  group_commit(batch_function write, std::size_t max_batch, std::chrono::milliseconds idle_interval,
               std::function<void()> after_batch = {});
  /// Stops taking new records, lets the writer write everything queued (calling every completion),
  /// and joins it. No caller may be inside `submit` or enter it once destruction has begun.
  ~group_commit();
  group_commit(const group_commit&) = delete;
  group_commit& operator=(const group_commit&) = delete;

  /// Enqueues `records` together (they are written in the same batch unless there are more than
  /// max_batch) and returns without waiting. Each record's `done` runs on the writer thread later.
  void submit(std::vector<std::unique_ptr<pending_record>> records);

  /// Records waiting in the queue now (not counting a batch being written).
  std::size_t queue_depth() const;
  /// Batches handed to the batch function so far.
  std::uint64_t batches() const;

 private:
  void run();

  batch_function write_;
  std::function<void()> after_batch_;
  const std::size_t max_batch_;
  const std::chrono::milliseconds idle_interval_;
  mutable std::mutex mutex_;
  std::condition_variable not_empty_;
  std::deque<std::unique_ptr<pending_record>> queue_;
  std::uint64_t batches_done_ = 0;
  bool stopping_ = false;
  std::thread writer_;  // last: started once everything above exists
};

}  // namespace ivig::audit

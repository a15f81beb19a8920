// hooks/audit/group_commit.cpp: the writer thread and its queue.
//
// The mutex guards only the queue and the counters; the batch function and the completions run
// without it, so submitters (the server's I/O threads) never wait for a transaction.
#include "hooks/audit/group_commit.hpp"

#include <algorithm>
#include <iterator>

namespace ivig::audit {

group_commit::group_commit(batch_function write, std::size_t max_batch, std::chrono::milliseconds idle_interval,
                           std::function<void()> after_batch)
    : write_(std::move(write)),
      after_batch_(std::move(after_batch)),
      max_batch_(max_batch == 0 ? 1 : max_batch),
      idle_interval_(idle_interval),
      writer_([this] { run(); }) {}

group_commit::~group_commit() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  not_empty_.notify_all();
  writer_.join();
}

void group_commit::submit(std::vector<std::unique_ptr<pending_record>> records) {
  if (records.empty()) return;
  const auto now = std::chrono::steady_clock::now();
  for (const auto& record : records) record->queued_at = now;
  {
    std::lock_guard lock(mutex_);
    std::move(records.begin(), records.end(), std::back_inserter(queue_));
  }
  not_empty_.notify_one();
}

std::size_t group_commit::queue_depth() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

std::uint64_t group_commit::batches() const {
  std::lock_guard lock(mutex_);
  return batches_done_;
}

void group_commit::run() {
  std::vector<std::unique_ptr<pending_record>> owned;
  std::vector<pending_record*> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      const auto has_work = [&] { return stopping_ || !queue_.empty(); };
      if (idle_interval_.count() > 0) {
        if (!not_empty_.wait_for(lock, idle_interval_, has_work)) {
          lock.unlock();
          write_({});  // idle tick
          continue;
        }
      } else {
        not_empty_.wait(lock, has_work);
      }
      if (queue_.empty()) return;  // stopping, and drained
      const std::size_t n = std::min(queue_.size(), max_batch_);
      owned.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.begin() + n));
      queue_.erase(queue_.begin(), queue_.begin() + n);
    }
    batch.clear();
    for (const auto& record : owned) batch.push_back(record.get());
    write_(batch);
    {
      std::lock_guard lock(mutex_);
      ++batches_done_;
    }
    for (const auto& record : owned)
      if (record->done) record->done(*record);
    owned.clear();
    if (after_batch_) after_batch_();
  }
}

}  // namespace ivig::audit

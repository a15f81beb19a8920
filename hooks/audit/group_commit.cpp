// hooks/audit/group_commit.cpp: the writer thread and its queue.
//
// A caller knows its record is written by batch number rather than by a flag on the record: it notes
// the number of the batch that will take it (batches_started_ + 1 when it enqueues, since the writer
// takes the whole queue) and waits until that many batches are done. No per-record state is shared
// between threads except under the mutex.
#include "hooks/audit/group_commit.hpp"

#include <vector>

namespace ivig::audit {

group_commit::group_commit(batch_function write, std::size_t capacity, std::chrono::milliseconds idle_interval)
    : write_(std::move(write)),
      capacity_(capacity == 0 ? 1 : capacity),
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

void group_commit::submit(pending_record& record) {
  std::unique_lock lock(mutex_);
  not_full_.wait(lock, [&] { return queue_.size() < capacity_; });
  queue_.push_back(&record);
  // The writer takes the whole queue at once, so the next batch to start is the one holding this record.
  const std::uint64_t batch = batches_started_ + 1;
  not_empty_.notify_one();
  written_.wait(lock, [&] { return batches_done_ >= batch; });
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
      batch.assign(queue_.begin(), queue_.end());
      queue_.clear();
      ++batches_started_;
    }
    not_full_.notify_all();
    write_(batch);
    {
      std::lock_guard lock(mutex_);
      ++batches_done_;
    }
    written_.notify_all();
  }
}

}  // namespace ivig::audit

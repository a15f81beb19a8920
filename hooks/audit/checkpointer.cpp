// hooks/audit/checkpointer.cpp: the checkpoint thread and its trigger.
#include "hooks/audit/checkpointer.hpp"

#include <exception>

#include "hooks/audit/sqlite_db.hpp"

namespace ivig::audit {

checkpointer::checkpointer(const std::string& path, int threshold_frames, std::function<void(std::string_view)> log)
    : db_(std::make_unique<database>(path, database::open_mode::existing)),
      threshold_(threshold_frames),
      log_(std::move(log)),
      thread_([this] { run(); }) {}

checkpointer::~checkpointer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wanted_.notify_all();
  thread_.join();
}

void checkpointer::wal_grew(int frames) {
  if (frames < threshold_) return;
  {
    std::lock_guard lock(mutex_);
    if (due_) return;
    due_ = true;
  }
  wanted_.notify_one();
}

unsigned long long checkpointer::checkpoints() const {
  std::lock_guard lock(mutex_);
  return done_;
}

bool checkpointer::wait_for_checkpoints(unsigned long long n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return done_changed_.wait_for(lock, timeout, [&] { return done_ >= n; });
}

void checkpointer::run() {
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wanted_.wait(lock, [&] { return stopping_ || due_; });
      if (stopping_) return;
    }
    bool ok = true;
    try {
      // PASSIVE: copies what it can without waiting for readers or blocking the writer. A checkpoint
      // that cannot finish now is retried at the next trigger; the WAL only grows meanwhile.
      db_->exec("PRAGMA wal_checkpoint(PASSIVE)");
    } catch (const std::exception& e) {
      ok = false;
      if (!failing_) log_(std::string("ivig-cds audit: WAL checkpoint failing (") + e.what() + "); will retry");
    }
    {
      std::lock_guard lock(mutex_);
      failing_ = !ok;
      due_ = false;
      if (ok) ++done_;
    }
    done_changed_.notify_all();
  }
}

}  // namespace ivig::audit

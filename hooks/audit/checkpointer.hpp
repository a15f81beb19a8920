// hooks/audit/checkpointer.hpp: WAL checkpoints on their own thread, off the commit path.
//
// SQLite's automatic checkpoint runs inside the COMMIT that crosses its threshold: that commit (and
// every request waiting on its batch) then also copies the WAL into the database file and, at the
// power-loss durability, fsyncs it; on this workload that put a 10 ms stall into the 99th percentile.
// The store turns the automatic checkpoint off on its writer connection and tells this class, after
// every commit, how many frames the WAL holds; past the threshold a thread with its own connection
// runs a PASSIVE checkpoint (which never blocks the writer). Nothing here decides what is durable:
// a committed transaction is in the WAL whether or not it has been checkpointed.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace ivig::audit {

class database;

class checkpointer {
 public:
  /// Opens its own connection to `path` (which exists). `log` gets one line per failing episode.
  checkpointer(const std::string& path, int threshold_frames, std::function<void(std::string_view)> log);
  /// Stops the thread (a checkpoint under way finishes first).
  ~checkpointer();
  checkpointer(const checkpointer&) = delete;
  checkpointer& operator=(const checkpointer&) = delete;

  /// Called on the writer thread after each commit with the WAL's size in frames; cheap.
  void wal_grew(int frames);
  /// Checkpoints run so far.
  unsigned long long checkpoints() const;
  /// Blocks until `n` checkpoints have run; false after `timeout` (tests wait on this event).
  bool wait_for_checkpoints(unsigned long long n, std::chrono::milliseconds timeout) const;

 private:
  void run();

  std::unique_ptr<database> db_;
  const int threshold_;
  std::function<void(std::string_view)> log_;
  mutable std::mutex mutex_;
  std::condition_variable wanted_;
  mutable std::condition_variable done_changed_;
  bool due_ = false;
  bool stopping_ = false;
  bool failing_ = false;
  unsigned long long done_ = 0;
  std::thread thread_;  // last: started once everything above exists
};

}  // namespace ivig::audit

// hooks/audit/spooling_store.hpp: the audit store's write path and failure policy, shared by engines.
//
// Owns what does not depend on the database: the options every store takes, the writer thread
// (group_commit.hpp), the spool file and its replay, readiness, the counters and the head reports.
// An engine's store (sqlite_store.hpp, pg_store.hpp) derives from it, opens its database, and hands
// its chain_writer.hpp to start(); its destructor calls stop() before closing the database. The
// policy's invariants open spooling_store.cpp and are in docs/audit.md.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hooks/audit/audit_sink.hpp"
#include "hooks/audit/chain.hpp"
#include "hooks/audit/chain_seal.hpp"
#include "hooks/audit/chain_writer.hpp"
#include "hooks/audit/sqlite_db.hpp"

namespace ivig::audit {

class group_commit;
class spool_file;
struct pending_record;

/// What an audit record survives once the response it describes has been sent.
enum class durability {
  /// COMMIT writes the WAL (SQLite synchronous=NORMAL) before the response: the record survives the
  /// process being killed at any point, not the machine losing power before the next WAL sync.
  process_crash,
  /// COMMIT fsyncs the WAL (synchronous=FULL) before the response: the record survives power loss.
  power_loss,
};

/// "process-crash" / "power-loss", as the command line and docs/audit.md name them.
std::string_view durability_name(durability d);

struct audit_options {
  /// The SQLite file, created (and migrated) when missing. For PostgreSQL (pg_store.hpp) only the
  /// spool's default name (path + ".spool").
  std::string path;
  std::string spool_path;  ///< default: path + ".spool"
  /// docs/audit.md, "Durability", says why the default is what it is.
  durability durable_against = durability::power_loss;
  /// While failing, the store tries the database again at most this often (on a write, or an idle tick).
  std::chrono::milliseconds retry_interval{1000};
  /// The clock that retry_interval is measured on; default std::chrono::system_clock::now.
  std::function<std::chrono::system_clock::time_point()> now;
  /// With no records arriving, the writer wakes this often to retry a failing store (0: only writes
  /// retry). An unready instance gets no traffic, so recovery must not wait for a write.
  std::chrono::milliseconds idle_retry{1000};
  /// How long a write waits for a lock held by another connection (the CLI's purge) before failing.
  std::chrono::milliseconds busy_timeout{5000};
  /// The most records one transaction takes (group_commit.hpp); the rest wait for the next.
  std::size_t max_batch = 10000;
  /// The WAL size, in frames (pages), past which the writer checkpoints after a batch's responses
  /// have been released (SQLite's own default threshold is 1000).
  int checkpoint_frames = 1000;
  /// Fault injection for tests: asked "open" by the constructor before the file is opened, and on the
  /// writer thread (or the constructor's replay) "begin", "replay" (before the spool is read back),
  /// "insert", "commit" (where SQLite fsyncs the WAL under power_loss; SQLite's own writes and
  /// fsyncs are failed by a test VFS instead), "spool", "truncate" and "checkpoint"; true makes that
  /// step fail like an I/O error.
  fault_hook fail_at;
  /// Where the store's log lines go (never record content); default: one line to stderr.
  std::function<void(std::string_view line)> log;
  /// The chain key (kept outside the database): entries are sealed with HMAC-SHA-256 under it. Empty:
  /// plain SHA-256, which finds accidents but not an insider. A keyed file is refused without its key
  /// and a plain file with entries is refused with one (chain_meta.hpp).
  std::string chain_key;
  /// Told the chain's head (seq and hash, never record content) once the store is open, after a
  /// commit when the head has moved and `head_interval` has passed since it was last told (measured
  /// on `now`), and at close if it moved since; operators ship it to a write-once store to detect a
  /// truncated or replaced log later (`audit verify --expect-head`). Unset: never.
  std::function<void(const chain_position& head)> on_head;
  std::chrono::seconds head_interval{300};
  /// Told, on the writer thread, how long each record waited in the queue before the writer took it
  /// (`kind` "call" or "feedback"): the part of a response's wait that is other records' turn.
  /// For the metrics (hooks/app/metrics_wiring.cpp); unset: not measured.
  std::function<void(std::string_view kind, std::chrono::nanoseconds waited)> on_queue_wait;
  /// Told, on the writer thread, how long each transaction took from BEGIN to the end of its COMMIT
  /// (the fsync or the server's flush included), or to its failure (`committed` false). Unset: not
  /// measured.
  std::function<void(bool committed, std::chrono::nanoseconds took)> on_transaction;
};

class spooling_store : public audit_sink {
 public:
  ~spooling_store() override;
  spooling_store(const spooling_store&) = delete;
  spooling_store& operator=(const spooling_store&) = delete;

  /// `done(true)` once committed; `done(false)` when spooled (or, if the spool failed too, lost).
  /// Called on the writer thread.
  void submit_call(call_record call, call_done done) override;
  /// A spooled item's result is `recorded_unmatched`: it is kept, and matched and deduplicated on
  /// replay. Called on the writer thread.
  void submit_feedback(std::vector<feedback_record> items, feedback_done done) override;
  bool ready() const override { return ready_.load(); }

  // Counters (monotonic since construction).
  std::uint64_t spooled_records() const { return spooled_.load(); }        ///< records written to the spool
  std::uint64_t store_failures() const { return failures_.load(); }        ///< failed transactions
  std::uint64_t commits() const { return commits_.load(); }                ///< committed transactions
  std::uint64_t replayed_records() const { return replayed_.load(); }      ///< spool lines put into the chain
  std::uint64_t rejected_spool_lines() const { return rejected_.load(); }  ///< moved to <spool>.rejected
  std::uint64_t lost_records() const { return lost_.load(); }              ///< neither committed nor spooled
  /// Records waiting for the writer now.
  std::size_t queue_depth() const;
  const audit_options& options() const { return options_; }

 protected:
  explicit spooling_store(audit_options options);
  /// Replays a spool left by an earlier run, reads the head and starts the writer thread. `writer`
  /// must outlive stop().
  void start(chain_writer& writer);
  /// Writes or spools everything queued and stops the writer thread; tells the last head.
  void stop();
  /// On the writer thread after each batch's completions (SQLite checkpoints there).
  virtual void after_batch() {}

  audit_options options_;
  chain_seal seal_;

 private:
  void write_batch(std::span<pending_record* const> batch);
  std::size_t write_to_store(std::span<pending_record* const> batch, std::vector<std::string>& rejected);
  void finish_replay(const std::vector<std::string>& rejected);
  void spool(std::span<pending_record* const> batch);
  void note_failure(const std::exception& error, std::chrono::system_clock::time_point now);
  void report_head_if_due(bool at_close);
  chain_position read_head_now();

  chain_writer* writer_ = nullptr;
  std::unique_ptr<spool_file> spool_;

  // Writer-thread state (and the constructor's, before the writer starts): no lock needed.
  bool failing_ = false;
  bool loss_logged_ = false;
  bool spool_pending_ = false;  ///< the spool may hold lines to replay
  std::chrono::system_clock::time_point next_retry_{};
  chain_position head_;           ///< the chain's head after the last commit
  chain_position reported_head_;  ///< the head on_head was last told
  std::chrono::system_clock::time_point next_head_report_{};

  std::atomic<bool> ready_{true};
  std::atomic<std::uint64_t> spooled_{0};
  std::atomic<std::uint64_t> failures_{0};
  std::atomic<std::uint64_t> commits_{0};
  std::atomic<std::uint64_t> replayed_{0};
  std::atomic<std::uint64_t> rejected_{0};
  std::atomic<std::uint64_t> lost_{0};

  std::unique_ptr<group_commit> queue_;  // its writer thread uses everything above; reset by stop()
};

}  // namespace ivig::audit

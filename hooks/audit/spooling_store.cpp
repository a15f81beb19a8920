// hooks/audit/spooling_store.cpp: the audit store's write path and its failure policy, for every engine.
//
// The engine (SQLite, PostgreSQL) is reached only through chain_writer.hpp: a transaction, the head,
// the INSERTs and the replay bookkeeping. Everything below is what the two stores share.
//
// INVARIANTS. Each must hold after a crash (or power loss) at any instruction. docs/audit.md says the
// same for operators.
//
//  1. In the log before answered. A submitted record's completion runs only after the record is either
//     committed to the database or appended to the spool file and fsync'd. The service answers its request
//     only from that completion, so every response that was sent has its record in the log. (The one
//     exception is invariant 9.) What "committed" survives is the durability setting: with power_loss
//     (synchronous=FULL) COMMIT fsyncs the WAL; with process_crash (synchronous=NORMAL) COMMIT has
//     written the WAL to the operating system, which keeps it if the process dies at any instruction,
//     and the WAL is fsynced at checkpoints.
//
//  2. One record, one transaction with its rows. A record's `entries` row and its query rows (calls,
//     cards, call_rules, or feedback) are written in the same transaction: both exist or neither.
//
//  3. One batch, one transaction. The writer takes every queued record and writes all of them, after
//     the spool's replay, between one BEGIN IMMEDIATE and one COMMIT. Results are handed to the callers
//     only after COMMIT returned; if anything fails the transaction rolls back whole and the batch is
//     spooled (invariant 4), so no caller is told "stored" for a record that is not.
//
//  4. Failing means spooling. When BEGIN, an INSERT or COMMIT fails (disk full, locked past
//     busy_timeout, unwritable file, I/O error; for PostgreSQL also a lost connection), the batch is appended to the
//     spool in arrival order, the callers get false / recorded_unmatched, ready() turns false, store_failures counts
//     the failed transaction and spooled_records the records, and one log line opens the failure episode (no record
//     content; later failures in the same episode are only counted).
//
//  5. Retry, at most once per retry_interval, on a write or an idle tick. Between retries a batch goes
//     straight to the spool without touching SQLite.
//
//  6. Replay is exactly once. A retry (and the constructor) replays the spool in file order into the
//     chain, in the same transaction as the batch that triggered it, and records each line's spool_id
//     in `spool_replays` in that transaction. The spool is truncated only after COMMIT. A crash between
//     COMMIT and truncation leaves lines whose ids are in `spool_replays`: the next replay skips them.
//     Feedback is deduplicated on replay exactly as it is live. A COMMIT can fail after its frames,
//     commit mark included, reached the WAL file (the WAL's fsync failing): SQLite forgets them, but a
//     crash before the next commit overwrites them brings them back at the next start, and the batch
//     is in the spool too. So a spooled record carries the seq and hash its failed transaction gave
//     it, and the replay skips a record whose entry the chain holds with exactly that hash.
//
//  7. Nothing read is dropped silently. A spool line that cannot be read (a write torn by a crash, or
//     foreign text) is appended to <spool>.rejected and fsync'd before the spool is truncated, counted
//     and logged. A torn line's caller never returned (invariant 1 returns after the fsync), so no
//     answered request loses its record this way.
//
//  8. Append-only. The write path only INSERTs; nothing UPDATEs (triggers refuse it); the one DELETE is
//     purge_before (chain.cpp), which removes a prefix of the chain and puts an anchor in its place.
//
//  9. Loss needs two failures. Only when SQLite and the spool both fail is a record neither committed
//     nor spooled: lost_records counts it, one log line per episode says so, the caller gets false.
//
// STATES (writer thread: failing_; ready() mirrors it):
//
//            write_to_store commits                 write_to_store throws:
//           +--------------------+                  note_failure + spool          now < next_retry_:
//           |                    v            ----------------------------->     spool only
//           +-------------- READY                                          FAILING ----+
//                       ready() = true        <-----------------------------  ready() = false
//                                              a retry commits replay + batch;     ^    |
//                                              finish_replay truncates the spool   +----+
//
#include "hooks/audit/spooling_store.hpp"

#include <cstdio>
#include <optional>

#include "hooks/audit/group_commit.hpp"
#include "hooks/audit/record_json.hpp"
#include "hooks/audit/sha256.hpp"
#include "hooks/audit/spool.hpp"
#include "hooks/logging/log.hpp"

namespace ivig::audit {
namespace {

audit_options with_defaults(audit_options options) {
  if (options.spool_path.empty()) options.spool_path = options.path + ".spool";
  if (!options.now) options.now = [] { return std::chrono::system_clock::now(); };
  if (!options.log) {
    // The store's lines carry their own prefix (tests read them through options.log); the service's
    // log names the component itself. Lost records are an error, a recovery news, the rest warnings.
    options.log = [](std::string_view line) {
      constexpr std::string_view prefix = "ivig-cds audit: ";
      if (line.starts_with(prefix)) line.remove_prefix(prefix.size());
      const logging::level lvl = line.find("RECORDS LOST") != std::string_view::npos ? logging::level::error
                                 : line.starts_with("store recovered")               ? logging::level::info
                                                                                     : logging::level::warning;
      logging::log(lvl, "audit", line);
    };
  }
  return options;
}

/// Rolls the writer's transaction back unless the batch committed (an exception on the way out).
class rollback_guard {
 public:
  explicit rollback_guard(chain_writer& writer) : writer_(writer) {}
  ~rollback_guard() {
    if (!done_) writer_.rollback();
  }
  rollback_guard(const rollback_guard&) = delete;
  rollback_guard& operator=(const rollback_guard&) = delete;
  void committed() { done_ = true; }

 private:
  chain_writer& writer_;
  bool done_ = false;
};

}  // namespace

std::string_view durability_name(durability d) {
  return d == durability::power_loss ? "power-loss" : "process-crash";
}

spooling_store::spooling_store(audit_options options)
    : options_(with_defaults(std::move(options))), seal_(options_.chain_key) {}

spooling_store::~spooling_store() = default;

void spooling_store::start(chain_writer& writer) {
  writer_ = &writer;
  spool_ = std::make_unique<spool_file>(options_.spool_path, options_.fail_at);
  spool_pending_ = spool_->has_content();
  if (spool_pending_) write_batch({});  // replay what an earlier run spooled (invariant 6)
  head_ = read_head_now();
  if (options_.on_head) {
    options_.on_head(head_);
    reported_head_ = head_;
    next_head_report_ = options_.now() + options_.head_interval;
  }
  queue_ = std::make_unique<group_commit>(
      [this](std::span<pending_record* const> batch) {
        write_batch(batch);
        report_head_if_due(false);
      },
      options_.max_batch, options_.idle_retry, [this] { after_batch(); });
}

void spooling_store::stop() {
  queue_.reset();  // the last commits
  report_head_if_due(true);
}

chain_position spooling_store::read_head_now() {
  // As before the engines shared this code: a head that cannot be read refuses the start (it throws).
  return writer_->head();
}

void spooling_store::submit_call(call_record call, call_done done) {
  auto record = std::make_unique<pending_record>();
  record->payload = to_json(call);
  record->call = std::move(call);
  record->done = [done = std::move(done)](pending_record& written) { done(written.stored); };
  std::vector<std::unique_ptr<pending_record>> records;
  records.push_back(std::move(record));
  queue_->submit(std::move(records));
}

void spooling_store::submit_feedback(std::vector<feedback_record> items, feedback_done done) {
  if (items.empty()) {
    done({});
    return;
  }
  // The items are queued together, so they share a batch; the last completion answers for all.
  struct collected {
    std::vector<feedback_result> results;
    std::size_t remaining;
    feedback_done done;
  };
  auto shared = std::make_shared<collected>(collected{
      std::vector<feedback_result>(items.size(), feedback_result::recorded_unmatched), items.size(), std::move(done)});
  std::vector<std::unique_ptr<pending_record>> records;
  records.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto record = std::make_unique<pending_record>();
    record->payload = to_json(items[i]);
    record->feedback = std::move(items[i]);
    // Completions run one after another on the writer thread: no lock is needed.
    record->done = [shared, i](pending_record& written) {
      shared->results[i] = written.feedback_outcome;
      if (--shared->remaining == 0) shared->done(std::move(shared->results));
    };
    records.push_back(std::move(record));
  }
  queue_->submit(std::move(records));
}

std::size_t spooling_store::queue_depth() const {
  return queue_->queue_depth();
}

void spooling_store::write_batch(std::span<pending_record* const> batch) {
  if (batch.empty() && !failing_ && !spool_pending_) return;  // an idle tick with nothing to do
  if (options_.on_queue_wait) {
    const auto taken = std::chrono::steady_clock::now();
    for (const pending_record* record : batch)
      options_.on_queue_wait(record->call ? "call" : "feedback", taken - record->queued_at);
  }
  const auto now = options_.now();
  if (failing_ && now < next_retry_) {  // invariant 5
    spool(batch);
    return;
  }
  std::vector<std::string> rejected;
  std::size_t replayed = 0;
  // Steady, not options_.now: a test's clock may stand still, and this is a duration.
  const auto began = std::chrono::steady_clock::now();
  const auto report_transaction = [&](bool committed) {
    if (options_.on_transaction) options_.on_transaction(committed, std::chrono::steady_clock::now() - began);
  };
  try {
    replayed = write_to_store(batch, rejected);
    report_transaction(true);
  } catch (const std::exception& error) {  // store_error, and bad_alloc or OpenSSL failing mid-batch
    report_transaction(false);
    note_failure(error, now);
    spool(batch);
    return;
  }
  if (spool_pending_) finish_replay(rejected);
  if (failing_ || replayed > 0) {  // recovery, or a spool left by an earlier run
    failing_ = false;
    loss_logged_ = false;
    ready_ = true;
    options_.log("ivig-cds audit: store recovered; " + std::to_string(replayed) +
                 " spooled records replayed into the chain");
  }
}

std::size_t spooling_store::write_to_store(std::span<pending_record* const> batch, std::vector<std::string>& rejected) {
  check_fault(options_.fail_at, "begin");
  chain_writer& writer = *writer_;
  writer.begin();
  rollback_guard guard(writer);
  std::string head = writer.head().hash;
  const std::string head_before = head;
  std::size_t replayed = 0;
  if (spool_pending_) {
    check_fault(options_.fail_at, "replay");  // as if the spool could not be read: the replay rolls back
    for (const std::string& line : spool_->read_lines()) {
      const std::optional<spool_entry> entry = parse_spool_line(line);
      if (!entry) {
        rejected.push_back(line);
        continue;
      }
      if (writer.already_replayed(entry->spool_id)) continue;
      if (entry->attempted_seq > 0 && writer.holds_entry(entry->attempted_seq, entry->attempted_hash)) {
        writer.note_replayed(entry->spool_id, entry->attempted_seq);  // its failed COMMIT came back
        continue;
      }
      std::optional<std::int64_t> seq;
      if (entry->kind == "call") {
        seq = writer.append_call(head, *call_from_json(entry->payload), entry->payload);
      } else if (writer.append_feedback(head, *feedback_from_json(entry->payload), entry->payload) !=
                 feedback_result::duplicate) {
        seq = writer.last_seq();
      }
      writer.note_replayed(entry->spool_id, seq);
      ++replayed;
    }
  }
  std::vector<feedback_result> outcomes(batch.size(), feedback_result::recorded_unmatched);
  for (std::size_t i = 0; i < batch.size(); ++i) {
    pending_record& record = *batch[i];
    if (record.call) {
      writer.append_call(head, *record.call, record.payload);
    } else {
      outcomes[i] = writer.append_feedback(head, *record.feedback, record.payload);
    }
    const bool appended = record.call || outcomes[i] != feedback_result::duplicate;
    record.attempted_seq = appended ? writer.last_seq() : 0;  // spooled with it if the COMMIT fails
    record.attempted_hash = appended ? head : std::string{};
  }
  check_fault(options_.fail_at, "commit");
  writer.commit();
  guard.committed();
  ++commits_;
  if (head != head_before) head_ = {writer.last_seq(), head};  // this batch appended: its last entry
  replayed_ += replayed;
  // Only now is the batch durable (invariant 3).
  for (std::size_t i = 0; i < batch.size(); ++i) {
    batch[i]->stored = true;
    batch[i]->feedback_outcome = outcomes[i];
  }
  return replayed;
}

void spooling_store::finish_replay(const std::vector<std::string>& rejected) {
  // The replay is committed; what remains is housekeeping. If it fails, the spool keeps lines whose ids
  // are in spool_replays, and the next write tries again (invariant 6): log, do not spool the batch.
  try {
    if (!rejected.empty()) {
      append_lines_durably(options_.spool_path + ".rejected", rejected);
      rejected_ += rejected.size();
      options_.log("ivig-cds audit: " + std::to_string(rejected.size()) + " unreadable spool lines moved to " +
                   options_.spool_path + ".rejected");
    }
    spool_->truncate();
    spool_pending_ = false;
  } catch (const std::exception& error) {
    options_.log(std::string("ivig-cds audit: spool replayed but not emptied (") + error.what() +
                 "); replayed lines will be skipped");
  }
}

void spooling_store::spool(std::span<pending_record* const> batch) {
  for (pending_record* record : batch) {
    record->stored = false;
    record->feedback_outcome = feedback_result::recorded_unmatched;
  }
  if (batch.empty()) return;
  // Set first: an append that fails half way may still have left lines in the file.
  spool_pending_ = true;
  try {
    std::vector<std::string> lines;
    lines.reserve(batch.size());
    for (const pending_record* record : batch)
      lines.push_back(spool_line({random_hex(16), record->call ? "call" : "feedback", record->payload,
                                  record->attempted_seq, record->attempted_hash}));
    spool_->append(lines);
    spooled_ += batch.size();
  } catch (const std::exception& error) {
    lost_ += batch.size();
    ready_ = false;
    if (!loss_logged_) {
      loss_logged_ = true;
      options_.log(std::string("ivig-cds audit: RECORDS LOST: the store and the spool ") + options_.spool_path +
                   " both fail (" + error.what() + ")");
    }
  }
}

void spooling_store::report_head_if_due(bool at_close) {
  // Only a head that moved is told again: an idle service repeats nothing. At close the last head is
  // told whatever the interval, so that a clean stop always leaves its final head in the log.
  if (!options_.on_head || head_ == reported_head_) return;
  const auto now = options_.now();
  if (!at_close && now < next_head_report_) return;
  options_.on_head(head_);
  reported_head_ = head_;
  next_head_report_ = now + options_.head_interval;
}

void spooling_store::note_failure(const std::exception& error, std::chrono::system_clock::time_point now) {
  ++failures_;
  next_retry_ = now + options_.retry_interval;
  ready_ = false;
  if (failing_) return;  // one log line per episode (invariant 4)
  failing_ = true;
  options_.log(std::string("ivig-cds audit: store failing (") + error.what() + "); records go to the spool " +
               options_.spool_path + " until it recovers");
}

}  // namespace ivig::audit

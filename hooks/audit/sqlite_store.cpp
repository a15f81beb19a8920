// hooks/audit/sqlite_store.cpp: the SQLite audit store: the connection, its migrations, the
// chain_writer over entry_writer.cpp, and the WAL checkpoints between batches.
//
// The write path and its failure policy (invariants 1-9) are spooling_store.cpp's, shared with the
// PostgreSQL store. What is SQLite's own: WAL with synchronous FULL or NORMAL (what a COMMIT
// survives, invariant 1), BEGIN IMMEDIATE, and a COMMIT that can fail after its frames reached the
// WAL file (invariant 6's attempted seq and hash).
#include "hooks/audit/sqlite_store.hpp"

#include <optional>

#include <sqlite3.h>

#include "hooks/audit/chain.hpp"
#include "hooks/audit/chain_meta.hpp"
#include "hooks/audit/entry_writer.hpp"
#include "hooks/audit/schema.hpp"

namespace ivig::audit {
namespace {

void configure(database& db, std::chrono::milliseconds busy_timeout, durability durable_against) {
  // WAL: readers (the CLI) never block the writer, and a commit is one sequential append and fsync.
  const std::string mode = db.query_text("PRAGMA journal_mode = WAL");
  if (mode != "wal")
    throw store_error("audit store: " + db.path() + " cannot use WAL (journal_mode is " + mode + ")", 1);
  // In WAL mode FULL fsyncs the WAL at every COMMIT; NORMAL only writes it (fsync at checkpoints), so
  // the last commits may be lost at power loss but never by the process dying.
  db.exec(durable_against == durability::power_loss ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
  db.exec("PRAGMA busy_timeout = " + std::to_string(busy_timeout.count()));
}

int on_wal_commit(void* frames_in_wal, sqlite3*, const char*, int frames) {
  *static_cast<int*>(frames_in_wal) = frames;
  return SQLITE_OK;
}

}  // namespace

/// The batch's transaction (BEGIN IMMEDIATE) and entry_writer's INSERTs on the store's connection.
class sqlite_chain_writer final : public chain_writer {
 public:
  sqlite_chain_writer(database& db, const chain_seal& seal, fault_hook fault)
      : db_(db), entries_(db, seal, std::move(fault)) {}

  void begin() override { tx_.emplace(db_); }
  void commit() override {
    tx_->commit();
    tx_.reset();
  }
  void rollback() noexcept override { tx_.reset(); }  // the guard's destructor rolls back
  chain_position head() override { return read_head(db_); }
  std::int64_t append_call(std::string& head, const call_record& call, const std::string& payload) override {
    return entries_.append_call(head, call, payload);
  }
  feedback_result append_feedback(std::string& head, const feedback_record& feedback,
                                  const std::string& payload) override {
    return entries_.append_feedback(head, feedback, payload);
  }
  std::int64_t last_seq() const override { return entries_.last_seq(); }
  bool already_replayed(const std::string& spool_id) override { return entries_.already_replayed(spool_id); }
  bool holds_entry(std::int64_t seq, const std::string& hash) override { return entries_.holds_entry(seq, hash); }
  void note_replayed(const std::string& spool_id, std::optional<std::int64_t> seq) override {
    entries_.note_replayed(spool_id, seq);
  }

 private:
  database& db_;
  entry_writer entries_;
  std::optional<transaction> tx_;
};

sqlite_audit_store::sqlite_audit_store(audit_options options) : spooling_store(std::move(options)) {
  check_fault(options_.fail_at, "open");  // as if the file could not be opened or created
  db_ = std::make_unique<database>(options_.path, database::open_mode::create);
  configure(*db_, options_.busy_timeout, options_.durable_against);
  migrate(*db_);
  bind_seal(*db_, seal_);  // refuses a keyed file without its key before anything is written
  writer_ = std::make_unique<sqlite_chain_writer>(*db_, seal_, options_.fail_at);
  // No checkpoint inside a COMMIT (SQLite's automatic one): the writer checkpoints after a batch's
  // responses are released (after_batch). The hook only notes how large the WAL has grown.
  sqlite3_wal_autocheckpoint(db_->handle(), 0);
  sqlite3_wal_hook(db_->handle(), on_wal_commit, &wal_frames_);
  start(*writer_);
}

sqlite_audit_store::~sqlite_audit_store() {
  stop();  // the last commits; closing the connection then checkpoints the rest
}

void sqlite_audit_store::after_batch() {
  if (wal_frames_ < options_.checkpoint_frames) return;
  // On the writer thread between batches, so no commit runs meanwhile: the checkpoint copies the
  // whole WAL (unless a reader, such as the CLI, still needs part of it) and the next commit starts
  // the WAL again from its beginning. Run from another thread instead, under steady traffic it never
  // caught up and the WAL grew without bound. Records that arrive meanwhile wait in the queue.
  try {
    check_fault(options_.fail_at, "checkpoint");
    db_->exec("PRAGMA wal_checkpoint(PASSIVE)");
    ++checkpoints_;
    checkpoint_failing_ = false;
  } catch (const std::exception& error) {
    if (!checkpoint_failing_)
      options_.log(std::string("ivig-cds audit: WAL checkpoint failing (") + error.what() +
                   "); retried after each batch");
    checkpoint_failing_ = true;
  }
  wal_frames_ = 0;  // the next commit reports the size again
}

}  // namespace ivig::audit

// hooks/audit/sqlite_db.cpp: RAII over the SQLite C API; every failure becomes a store_error.
//
// Messages carry the operation and SQLite's own text, never a bound value, so they can be logged.
// Statements reset themselves after every use (and every error) so that cached ones stay reusable.
#include "hooks/audit/sqlite_db.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <sqlite3.h>

namespace ivig::audit {
namespace {

[[noreturn]] void throw_sqlite(sqlite3* db, std::string_view operation, int code) {
  std::string message = "audit store: ";
  message.append(operation);
  message += ": ";
  message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code);
  throw store_error(message, code);
}

}  // namespace

void check_fault(const fault_hook& fault, std::string_view step) {
  if (fault && fault(step)) throw store_error("audit store: injected failure at " + std::string(step), SQLITE_IOERR);
}

database::database(const std::string& path, open_mode mode) : path_(path) {
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (mode == open_mode::create) {
    flags |= SQLITE_OPEN_CREATE;
    // Owner-only from the first byte: the log names patients. SQLite gives its WAL and shared-memory
    // files the database file's mode, so they are owner-only too. An existing file keeps its mode.
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) ::close(fd);
  }
  const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = "audit store: cannot open " + path + ": ";
    message += db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw store_error(message, rc);
  }
  sqlite3_extended_result_codes(db_, 1);
  // The CLI's connections (verify, purge, queries) wait for the service's short transactions rather
  // than failing at once with "database is locked"; the store sets its own timeout after this.
  sqlite3_busy_timeout(db_, 5000);
}

database::~database() {
  sqlite3_close_v2(db_);
}

void database::exec(std::string_view sql) {
  const std::string text(sql);
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) throw_sqlite(db_, "exec", rc);
}

std::string database::query_text(std::string_view sql) {
  statement query(*this, sql);
  if (!query.step()) return {};
  std::string value = query.text(0);
  // Run to the end rather than reset: a statement that writes commits there (PRAGMA journal_mode =
  // WAL returns its row before it commits the new file format), and a reset would drop that failure.
  while (query.step()) {
  }
  return value;
}

std::int64_t database::last_insert_rowid() const {
  return sqlite3_last_insert_rowid(db_);
}

bool database::in_transaction() const {
  return sqlite3_get_autocommit(db_) == 0;
}

statement::statement(database& db, std::string_view sql) : db_(db.handle()) {
  // Statements are cached for the store's lifetime; PERSISTENT tells SQLite to allocate accordingly.
  const int rc =
      sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  if (rc != SQLITE_OK) throw_sqlite(db_, "prepare", rc);
}

statement::~statement() {
  sqlite3_finalize(stmt_);
}

statement::statement(statement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) {
  other.stmt_ = nullptr;
}

statement& statement::bind_text(int index, std::string_view text) {
  const int rc = sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) fail("bind", rc);
  return *this;
}

statement& statement::bind_int(int index, std::int64_t value) {
  const int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) fail("bind", rc);
  return *this;
}

statement& statement::bind_real(int index, double value) {
  const int rc = sqlite3_bind_double(stmt_, index, value);
  if (rc != SQLITE_OK) fail("bind", rc);
  return *this;
}

statement& statement::bind_null(int index) {
  const int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK) fail("bind", rc);
  return *this;
}

bool statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) {
    reset();
    return false;
  }
  fail("step", rc);
}

void statement::run() {
  while (step()) {
  }
}

void statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

void statement::fail(std::string_view operation, int code) {
  // Take the message before the reset: sqlite3_reset can replace it.
  std::string message = "audit store: ";
  message.append(operation);
  message += ": ";
  message += sqlite3_errmsg(db_);
  reset();
  throw store_error(message, code);
}

std::string statement::text(int column) const {
  const unsigned char* value = sqlite3_column_text(stmt_, column);
  if (value == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(value),
                     static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::int64_t statement::integer(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

double statement::real(int column) const {
  return sqlite3_column_double(stmt_, column);
}

bool statement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

int statement::columns() const {
  return sqlite3_column_count(stmt_);
}

transaction::transaction(database& db) : db_(db) {
  db_.exec("BEGIN IMMEDIATE");
}

transaction::~transaction() {
  if (!open_) return;
  // A failed COMMIT may already have rolled back (SQLITE_FULL, SQLITE_IOERR); only roll back what is open.
  if (db_.in_transaction()) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void transaction::commit() {
  db_.exec("COMMIT");
  open_ = false;
}

}  // namespace ivig::audit

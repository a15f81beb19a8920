// hooks/audit/sqlite_db.hpp: the thin RAII layer over the SQLite C API that the audit log needs.
//
// Owns connection and statement lifetimes, binding, stepping and the translation of every SQLite
// error into `store_error` (an exception carrying the SQLite result code), and the transaction guard
// that rolls back when it is not committed. It knows nothing about audit tables; callers write SQL.
#pragma once

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace ivig::audit {

/// A failed SQLite call (or an injected failure), with the SQLite result code. The message names the
/// operation and SQLite's own text, never a bound value, so it may be logged.
class store_error : public std::runtime_error {
 public:
  store_error(const std::string& what, int code) : std::runtime_error(what), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

/// The tests' fault hook: called with a step name ("begin", "insert", "commit", "spool", "truncate");
/// returning true makes that step fail as if SQLite (or the file system) had reported an I/O error.
using fault_hook = std::function<bool(std::string_view step)>;

/// Throws store_error when `fault` asks `step` to fail.
void check_fault(const fault_hook& fault, std::string_view step);

class statement;

class database {
 public:
  enum class open_mode {
    create,    ///< read-write, created when missing (the store)
    existing,  ///< read-write, must exist (verify, purge, queries: a typo must not create an empty log)
  };
  database(const std::string& path, open_mode mode);
  ~database();
  database(const database&) = delete;
  database& operator=(const database&) = delete;

  /// Runs one or more statements without results.
  void exec(std::string_view sql);
  /// The first column of the first row of `sql` as text ("" when there is no row).
  std::string query_text(std::string_view sql);
  std::int64_t last_insert_rowid() const;
  /// True while a transaction is open on this connection.
  bool in_transaction() const;
  sqlite3* handle() const { return db_; }
  const std::string& path() const { return path_; }

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

/// A prepared statement. Bind, then `step()` for rows or `run()` for none; both leave the statement
/// reset with its bindings cleared, also when they throw, so that a cached statement is always reusable.
class statement {
 public:
  statement(database& db, std::string_view sql);
  ~statement();
  statement(statement&& other) noexcept;
  statement& operator=(statement&&) = delete;
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;

  statement& bind_text(int index, std::string_view text);
  statement& bind_int(int index, std::int64_t value);
  statement& bind_real(int index, double value);
  statement& bind_null(int index);

  /// Advances to the next row: true when there is one. At the end (or on error) the statement is reset.
  bool step();
  /// Steps to completion (an INSERT, DELETE, ...), then resets.
  void run();
  /// Resets after a partial read (a `step()` loop left early).
  void reset();

  std::string text(int column) const;
  std::int64_t integer(int column) const;
  double real(int column) const;
  bool is_null(int column) const;
  int columns() const;

 private:
  [[noreturn]] void fail(std::string_view operation, int code);
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

/// BEGIN IMMEDIATE (the write lock up front, so that two writers never deadlock upgrading a read
/// lock); rolls back in the destructor unless `commit()` succeeded.
class transaction {
 public:
  explicit transaction(database& db);
  ~transaction();
  transaction(const transaction&) = delete;
  transaction& operator=(const transaction&) = delete;
  void commit();

 private:
  database& db_;
  bool open_ = true;
};

}  // namespace ivig::audit

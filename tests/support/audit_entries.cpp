// tests/support/audit_entries.cpp: a read-only SQLite connection and the record reader.
#include "tests/support/audit_entries.hpp"

#include <sqlite3.h>

#include "hooks/audit/record_json.hpp"

namespace ivig::test {

std::vector<std::string> audit_entry_payloads(const std::string& path, const std::string& kind) {
  std::vector<std::string> out;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* statement = nullptr;
    const char* sql = kind.empty() ? "SELECT payload FROM entries ORDER BY seq"
                                   : "SELECT payload FROM entries WHERE kind = ?1 ORDER BY seq";
    if (sqlite3_prepare_v2(db, sql, -1, &statement, nullptr) == SQLITE_OK) {
      if (!kind.empty()) sqlite3_bind_text(statement, 1, kind.c_str(), -1, SQLITE_TRANSIENT);
      while (sqlite3_step(statement) == SQLITE_ROW)
        out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)));
    }
    sqlite3_finalize(statement);
  }
  sqlite3_close(db);
  return out;
}

std::vector<audit::call_record> audit_calls(const std::string& path) {
  std::vector<audit::call_record> out;
  for (const std::string& payload : audit_entry_payloads(path, "call")) {
    if (auto call = audit::call_from_json(payload)) out.push_back(std::move(*call));
  }
  return out;
}

}  // namespace ivig::test

// hooks/audit/spool.hpp: the spool file, where records wait while the SQLite store fails.
//
// Owns the bytes on disk and their durability: appends are whole lines written then fsync'd (and the
// folder fsync'd when the file is new), reads return complete lines, truncation is fsync'd. What a
// line means (record_json.hpp) and when to replay it (sqlite_store.cpp) live elsewhere. Not
// thread-safe: only the store's writer thread touches it.
#pragma once

#include <string>
#include <vector>

#include "hooks/audit/sqlite_db.hpp"

namespace ivig::audit {

class spool_file {
 public:
  spool_file(std::string path, fault_hook fault);

  /// Appends `lines`, each followed by '\n', in one write, then fsyncs. When the file does not end with
  /// a newline (a torn write before a crash) a newline is written first, so the fragment stays a line of
  /// its own instead of spoiling the next record. Throws store_error on any failure (or fault "spool").
  void append(const std::vector<std::string>& lines);
  /// Every line of the file (a torn last line included, for the reader to reject). Missing file: none.
  std::vector<std::string> read_lines() const;
  /// Empties the file and fsyncs (fault "truncate"). Throws store_error.
  void truncate();
  /// True when the file exists and is not empty.
  bool has_content() const;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  fault_hook fault_;
};

/// Appends `lines` to `path` durably (the spool's neighbour `.rejected`, for lines that cannot be read).
void append_lines_durably(const std::string& path, const std::vector<std::string>& lines);

}  // namespace ivig::audit

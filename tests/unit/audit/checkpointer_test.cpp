// tests/unit/audit/checkpointer_test.cpp: WAL checkpoints on their own thread, triggered by size.
//
// A writer connection with SQLite's automatic checkpoint off, as the store's, fills the WAL; the
// checkpointer copies it into the database file only once told the WAL passed its threshold: the
// file's size says whether the rows (400 KB of them) have been copied.
#include "hooks/audit/checkpointer.hpp"

#include <sqlite3.h>

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "hooks/audit/sqlite_db.hpp"
#include "tests/unit/audit/audit_fixture.hpp"

namespace ivig::audit::test {
namespace {

using Checkpointer = audit_test;

TEST_F(Checkpointer, ChecksPointsOnlyWhenTheWalPassesTheThresholdAndThenCopiesItAll) {
  database writer(path(), database::open_mode::create);
  writer.exec("PRAGMA journal_mode = WAL");
  sqlite3_wal_autocheckpoint(writer.handle(), 0);
  writer.exec("CREATE TABLE t(x TEXT)");
  checkpointer background(path(), 50, [this](std::string_view line) {
    const std::lock_guard lock(log_mutex_);
    log_.emplace_back(line);
  });

  for (int i = 0; i < 100; ++i) writer.exec("INSERT INTO t VALUES(hex(randomblob(2000)))");
  background.wal_grew(49);  // below the threshold: nothing to do
  EXPECT_EQ(background.checkpoints(), 0U);
  EXPECT_LT(std::filesystem::file_size(path()), 100U * 1024U);  // the rows are in the WAL only

  background.wal_grew(60);
  ASSERT_TRUE(background.wait_for_checkpoints(1, std::chrono::seconds(30)));
  EXPECT_EQ(background.checkpoints(), 1U);
  EXPECT_GT(std::filesystem::file_size(path()), 400U * 1024U);  // copied into the database file
  EXPECT_EQ(writer.query_text("SELECT COUNT(*) FROM t"), "100");
  EXPECT_TRUE(log_lines().empty());
}

}  // namespace
}  // namespace ivig::audit::test

// tests/unit/audit/schema_test.cpp: creating, migrating and refusing audit files.
//
// Older files are built by hand (version 0) or with migrate(db, 1), then opened by the store.
#include <cstdio>

#include <gtest/gtest.h>

#include "hooks/audit/schema.hpp"
#include "hooks/audit/sqlite_db.hpp"
#include "hooks/audit/sqlite_store.hpp"
#include "tests/unit/audit/audit_fixture.hpp"

namespace ivig::audit::test {
namespace {

using Schema = audit_test;

const std::vector<std::string> all_tables = {"call_rules", "calls",    "cards",          "chain_meta",
                                             "entries",    "feedback", "schema_version", "spool_replays"};

TEST_F(Schema, NewFileIsCreatedAtTheLatestVersionInWalMode) {
  { sqlite_audit_store store(options()); }
  EXPECT_EQ(rows(path(), "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"), all_tables);
  EXPECT_EQ(rows(path(), "SELECT version FROM schema_version ORDER BY version"),
            (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(query(path(), "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(latest_schema_version, 3);
  // A new file is bound to the seal it was opened with: here none, plain SHA-256.
  EXPECT_EQ(rows(path(), "SELECT name, value FROM chain_meta ORDER BY name"),
            (std::vector<std::string>{"key_id|", "seal|sha256"}));
}

TEST_F(Schema, FileAtVersionZeroIsUpgraded) {
  {
    database db(path(), database::open_mode::create);
    db.exec(
        "CREATE TABLE schema_version(version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);"
        "INSERT INTO schema_version VALUES(0, '2026-01-01T00:00:00Z')");
    EXPECT_EQ(schema_version(db), 0);
  }
  { sqlite_audit_store store(options()); }
  EXPECT_EQ(rows(path(), "SELECT version FROM schema_version ORDER BY version"),
            (std::vector<std::string>{"0", "1", "2", "3"}));
  EXPECT_EQ(rows(path(), "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"), all_tables);
}

TEST_F(Schema, FileAtVersionOneKeepsItsRowsAndGetsMigrationsTwoAndThree) {
  {
    database db(path(), database::open_mode::create);
    migrate(db, 1);
    EXPECT_EQ(schema_version(db), 1);
    db.exec("INSERT INTO entries(kind, received_at, payload, prev_hash, hash) VALUES('call', 't', '{}', 'p', 'h')");
  }
  EXPECT_EQ(count(path(), "sqlite_master WHERE type = 'index' AND name = 'cards_by_uuid'"), 0);
  { sqlite_audit_store store(options()); }
  EXPECT_EQ(query(path(), "SELECT MAX(version) FROM schema_version"), "3");
  EXPECT_EQ(count(path(), "sqlite_master WHERE type = 'index' AND name = 'cards_by_uuid'"), 1);
  EXPECT_EQ(rows(path(), "SELECT seq, kind, payload FROM entries"), (std::vector<std::string>{"1|call|{}"}));
  // Its chain was plain SHA-256, and the file now says so.
  EXPECT_EQ(rows(path(), "SELECT name, value FROM chain_meta ORDER BY name"),
            (std::vector<std::string>{"key_id|", "seal|sha256"}));
}

TEST_F(Schema, NewerVersionIsRefusedWithAClearError) {
  {
    database db(path(), database::open_mode::create);
    migrate(db);
    db.exec("INSERT INTO schema_version VALUES(99, '2030-01-01T00:00:00Z')");
  }
  try {
    sqlite_audit_store store(options());
    FAIL() << "opened a file from the future";
  } catch (const store_error& e) {
    EXPECT_EQ(std::string(e.what()), "audit store: " + path() +
                                         " is at schema version 99, newer than this ivig-cds knows (3); run the "
                                         "ivig-cds release that wrote it, or a newer one");
  }
}

TEST_F(Schema, MigratingTwiceChangesNothing) {
  { sqlite_audit_store store(options()); }
  { sqlite_audit_store store(options()); }
  EXPECT_EQ(count(path(), "schema_version"), 3);
}

TEST_F(Schema, UpdatesAreRefusedByTheFileItself) {
  {
    sqlite_audit_store store(options());
    ASSERT_TRUE(store.record_call(sample_call("h1", "u1")));
    ASSERT_EQ(store.record_feedback(sample_feedback("u1", "accepted")), feedback_result::recorded_matched);
  }
  for (const char* sql :
       {"UPDATE entries SET payload = '{}'", "UPDATE calls SET patient = 'x'", "UPDATE cards SET summary = 'x'",
        "UPDATE call_rules SET fired = 0", "UPDATE feedback SET matched = 1"}) {
    try {
      execute(path(), sql);
      ADD_FAILURE() << sql << " was allowed";
    } catch (const store_error& e) {
      EXPECT_EQ(std::string(e.what()), "audit store: exec: audit tables are append-only") << sql;
    }
  }
}

TEST_F(Schema, AFileThatIsNotADatabaseIsAnErrorAtStartup) {
  std::FILE* f = std::fopen(path().c_str(), "w");
  std::fputs("this is not sqlite, but it is long enough to have a header of sorts............", f);
  std::fclose(f);
  EXPECT_THROW(sqlite_audit_store store(options()), store_error);
}

}  // namespace
}  // namespace ivig::audit::test

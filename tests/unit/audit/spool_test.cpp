// tests/unit/audit/spool_test.cpp: the spool file, and its replay when the store starts.
//
// Spools are produced by a failing store or written by hand (torn lines, foreign text, the same
// feedback twice), then a fresh store must replay them exactly once.
#include <algorithm>
#include <filesystem>

#include <gtest/gtest.h>

#include "hooks/audit/chain_verify.hpp"
#include "hooks/audit/record_json.hpp"
#include "hooks/audit/spool.hpp"
#include "hooks/audit/sqlite_store.hpp"
#include "tests/support/test_support.hpp"
#include "tests/unit/audit/audit_fixture.hpp"

namespace ivig::audit::test {
namespace {

using Spool = audit_test;

TEST_F(Spool, RecordsSpooledByOneRunAreReplayedInOrderAtTheNextStart) {
  {
    audit_options o = options();
    o.fail_at = [](std::string_view step) { return step == "begin"; };
    sqlite_audit_store store(o);
    EXPECT_FALSE(store.record_call(sample_call("h1", "u1")));
    advance(std::chrono::milliseconds(1000));
    EXPECT_EQ(store.record_feedback(sample_feedback("u1", "overridden")), feedback_result::recorded_unmatched);
    advance(std::chrono::milliseconds(1000));
    EXPECT_FALSE(store.record_call(sample_call("h2", "u2")));
    EXPECT_EQ(store.spooled_records(), 3U);
  }
  const std::string spooled = ivig::test::read_file(path() + ".spool");
  EXPECT_EQ(std::count(spooled.begin(), spooled.end(), '\n'), 3);
  EXPECT_EQ(spooled.rfind("{\"spool_id\":\"", 0), 0U);
  EXPECT_NE(spooled.find("\"kind\":\"call\",\"record\":" + to_json(sample_call("h1", "u1")) + "}\n"),
            std::string::npos);
  {
    sqlite_audit_store store(options());
    EXPECT_TRUE(store.ready());
    EXPECT_EQ(store.replayed_records(), 3U);
    EXPECT_EQ(store.commits(), 1U);
  }
  EXPECT_EQ(std::filesystem::file_size(path() + ".spool"), 0U);
  EXPECT_EQ(rows(path(),
                 "SELECT e.kind, c.hook_instance, f.card_uuid, f.matched FROM entries e "
                 "LEFT JOIN calls c ON c.seq = e.seq LEFT JOIN feedback f ON f.seq = e.seq ORDER BY e.seq"),
            (std::vector<std::string>{"call|h1||", "feedback||u1|1", "call|h2||"}));
  const verify_result chain = verify_chain(path());
  EXPECT_TRUE(chain.ok) << chain.problem;
  EXPECT_EQ(chain.entries, 3);
  EXPECT_EQ(log_lines().back(), "ivig-cds audit: store recovered; 3 spooled records replayed into the chain");
}

TEST_F(Spool, FeedbackDedupeAppliesOnReplay) {
  const std::string payload = to_json(sample_feedback("u1", "accepted"));
  ivig::test::write_file(path() + ".spool",
                         spool_line({"a", "feedback", payload}) + "\n" + spool_line({"b", "feedback", payload}) + "\n");
  {
    sqlite_audit_store store(options());
    EXPECT_EQ(store.replayed_records(), 2U);
  }
  EXPECT_EQ(count(path(), "feedback"), 1);
  EXPECT_EQ(rows(path(), "SELECT spool_id, seq FROM spool_replays ORDER BY spool_id"),
            (std::vector<std::string>{"a|1", "b|"}));
}

TEST_F(Spool, UnreadableLinesAreMovedAsideNotDropped) {
  const std::string good1 = spool_line({"a", "call", to_json(sample_call("h1", "u1"))});
  const std::string good2 = spool_line({"b", "call", to_json(sample_call("h2", "u2"))});
  const std::string torn = good2.substr(0, 40);
  ivig::test::write_file(path() + ".spool", good1 + "\nnot json\n" + good2 + "\n" + torn);
  {
    sqlite_audit_store store(options());
    EXPECT_TRUE(store.ready());
    EXPECT_EQ(store.replayed_records(), 2U);
    EXPECT_EQ(store.rejected_spool_lines(), 2U);
  }
  EXPECT_EQ(ivig::test::read_file(path() + ".spool.rejected"), "not json\n" + torn + "\n");
  EXPECT_EQ(std::filesystem::file_size(path() + ".spool"), 0U);
  EXPECT_EQ(rows(path(), "SELECT hook_instance FROM calls ORDER BY seq"), (std::vector<std::string>{"h1", "h2"}));
  EXPECT_EQ(log_lines().front(), "ivig-cds audit: 2 unreadable spool lines moved to " + path() + ".spool.rejected");
}

TEST_F(Spool, AppendAfterATornWriteStartsOnANewLine) {
  ivig::test::write_file(path("s.spool"), "{\"spool_id\":\"a\",\"ki");
  spool_file spool(path("s.spool"), {});
  spool.append({"line1", "line2"});
  EXPECT_EQ(ivig::test::read_file(path("s.spool")), "{\"spool_id\":\"a\",\"ki\nline1\nline2\n");
  EXPECT_EQ(spool.read_lines(), (std::vector<std::string>{"{\"spool_id\":\"a\",\"ki", "line1", "line2"}));
  spool.truncate();
  EXPECT_FALSE(spool.has_content());
  EXPECT_EQ(spool.read_lines(), std::vector<std::string>{});
}

TEST_F(Spool, MissingFileHasNoLines) {
  spool_file spool(path("none.spool"), {});
  EXPECT_FALSE(spool.has_content());
  EXPECT_EQ(spool.read_lines(), std::vector<std::string>{});
  spool.truncate();  // nothing to truncate is not an error
  EXPECT_FALSE(std::filesystem::exists(path("none.spool")));
}

TEST_F(Spool, DefaultPathIsBesideTheDatabase) {
  sqlite_audit_store store(options());
  EXPECT_EQ(store.options().spool_path, path() + ".spool");
}

}  // namespace
}  // namespace ivig::audit::test

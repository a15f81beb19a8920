// tests/unit/audit/integrity_test.cpp: the audit chain against an insider who can write the file.
//
// Each test reproduces one attack of the security review (2026-11, H4) on a real SQLite file, done as
// the attacker would with SQL and the public hash function, and asserts what the verifier says: a
// rewritten and re-hashed chain, the newest rows deleted, a forged purge anchor, a missing or wrong
// key. Where an unkeyed chain cannot tell, a test says so, since that is what docs/audit.md promises.
#include <fstream>
#include <iterator>
#include <mutex>

#include <gtest/gtest.h>

#include "hooks/audit/chain_meta.hpp"
#include "hooks/audit/chain_verify.hpp"
#include "hooks/audit/purge_anchor.hpp"
#include "hooks/audit/sha256.hpp"
#include "hooks/audit/sqlite_store.hpp"
#include "tests/unit/audit/audit_fixture.hpp"

namespace ivig::audit::test {
namespace {

using KeyedChain = audit_test;
using ExpectHead = audit_test;
using AnchorCheck = audit_test;
using HeadReport = audit_test;

const std::string key_a = "k7Qd9Lx2Vb8Rw4Tz1Mc6Ny3Ph5Jf0Gs2";  // 33 bytes
const std::string key_b = "Zr4Wm8Kt1Hq6Dn3Bv9Xc2Lp7Fs5Gj0Ya4";

audit_options with_key(audit_options options, const std::string& key) {
  options.chain_key = key;
  return options;
}

verify_options verify_with(const std::string& key, std::optional<chain_position> expected = std::nullopt) {
  verify_options options;
  options.seal = chain_seal(key);
  options.expected_head = std::move(expected);
  return options;
}

std::string hash_at(const std::string& path, int seq) {
  return query(path, "SELECT hash FROM entries WHERE seq = " + std::to_string(seq));
}

// The review's attack: edit one entry, then re-hash it and every entry after it with plain SHA-256
// (entry_hash is public, as the formula is in docs/audit.md), so that every hash and link matches.
void rewrite_and_rehash(const std::string& path, int from_seq) {
  drop_guards(path);
  execute(path,
          "UPDATE entries SET payload = replace(payload, 'Practitioner/example', 'Practitioner/other') WHERE seq = " +
              std::to_string(from_seq));
  std::string prev = from_seq == 1 ? genesis_hash : hash_at(path, from_seq - 1);
  const auto last = std::stoi(query(path, "SELECT MAX(seq) FROM entries"));
  for (int seq = from_seq; seq <= last; ++seq) {
    const std::string where = " FROM entries WHERE seq = " + std::to_string(seq);
    const std::string hash =
        entry_hash(prev, query(path, "SELECT kind" + where), query(path, "SELECT received_at" + where),
                   query(path, "SELECT payload" + where));
    execute(path, "UPDATE entries SET prev_hash = '" + prev + "', hash = '" + hash + "'" + where.substr(13));
    prev = hash;
  }
}

// Deletes the newest entries from `seq` on, with their query rows, as someone hiding them would.
void delete_from(const std::string& path, int seq) {
  for (const char* table : {"entries", "calls", "cards", "call_rules"})
    execute(path, std::string("DELETE FROM ") + table + " WHERE seq >= " + std::to_string(seq));
}

// A forged anchor standing in for `seq`, as an attacker without the key would write it: every field
// consistent, sealed with plain SHA-256, the rows up to `seq` deleted.
void forge_anchor(const std::string& path, int seq, const purge_anchor& anchor) {
  drop_guards(path);
  const std::string prev = hash_at(path, seq);
  execute(path, "DELETE FROM entries WHERE seq <= " + std::to_string(seq));
  const std::string payload = anchor_json(anchor);
  execute(path, "INSERT INTO entries(seq, kind, received_at, payload, prev_hash, hash) VALUES(" + std::to_string(seq) +
                    ", 'purge-anchor', '" + anchor.horizon + "', '" + payload + "', '" + prev + "', '" +
                    entry_hash(prev, anchor_kind, anchor.horizon, payload) + "')");
}

std::string store_error_of(const audit_options& options) {
  try {
    sqlite_audit_store store(options);
  } catch (const store_error& e) {
    return e.what();
  }
  return "opened";
}

// --- Keyed chain -------------------------------------------------------------------------------------

TEST_F(KeyedChain, ARewrittenAndRehashedPlainChainStillVerifies) {
  // The limit of an unkeyed chain, kept as a test so that the documentation stays true.
  record_days(options(), 4);
  rewrite_and_rehash(path(), 2);
  const verify_result result = verify_chain(path());
  EXPECT_TRUE(result.ok) << result.problem;
  EXPECT_EQ(result.seal, "sha256");
}

TEST_F(KeyedChain, ARewrittenAndRehashedKeyedChainIsCaughtAtTheRewrittenEntry) {
  record_days(with_key(options(), key_a), 4);
  ASSERT_TRUE(verify_chain(path(), verify_with(key_a)).ok);
  rewrite_and_rehash(path(), 2);
  const verify_result result = verify_chain(path(), verify_with(key_a));
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.first_bad_seq, 2);
  EXPECT_EQ(result.entries, 1);
  EXPECT_EQ(result.problem, "hash does not match the entry's contents");
}

TEST_F(KeyedChain, AKeyedChainRewrittenAsAPlainOneIsRefusedWithTheKey) {
  record_days(with_key(options(), key_a), 3);
  rewrite_and_rehash(path(), 1);
  execute(path(), "DELETE FROM chain_meta");  // what an unkeyed file from before schema 3 looks like
  // Without the key it looks like any plain chain; the operator who verifies with the key is not fooled.
  EXPECT_TRUE(verify_chain(path()).ok);
  const verify_result result = verify_chain(path(), verify_with(key_a));
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.first_bad_seq, 0);
  EXPECT_EQ(result.problem, "audit store: " + path() +
                                " has an unkeyed (sha256) chain, but a chain key was given: the chain was never "
                                "keyed, or a keyed chain was rewritten without its key");
  // And the service started with its key refuses to extend it.
  EXPECT_EQ(store_error_of(with_key(options(), key_a)),
            "audit store: " + path() +
                " has an unkeyed (sha256) chain of 3 entries; a chain key cannot be added to it: move the file aside "
                "(it still verifies without the key) and start a new audit log with the key (docs/audit.md, \"Keyed "
                "chain\")");
}

TEST_F(KeyedChain, EachEntryIsHmacSha256OfTheSameInputAsThePlainHash) {
  record_days(with_key(options(), key_a), 1);
  const std::string input = genesis_hash + "\ncall\n" + day(1) + "\n" + query(path(), "SELECT payload FROM entries");
  EXPECT_EQ(hash_at(path(), 1), hmac_sha256_hex(key_a, input));
  EXPECT_NE(hash_at(path(), 1), sha256_hex(input));
}

TEST_F(KeyedChain, TheFileNamesItsKeyWithoutHoldingIt) {
  record_days(with_key(options(), key_a), 2);
  EXPECT_EQ(chain_key_id(key_a), sha256_hex("ivig-audit-key-id\n" + key_a).substr(0, 16));
  EXPECT_EQ(rows(path(), "SELECT name, value FROM chain_meta ORDER BY name"),
            (std::vector<std::string>{"key_id|" + chain_key_id(key_a), "seal|hmac-sha256"}));
  std::ifstream file(path(), std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  EXPECT_EQ(bytes.find(key_a), std::string::npos);
  const verify_result result = verify_chain(path(), verify_with(key_a));
  EXPECT_TRUE(result.ok) << result.problem;
  EXPECT_EQ(result.seal, "hmac-sha256");
  EXPECT_EQ(result.key_id, chain_key_id(key_a));
}

TEST_F(KeyedChain, AKeyedLogIsRefusedWithoutItsKey) {
  record_days(with_key(options(), key_a), 2);
  const std::string refused = "audit store: " + path() + " has a keyed chain (hmac-sha256, key id " +
                              chain_key_id(key_a) + "): give its key with --audit-chain-key-file";
  EXPECT_EQ(store_error_of(options()), refused);
  const verify_result result = verify_chain(path());
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.first_bad_seq, 0);
  EXPECT_EQ(result.problem, refused);
  try {
    purge_before(path(), day(2));
    FAIL() << "purged a keyed chain without its key";
  } catch (const store_error& e) {
    EXPECT_EQ(std::string(e.what()), refused);
  }
  EXPECT_EQ(count(path(), "entries"), 2);
}

TEST_F(KeyedChain, AKeyedLogIsRefusedWithAnotherKey) {
  record_days(with_key(options(), key_a), 2);
  const std::string refused = "audit store: " + path() + " has a chain keyed with key id " + chain_key_id(key_a) +
                              ", not with the given key (key id " + chain_key_id(key_b) + ")";
  EXPECT_EQ(store_error_of(with_key(options(), key_b)), refused);
  EXPECT_EQ(verify_chain(path(), verify_with(key_b)).problem, refused);
  EXPECT_THROW(purge_before(path(), day(2), chain_seal(key_b)), store_error);
  EXPECT_EQ(count(path(), "entries"), 2);
}

TEST_F(KeyedChain, AKeyIsNotAddedToAPlainChainThatHoldsEntries) {
  record_days(options(), 2);
  EXPECT_EQ(store_error_of(with_key(options(), key_a)),
            "audit store: " + path() +
                " has an unkeyed (sha256) chain of 2 entries; a chain key cannot be added to it: move the file aside "
                "(it still verifies without the key) and start a new audit log with the key (docs/audit.md, \"Keyed "
                "chain\")");
  EXPECT_EQ(rows(path(), "SELECT name, value FROM chain_meta ORDER BY name"),
            (std::vector<std::string>{"key_id|", "seal|sha256"}));
  EXPECT_TRUE(verify_chain(path()).ok);
}

TEST_F(KeyedChain, APlainLogWithoutEntriesTakesAKey) {
  { sqlite_audit_store store(options()); }  // the README's first start, before any call
  record_days(with_key(options(), key_a), 1);
  const verify_result result = verify_chain(path(), verify_with(key_a));
  EXPECT_TRUE(result.ok) << result.problem;
  EXPECT_EQ(result.seal, "hmac-sha256");
}

TEST_F(KeyedChain, APurgeOfAKeyedChainSealsItsAnchorWithTheKey) {
  record_days(with_key(options(), key_a), 4);
  const std::string hash2 = hash_at(path(), 2);
  EXPECT_EQ(purge_before(path(), day(3), chain_seal(key_a)).purged, 2);
  const std::string payload = query(path(), "SELECT payload FROM entries WHERE seq = 2");
  EXPECT_EQ(payload, R"({"horizon":")" + day(3) + R"(","last_purged_seq":2,"last_purged_hash":")" + hash2 +
                         R"(","purged":2,"purged_total":2,"head_seq":4})");
  EXPECT_EQ(hash_at(path(), 2), hmac_sha256_hex(key_a, hash2 + "\npurge-anchor\n" + day(3) + "\n" + payload));
  record_days(with_key(options(), key_a), 1);
  const verify_result result = verify_chain(path(), verify_with(key_a));
  EXPECT_TRUE(result.ok) << result.problem;
  EXPECT_EQ(result.entries, 4);
}

// --- The head and --expect-head ------------------------------------------------------------------------

TEST_F(ExpectHead, TheHeadIsTheLastSeqAndItsHash) {
  record_days(with_key(options(), key_a), 3);
  const verify_result result = verify_chain(path(), verify_with(key_a));
  EXPECT_EQ(result.head, (chain_position{3, hash_at(path(), 3)}));
  EXPECT_EQ(head_line(result.head), "head seq=3 hash=" + hash_at(path(), 3));
  EXPECT_EQ(verify_chain(path("absent.db")).head, chain_position{});  // a missing file has no head
}

TEST_F(ExpectHead, DeletedNewestRowsVerifyAloneButNotAgainstTheExportedHead) {
  record_days(with_key(options(), key_a), 5);
  const chain_position exported = verify_chain(path(), verify_with(key_a)).head;
  delete_from(path(), 4);  // no trigger refuses DELETE: the purge needs it
  EXPECT_TRUE(verify_chain(path(), verify_with(key_a)).ok);
  const verify_result result = verify_chain(path(), verify_with(key_a, exported));
  EXPECT_FALSE(result.ok);
  EXPECT_TRUE(result.expected_head_missing);
  EXPECT_EQ(result.first_bad_seq, 4);
  EXPECT_EQ(result.problem,
            "the chain ends at seq 3, before seq 5: entries were removed from its end (or the file was replaced by an "
            "older copy)");
}

TEST_F(ExpectHead, RowsDeletedAndWrittenAgainAreCaughtAtTheExportedSeq) {
  record_days(with_key(options(), key_a), 3);
  const chain_position exported = verify_chain(path(), verify_with(key_a)).head;
  delete_from(path(), 2);
  record_days(with_key(options(), key_a), 2);  // the service reuses seqs 2 and 3, with valid MACs
  EXPECT_TRUE(verify_chain(path(), verify_with(key_a)).ok);
  const verify_result result = verify_chain(path(), verify_with(key_a, exported));
  EXPECT_TRUE(result.expected_head_missing);
  EXPECT_EQ(result.first_bad_seq, 3);
  EXPECT_EQ(result.problem, "seq 3 has hash " + hash_at(path(), 3) +
                                ": the chain was rewritten from there (or its end removed and written again)");
}

TEST_F(ExpectHead, AHeadStillInTheChainIsFound) {
  record_days(with_key(options(), key_a), 2);
  const chain_position exported = verify_chain(path(), verify_with(key_a)).head;
  record_days(with_key(options(), key_a), 2);
  const verify_result result = verify_chain(path(), verify_with(key_a, exported));
  EXPECT_TRUE(result.ok) << result.problem;
  EXPECT_EQ(result.expected_head_note, "found");
  EXPECT_EQ(result.head.seq, 4);
}

TEST_F(ExpectHead, AHeadPurgedBelowAValidAnchorPasses) {
  record_days(with_key(options(), key_a), 2);
  const chain_position exported = verify_chain(path(), verify_with(key_a)).head;
  const chain_position at_one{1, hash_at(path(), 1)};
  record_days(with_key(options(), key_a), 3);                            // seqs 3-5, received days 1-3
  ASSERT_EQ(purge_before(path(), day(9), chain_seal(key_a)).purged, 5);  // everything: the anchor is at 5
  const verify_result at_two = verify_chain(path(), verify_with(key_a, exported));
  EXPECT_TRUE(at_two.ok) << at_two.problem;
  EXPECT_EQ(at_two.expected_head_note, "purged below the purge anchor at seq 5 (horizon " + day(9) + ")");
  EXPECT_TRUE(verify_chain(path(), verify_with(key_a, at_one)).ok);
  // The anchor's own seq is checked against the hash it stands in for.
  const chain_position five{5, query(path(), "SELECT prev_hash FROM entries WHERE seq = 5")};
  EXPECT_EQ(verify_chain(path(), verify_with(key_a, five)).expected_head_note, "found");
  const verify_result wrong = verify_chain(path(), verify_with(key_a, chain_position{5, std::string(64, 'a')}));
  EXPECT_TRUE(wrong.expected_head_missing);
  EXPECT_EQ(wrong.first_bad_seq, 5);
}

TEST_F(ExpectHead, AnEmptyChainHoldsOnlySeqZero) {
  { sqlite_audit_store store(options()); }
  EXPECT_TRUE(verify_chain(path(), verify_options{{}, chain_position{}}).ok);
  const verify_result result = verify_chain(path(), verify_options{{}, chain_position{1, std::string(64, 'b')}});
  EXPECT_EQ(result.problem,
            "the chain ends at seq 0, before seq 1: entries were removed from its end (or the file was replaced by an "
            "older copy)");
}

TEST_F(ExpectHead, IsWrittenSeqColonHash) {
  const std::string hash(64, 'c');
  EXPECT_EQ(parse_position("12:" + hash), (chain_position{12, hash}));
  EXPECT_EQ(parse_position("0:" + std::string(64, '0')), chain_position{});
  EXPECT_EQ(parse_position("12" + hash), std::nullopt);
  EXPECT_EQ(parse_position(":" + hash), std::nullopt);
  EXPECT_EQ(parse_position("-1:" + hash), std::nullopt);
  EXPECT_EQ(parse_position("12:" + hash.substr(1)), std::nullopt);
  EXPECT_EQ(parse_position("12:" + std::string(64, 'C')), std::nullopt);
  EXPECT_EQ(parse_position("head seq=12 hash=" + hash), std::nullopt);
}

// --- Purge anchors -------------------------------------------------------------------------------------

TEST_F(AnchorCheck, AForgedAnchorIsCaughtInAKeyedChain) {
  // Rows received on days 1-4 deleted under an anchor whose every field is consistent; only its seal,
  // which needs the key, gives it away.
  record_days(with_key(options(), key_a), 5);
  forge_anchor(path(), 4, {day(5), 4, hash_at(path(), 4), 4, 4, 5});
  const verify_result result = verify_chain(path(), verify_with(key_a));
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.first_bad_seq, 4);
  EXPECT_EQ(result.problem, "hash does not match the entry's contents");
}

TEST_F(AnchorCheck, AnAnchorWithAnEarlierHorizonThanTheRowsItReplacedPassesWhenPlain) {
  // The review's forged anchor, careful version: nothing left in a plain file contradicts it.
  record_days(options(), 5);
  forge_anchor(path(), 4, {day(2), 4, hash_at(path(), 4), 4, 4, 5});
  EXPECT_TRUE(verify_chain(path()).ok);
}

TEST_F(AnchorCheck, AnAnchorWhoseHorizonIsAfterAnEntryItKeptIsCaught) {
  record_days(options(), 5);
  forge_anchor(path(), 2, {day(9), 2, hash_at(path(), 2), 2, 2, 5});
  const verify_result result = verify_chain(path());
  EXPECT_EQ(result.first_bad_seq, 2);
  EXPECT_EQ(result.problem,
            "purge anchor's horizon " + day(9) + " is after seq 3, which its purge kept (received " + day(3) + ")");
}

TEST_F(AnchorCheck, AnAnchorThatCountsMoreEntriesThanItsSeqIsCaught) {
  record_days(options(), 3);
  forge_anchor(path(), 2, {day(3), 2, hash_at(path(), 2), 90, 99, 3});
  EXPECT_EQ(verify_chain(path()).problem, "purge anchor's counts are impossible (purged 90, 99 in all, up to seq 2)");
}

TEST_F(AnchorCheck, AnAnchorWithAnotherHorizonThanItsReceivedAtIsCaught) {
  record_days(options(), 3);
  forge_anchor(path(), 2, {day(3), 2, hash_at(path(), 2), 2, 2, 3});
  drop_guards(path());
  execute(path(), "UPDATE entries SET received_at = '" + day(1) + "' WHERE seq = 2");
  EXPECT_EQ(verify_chain(path()).problem, "purge anchor's horizon is not its received_at");
}

TEST_F(AnchorCheck, AKeyedChainsAnchorMustRecordTheHead) {
  record_days(with_key(options(), key_a), 3);
  forge_anchor(path(), 2, {day(3), 2, hash_at(path(), 2), 2, 2, std::nullopt});
  EXPECT_EQ(verify_chain(path(), verify_with(key_a)).problem,
            "purge anchor does not record the chain's head at the purge");
}

TEST_F(AnchorCheck, RowsRemovedFromTheEndAfterAPurgeAreCaughtByTheAnchorsHead) {
  record_days(with_key(options(), key_a), 5);
  purge_before(path(), day(3), chain_seal(key_a));
  delete_from(path(), 4);
  const verify_result result = verify_chain(path(), verify_with(key_a));
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.first_bad_seq, 4);
  EXPECT_EQ(result.problem,
            "the chain ends at seq 3, but the purge anchor at seq 2 recorded entries up to seq 5: entries were "
            "removed from its end");
}

TEST_F(AnchorCheck, ARecordReplayedAfterEverythingWasPurgedStillVerifies) {
  // A spooled record keeps its received_at, so it can follow an anchor whose horizon is later: it was
  // appended after the purge (its seq is above the anchor's head_seq), and the purge never saw it.
  record_days(with_key(options(), key_a), 3);
  ASSERT_EQ(purge_before(path(), day(9), chain_seal(key_a)).purged, 3);
  {
    sqlite_audit_store store(with_key(options(), key_a));
    ASSERT_TRUE(store.record_call(sample_call("h-late", "u-late", day(2))));
  }
  const verify_result result = verify_chain(path(), verify_with(key_a));
  EXPECT_TRUE(result.ok) << result.problem;
  EXPECT_EQ(result.entries, 2);
}

TEST_F(AnchorCheck, AnOldRecordKeptBehindANewerOneStillVerifiesAfterThePurge) {
  {
    sqlite_audit_store store(with_key(options(), key_a));
    ASSERT_TRUE(store.record_call(sample_call("h1", "u1", day(1))));
    ASSERT_TRUE(store.record_call(sample_call("h5", "u5", day(5))));
    ASSERT_TRUE(store.record_call(sample_call("h2", "u2", day(2))));  // as a spool replay appends it
  }
  EXPECT_EQ(purge_before(path(), day(3), chain_seal(key_a)).purged, 1);
  const verify_result result = verify_chain(path(), verify_with(key_a));
  EXPECT_TRUE(result.ok) << result.problem;
}

// --- The head reported by the running store ---------------------------------------------------------

TEST_F(HeadReport, IsToldAtOpenWhenItMovedAfterTheIntervalAndAtClose) {
  std::mutex mutex;
  std::vector<std::string> told;
  audit_options o = with_key(options(), key_a);
  o.head_interval = std::chrono::seconds(300);
  o.on_head = [&](const chain_position& head) {
    std::lock_guard lock(mutex);
    told.push_back(head_line(head));
  };
  const auto told_so_far = [&] {
    std::lock_guard lock(mutex);
    return told;
  };
  {
    sqlite_audit_store store(o);
    EXPECT_EQ(told_so_far(), (std::vector<std::string>{"head seq=0 hash=" + genesis_hash}));
    ASSERT_TRUE(store.record_call(sample_call("h1", "u1")));
    EXPECT_EQ(told_so_far().size(), 1u);  // moved, but within the interval
    advance(std::chrono::seconds(300));
    ASSERT_TRUE(store.record_call(sample_call("h2", "u2")));
    EXPECT_EQ(told_so_far().back(), "head seq=2 hash=" + hash_at(path(), 2));
    advance(std::chrono::seconds(299));
    ASSERT_TRUE(store.record_call(sample_call("h3", "u3")));
    EXPECT_EQ(told_so_far().size(), 2u);
  }
  EXPECT_EQ(told_so_far(),
            (std::vector<std::string>{"head seq=0 hash=" + genesis_hash, "head seq=2 hash=" + hash_at(path(), 2),
                                      "head seq=3 hash=" + hash_at(path(), 3)}));
  // A head that did not move is not told again, and the verifier prints the same head.
  { sqlite_audit_store store(o); }
  EXPECT_EQ(told_so_far().size(), 4u);
  EXPECT_EQ(told_so_far().back(), head_line(verify_chain(path(), verify_with(key_a)).head));
}

}  // namespace
}  // namespace ivig::audit::test

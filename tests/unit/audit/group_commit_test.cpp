// tests/unit/audit/group_commit_test.cpp: concurrent callers, one writer, fewer transactions than records.
//
// Synchronisation is by events, never sleeps: the store's fault hook holds the first COMMIT until the
// other threads have queued, which makes "fewer transactions than records" certain, not likely.
#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "hooks/audit/chain.hpp"
#include "hooks/audit/group_commit.hpp"
#include "hooks/audit/sqlite_store.hpp"
#include "tests/unit/audit/audit_fixture.hpp"

namespace ivig::audit::test {
namespace {

using GroupCommit = audit_test;

constexpr int threads = 8;
constexpr int per_thread = 50;

TEST_F(GroupCommit, EightThreadsOfFiftyAreAllDurableChainedAndBatched) {
  // Hold the first batch at its COMMIT until every other thread's first record is queued: then at least
  // one transaction carries several records, whatever the scheduler does. (Each of these calls is six
  // INSERTs: its entry, its calls row, one card and three rules.)
  std::atomic<const sqlite_audit_store*> store_ptr{nullptr};
  std::atomic<int> inserts{0};
  std::atomic<bool> held{false};
  audit_options o = options();
  o.fail_at = [&](std::string_view step) {
    if (step == "insert") ++inserts;
    if (step == "commit" && !held.exchange(true)) {
      const int in_first_batch = inserts.load() / 6;
      while (static_cast<int>(store_ptr.load()->queue_depth()) + in_first_batch < threads) std::this_thread::yield();
    }
    return false;
  };
  sqlite_audit_store store(o);
  store_ptr = &store;

  std::atomic<int> stored{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        const std::string id = "t" + std::to_string(t) + "-" + std::to_string(i);
        if (store.record_call(sample_call(id, "u-" + id))) ++stored;
      }
    });
  }
  for (std::thread& worker : workers) worker.join();

  constexpr int records = threads * per_thread;
  EXPECT_EQ(stored.load(), records);
  // Durable: visible to another connection while the store is still open.
  EXPECT_EQ(count(path(), "calls"), records);
  EXPECT_EQ(std::stoll(query(path(), "SELECT COUNT(DISTINCT hook_instance) FROM calls")), records);
  const verify_result chain = verify_chain(path());
  EXPECT_TRUE(chain.ok) << chain.problem;
  EXPECT_EQ(chain.entries, records);
  EXPECT_LT(store.commits(), static_cast<std::uint64_t>(records));
  EXPECT_GE(store.commits(), 2U);
  EXPECT_EQ(store.spooled_records(), 0U);
  // Each thread's records are in the chain in the order it made them.
  for (int t = 0; t < threads; ++t) {
    const std::vector<std::string> order = rows(
        path(), "SELECT hook_instance FROM calls WHERE hook_instance LIKE 't" + std::to_string(t) + "-%' ORDER BY seq");
    ASSERT_EQ(order.size(), static_cast<std::size_t>(per_thread));
    for (int i = 0; i < per_thread; ++i) EXPECT_EQ(order[i], "t" + std::to_string(t) + "-" + std::to_string(i));
  }
}

TEST(GroupCommitQueue, BatchesNeverExceedTheQueueCapacityAndEveryRecordIsWrittenOnce) {
  std::mutex mutex;
  std::vector<std::size_t> sizes;
  std::vector<const call_record*> written;
  constexpr std::size_t capacity = 2;
  std::vector<call_record> calls(threads * 20);
  {
    group_commit queue(
        [&](std::span<pending_record* const> batch) {
          std::lock_guard lock(mutex);
          sizes.push_back(batch.size());
          for (pending_record* record : batch) {
            written.push_back(record->call);
            record->stored = true;
          }
        },
        capacity, std::chrono::milliseconds(0));
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        for (int i = 0; i < 20; ++i) {
          pending_record record;
          record.call = &calls[t * 20 + i];
          queue.submit(record);
          EXPECT_TRUE(record.stored);
        }
      });
    }
    for (std::thread& worker : workers) worker.join();
    EXPECT_EQ(queue.queue_depth(), 0U);
    EXPECT_EQ(queue.batches(), sizes.size());
  }
  EXPECT_LE(*std::max_element(sizes.begin(), sizes.end()), capacity);
  std::sort(written.begin(), written.end());
  EXPECT_EQ(std::adjacent_find(written.begin(), written.end()), written.end());
  EXPECT_EQ(written.size(), calls.size());
}

TEST(GroupCommitQueue, IdleTickCallsTheBatchFunctionWithNothing) {
  std::mutex mutex;
  std::condition_variable ticked;
  int empty_batches = 0;
  group_commit queue(
      [&](std::span<pending_record* const> batch) {
        std::lock_guard lock(mutex);
        if (batch.empty()) ++empty_batches;
        ticked.notify_all();
      },
      10, std::chrono::milliseconds(1));
  std::unique_lock lock(mutex);
  // Waits for the event (the timeout only bounds a broken build).
  EXPECT_TRUE(ticked.wait_for(lock, std::chrono::seconds(30), [&] { return empty_batches >= 2; }));
}

}  // namespace
}  // namespace ivig::audit::test

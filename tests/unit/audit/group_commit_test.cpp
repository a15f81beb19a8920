// tests/unit/audit/group_commit_test.cpp: concurrent callers, one writer, fewer transactions than records.
//
// Synchronisation is by events, never sleeps: the store's fault hook holds the first COMMIT until the
// other threads have queued, which makes "fewer transactions than records" certain, not likely.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "hooks/audit/chain_verify.hpp"
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
  // one transaction carries several records, whatever the scheduler does. (Each of these calls is five
  // INSERTs: its entry, its calls row, one card and the two rules that fired.)
  std::atomic<const sqlite_audit_store*> store_ptr{nullptr};
  std::atomic<int> inserts{0};
  std::atomic<bool> held{false};
  audit_options o = options();
  o.fail_at = [&](std::string_view step) {
    if (step == "insert") ++inserts;
    if (step == "commit" && !held.exchange(true)) {
      const int in_first_batch = inserts.load() / 5;
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

TEST(GroupCommitQueue, BatchesNeverExceedMaxBatchAndEveryRecordIsWrittenAndCompletedOnce) {
  std::mutex mutex;
  std::vector<std::size_t> sizes;
  std::vector<std::string> written;
  std::vector<std::string> completed;  // touched on the writer thread only, read after it is joined
  constexpr std::size_t max_batch = 2;
  {
    group_commit queue(
        [&](std::span<pending_record* const> batch) {
          std::lock_guard lock(mutex);
          sizes.push_back(batch.size());
          for (pending_record* record : batch) {
            written.push_back(record->call->hook_instance);
            record->stored = true;
          }
        },
        max_batch, std::chrono::milliseconds(0));
    std::vector<std::thread> submitters;
    for (int t = 0; t < threads; ++t) {
      submitters.emplace_back([&, t] {
        for (int i = 0; i < 20; ++i) {
          auto record = std::make_unique<pending_record>();
          record->call = call_record{};
          record->call->hook_instance = std::to_string(t) + "-" + std::to_string(i);
          record->done = [&completed](pending_record& r) {
            EXPECT_TRUE(r.stored);
            completed.push_back(r.call->hook_instance);
          };
          std::vector<std::unique_ptr<pending_record>> one;
          one.push_back(std::move(record));
          queue.submit(std::move(one));  // returns without waiting for the writer
        }
      });
    }
    for (std::thread& submitter : submitters) submitter.join();
  }  // the destructor writes and completes everything queued
  EXPECT_LE(*std::max_element(sizes.begin(), sizes.end()), max_batch);
  EXPECT_EQ(written.size(), static_cast<std::size_t>(threads * 20));
  EXPECT_EQ(completed, written);  // each completed once, after its batch, in the order written
  std::sort(written.begin(), written.end());
  EXPECT_EQ(std::adjacent_find(written.begin(), written.end()), written.end());
}

TEST(GroupCommitQueue, SubmitReturnsWhileTheWriterIsBusyAndRecordsSubmittedTogetherShareABatch) {
  std::mutex mutex;
  std::condition_variable changed;
  bool release = false;
  int batches_entered = 0;
  std::vector<std::size_t> sizes;
  group_commit queue(
      [&](std::span<pending_record* const> batch) {
        std::unique_lock lock(mutex);
        sizes.push_back(batch.size());
        ++batches_entered;
        changed.notify_all();
        changed.wait(lock, [&] { return release; });  // a slow disk, held until the test lets go
      },
      100, std::chrono::milliseconds(0));
  const auto records = [](std::size_t n) {
    std::vector<std::unique_ptr<pending_record>> v;
    for (std::size_t i = 0; i < n; ++i) {
      v.push_back(std::make_unique<pending_record>());
      v.back()->call = call_record{};
    }
    return v;
  };
  queue.submit(records(1));
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(changed.wait_for(lock, std::chrono::seconds(30), [&] { return batches_entered == 1; }));
  }
  // The writer is inside its first batch; these return at once and wait in the queue.
  queue.submit(records(3));
  queue.submit(records(2));
  EXPECT_EQ(queue.queue_depth(), 5U);
  {
    std::lock_guard lock(mutex);
    release = true;
  }
  changed.notify_all();
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(changed.wait_for(lock, std::chrono::seconds(30), [&] { return batches_entered == 2; }));
    EXPECT_EQ(sizes, (std::vector<std::size_t>{1, 5}));  // every record ready went into one batch
  }
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

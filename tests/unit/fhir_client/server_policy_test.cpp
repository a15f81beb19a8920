// tests/unit/fhir_client/server_policy_test.cpp: which FHIR server URLs the service may fetch from
// (no server-side request forgery), and the deadline thread that cancels what is still out.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

#include <gtest/gtest.h>

#include "fhir/client/deadline_watch.hpp"
#include "fhir/client/server_policy.hpp"

using namespace ivig::fhir::client;

namespace {

server_policy ehr_policy() {
  return {{"https://ehr.example.org/fhir/r4", "http://127.0.0.1:8081/fhir"}, false};
}

}  // namespace

TEST(ServerPolicy, AllowsTheBaseAndWhatLiesBelowIt) {
  const server_policy policy = ehr_policy();
  EXPECT_EQ(refusal(policy, "https://ehr.example.org/fhir/r4"), std::nullopt);
  EXPECT_EQ(refusal(policy, "https://ehr.example.org/fhir/r4/"), std::nullopt);
  EXPECT_EQ(refusal(policy, "https://EHR.example.org:443/fhir/r4/Condition?patient=1"), std::nullopt);
  EXPECT_EQ(refusal(policy, "http://127.0.0.1:8081/fhir/Patient/1"), std::nullopt);
}

TEST(ServerPolicy, RefusesEverythingElseAndSaysWhy) {
  const server_policy policy = ehr_policy();
  const std::string off_list = "it is not under a FHIR server base URL this service is allowed to query (--fhir-allow)";
  EXPECT_EQ(refusal(policy, "https://ehr.example.org/fhir/r4b"), off_list);  // a sibling path, not below
  EXPECT_EQ(refusal(policy, "https://ehr.example.org/admin"), off_list);
  EXPECT_EQ(refusal(policy, "https://ehr.example.org:8443/fhir/r4"), off_list);  // another port
  EXPECT_EQ(refusal(policy, "https://ehr.example.org.evil.test/fhir/r4"), off_list);
  EXPECT_EQ(refusal(policy, "http://127.0.0.1:8082/fhir"), off_list);
  EXPECT_EQ(refusal(policy, "http://169.254.169.254/latest/meta-data"),
            "plain http is allowed only to loopback addresses");
  EXPECT_EQ(refusal(policy, "http://ehr.example.org/fhir/r4"), "plain http is allowed only to loopback addresses");
  EXPECT_EQ(refusal(policy, "https://user@ehr.example.org/fhir/r4"),
            "it is not an absolute http(s) URL without user information");
  EXPECT_EQ(refusal(policy, "file:///etc/passwd"), "it is not an absolute http(s) URL without user information");
  EXPECT_EQ(refusal(policy, "fhir/r4"), "it is not an absolute http(s) URL without user information");
  EXPECT_EQ(refusal(policy, "https://ehr.example.org/fhir/r4/../../admin"), "its path has a '.' or '..' segment");
  EXPECT_EQ(refusal(policy, "https://ehr.example.org/fhir/r4/%2E%2e/admin"), "its path has a '.' or '..' segment");
}

TEST(ServerPolicy, WithoutAnAllowlistNothingIsFetched) {
  EXPECT_EQ(refusal({}, "https://ehr.example.org/fhir/r4"),
            "no FHIR server is allowed in this service's configuration (--fhir-allow)");
}

TEST(ServerPolicy, PlainHttpBeyondLoopbackOnlyWithTheDevelopmentSetting) {
  const server_policy policy{{"http://fhir.dev.example.org/fhir"}, true};
  EXPECT_EQ(refusal(policy, "http://fhir.dev.example.org/fhir/Patient/1"), std::nullopt);
}

TEST(ServerPolicy, LoopbackHostsAreRecognised) {
  EXPECT_TRUE(is_loopback_host("localhost"));
  EXPECT_TRUE(is_loopback_host("127.0.0.1"));
  EXPECT_TRUE(is_loopback_host("127.10.0.1"));
  EXPECT_TRUE(is_loopback_host("[::1]"));
  EXPECT_FALSE(is_loopback_host("127.0.0.1.evil.test"));
  EXPECT_FALSE(is_loopback_host("10.0.0.1"));
}

TEST(DeadlineWatch, RunsAnActionAtItsDeadlineAndNotACancelledOne) {
  deadline_watch watch;
  std::mutex mutex;
  std::condition_variable ran_changed;
  int ran = 0;
  std::atomic<bool> cancelled_ran{false};
  const auto soon = deadline_watch::clock::now() + std::chrono::milliseconds(20);
  const auto cancelled = watch.at(soon, [&] { cancelled_ran = true; });
  watch.cancel(cancelled);
  watch.at(soon, [&] {
    const std::lock_guard lock(mutex);
    ++ran;
    ran_changed.notify_all();
  });
  std::unique_lock lock(mutex);
  ASSERT_TRUE(ran_changed.wait_for(lock, std::chrono::seconds(10), [&] { return ran == 1; }));
  EXPECT_FALSE(cancelled_ran.load());
}

TEST(DeadlineWatch, CancellingTheEntryItWaitsForLeavesItWaitingForTheNext) {
  // The thread waits for the earliest entry; cancelling that entry erases it under the thread's
  // wait (valgrind found the wait reading the erased entry before it copied the time).
  deadline_watch watch;
  std::mutex mutex;
  std::condition_variable ran_changed;
  bool ran = false;
  const auto far = watch.at(deadline_watch::clock::now() + std::chrono::hours(1), [] {});
  watch.cancel(far);
  watch.at(deadline_watch::clock::now() + std::chrono::milliseconds(10), [&] {
    const std::lock_guard lock(mutex);
    ran = true;
    ran_changed.notify_all();
  });
  std::unique_lock lock(mutex);
  EXPECT_TRUE(ran_changed.wait_for(lock, std::chrono::seconds(10), [&] { return ran; }));
}

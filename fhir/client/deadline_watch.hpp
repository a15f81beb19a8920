// fhir/client/deadline_watch.hpp: runs an action at a deadline on a thread of its own.
//
// The client's per-request timeout (cpprestsdk's) restarts whenever bytes arrive, so a server that
// drips its answer could hold a call past its deadline; each request is therefore also cancelled
// here at the call's deadline. One thread for every request of the process, waiting on the earliest
// deadline.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

namespace ivig::fhir::client {

class deadline_watch {
 public:
  using clock = std::chrono::steady_clock;
  using ticket = std::uint64_t;

  deadline_watch();
  /// Stops the thread; actions not yet due never run.
  ~deadline_watch();
  deadline_watch(const deadline_watch&) = delete;
  deadline_watch& operator=(const deadline_watch&) = delete;

  /// Runs `action` on the watch's thread at `deadline`, unless cancelled first.
  ticket at(clock::time_point deadline, std::function<void()> action);
  /// The action will not run (a no-op when it already ran or is running).
  void cancel(ticket t);

 private:
  void run();

  std::mutex mutex_;
  std::condition_variable changed_;
  std::multimap<clock::time_point, std::pair<ticket, std::function<void()>>> due_;
  std::map<ticket, clock::time_point> deadline_of_;
  ticket next_ = 1;
  bool stopping_ = false;
  std::thread thread_;  // last: started once everything above exists
};

}  // namespace ivig::fhir::client

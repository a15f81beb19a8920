// fhir/client/deadline_watch.cpp: the deadline thread.
#include "fhir/client/deadline_watch.hpp"

namespace ivig::fhir::client {

deadline_watch::deadline_watch() : thread_([this] { run(); }) {}

deadline_watch::~deadline_watch() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

deadline_watch::ticket deadline_watch::at(clock::time_point deadline, std::function<void()> action) {
  ticket t = 0;
  {
    std::lock_guard lock(mutex_);
    t = next_++;
    due_.emplace(deadline, std::make_pair(t, std::move(action)));
    deadline_of_.emplace(t, deadline);
  }
  changed_.notify_all();
  return t;
}

void deadline_watch::cancel(ticket t) {
  std::lock_guard lock(mutex_);
  const auto found = deadline_of_.find(t);
  if (found == deadline_of_.end()) return;
  auto [first, last] = due_.equal_range(found->second);
  for (auto it = first; it != last; ++it)
    if (it->second.first == t) {
      due_.erase(it);
      break;
    }
  deadline_of_.erase(found);
}

void deadline_watch::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (due_.empty()) {
      changed_.wait(lock);
      continue;
    }
    const auto first = due_.begin();
    if (const clock::time_point next = first->first; clock::now() < next) {
      // A copy: while this waits, cancel() may erase the entry the iterator points into.
      changed_.wait_until(lock, next);
      continue;
    }
    std::function<void()> action = std::move(first->second.second);
    deadline_of_.erase(first->second.first);
    due_.erase(first);
    lock.unlock();
    action();
    lock.lock();
  }
}

}  // namespace ivig::fhir::client

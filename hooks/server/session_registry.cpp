// hooks/server/session_registry.cpp: the live-connection set.
//
// A mutex-guarded map of weak references; on_empty is called outside the lock so that the server
// may take its own lock in it without an ordering cycle.
#include "hooks/server/session_registry.hpp"

namespace ivig::server {

void session_registry::add(const std::shared_ptr<session>& s) {
  const std::lock_guard lock(mutex_);
  sessions_.emplace(s.get(), s);
}

void session_registry::remove(const session* s) noexcept {
  bool now_empty = false;
  {
    const std::lock_guard lock(mutex_);
    now_empty = sessions_.erase(s) == 1 && sessions_.empty();
  }
  if (now_empty && on_empty_) on_empty_();
}

std::vector<std::shared_ptr<session>> session_registry::live() const {
  std::vector<std::shared_ptr<session>> out;
  const std::lock_guard lock(mutex_);
  out.reserve(sessions_.size());
  for (const auto& [key, weak] : sessions_) {
    if (auto strong = weak.lock()) out.push_back(std::move(strong));
  }
  return out;
}

std::size_t session_registry::size() const {
  const std::lock_guard lock(mutex_);
  return sessions_.size();
}

}  // namespace ivig::server

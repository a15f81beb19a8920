// hooks/server/session_registry.cpp: the live-connection set.
//
// A mutex-guarded map of weak references; on_empty is called outside the lock so that the server
// may take its own lock in it without an ordering cycle.
#include "hooks/server/session_registry.hpp"

namespace ivig::server {

void session_registry::add(const std::shared_ptr<session>& s, const std::string& peer_host) {
  const std::lock_guard lock(mutex_);
  if (sessions_.emplace(s.get(), entry{s, peer_host}).second) ++per_peer_[peer_host];
}

void session_registry::remove(const session* s) noexcept {
  bool now_empty = false;
  {
    const std::lock_guard lock(mutex_);
    const auto found = sessions_.find(s);
    if (found != sessions_.end()) {
      const auto peer = per_peer_.find(found->second.peer_host);
      if (peer != per_peer_.end() && --peer->second == 0) per_peer_.erase(peer);
      sessions_.erase(found);
      now_empty = sessions_.empty();
    }
  }
  if (now_empty && on_empty_) on_empty_();
}

std::vector<std::shared_ptr<session>> session_registry::live() const {
  std::vector<std::shared_ptr<session>> out;
  const std::lock_guard lock(mutex_);
  out.reserve(sessions_.size());
  for (const auto& [key, e] : sessions_) {
    if (auto strong = e.s.lock()) out.push_back(std::move(strong));
  }
  return out;
}

std::size_t session_registry::size() const {
  const std::lock_guard lock(mutex_);
  return sessions_.size();
}

std::size_t session_registry::count_from(const std::string& peer_host) const {
  const std::lock_guard lock(mutex_);
  const auto found = per_peer_.find(peer_host);
  return found == per_peer_.end() ? 0 : found->second;
}

}  // namespace ivig::server

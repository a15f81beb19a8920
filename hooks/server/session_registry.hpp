// hooks/server/session_registry.hpp: the set of live connections, for drain and force-close.
//
// Sessions add themselves when accepted and remove themselves in their destructor, from any I/O
// thread. The server asks for the live set when it starts draining and when the drain deadline
// expires, and is told (on_empty) when the last session of a draining server is gone so that it can
// cancel the drain timer and let the I/O threads exit at once instead of at the deadline.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace ivig::server {

class session;

class session_registry {
 public:
  /// `on_empty` runs, without the registry's lock held, each time remove() takes out the last one.
  explicit session_registry(std::function<void()> on_empty) : on_empty_(std::move(on_empty)) {}

  /// `peer_host` is the client's address without its port, for the per-peer connection cap.
  void add(const std::shared_ptr<session>& s, const std::string& peer_host);
  void remove(const session* s) noexcept;
  /// Strong references to every session still alive. Callers must drop them without holding any
  /// lock that on_empty takes: dropping the last reference runs ~session, which calls remove().
  [[nodiscard]] std::vector<std::shared_ptr<session>> live() const;
  [[nodiscard]] std::size_t size() const;
  /// Live connections from `peer_host`.
  [[nodiscard]] std::size_t count_from(const std::string& peer_host) const;

 private:
  mutable std::mutex mutex_;
  struct entry {
    std::weak_ptr<session> s;
    std::string peer_host;
  };
  std::unordered_map<const session*, entry> sessions_;
  std::unordered_map<std::string, std::size_t> per_peer_;
  std::function<void()> on_empty_;
};

}  // namespace ivig::server

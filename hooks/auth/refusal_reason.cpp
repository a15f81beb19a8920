// hooks/auth/refusal_reason.cpp: the table of reason codes.
#include "hooks/auth/refusal_reason.hpp"

namespace ivig::auth {
namespace {

constexpr std::array<std::string_view, refusal_reason_count> codes{
    "token-missing",     "not-bearer",         "token-too-large",     "token-malformed",
    "algorithm-refused", "token-type-invalid", "claim-missing",       "issuer-unknown",
    "audience-mismatch", "token-expired",      "token-not-yet-valid", "token-issued-in-future",
    "lifetime-too-long", "tenant-refused",     "jku-not-allowed",     "jku-unreachable",
    "key-unknown",       "key-mismatch",       "signature-invalid",   "token-replayed",
    "replay-cache-full",
};

}  // namespace

std::string_view code_of(refusal_reason reason) {
  return codes[static_cast<std::size_t>(reason)];
}

std::vector<std::pair<std::string_view, std::uint64_t>> refusal_counters::nonzero() const {
  std::vector<std::pair<std::string_view, std::uint64_t>> out;
  for (std::size_t i = 0; i < refusal_reason_count; ++i) {
    const std::uint64_t n = refused_[i].load(std::memory_order_relaxed);
    if (n > 0) out.emplace_back(codes[i], n);
  }
  return out;
}

}  // namespace ivig::auth

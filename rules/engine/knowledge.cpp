// rules/engine/knowledge.cpp: small lookups over the loaded knowledge.
#include "rules/engine/knowledge.hpp"

#include <bit>
#include <cstdint>
#include <cstdio>
#include <cstring>

namespace ivig::rules {

namespace {

// A streaming hash over the bytes of a key, eight at a time, so that the parts of a key
// ("system", "|", "code") hash exactly as the joined key does, at a few instructions per word.
class key_hasher {
 public:
  void add(std::string_view bytes) {
    while (pending_ != 0 && !bytes.empty()) {  // complete a word begun by the previous part
      push(bytes.front());
      bytes.remove_prefix(1);
    }
    for (; bytes.size() >= 8; bytes.remove_prefix(8)) mix(load_word(bytes.data()));
    for (const char c : bytes) push(c);
  }
  std::size_t finish() {
    if (pending_ != 0) mix_pending();
    std::uint64_t h = hash_ ^ length_;
    // The finaliser of MurmurHash3 (fmix64), so every input bit reaches every bucket bit.
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return static_cast<std::size_t>(h);
  }

 private:
  // Little-endian, as push() assembles a word byte by byte, so that both agree on any machine.
  static std::uint64_t load_word(const char* p) {
    std::uint64_t word = 0;
    if constexpr (std::endian::native == std::endian::little) {
      std::memcpy(&word, p, sizeof word);
    } else {
      for (int i = 7; i >= 0; --i) word = (word << 8) | static_cast<unsigned char>(p[i]);
    }
    return word;
  }
  void push(char c) {
    word_ |= static_cast<std::uint64_t>(static_cast<unsigned char>(c)) << (8 * pending_);
    ++length_;
    if (++pending_ == 8) mix_pending();
  }
  void mix_pending() {
    mix_word(word_);
    word_ = 0;
    pending_ = 0;
  }
  void mix(std::uint64_t word) {
    length_ += 8;
    mix_word(word);
  }
  void mix_word(std::uint64_t word) {
    hash_ = (hash_ ^ word) * 0x9e3779b97f4a7c15ull;
    hash_ ^= hash_ >> 29;
  }

  std::uint64_t hash_ = 0x243f6a8885a308d3ull;
  std::uint64_t word_ = 0;
  std::size_t pending_ = 0;
  std::uint64_t length_ = 0;
};

}  // namespace

std::size_t code_key_hash::operator()(std::string_view key) const {
  key_hasher h;
  h.add(key);
  return h.finish();
}

std::size_t code_key_hash::operator()(const code_key_parts& key) const {
  key_hasher h;
  h.add(key.system);
  h.add("|");
  h.add(key.code);
  return h.finish();
}

bool code_key_equal::operator()(const code_key_parts& a, std::string_view b) const {
  return b.size() == a.system.size() + 1 + a.code.size() && b.starts_with(a.system) && b[a.system.size()] == '|' &&
         b.ends_with(a.code);
}

std::string_view evidence_marker(evidence_level level) {
  switch (level) {
    case evidence_level::confirmed:
      return "[C]";
    case evidence_level::secondary:
      return "[S]";
    case evidence_level::unconfirmed:
      return "[U]";
  }
  return "[U]";
}

std::optional<evidence_level> parse_evidence(std::string_view marker) {
  if (marker == "C") return evidence_level::confirmed;
  if (marker == "S") return evidence_level::secondary;
  if (marker == "U") return evidence_level::unconfirmed;
  return std::nullopt;
}

std::string_view severity_name(severity level) {
  switch (level) {
    case severity::info:
      return "info";
    case severity::warning:
      return "warning";
    case severity::critical:
      return "critical";
  }
  return "info";
}

std::string iga_content::describe() const {
  char number[32];
  std::snprintf(number, sizeof number, "%g", micrograms_per_ml);
  if (kind == "max") return std::string("≤ ") + number + " µg/mL";
  if (kind == "less-than") return std::string("< ") + number + " µg/mL";
  return std::string("average ") + number + " µg/mL";
}

std::string labelled_content::describe() const {
  if (kind == "trace") return "trace";
  char number[32];
  std::snprintf(number, sizeof number, "%g", value);
  const std::string amount = std::string(number) + " " + unit;
  if (kind == "max") return "≤ " + amount;
  if (kind == "less-than") return "< " + amount;
  if (kind == "range-max") return "up to " + amount;
  return "average " + amount;
}

const titration_schedule* product::titration_for(std::string_view indication) const {
  const titration_schedule* any = nullptr;
  for (const titration_schedule& t : titrations) {
    if (!indication.empty() && t.indication == indication) return &t;
    if (t.indication == "all") any = &t;
  }
  return any;
}

const labelled_dose* product::dose_for(std::string_view indication) const {
  if (indication.empty()) return nullptr;
  for (const labelled_dose& d : dose_ranges)
    if (d.indication == indication) return &d;
  return nullptr;
}

bool product::labelled_for(std::string_view indication) const {
  if (indication.empty()) return false;
  for (const indication_rate& r : max_rates)
    if (r.indication == indication) return true;
  for (const titration_schedule& t : titrations)
    if (t.indication == indication) return true;
  return dose_for(indication) != nullptr;
}

bool product::indications_known() const {
  for (const indication_rate& r : max_rates)
    if (!r.indication.empty() && r.indication != "all") return true;
  for (const titration_schedule& t : titrations)
    if (t.indication != "all") return true;
  return !dose_ranges.empty();
}

const excipient* product::find_excipient(std::string_view substance) const {
  for (const excipient& e : excipients)
    if (e.substance == substance) return &e;
  return nullptr;
}

const product_identifier* product::specific_identifier() const {
  const product_identifier* only_sbd = nullptr;
  int sbds = 0;
  for (const product_identifier& code : identifiers) {
    if (code.kind == "labeler-product") return &code;
    if (code.kind == "SBD" && ++sbds == 1) only_sbd = &code;
  }
  return sbds == 1 ? only_sbd : nullptr;
}

const rule_definition* knowledge::find_rule(std::string_view id) const {
  for (const rule_definition& rule : rules)
    if (rule.id == id) return &rule;
  return nullptr;
}

const value_set* knowledge::find_value_set(std::string_view id) const {
  const auto it = value_sets.find(id);
  return it == value_sets.end() ? nullptr : &it->second;
}

std::string_view knowledge::canonical_system(std::string_view system) const {
  if (!system.empty() && system.back() == '/') system.remove_suffix(1);
  const auto it = system_aliases.find(system);
  return it == system_aliases.end() ? system : std::string_view{it->second};
}

}  // namespace ivig::rules

// hooks/protocol/json_writer.cpp: escaping a JSON string a run at a time, as RapidJSON's Writer does.
#include "hooks/protocol/json_writer.hpp"

#include <array>
#include <cstdint>

namespace ivig::protocol {
namespace {

// RapidJSON's escape table (rapidjson/writer.h, WriteString): 0 for a character written as it is,
// else the letter after the backslash ('u' for "\u00XX").
constexpr std::array<char, 256> escapes = [] {
  std::array<char, 256> table{};
  for (int c = 0; c < 0x20; ++c) table[static_cast<std::size_t>(c)] = 'u';
  table['\b'] = 'b';
  table['\t'] = 't';
  table['\n'] = 'n';
  table['\f'] = 'f';
  table['\r'] = 'r';
  table['"'] = '"';
  table['\\'] = '\\';
  return table;
}();

constexpr char hex_digits[] = "0123456789ABCDEF";

constexpr std::uint64_t ones = 0x0101010101010101ull;
constexpr std::uint64_t highs = 0x8080808080808080ull;

/// Whether any of the eight bytes of `word` needs escaping: a control character (below 0x20), '"'
/// or '\\'. The classic tests for a byte below n and a zero byte: exact on whether one exists.
bool word_needs_escape(std::uint64_t word) {
  const std::uint64_t below_space = (word - ones * 0x20) & ~word & highs;
  const std::uint64_t quote = word ^ (ones * '"');
  const std::uint64_t backslash = word ^ (ones * '\\');
  return (below_space | ((quote - ones) & ~quote & highs) | ((backslash - ones) & ~backslash & highs)) != 0;
}

/// The end of the run of characters from `i` that are written as they are.
std::size_t unescaped_run_end(const char* text, std::size_t i, std::size_t length) {
  for (; i + 8 <= length; i += 8) {  // eight at a time while no byte of the word needs escaping
    std::uint64_t word;
    std::memcpy(&word, text + i, sizeof word);
    if (word_needs_escape(word)) break;
  }
  while (i < length && escapes[static_cast<unsigned char>(text[i])] == 0) ++i;
  return i;
}

}  // namespace

bool json_writer::write_escaped(const char* text, std::size_t length) {
  // At most six characters per input character ("\u00XX") and the quotes; unused room is given back.
  const std::size_t room = 2 + length * 6;
  char* const start = os_->Push(room);
  char* out = start;
  *out++ = '"';
  std::size_t i = 0;
  while (i < length) {
    const std::size_t run = unescaped_run_end(text, i, length);
    std::memcpy(out, text + i, run - i);
    out += run - i;
    if (run == length) break;
    const auto c = static_cast<unsigned char>(text[run]);
    *out++ = '\\';
    *out++ = escapes[c];
    if (escapes[c] == 'u') {
      *out++ = '0';
      *out++ = '0';
      *out++ = hex_digits[c >> 4];
      *out++ = hex_digits[c & 0xF];
    }
    i = run + 1;
  }
  *out++ = '"';
  os_->Pop(room - static_cast<std::size_t>(out - start));
  return true;
}

}  // namespace ivig::protocol

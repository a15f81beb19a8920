// hooks/protocol/sent_text.cpp: escaping what a caller sent before it is shown (why: sent_text.hpp).
#include "hooks/protocol/sent_text.hpp"

#include <cstdio>

#include "hooks/protocol/card.hpp"

namespace ivig::protocol {
namespace {

/// The length of the valid UTF-8 sequence starting at `i`, or 0 (RFC 3629: no overlong forms, no
/// surrogates, nothing above U+10FFFF).
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
  const auto at = [&](std::size_t k) { return k < text.size() ? static_cast<unsigned char>(text[k]) : 0U; };
  const unsigned lead = at(i);
  const auto continuation = [&](std::size_t k, unsigned low = 0x80, unsigned high = 0xBF) {
    return at(k) >= low && at(k) <= high;
  };
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return continuation(i + 1) ? 2 : 0;
  if (lead == 0xE0) return continuation(i + 1, 0xA0) && continuation(i + 2) ? 3 : 0;
  if (lead == 0xED) return continuation(i + 1, 0x80, 0x9F) && continuation(i + 2) ? 3 : 0;
  if (lead >= 0xE1 && lead <= 0xEF) return continuation(i + 1) && continuation(i + 2) ? 3 : 0;
  if (lead == 0xF0) return continuation(i + 1, 0x90) && continuation(i + 2) && continuation(i + 3) ? 4 : 0;
  if (lead >= 0xF1 && lead <= 0xF3) return continuation(i + 1) && continuation(i + 2) && continuation(i + 3) ? 4 : 0;
  if (lead == 0xF4) return continuation(i + 1, 0x80, 0x8F) && continuation(i + 2) && continuation(i + 3) ? 4 : 0;
  return 0;
}

}  // namespace

std::string escape_controls(std::string_view text, bool keep_lines) {
  std::string out;
  out.reserve(text.size());
  auto append_escape = [&](const char* format, unsigned code) {
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, format, code);
    out += buffer;
  };
  for (std::size_t i = 0; i < text.size();) {
    const auto byte = static_cast<unsigned char>(text[i]);
    const std::size_t length = utf8_sequence_length(text, i);
    if (keep_lines && (byte == '\n' || byte == '\t')) {
      out += static_cast<char>(byte);
    } else if (length == 0 || byte < 0x20 || byte == 0x7f) {
      append_escape("\\x%02x", byte);
      i += 1;
      continue;
    } else if (byte == 0xc2 && static_cast<unsigned char>(text[i + 1]) <= 0x9f) {  // U+0080–U+009F, a C1 control
      append_escape("\\u%04x", static_cast<unsigned char>(text[i + 1]));
    } else {
      out.append(text.substr(i, length));
    }
    i += length;
  }
  return out;
}

std::string quoted_excerpt(std::string_view sent, std::size_t max_characters) {
  const std::string cut = limit_characters(sent, max_characters);
  std::string quoted;
  quoted.reserve(cut.size() + 2);
  for (const char c : cut) {
    if (c == '\\' || c == '\'' || c == '"') quoted += '\\';
    quoted += c;
  }
  return "'" + escape_controls(quoted) + "'";
}

}  // namespace ivig::protocol

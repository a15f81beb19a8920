// hooks/app/terminal_text.cpp: escaping control characters for the terminal (why: terminal_text.hpp).
#include "hooks/app/terminal_text.hpp"

#include <cstdio>

namespace ivig::app {

std::string terminal_safe(std::string_view text, bool keep_lines) {
  std::string out;
  out.reserve(text.size());
  auto append_escape = [&](const char* format, unsigned code) {
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, format, code);
    out += buffer;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    const auto next = i + 1 < text.size() ? static_cast<unsigned char>(text[i + 1]) : 0U;
    if (keep_lines && (byte == '\n' || byte == '\t')) {
      out += static_cast<char>(byte);
    } else if (byte < 0x20 || byte == 0x7f) {
      append_escape("\\x%02x", byte);
    } else if (byte == 0xc2 && next >= 0x80 && next <= 0x9f) {  // U+0080–U+009F, a C1 control, in UTF-8
      append_escape("\\u%04x", next);
      ++i;
    } else {
      out += static_cast<char>(byte);
    }
  }
  return out;
}

}  // namespace ivig::app

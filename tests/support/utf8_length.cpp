// tests/support/utf8_length.cpp: counting the code points of UTF-8 text.
#include "tests/support/utf8_length.hpp"

namespace ivig::test {

std::size_t utf8_code_points(std::string_view text) {
  std::size_t n = 0;
  for (const unsigned char c : text) n += (c & 0xC0u) != 0x80u;
  return n;
}

}  // namespace ivig::test

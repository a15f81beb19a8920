// fhir/model/markdown_text.cpp: escaping record text for card Markdown (what and why: markdown_text.hpp).
#include "fhir/model/markdown_text.hpp"

#include <algorithm>

namespace ivig::fhir {
namespace {

bool is_ascii_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool is_ascii_digit(char c) {
  return c >= '0' && c <= '9';
}

bool is_ascii_punctuation(char c) {
  return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') || (c >= '{' && c <= '~');
}

}  // namespace

std::string plain_text_line(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    const auto next = i + 1 < text.size() ? static_cast<unsigned char>(text[i + 1]) : 0U;
    if (byte < 0x20 || byte == 0x7f) {
      out += ' ';
    } else if (byte == 0xc2 && next >= 0x80 && next <= 0x9f) {
      out += ' ';
      ++i;
    } else {
      out += static_cast<char>(byte);
    }
  }
  const std::size_t first = out.find_first_not_of(' ');
  if (first == std::string::npos) return {};
  return out.substr(first, out.find_last_not_of(' ') - first + 1);
}

namespace {

/// Where an ordered-list marker's `.` or `)` sits when the text starts with one ("12. x", "3)"),
/// else npos: 1–9 digits, the delimiter, then a space or the end (CommonMark 5.2).
std::size_t ordered_list_delimiter(std::string_view text) {
  std::size_t digits = 0;
  while (digits < text.size() && digits < 10 && is_ascii_digit(text[digits])) ++digits;
  if (digits == 0 || digits > 9 || digits >= text.size()) return std::string_view::npos;
  if (text[digits] != '.' && text[digits] != ')') return std::string_view::npos;
  if (digits + 1 < text.size() && text[digits + 1] != ' ') return std::string_view::npos;
  return digits;
}

}  // namespace

std::string markdown_text(std::string_view record_text) {
  const std::string text = plain_text_line(record_text);
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  const bool two_tildes = std::count(text.begin(), text.end(), '~') >= 2;
  const bool may_define_link = text.find("]:") != std::string::npos;
  const std::size_t list_delimiter = ordered_list_delimiter(text);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const char before = i > 0 ? text[i - 1] : '\0';
    const char after = i + 1 < text.size() ? text[i + 1] : '\0';
    const bool last = i + 1 == text.size();
    if (i == 0) {
      // What would open a block when the text begins a line.
      if (c == '>') {
        out += "&gt;";
        continue;
      }
      if (c == '#' || ((c == '-' || c == '+' || c == '=') && (after == ' ' || after == c || last))) {
        out += '\\';
        out += c;
        continue;
      }
    }
    if (i == list_delimiter) {
      out += '\\';
      out += c;
      continue;
    }
    switch (c) {
      case '<':
        out += is_ascii_letter(after) || after == '/' || after == '!' || after == '?' || last ? "&lt;" : "<";
        continue;
      case '&':
        out += is_ascii_letter(after) || after == '#' || last ? "&amp;" : "&";
        continue;
      case '`':
      case '*':
      case '|':
        out += '\\';
        break;
      case '[':  // a link reference definition ("[c]: http://evil" would link every "[C]") starts a line
        if (i == 0 && may_define_link) out += '\\';
        break;
      case ']':  // a link or image needs "](" or "][": "Insulin … [Humulin]" stays (see the header)
        if (after == '(' || after == '[') out += '\\';
        break;
      case '\\':
        if (is_ascii_punctuation(after) || last) out += '\\';
        break;
      case '_': {
        const bool intraword =
            (is_ascii_letter(before) || is_ascii_digit(before)) && (is_ascii_letter(after) || is_ascii_digit(after));
        if (!intraword) out += '\\';
        break;
      }
      case '!':
        if (after == '[') out += '\\';
        break;
      case '~':
        if (two_tildes) out += '\\';
        break;
      default:
        break;
    }
    out += c;
  }
  return out;
}

}  // namespace ivig::fhir

// tests/support/json_diff.cpp: a structural JSON diff for golden-file messages.
#include "tests/support/json_diff.hpp"

#include <string_view>
#include <utility>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "tests/support/utf8_length.hpp"

namespace ivig::test {
namespace {

using rapidjson::Value;

const char* const missing = "(missing)";
/// Code points shown before the first difference of two long strings.
constexpr std::size_t context_chars = 30;
constexpr std::size_t max_value_chars = 120;

bool starts_code_point(char c) {
  return (static_cast<unsigned char>(c) & 0xC0u) != 0x80u;
}

/// The byte offset of code point number `n` in `text` (text.size() when it has fewer).
std::size_t byte_of_code_point(std::string_view text, std::size_t n) {
  std::size_t seen = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!starts_code_point(text[i])) continue;
    if (seen == n) return i;
    ++seen;
  }
  return text.size();
}

/// `text` without its first `skip` code points (replaced by "…"), cut to `max_chars` code points
/// in all, the last one "…" when something was cut.
std::string shorten(std::string_view text, std::size_t skip, std::size_t max_chars) {
  std::string head;
  if (skip > 0) {
    head = "…";
    text.remove_prefix(byte_of_code_point(text, skip));
    --max_chars;
  }
  if (utf8_code_points(text) <= max_chars) return head + std::string(text);
  return head + std::string(text.substr(0, byte_of_code_point(text, max_chars - 1))) + "…";
}

std::string compact(const Value& value) {
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> writer(out);
  value.Accept(writer);
  return {out.GetString(), out.GetSize()};
}

/// Two different strings, each shown from a little before their first difference when they are
/// too long to show whole, so that a change deep in a card's detail is visible.
std::pair<std::string, std::string> shown_strings(const Value& expected, const Value& actual) {
  const std::string e = compact(expected);
  const std::string a = compact(actual);
  std::size_t first = 0;
  while (first < e.size() && first < a.size() && e[first] == a[first]) ++first;
  while (first > 0 && first < e.size() && !starts_code_point(e[first])) --first;  // to the character's start
  const std::size_t differing_char = utf8_code_points(std::string_view(e).substr(0, first));
  const bool too_long = utf8_code_points(e) > max_value_chars || utf8_code_points(a) > max_value_chars;
  const std::size_t skip = too_long && differing_char > context_chars ? differing_char - context_chars : 0;
  return {shorten(e, skip, max_value_chars), shorten(a, skip, max_value_chars)};
}

std::string pointer_token(std::string_view name) {
  std::string token;
  for (const char c : name) {
    if (c == '~')
      token += "~0";
    else if (c == '/')
      token += "~1";
    else
      token += c;
  }
  return token;
}

std::string shown_path(const std::string& path) {
  return path.empty() ? "(root)" : path;
}

void add_line(std::vector<std::string>& lines, const std::string& path, const std::string& expected,
              const std::string& actual) {
  lines.push_back(shown_path(path) + ": " + expected + " → " + actual);
}

void diff_into(const Value& expected, const Value& actual, const std::string& path, std::vector<std::string>& lines);

void diff_objects(const Value& expected, const Value& actual, const std::string& path,
                  std::vector<std::string>& lines) {
  for (const auto& member : expected.GetObject()) {
    const std::string at = path + "/" + pointer_token({member.name.GetString(), member.name.GetStringLength()});
    const auto found = actual.FindMember(member.name);
    if (found == actual.MemberEnd())
      add_line(lines, at, abbreviate_json(member.value), missing);
    else
      diff_into(member.value, found->value, at, lines);
  }
  for (const auto& member : actual.GetObject()) {
    if (expected.HasMember(member.name)) continue;
    const std::string at = path + "/" + pointer_token({member.name.GetString(), member.name.GetStringLength()});
    add_line(lines, at, missing, abbreviate_json(member.value));
  }
}

void diff_arrays(const Value& expected, const Value& actual, const std::string& path, std::vector<std::string>& lines) {
  const rapidjson::SizeType expected_size = expected.Size();
  const rapidjson::SizeType actual_size = actual.Size();
  if (expected_size != actual_size)
    add_line(lines, path, "array of " + std::to_string(expected_size), "array of " + std::to_string(actual_size));
  for (rapidjson::SizeType i = 0; i < expected_size || i < actual_size; ++i) {
    const std::string at = path + "/" + std::to_string(i);
    if (i >= actual_size)
      add_line(lines, at, abbreviate_json(expected[i]), missing);
    else if (i >= expected_size)
      add_line(lines, at, missing, abbreviate_json(actual[i]));
    else
      diff_into(expected[i], actual[i], at, lines);
  }
}

void diff_into(const Value& expected, const Value& actual, const std::string& path, std::vector<std::string>& lines) {
  if (expected.IsObject() && actual.IsObject()) return diff_objects(expected, actual, path, lines);
  if (expected.IsArray() && actual.IsArray()) return diff_arrays(expected, actual, path, lines);
  if (expected == actual) return;
  if (expected.IsString() && actual.IsString()) {
    const auto [e, a] = shown_strings(expected, actual);
    return add_line(lines, path, e, a);
  }
  add_line(lines, path, abbreviate_json(expected), abbreviate_json(actual));
}

}  // namespace

std::vector<std::string> json_diff(const rapidjson::Value& expected, const rapidjson::Value& actual) {
  std::vector<std::string> lines;
  diff_into(expected, actual, "", lines);
  return lines;
}

std::string abbreviate_json(const rapidjson::Value& value, std::size_t max_chars) {
  return shorten(compact(value), 0, max_chars);
}

}  // namespace ivig::test

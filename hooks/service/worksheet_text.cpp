// hooks/service/worksheet_text.cpp: the worksheet's markdown as plain text for the pharmacy record.
// Emphasis markers go; a table becomes columns padded to their widest cell; the escapes that keep
// record text inert in Markdown (fhir/model/markdown_text.hpp) are undone, so the record's words
// read as written; everything else stays.
#include <algorithm>
#include <sstream>
#include <string_view>
#include <utility>
#include <vector>

#include "hooks/service/worksheet.hpp"

namespace ivig::service {
namespace {

/// Characters as a terminal counts them: UTF-8 continuation bytes do not take a column.
std::size_t display_width(std::string_view text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string without_emphasis(std::string_view line) {
  std::string out;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '*' && i + 1 < line.size() && line[i + 1] == '*') {
      ++i;
      continue;
    }
    out += line[i];
  }
  return out;
}

bool is_ascii_punctuation(char c) {
  return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') || (c >= '{' && c <= '~');
}

/// The text a Markdown reader shows for escaped record text: a backslash before punctuation and
/// the entities markdown_text writes (`&lt;`, `&gt;`, `&amp;`) give back the character.
std::string unescaped(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size() && is_ascii_punctuation(text[i + 1])) {
      out += text[++i];
      continue;
    }
    if (text[i] == '&') {
      bool replaced = false;
      for (const auto& [entity, character] : {std::pair{"&lt;", '<'}, std::pair{"&gt;", '>'}, std::pair{"&amp;", '&'}})
        if (text.substr(i).starts_with(entity)) {
          out += character;
          i += std::string_view(entity).size() - 1;
          replaced = true;
          break;
        }
      if (replaced) continue;
    }
    out += text[i];
  }
  return out;
}

/// The next `|` that separates cells: an escaped `\|` is part of a cell's text.
std::size_t next_bar(std::string_view text, std::size_t from) {
  for (std::size_t i = from; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
      continue;
    }
    if (text[i] == '|') return i;
  }
  return std::string_view::npos;
}

std::vector<std::string> cells_of(std::string_view row) {
  std::vector<std::string> cells;
  std::string_view inner = row.substr(1, row.size() >= 2 ? row.size() - 2 : 0);  // drop the outer pipes
  std::size_t start = 0;
  while (start <= inner.size()) {
    const std::size_t bar = next_bar(inner, start);
    std::string_view cell = inner.substr(start, bar == std::string_view::npos ? std::string_view::npos : bar - start);
    while (!cell.empty() && cell.front() == ' ') cell.remove_prefix(1);
    while (!cell.empty() && cell.back() == ' ') cell.remove_suffix(1);
    cells.push_back(unescaped(cell));
    if (bar == std::string_view::npos) break;
    start = bar + 1;
  }
  return cells;
}

bool is_separator(const std::vector<std::string>& cells) {
  return std::all_of(cells.begin(), cells.end(), [](const std::string& c) {
    return !c.empty() && c.find_first_not_of("-:") == std::string::npos;
  });
}

void flush_table(std::vector<std::vector<std::string>>& rows, std::string& out) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows)
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (widths.size() <= i) widths.push_back(0);
      widths[i] = std::max(widths[i], display_width(row[i]));
    }
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - display_width(row[i]) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  rows.clear();
}

}  // namespace

std::string worksheet_text(std::string_view markdown) {
  std::string out;
  std::vector<std::vector<std::string>> table;
  std::istringstream in{std::string(markdown)};
  for (std::string line; std::getline(in, line);) {
    const std::string plain = without_emphasis(line);
    if (plain.size() >= 2 && plain.front() == '|' && plain.back() == '|') {
      std::vector<std::string> cells = cells_of(plain);
      if (!is_separator(cells)) table.push_back(std::move(cells));
      continue;
    }
    if (!table.empty()) flush_table(table, out);
    out += unescaped(plain) + "\n";
  }
  if (!table.empty()) flush_table(table, out);
  return out;
}

}  // namespace ivig::service

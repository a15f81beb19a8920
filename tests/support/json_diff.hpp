// tests/support/json_diff.hpp: the differences between two JSON values, one line each.
//
// A golden-file mismatch is reported as the list of places where the documents differ instead of
// the whole response, so that a one-word change in one card reads as one line:
//
//   /cards/2/summary: "A" → "B"
//   /cards/3: (missing) → {"uuid":"{{uuid-4}}","summary":"…"}
//   /cards/1/suggestions: array of 2 → array of 3
//
// Paths are JSON pointers (RFC 6901: "~" is written "~0" and "/" "~1" in a member name; the
// document itself is "(root)"). The left side is the expected value, the right side the actual one;
// values are compact JSON cut to 120 characters ("…" marks a cut; two long strings are both shown
// from 30 characters before their first difference, so a changed word deep in a card's detail is
// on the line). Object members are matched by name (their order does not matter, as with
// rapidjson's operator==); arrays are compared index by index, and a length change is one line
// followed by the differences of the common elements and the extra ones.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <rapidjson/document.h>

namespace ivig::test {

/// One line per difference, in document order (expected members first, then members only the
/// actual value has). Empty when the values are equal.
std::vector<std::string> json_diff(const rapidjson::Value& expected, const rapidjson::Value& actual);

/// `value` as compact JSON, cut at a UTF-8 boundary to at most `max_chars` code points with "…"
/// at the end when it was longer.
std::string abbreviate_json(const rapidjson::Value& value, std::size_t max_chars = 120);

}  // namespace ivig::test

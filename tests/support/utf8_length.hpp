// tests/support/utf8_length.hpp: the length of UTF-8 text in code points.
//
// CDS Hooks limits a card summary to fewer than 140 characters; "characters" are Unicode code
// points, not bytes ("≥" is one character and three bytes). The scenario fixture and the
// integration response validator both count with this one function.
#pragma once

#include <cstddef>
#include <string_view>

namespace ivig::test {

/// Code points in `text`, counting every byte that does not continue a multi-byte sequence.
/// Assumes valid UTF-8 (the service's JSON writer produces nothing else).
std::size_t utf8_code_points(std::string_view text);

/// The CDS Hooks card summary limit: a summary must be shorter than this many characters.
inline constexpr std::size_t summary_limit = 140;

}  // namespace ivig::test

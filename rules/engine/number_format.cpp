// rules/engine/number_format.cpp: the number styles of the cards (fixed notation only).
#include "rules/engine/number_format.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace ivig::rules {

namespace {

// Above this, fixed notation would print a wall of digits; no value a card compares is that large
// (absurd doses are stopped before any arithmetic), so the card says only that it is huge.
constexpr double largest_printed = 1e12;

/// `value` as printf's "%.*f" writes it: std::to_chars is specified to give the same text (in the
/// "C" locale) without printf's format parsing and arbitrary-precision arithmetic; snprintf remains
/// for anything that would not fit the buffer.
std::string fixed(double value, int decimals) {
  char buffer[64];
  const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, decimals);
  if (error == std::errc{}) return std::string(buffer, end);
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

std::string trimmed_fixed(double value, int decimals) {
  if (!std::isfinite(value)) return "not a number";
  if (std::fabs(value) >= largest_printed) return value > 0 ? "over 1000000000000" : "below -1000000000000";
  std::string text = fixed(value, decimals);
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  if (text == "-0") text = "0";
  return text;
}

/// A value too small for six decimals, exactly and without e-notation: 1e-300 → "1 × 10⁻³⁰⁰" (fixed
/// notation would print "0", or three hundred digits).
std::string power_of_ten(double value) {
  char buffer[64];
  const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  if (error != std::errc{}) return "0";
  const std::string text(buffer, end);
  const auto e = text.find('e');
  static const char* const superscripts[] = {"⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"};
  std::string exponent;
  bool leading = true;  // to_chars writes at least two exponent digits: "2.5e-07" is 10⁻⁷
  for (std::size_t i = e + 1; i < text.size(); ++i) {
    if (text[i] == '-') exponent += "⁻";
    if (text[i] < '0' || text[i] > '9' || (leading && text[i] == '0')) continue;
    leading = false;
    exponent += superscripts[text[i] - '0'];
  }
  return text.substr(0, e) + " × 10" + exponent;
}

}  // namespace

std::string format_trimmed(double value, int decimals) {
  return trimmed_fixed(value, decimals);
}

std::string format_number(double value) {
  if (value != 0 && std::fabs(value) < 5e-7) return power_of_ten(value);
  return trimmed_fixed(value, 6);
}

std::string format_compared(double value, double reference) {
  for (int decimals = 2; decimals < 6; ++decimals) {
    const std::string text = trimmed_fixed(value, decimals);
    if (text != trimmed_fixed(reference, decimals)) return text;
  }
  return trimmed_fixed(value, 6);
}

std::string format_rounded(double value) {
  return trimmed_fixed(value, 2);
}

std::string format_fixed(double value, int decimals) {
  if (!std::isfinite(value) || std::fabs(value) >= largest_printed) return trimmed_fixed(value, decimals);
  return fixed(value, decimals);
}

}  // namespace ivig::rules

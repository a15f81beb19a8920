// rules/engine/number_format.hpp: how numbers are written on cards (one place, so every card agrees).
#pragma once

#include <string>

namespace ivig::rules {

/// Fixed notation, up to six decimals, trailing zeros dropped: 0.5, 35, 2.5, 7.142857, 1000000 —
/// values from the record, written as recorded; never e-notation. A value that six decimals would
/// print as 0 is written as a power of ten: 1e-300 → "1 × 10⁻³⁰⁰".
std::string format_number(double value);
/// Computed values rounded to two decimals, shortest form: 7.14, 0.4, 35.
std::string format_rounded(double value);
/// At most `decimals` decimals, trailing zeros dropped: format_trimmed(82.50, 2) = "82.5".
std::string format_trimmed(double value, int decimals);
/// A fixed number of decimals: format_fixed(82.07, 1) = "82.1".
std::string format_fixed(double value, int decimals);
/// A computed value compared with `reference` on a card: two decimals (trailing zeros dropped), or
/// as many more as it takes for the two to print differently, so that a sentence never says
/// "1 exceeds 1" (1.004 → "1.004"; 1.13 → "1.13").
std::string format_compared(double value, double reference);

}  // namespace ivig::rules

// rules/engine/number_format.hpp: how numbers are written on cards (one place, so every card agrees).
#pragma once

#include <string>

namespace ivig::rules {

/// Shortest form ("%g"): 0.5, 35, 2.5, 7.142857 — values from the record, written as recorded.
std::string format_number(double value);
/// Computed values rounded to two decimals, shortest form: 7.14, 0.4, 35.
std::string format_rounded(double value);
/// A fixed number of decimals: format_fixed(82.07, 1) = "82.1".
std::string format_fixed(double value, int decimals);

}  // namespace ivig::rules

// rules/engine/number_format.cpp: the three number styles of the cards.
#include "rules/engine/number_format.hpp"

#include <cmath>
#include <cstdio>

namespace ivig::rules {

std::string format_number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", value);
  return buffer;
}

std::string format_rounded(double value) {
  return format_number(std::round(value * 100) / 100);
}

std::string format_fixed(double value, int decimals) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

}  // namespace ivig::rules

// rules/engine/vial_rounding.cpp: step, nearest total and a largest-first vial combination.
#include "rules/engine/vial_rounding.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

namespace ivig::rules {
namespace {

std::string number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", value);
  return buffer;
}

}  // namespace

vial_rounding round_to_vials(double grams, const ivig_order& order, double default_step_g) {
  vial_rounding r;
  r.requested_g = grams;
  const product* p = order.identified_product();
  if (p != nullptr && !p->vial_sizes_g.empty()) r.vial_sizes_g = p->vial_sizes_g;
  if (r.vial_sizes_g.empty()) {
    r.step_g = default_step_g;
  } else {
    // Work in tenths of a gram so that 2.5 g and 0.5 g vials have an integer common divisor.
    long step = 0;
    for (double size : r.vial_sizes_g) step = std::gcd(step, std::lround(size * 10));
    r.step_g = static_cast<double>(step) / 10.0;
  }
  r.rounded_g = std::max(r.step_g, std::round(grams / r.step_g) * r.step_g);
  if (!r.vial_sizes_g.empty()) {
    std::vector<double> sizes = r.vial_sizes_g;
    std::sort(sizes.rbegin(), sizes.rend());
    long remaining = std::lround(r.rounded_g * 10);
    for (double size : sizes) {
      const long tenths = std::lround(size * 10);
      const long count = remaining / tenths;
      if (count == 0) continue;
      remaining -= count * tenths;
      r.combination += (r.combination.empty() ? "" : " + ") + std::to_string(count) + " × " + number(size) + " g";
    }
    // Largest-first can strand a remainder (e.g. 2.5 g vials with 1 g ones); say so rather than hide it.
    if (remaining != 0)
      r.combination += " (+ " + number(static_cast<double>(remaining) / 10.0) + " g by another combination)";
  }
  return r;
}

}  // namespace ivig::rules

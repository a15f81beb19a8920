// rules/engine/vial_rounding.cpp: nearest whole-vial total and the fewest vials that make it.
//
// Totals are searched exactly (an unbounded "coin change" over tenths of a gram) rather than by a
// common step: Gammagard Liquid's 1 and 2.5 g vials share a 0.5 g step, yet no vials make 1.5 g.
#include "rules/engine/vial_rounding.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>

#include "rules/engine/number_format.hpp"

namespace ivig::rules {
namespace {

// Beyond this many tenths of a gram (2 kg of IgG) no real dose lies; the search stays bounded.
constexpr long max_tenths = 20000;

}  // namespace

vial_rounding round_to_vials(double grams, const ivig_order& order, double default_step_g) {
  vial_rounding r;
  r.requested_g = grams;
  const product* p = order.identified_product();
  if (p != nullptr && !p->vial_sizes_g.empty()) r.vial_sizes_g = p->vial_sizes_g;
  const long requested = std::lround(grams * 10);
  if (r.vial_sizes_g.empty() || requested > max_tenths) {
    r.step_g = default_step_g;
    r.rounded_g = std::max(r.step_g, std::round(grams / r.step_g) * r.step_g);
    r.covering_g = std::max(r.step_g, std::ceil(grams / r.step_g - 1e-9) * r.step_g);
    return r;
  }
  std::vector<long> sizes;
  for (double size : r.vial_sizes_g) sizes.push_back(std::lround(size * 10));
  std::sort(sizes.rbegin(), sizes.rend());
  long step = 0;
  for (long size : sizes) step = std::gcd(step, size);
  r.step_g = static_cast<double>(step) / 10.0;
  // Vials under 0.05 g round to no tenths at all; they can make nothing, whatever the stride.
  if (step == 0) step = 1;

  // Only multiples of the common step are reachable, so the search runs over them alone: index k
  // stands for k × step tenths (Privigen: 5 g steps, 80 entries for 400 g instead of 4000). The
  // order of the search (sizes largest first, a strictly better count only) is that of a search
  // over every tenth, so the totals and combinations found are the same.
  // fewest[k] = fewest vials that make k steps exactly; last[k] = the vial added last, in tenths.
  const long limit = requested + sizes.front();
  const long steps = limit / step;
  constexpr int unreachable = std::numeric_limits<int>::max();
  std::vector<int> fewest(static_cast<std::size_t>(steps + 1), unreachable);
  std::vector<long> last(static_cast<std::size_t>(steps + 1), 0);
  fewest[0] = 0;
  for (long k = 1; k <= steps; ++k)
    for (long size : sizes) {
      const long size_steps = size / step;
      if (size_steps <= k && fewest[static_cast<std::size_t>(k - size_steps)] != unreachable &&
          fewest[static_cast<std::size_t>(k - size_steps)] + 1 < fewest[static_cast<std::size_t>(k)]) {
        fewest[static_cast<std::size_t>(k)] = fewest[static_cast<std::size_t>(k - size_steps)] + 1;
        last[static_cast<std::size_t>(k)] = size;
      }
    }
  const auto reachable = [&](long t) { return fewest[static_cast<std::size_t>(t / step)] != unreachable; };
  // The nearest reachable total; on a tie the higher one, so that rounding never cuts the dose.
  long best = -1;
  for (long t = step; t <= limit; t += step) {
    if (!reachable(t)) continue;
    if (best < 0 || std::labs(t - requested) < std::labs(best - requested) ||
        (std::labs(t - requested) == std::labs(best - requested) && t > best))
      best = t;
  }
  r.rounded_g = static_cast<double>(best) / 10.0;
  // The first multiple of the step at or above the request (and above zero).
  const long first = std::max(requested, 1L);
  for (long t = (first + step - 1) / step * step; t <= limit; t += step)
    if (reachable(t)) {
      r.covering_g = static_cast<double>(t) / 10.0;
      break;
    }
  std::vector<std::pair<long, int>> counts;  // size -> count, largest first
  for (long t = best; t > 0; t -= last[static_cast<std::size_t>(t / step)]) {
    const long size = last[static_cast<std::size_t>(t / step)];
    auto it = std::find_if(counts.begin(), counts.end(), [&](const auto& c) { return c.first == size; });
    if (it == counts.end())
      counts.emplace_back(size, 1);
    else
      ++it->second;
  }
  std::sort(counts.begin(), counts.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (const auto& [size, count] : counts)
    r.combination += (r.combination.empty() ? "" : " + ") + std::to_string(count) + " × " +
                     format_number(static_cast<double>(size) / 10.0) + " g";
  return r;
}

}  // namespace ivig::rules

// rules/engine/vial_rounding.hpp: rounding a dose to what the product's vials can make.
//
// The achievable totals are multiples of the vial sizes' common step (Privigen 5/10/20/40 g → 5 g;
// Gammagard Liquid 1/2.5/… g → 0.5 g); without known vials the knowledge's default step is used.
#pragma once

#include <string>
#include <vector>

#include "rules/engine/ivig_order.hpp"

namespace ivig::rules {

struct vial_rounding {
  double requested_g = 0;
  double rounded_g = 0;
  double step_g = 0;
  std::vector<double> vial_sizes_g;  ///< empty when the default step was used
  std::string combination;           ///< "2 × 20 g + 1 × 5 g"
  double covering_g = 0;             ///< the smallest whole-vial total that is at least the request
  double change_fraction() const { return requested_g > 0 ? (rounded_g - requested_g) / requested_g : 0; }
};

/// Nearest achievable total to `grams` (never zero), with the vial combination that makes it.
vial_rounding round_to_vials(double grams, const ivig_order& order, double default_step_g);

}  // namespace ivig::rules

// tests/fuzz/fuzz_support.hpp: what several fuzz targets share — the embedded knowledge, loaded
// once per process, and a fixed clock (so that a finding replays identically on any day).
#pragma once

#include <cstdlib>
#include <iostream>
#include <memory>

#include "fhir/model/fhir_time.hpp"
#include "rules/load/knowledge_loader.hpp"

namespace ivig::fuzz {

/// The bundle compiled into the binary; a target without it would fuzz nothing, so it aborts.
inline const std::shared_ptr<const rules::knowledge>& embedded_knowledge() {
  static const std::shared_ptr<const rules::knowledge> kb = [] {
    rules::load_result loaded = rules::load_embedded_knowledge();
    if (!loaded) {
      std::cerr << "the embedded knowledge does not load: " << loaded.error() << "\n";
      std::abort();
    }
    return *loaded;
  }();
  return kb;
}

/// The scenario tests' "now" (tests/support/test_support.cpp scenario_now).
inline fhir::time_point fixed_now() {
  return fhir::parse_fhir_time("2026-11-22T12:00:00Z")->at;
}

}  // namespace ivig::fuzz

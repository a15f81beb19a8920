// hooks/app/options.hpp: the service's configuration — command-line flags and a config file.
//
// Every setting is a flag; `--config FILE` reads the same names from an INI/TOML file (flags given
// on the command line win). Constraints sit beside each option and are checked before any port is
// opened; `--check-config` loads everything, cross-checks it and exits. docs/configuration.md
// lists every option.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "hooks/server/server_config.hpp"

namespace ivig::app {

struct options {
  server::server_config server;
  std::size_t json_max_depth = 64;
  std::string knowledge_dir;  ///< empty: the bundle embedded in the binary
  std::string audit_path = "ivig-audit.sqlite3";
  bool check_config = false;
};

struct parse_outcome {
  std::optional<options> parsed;  ///< empty when the program should exit
  int exit_code = 0;
};

/// Parses argv (and the config file it names). Prints help, version or errors itself.
parse_outcome parse_options(int argc, char** argv);

}  // namespace ivig::app

// rules/load/knowledge_loader.hpp: reading and cross-checking the knowledge bundle at start-up.
//
// Loads the JSON files of rules/knowledge (from a folder, or the copy embedded in the binary),
// rejects anything doubtful with a message that names the file, the entry and the problem (unknown
// key, unknown value set, a rule without a source, a unit the implementation does not expect, an
// active rule without an implementation), and builds the indexes the engine uses per request.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fhir/model/result.hpp"
#include "rules/engine/knowledge.hpp"

namespace ivig::rules {

/// One knowledge file: its name (e.g. "rules.json") and its text.
struct knowledge_file {
  std::string name;
  std::string text;
};

/// The loaded bundle (never null), or the one message that names the file, the entry and the
/// problem: "rules.json: rules[3] (R4): unknown value set 'vs-x'". The strict reader inside throws
/// knowledge_error; it never leaves these functions, which catch it and return it as the error.
using load_result = result<std::shared_ptr<const knowledge>, std::string>;

/// What the site's configuration adds to the bundle at start-up, before anything is indexed or bound:
/// local codes for the value sets that name a `siteCodesOption` (option name -> "system|code" values,
/// e.g. "anti-iga-test-code" -> {"http://lab.example.org/codes|AIGA"}). The knowledge stays immutable
/// after the load.
struct load_options {
  std::map<std::string, std::vector<std::string>, std::less<>> site_codes;
};

/// The files a bundle consists of, in load order.
const std::vector<std::string_view>& knowledge_file_names();

[[nodiscard]] load_result load_knowledge(const std::vector<knowledge_file>& files, const load_options& options = {});
[[nodiscard]] load_result load_knowledge_dir(const std::filesystem::path& folder, const load_options& options = {});
/// The bundle embedded at build time (rules/knowledge as it was when the binary was built).
[[nodiscard]] load_result load_embedded_knowledge(const load_options& options = {});

}  // namespace ivig::rules

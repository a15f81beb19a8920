// rules/load/parsed_knowledge.hpp: loading a bundle whose files are already parsed. load_knowledge
// parses the texts and calls this; the knowledge loader's fuzz target parses the unchanged files once
// and each input alone (tests/fuzz/fuzz_knowledge.cpp), so that an execution costs its own file, not
// the whole bundle's JSON.
#pragma once

#include <map>
#include <string>

#include <rapidjson/document.h>

#include "rules/load/knowledge_loader.hpp"

namespace ivig::rules {

/// Each file of knowledge_file_names() by name, parsed. The documents must outlive the call (the
/// knowledge it returns copies what it keeps).
using parsed_knowledge_files = std::map<std::string, const rapidjson::Document*, std::less<>>;

/// The loaded bundle, or the message naming the file, entry and problem (load_knowledge's contract);
/// a file missing from `docs` is "<name>: missing from the knowledge bundle".
[[nodiscard]] load_result load_parsed_knowledge(const parsed_knowledge_files& docs, const load_options& options = {});

}  // namespace ivig::rules

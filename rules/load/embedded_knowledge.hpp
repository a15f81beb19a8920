// rules/load/embedded_knowledge.hpp: the knowledge files compiled into the binary.
//
// Generated at build time by embed_knowledge.cmake from rules/knowledge/*.json, so that the
// service starts with no files beside it; a site overrides it with --knowledge-dir.
#pragma once

#include <string_view>
#include <utility>
#include <vector>

namespace ivig::rules {

/// (file name, contents) for each embedded knowledge file.
const std::vector<std::pair<std::string_view, std::string_view>>& embedded_knowledge_files();

}  // namespace ivig::rules

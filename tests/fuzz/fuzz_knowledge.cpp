// tests/fuzz/fuzz_knowledge.cpp: the knowledge loader — one file of the embedded bundle replaced by
// the input, the others as embedded; the first byte picks which file, by its index in load order
// (knowledge_file_names()). The loader must reject a bad file with its message (load_result's
// error), never crash or throw.
//
// The unchanged files are parsed once, at the first input, and only the input is parsed per
// execution (load_parsed_knowledge): parsing the whole bundle's 470 KB of JSON each time held the
// target to about 150 executions a second. An input that is not JSON goes through load_knowledge
// alone, which reports its parse error (line and reason) before it looks for the other files.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "rules/load/embedded_knowledge.hpp"
#include "rules/load/knowledge_loader.hpp"
#include "rules/load/parsed_knowledge.hpp"

namespace {

/// The embedded bundle, parsed once.
const std::map<std::string, rapidjson::Document, std::less<>>& embedded_documents() {
  static const std::map<std::string, rapidjson::Document, std::less<>> documents = [] {
    std::map<std::string, rapidjson::Document, std::less<>> parsed;
    for (const auto& [name, text] : ivig::rules::embedded_knowledge_files())
      parsed[std::string(name)].Parse<rapidjson::kParseIterativeFlag>(text.data(), text.size());
    return parsed;
  }();
  return documents;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ivig::rules;
  const auto& names = knowledge_file_names();
  if (size == 0) return 0;
  const std::string replaced(names[data[0] % names.size()]);
  const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);

  rapidjson::Document input;
  input.Parse<rapidjson::kParseIterativeFlag>(text.data(), text.size());
  if (input.HasParseError()) {
    (void)load_knowledge({{replaced, text}});
    return 0;
  }
  parsed_knowledge_files files;
  for (const auto& [name, doc] : embedded_documents()) files.emplace(name, name == replaced ? &input : &doc);
  (void)load_parsed_knowledge(files);
  return 0;
}

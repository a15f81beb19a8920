// tests/fuzz/fuzz_knowledge.cpp: the knowledge loader — one file of the embedded bundle replaced by
// the input, the others as embedded; the first byte picks which file, by its index in load order
// (knowledge_file_names()). The loader must reject a bad file with its message (load_result's
// error), never crash or throw.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "rules/load/embedded_knowledge.hpp"
#include "rules/load/knowledge_loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ivig::rules;
  const auto& names = knowledge_file_names();
  if (size == 0) return 0;
  const std::string_view replaced = names[data[0] % names.size()];
  std::vector<knowledge_file> files;
  for (const auto& [name, text] : embedded_knowledge_files())
    files.push_back({std::string(name), name == replaced
                                            ? std::string(reinterpret_cast<const char*>(data + 1), size - 1)
                                            : std::string(text)});
  (void)load_knowledge(files);
  return 0;
}

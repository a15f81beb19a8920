// tests/fuzz/fuzz_knowledge.cpp: the knowledge loader, with one part of the embedded bundle replaced
// by the input and the rest as embedded. The loader must reject a bad part with its message
// (load_result's error), never crash or throw.
//
// First byte: bits 0-2 pick the file, by its index in load order (knowledge_file_names()); bit 3
// picks the mode.
// - Whole file (bit 3 clear): the rest of the input is the file's text.
// - One entry (bit 3 set): the second byte picks a top-level member of that file and, when the
//   member is an array or an object, the third byte picks one of its elements; the rest of the input
//   is the JSON that replaces it. This is how the fuzzer reaches deep into the large files
//   (value-sets.json is 200 KB) at the cost of one entry's text per execution instead of the file's:
//   mutating a whole 200 KB file held the target to about 300 executions a second.
//
// The embedded files are parsed once, at the first input. An entry is swapped into the parsed
// document (rapidjson's O(1) Swap) for the call and swapped back after it. Input that is not JSON
// goes, in whole-file mode, through load_knowledge, which reports its parse error (line and reason);
// in entry mode it is skipped (the reader never sees unparsed text).
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include <rapidjson/document.h>

#include "rules/load/embedded_knowledge.hpp"
#include "rules/load/knowledge_loader.hpp"
#include "rules/load/parsed_knowledge.hpp"

namespace {

using document_map = std::map<std::string, rapidjson::Document, std::less<>>;

/// The embedded bundle, parsed once. Entry mode changes one value for the length of a call.
document_map& embedded_documents() {
  static document_map documents = [] {
    document_map parsed;
    for (const auto& [name, text] : ivig::rules::embedded_knowledge_files())
      parsed[std::string(name)].Parse<rapidjson::kParseIterativeFlag>(text.data(), text.size());
    return parsed;
  }();
  return documents;
}

/// The bundle as the loader takes it; `replaced` (when given) names the file `input` stands for.
ivig::rules::parsed_knowledge_files bundle_of(const document_map& docs, const std::string* replaced = nullptr,
                                              const rapidjson::Document* input = nullptr) {
  ivig::rules::parsed_knowledge_files files;
  for (const auto& [name, doc] : docs) files.emplace(name, replaced != nullptr && name == *replaced ? input : &doc);
  return files;
}

/// The value of `doc` that the two selector bytes name: a top-level member, or one element of it.
rapidjson::Value* selected_value(rapidjson::Document& doc, std::uint8_t member_byte, std::uint8_t element_byte) {
  if (!doc.IsObject() || doc.MemberCount() == 0) return nullptr;
  rapidjson::Value& member = (doc.MemberBegin() + member_byte % doc.MemberCount())->value;
  if (member.IsArray() && !member.Empty()) return &member[element_byte % member.Size()];
  if (member.IsObject() && member.MemberCount() > 0)
    return &(member.MemberBegin() + element_byte % member.MemberCount())->value;
  return &member;
}

/// Swaps a value into the embedded document and back out when it goes out of scope.
class swapped_in {
 public:
  swapped_in(rapidjson::Value& slot, rapidjson::Value& replacement) : slot_(slot), replacement_(replacement) {
    slot_.Swap(replacement_);
  }
  ~swapped_in() { slot_.Swap(replacement_); }
  swapped_in(const swapped_in&) = delete;
  swapped_in& operator=(const swapped_in&) = delete;

 private:
  rapidjson::Value& slot_;
  rapidjson::Value& replacement_;
};

void fuzz_whole_file(const std::string& replaced, const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  rapidjson::Document input;
  input.Parse<rapidjson::kParseIterativeFlag>(text.data(), text.size());
  if (input.HasParseError()) {
    (void)ivig::rules::load_knowledge({{replaced, text}});
    return;
  }
  (void)ivig::rules::load_parsed_knowledge(bundle_of(embedded_documents(), &replaced, &input));
}

void fuzz_one_entry(const std::string& replaced, const std::uint8_t* data, std::size_t size) {
  if (size < 2) return;
  rapidjson::Document input;
  input.Parse<rapidjson::kParseIterativeFlag>(reinterpret_cast<const char*>(data + 2), size - 2);
  if (input.HasParseError()) return;
  document_map& docs = embedded_documents();
  rapidjson::Value* slot = selected_value(docs.find(replaced)->second, data[0], data[1]);
  if (slot == nullptr) return;
  const swapped_in swap(*slot, input);
  (void)ivig::rules::load_parsed_knowledge(bundle_of(docs));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto& names = ivig::rules::knowledge_file_names();
  if (size == 0) return 0;
  const std::string replaced(names[data[0] % 8 % names.size()]);
  if ((data[0] & 8) != 0)
    fuzz_one_entry(replaced, data + 1, size - 1);
  else
    fuzz_whole_file(replaced, data + 1, size - 1);
  return 0;
}

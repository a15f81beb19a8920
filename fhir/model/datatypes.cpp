// fhir/model/datatypes.cpp: lenient readers for Coding, CodeableConcept, Quantity and Reference.
#include "fhir/model/datatypes.hpp"

namespace ivig::fhir {

std::string_view codeable_concept::label() const {
  if (!text.empty()) return text;
  for (const coding& c : codings)
    if (!c.display.empty()) return c.display;
  for (const coding& c : codings)
    if (!c.code.empty()) return c.code;
  return {};
}

namespace {

void read_into(const json_value& object, codeable_concept& out) {
  if (!object.IsObject()) return;
  for_each_element(member(object, "coding"), [&](const json_value& c) {
    coding read{string_member(c, "system"), string_member(c, "code"), string_member(c, "display")};
    if (!read.code.empty() || !read.display.empty()) out.codings.push_back(read);
  });
  // A bare Coding where a CodeableConcept belongs (seen in hand-written requests).
  if (member(object, "coding") == nullptr && member(object, "code") != nullptr) {
    out.codings.push_back(
        {string_member(object, "system"), string_member(object, "code"), string_member(object, "display")});
  }
  if (out.text.empty()) out.text = string_member(object, "text");
}

}  // namespace

codeable_concept read_codeable_concept(const json_value* value) {
  codeable_concept out;
  for_each_element(value, [&](const json_value& element) { read_into(element, out); });
  return out;
}

void read_codeable_concepts(const json_value* value, std::vector<codeable_concept>& out) {
  for_each_element(value, [&](const json_value& element) {
    codeable_concept concept_read;
    read_into(element, concept_read);
    if (!concept_read.empty()) out.push_back(std::move(concept_read));
  });
}

std::optional<quantity> read_quantity(const json_value* value) {
  if (value == nullptr || !value->IsObject()) return std::nullopt;
  const std::optional<double> number = number_member(value, "value");
  if (!number) return std::nullopt;
  quantity q;
  q.value = *number;
  q.comparator = string_member(value, "comparator");
  q.unit = string_member(value, "unit");
  q.system = string_member(value, "system");
  q.code = string_member(value, "code");
  return q;
}

std::string_view read_reference(const json_value* value) {
  return string_member(value, "reference");
}

bool is_fhir_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (const char c : id)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'))
      return false;
  return true;
}

std::optional<reference_parts> split_reference(std::string_view reference) {
  if (reference.empty() || reference.front() == '#') return std::nullopt;
  if (const auto history = reference.find("/_history/"); history != std::string_view::npos)
    reference = reference.substr(0, history);
  const auto last_slash = reference.rfind('/');
  if (last_slash == std::string_view::npos || last_slash == 0 || last_slash + 1 == reference.size())
    return std::nullopt;
  const std::string_view id = reference.substr(last_slash + 1);
  const std::string_view before = reference.substr(0, last_slash);
  const auto type_slash = before.rfind('/');
  const std::string_view type = type_slash == std::string_view::npos ? before : before.substr(type_slash + 1);
  if (type.empty()) return std::nullopt;
  return reference_parts{type, id};
}

}  // namespace ivig::fhir

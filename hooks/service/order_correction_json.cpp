// hooks/service/order_correction_json.cpp: editing a copy of the order's JSON.
#include "hooks/service/order_correction_json.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace ivig::service {
namespace {

using allocator = rapidjson::Document::AllocatorType;

constexpr const char* dose_rate_type = "http://terminology.hl7.org/CodeSystem/dose-rate-type";
constexpr const char* ucum = "http://unitsofmeasure.org";

rapidjson::Value quantity(double value, const char* unit, const char* code, allocator& a) {
  rapidjson::Value q(rapidjson::kObjectType);
  q.AddMember("value", value, a);
  q.AddMember("unit", rapidjson::StringRef(unit), a);
  q.AddMember("system", rapidjson::StringRef(ucum), a);
  q.AddMember("code", rapidjson::StringRef(code), a);
  return q;
}

rapidjson::Value typed_entry(const char* code, const char* display, allocator& a) {
  rapidjson::Value coding(rapidjson::kObjectType);
  coding.AddMember("system", rapidjson::StringRef(dose_rate_type), a);
  coding.AddMember("code", rapidjson::StringRef(code), a);
  coding.AddMember("display", rapidjson::StringRef(display), a);
  rapidjson::Value codings(rapidjson::kArrayType);
  codings.PushBack(coding, a);
  rapidjson::Value type(rapidjson::kObjectType);
  type.AddMember("coding", codings, a);
  rapidjson::Value entry(rapidjson::kObjectType);
  entry.AddMember("type", type, a);
  return entry;
}

void remove_rates(rapidjson::Value& object) {
  for (const char* key : {"rateQuantity", "rateRatio", "rateRange"}) object.RemoveMember(key);
}

}  // namespace

std::string corrected_order_json(const fhir::json_value& order, const rules::order_correction& correction) {
  rapidjson::Document copy;
  copy.CopyFrom(order, copy.GetAllocator());
  allocator& a = copy.GetAllocator();
  // One dosage instruction to edit; a single object (a known client defect) becomes an array.
  if (!copy.HasMember("dosageInstruction"))
    copy.AddMember("dosageInstruction", rapidjson::Value(rapidjson::kArrayType), a);
  rapidjson::Value& dosages = copy["dosageInstruction"];
  if (dosages.IsObject()) {
    rapidjson::Value single(dosages, a);
    dosages.SetArray();
    dosages.PushBack(single, a);
  }
  if (!dosages.IsArray()) dosages.SetArray();
  if (dosages.Empty()) dosages.PushBack(rapidjson::Value(rapidjson::kObjectType), a);
  rapidjson::Value& dosage = dosages[0];
  if (!dosage.IsObject()) dosage.SetObject();

  if (correction.grams) {
    // The dose is rewritten whole: STU3-style quantities on the dosage itself would contradict it.
    dosage.RemoveMember("doseQuantity");
    dosage.RemoveMember("doseRange");
    rapidjson::Value entries(rapidjson::kArrayType);
    if (correction.g_per_kg) {
      rapidjson::Value ordered = typed_entry("ordered", "Ordered", a);
      ordered.AddMember("doseQuantity", quantity(*correction.g_per_kg, "g/kg", "g/kg", a), a);
      entries.PushBack(ordered, a);
    }
    rapidjson::Value calculated = typed_entry("calculated", "Calculated", a);
    calculated.AddMember("doseQuantity", quantity(*correction.grams, "g", "g", a), a);
    entries.PushBack(calculated, a);
    // Keep the rate the clinician ordered, on the first entry.
    if (dosage.HasMember("doseAndRate")) {
      rapidjson::Value& old_entries = dosage["doseAndRate"];
      const rapidjson::Value* with_rate = nullptr;
      if (old_entries.IsArray()) {
        for (auto& e : old_entries.GetArray())
          if (e.IsObject() && (e.HasMember("rateQuantity") || e.HasMember("rateRatio") || e.HasMember("rateRange"))) {
            with_rate = &e;
            break;
          }
      } else if (old_entries.IsObject()) {
        with_rate = &old_entries;
      }
      if (with_rate != nullptr)
        for (const char* key : {"rateQuantity", "rateRatio", "rateRange"})
          if (with_rate->HasMember(key))
            entries[0].AddMember(rapidjson::StringRef(key), rapidjson::Value((*with_rate)[key], a), a);
      dosage.RemoveMember("doseAndRate");
    }
    dosage.AddMember("doseAndRate", entries, a);
  }
  if (correction.max_rate_mg_per_kg_min) {
    remove_rates(dosage);
    if (!dosage.HasMember("doseAndRate")) dosage.AddMember("doseAndRate", rapidjson::Value(rapidjson::kArrayType), a);
    rapidjson::Value& entries = dosage["doseAndRate"];
    if (entries.IsObject()) {
      rapidjson::Value single(entries, a);
      entries.SetArray();
      entries.PushBack(single, a);
    }
    if (entries.Empty()) entries.PushBack(rapidjson::Value(rapidjson::kObjectType), a);
    for (auto& e : entries.GetArray())
      if (e.IsObject()) remove_rates(e);
    auto rate = [&](const std::optional<double>& ml_per_hour, double mg_per_kg_min) {
      return ml_per_hour ? quantity(*ml_per_hour, "mL/h", "mL/h", a)
                         : quantity(mg_per_kg_min, "mg/kg/min", "mg/(kg.min)", a);
    };
    rapidjson::Value high = rate(correction.max_rate_ml_per_hour, *correction.max_rate_mg_per_kg_min);
    if (correction.min_rate_mg_per_kg_min) {
      // A titration from the start rate up to the cap: the start stays, only the top is capped.
      rapidjson::Value range(rapidjson::kObjectType);
      range.AddMember("low", rate(correction.min_rate_ml_per_hour, *correction.min_rate_mg_per_kg_min), a);
      range.AddMember("high", high, a);
      entries[0].AddMember("rateRange", range, a);
    } else {
      entries[0].AddMember("rateQuantity", high, a);
    }
  }
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> w(out);
  copy.Accept(w);
  return std::string(out.GetString(), out.GetSize());
}

}  // namespace ivig::service

// hooks/service/lab_order_json.cpp: the ServiceRequest of a one-click laboratory order.
#include "hooks/service/lab_order_json.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace ivig::service {

std::string lab_order_json(const rules::lab_order& lab, std::string_view patient_reference, std::string_view reason) {
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> w(out);
  auto string = [&](std::string_view text) { w.String(text.data(), static_cast<rapidjson::SizeType>(text.size())); };
  w.StartObject();
  w.Key("resourceType");
  string("ServiceRequest");
  w.Key("status");
  string("draft");
  w.Key("intent");
  string("order");
  w.Key("code");
  w.StartObject();
  w.Key("coding");
  w.StartArray();
  w.StartObject();
  w.Key("system");
  string(lab.system);
  w.Key("code");
  string(lab.code);
  if (!lab.display.empty()) {
    w.Key("display");
    string(lab.display);
  }
  w.EndObject();
  w.EndArray();
  w.Key("text");
  string(lab.display.empty() ? lab.code : lab.display);
  w.EndObject();
  if (!patient_reference.empty()) {
    w.Key("subject");
    w.StartObject();
    w.Key("reference");
    string(patient_reference);
    w.EndObject();
  }
  if (lab.to) {
    w.Key("occurrencePeriod");
    w.StartObject();
    w.Key("start");
    string(fhir::format_instant(lab.from));
    w.Key("end");
    string(fhir::format_instant(*lab.to));
    w.EndObject();
  } else {
    w.Key("occurrenceDateTime");
    string(fhir::format_instant(lab.from));
  }
  if (!reason.empty()) {
    w.Key("note");
    w.StartArray();
    w.StartObject();
    w.Key("text");
    string(reason);
    w.EndObject();
    w.EndArray();
  }
  w.EndObject();
  return std::string(out.GetString(), out.GetSize());
}

}  // namespace ivig::service

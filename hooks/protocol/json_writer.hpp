// hooks/protocol/json_writer.hpp: the RapidJSON writer of the service's responses, with a faster
// string escaper.
//
// A response is mostly card text (summaries, markdown details): RapidJSON's own escaper moves it
// through a stream one character at a time. This writer escapes the same characters the same way
// (control characters, '"' and '\\'; "\u00XX" in upper-case hex where no short form exists) and
// copies the runs between them whole, so its output is byte for byte RapidJSON's.
#pragma once

#include <cstring>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace ivig::protocol {

class json_writer : public rapidjson::Writer<rapidjson::StringBuffer> {
 public:
  explicit json_writer(rapidjson::StringBuffer& out) : Writer(out) {}

  // These hide Writer's own String and Key so that every string written goes through the escaper.
  bool String(const char* text, rapidjson::SizeType length, bool copy = false) {
    static_cast<void>(copy);
    Prefix(rapidjson::kStringType);
    return EndValue(write_escaped(text, length));
  }
  bool Key(const char* text, rapidjson::SizeType length, bool copy = false) { return String(text, length, copy); }
  bool Key(const char* text) { return String(text, static_cast<rapidjson::SizeType>(std::strlen(text))); }

 private:
  bool write_escaped(const char* text, std::size_t length);
};

}  // namespace ivig::protocol

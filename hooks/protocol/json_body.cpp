// hooks/protocol/json_body.cpp: depth-limited, iterative, in-situ JSON parsing of request bodies.
#include "hooks/protocol/json_body.hpp"

#include <cstdint>
#include <cstring>
#include <string>

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

namespace ivig::protocol {
namespace {

/// Builds the document as RapidJSON's own parse would, and stops the parse (kParseErrorTermination)
/// at the first object or array nested deeper than the limit.
class depth_limited_handler {
 public:
  depth_limited_handler(rapidjson::Document& document, std::size_t limit) : document_(document), limit_(limit) {}

  bool too_deep() const { return too_deep_; }
  bool lone_surrogate() const { return lone_surrogate_; }

  bool Null() { return document_.Null(); }
  bool Bool(bool b) { return document_.Bool(b); }
  bool Int(int i) { return document_.Int(i); }
  bool Uint(unsigned i) { return document_.Uint(i); }
  bool Int64(std::int64_t i) { return document_.Int64(i); }
  bool Uint64(std::uint64_t i) { return document_.Uint64(i); }
  bool Double(double d) { return document_.Double(d); }
  bool RawNumber(const char* s, rapidjson::SizeType length, bool copy) { return document_.RawNumber(s, length, copy); }
  bool String(const char* s, rapidjson::SizeType length, bool copy) {
    return utf8(s, length) && document_.String(s, length, copy);
  }
  bool Key(const char* s, rapidjson::SizeType length, bool copy) {
    return utf8(s, length) && document_.Key(s, length, copy);
  }
  bool StartObject() { return enter() && document_.StartObject(); }
  bool EndObject(rapidjson::SizeType members) {
    --depth_;
    return document_.EndObject(members);
  }
  bool StartArray() { return enter() && document_.StartArray(); }
  bool EndArray(rapidjson::SizeType elements) {
    --depth_;
    return document_.EndArray(elements);
  }

 private:
  /// RapidJSON validates the body's bytes, but decodes a lone low surrogate escape ("\uDC00") into
  /// the bytes of a surrogate (ED B0 80), which are not UTF-8: the only way one gets here.
  bool utf8(const char* s, rapidjson::SizeType length) {
    for (rapidjson::SizeType i = 0; i + 1 < length; ++i)
      if (static_cast<unsigned char>(s[i]) == 0xED && static_cast<unsigned char>(s[i + 1]) >= 0xA0) {
        lone_surrogate_ = true;
        return false;
      }
    return true;
  }

  bool enter() {
    if (++depth_ <= limit_) return true;
    too_deep_ = true;
    return false;
  }

  rapidjson::Document& document_;
  std::size_t limit_;
  std::size_t depth_ = 0;
  bool too_deep_ = false;
  bool lone_surrogate_ = false;
};

request_error too_deep(std::size_t max_depth) {
  return {error_code::json_too_deep,
          "The body nests objects or arrays more than " + std::to_string(max_depth) + " levels deep."};
}

}  // namespace

std::size_t json_nesting_depth(std::string_view body, std::size_t limit) {
  std::size_t depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (const char c : body) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '{':
      case '[':
        if (++depth > deepest) {
          deepest = depth;
          if (deepest > limit) return deepest;
        }
        break;
      case '}':
      case ']':
        if (depth > 0) --depth;
        break;
      default:
        break;
    }
  }
  return deepest;
}

result<json_body, request_error> parse_json_body(std::string_view body, std::size_t max_depth) {
  json_body parsed_body;
  // In situ needs a terminated, writable copy; the terminator reads as the end of input exactly as
  // the end of a length-bounded stream does. RapidJSON's UTF-8 validation reads every continuation
  // byte a lead byte announces before judging the sequence, terminator or not: a body ending in a
  // 4-byte lead (F0) makes it read 3 bytes past the end. Those are NULs here, which it then refuses
  // (found by tests/fuzz/fuzz_cds_request; a heap read past the copy before).
  constexpr std::size_t terminator_and_tail = 4;
  parsed_body.text_ = std::make_unique_for_overwrite<char[]>(body.size() + terminator_and_tail);
  std::memcpy(parsed_body.text_.get(), body.data(), body.size());
  std::memset(parsed_body.text_.get() + body.size(), 0, terminator_and_tail);
  rapidjson::Document& doc = parsed_body.document_;
  rapidjson::InsituStringStream stream(parsed_body.text_.get());
  // Skips a UTF-8 byte order mark byte by byte, as RapidJSON's Parse(text, length) does; offsets
  // in errors still count from the first byte of the body.
  for (const unsigned char mark : {0xEFu, 0xBBu, 0xBFu})
    if (static_cast<unsigned char>(stream.Peek()) == mark) stream.Take();

  depth_limited_handler handler(doc, max_depth);
  rapidjson::ParseResult parsed;
  auto build = [&](rapidjson::Document&) {  // the handler already holds the document
    rapidjson::Reader reader;
    // The body must be UTF-8 (RFC 8259): an overlong form, a lone continuation byte, a truncated
    // sequence or an encoded surrogate is refused here, and never reaches a card, the audit log or
    // an error message (security review 2026-11, M2).
    parsed = reader.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseInsituFlag |
                          rapidjson::kParseValidateEncodingFlag>(stream, handler);
    return !parsed.IsError();
  };
  doc.Populate(build);
  if (handler.too_deep()) return failure(too_deep(max_depth));
  // The parse stopped short of the end (malformed, or a NUL byte, which ends the input): a body that
  // nests too deep anywhere, even past that point, is answered as too deep, as it was when depth
  // was checked by a scan of the whole body before parsing.
  if ((parsed.IsError() || stream.Tell() < body.size()) && json_nesting_depth(body, max_depth) > max_depth)
    return failure(too_deep(max_depth));
  if (handler.lone_surrogate()) {
    return failure(request_error{error_code::json_malformed, "The body is not valid UTF-8: the string before byte " +
                                                                 std::to_string(parsed.Offset()) +
                                                                 " holds a lone surrogate escape (\\uDC00-\\uDFFF)."});
  }
  if (parsed.IsError() && parsed.Code() == rapidjson::kParseErrorStringInvalidEncoding) {
    return failure(request_error{error_code::json_malformed, "The body is not valid UTF-8: the byte sequence at byte " +
                                                                 std::to_string(parsed.Offset()) +
                                                                 " is not a UTF-8 character."});
  }
  if (parsed.IsError()) {
    return failure(request_error{error_code::json_malformed, std::string("Invalid JSON at byte ") +
                                                                 std::to_string(parsed.Offset()) + ": " +
                                                                 rapidjson::GetParseError_En(parsed.Code())});
  }
  if (!doc.IsObject()) return failure(request_error{error_code::json_malformed, "The body must be a JSON object."});
  return parsed_body;
}

}  // namespace ivig::protocol

// rules/load/json_reader.hpp: strict reading of one JSON object of the knowledge bundle.
//
// Every accessor records the key it read; finish() then rejects any key nobody read, so a misspelt
// key in clinical data ("evidense") fails the load instead of being ignored. What was read is kept as
// one flag per member of the object (not a set of key strings): the loader reads every entry of the
// bundle this way, and a string per key read made allocation most of a load's cost. Errors are thrown as
// knowledge_error with the full path ("products.json: products[4] (privigen).iga.unit").
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

namespace ivig::rules {

struct knowledge_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class json_object_reader {
 public:
  json_object_reader(const rapidjson::Value& value, std::string path);

  const std::string& path() const { return path_; }
  bool has(std::string_view key) const;

  std::string required_string(std::string_view key);
  std::string optional_string(std::string_view key);
  double required_number(std::string_view key);
  std::optional<double> optional_number(std::string_view key);
  bool optional_bool(std::string_view key, bool fallback);
  const rapidjson::Value& required_array(std::string_view key);
  const rapidjson::Value* optional_array(std::string_view key);
  const rapidjson::Value& required_object(std::string_view key);
  const rapidjson::Value* optional_object(std::string_view key);
  std::vector<std::string> string_array(std::string_view key, bool required);
  /// Marks a key as read without reading it (its value is handled elsewhere).
  void accept(std::string_view key);

  /// Throws when the object has a key no accessor read.
  void finish() const;
  [[noreturn]] void fail(std::string_view key, std::string_view problem) const;

 private:
  const rapidjson::Value* find(std::string_view key);
  const rapidjson::Value& value_;
  std::string path_;
  std::vector<bool> read_;  // by member index
};

}  // namespace ivig::rules

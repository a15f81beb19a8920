// hooks/service/replay_input_codec.cpp: deflate + base64 of a replay input, and back (zlib, OpenSSL's
// base64 codec).
#include "hooks/service/replay_input_codec.hpp"

#include <openssl/evp.h>
#include <zlib.h>

#include <algorithm>
#include <string>
#include <vector>

namespace ivig::service {

namespace {

std::string base64(const unsigned char* bytes, std::size_t size) {
  std::string out(4 * ((size + 2) / 3), '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes, static_cast<int>(size));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

result<std::vector<unsigned char>, std::string> from_base64(std::string_view text) {
  if (text.size() % 4 != 0) return failure(std::string("its base64 is not a whole number of groups"));
  // EVP_DecodeBlock would skip surrounding whitespace; a stored input never has any.
  const bool base64_alphabet = std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' ||
           c == '=';
  });
  if (!base64_alphabet) return failure(std::string("it is not base64"));
  std::vector<unsigned char> bytes(3 * (text.size() / 4));
  const int decoded =
      EVP_DecodeBlock(bytes.data(), reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (decoded < 0) return failure(std::string("it is not base64"));
  // EVP_DecodeBlock counts the padding's zero bytes too.
  const std::size_t padding = text.ends_with("==") ? 2 : text.ends_with("=") ? 1 : 0;
  bytes.resize(static_cast<std::size_t>(decoded) - padding);
  return bytes;
}

}  // namespace

std::string pack_replay_input(std::string_view json) {
  uLongf size = compressBound(static_cast<uLong>(json.size()));
  std::vector<unsigned char> deflated(size);
  // Z_BEST_SPEED: on FHIR JSON it shrinks nearly as much as the default level, in about half the time,
  // and this runs on the worker thread of every call.
  if (compress2(deflated.data(), &size, reinterpret_cast<const Bytef*>(json.data()), static_cast<uLong>(json.size()),
                Z_BEST_SPEED) != Z_OK)
    return std::string(json);  // only out of memory; the plain text is as good a record
  return std::string(packed_replay_input_prefix) + base64(deflated.data(), size);
}

result<std::string, std::string> unpack_replay_input(std::string_view stored, std::size_t max_bytes) {
  if (!stored.starts_with(packed_replay_input_prefix)) return std::string(stored);
  auto deflated = from_base64(stored.substr(packed_replay_input_prefix.size()));
  if (!deflated) return failure(std::move(deflated).error());
  z_stream stream{};
  if (inflateInit(&stream) != Z_OK) return failure(std::string("zlib could not start"));
  stream.next_in = deflated->data();
  stream.avail_in = static_cast<uInt>(deflated->size());
  std::string json;
  int status = Z_OK;
  while (status == Z_OK) {
    const std::size_t chunk = std::min<std::size_t>(std::size_t{1} << 20, max_bytes + 1 - json.size());
    const std::size_t before = json.size();
    json.resize(before + chunk);
    stream.next_out = reinterpret_cast<Bytef*>(json.data() + before);
    stream.avail_out = static_cast<uInt>(chunk);
    status = inflate(&stream, Z_NO_FLUSH);
    json.resize(before + (chunk - stream.avail_out));
    if (json.size() > max_bytes) {
      inflateEnd(&stream);
      return failure("it inflates past " + std::to_string(max_bytes) + " bytes");
    }
    if (status == Z_OK && stream.avail_in == 0 && stream.avail_out != 0) status = Z_DATA_ERROR;  // cut short
  }
  inflateEnd(&stream);
  if (status != Z_STREAM_END) return failure(std::string("its deflated data is damaged"));
  return json;
}

}  // namespace ivig::service

// hooks/service/replay_input_codec.hpp: how a replay input is stored in the audit log: deflated.
//
// A replay input is the request and everything fetched for it, often hundreds of KB of FHIR JSON
// (a Synthea patient's prefetch is 364 KB). Stored as text, it made the audit log's writer, which is
// one thread per store, write and fsync that much per call: at 32 connections a call with that
// prefetch ran at a third of the rate it has without replay inputs (docs/performance.md, "Replay
// inputs"). Deflated (zlib, fastest level: FHIR JSON shrinks about 11 times) on the worker thread that
// evaluated the call, and base64-encoded so that it stays a JSON string of the chained payload, it
// costs the writer a tenth. Inputs stored as plain JSON text (before 2026-11-30) still read.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "fhir/model/result.hpp"

namespace ivig::service {

/// The stored form's prefix: "deflate:" then base64 of a zlib stream. Plain JSON starts with '{'.
inline constexpr std::string_view packed_replay_input_prefix = "deflate:";

/// `json` deflated and encoded for the audit record.
std::string pack_replay_input(std::string_view json);

/// The JSON text of a stored replay input, packed or plain. Refuses (with the reason) a packed input
/// that is not base64, not a zlib stream, or would inflate past `max_bytes`: a damaged or hostile
/// record cannot make the replay command allocate without bound.
result<std::string, std::string> unpack_replay_input(std::string_view stored, std::size_t max_bytes);

}  // namespace ivig::service

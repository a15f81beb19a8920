// hooks/audit/queries.hpp: what `ivig-cds audit list` and `audit show` read: the filter and the rows.
//
// Owns the row types of the query tables and the SQLite file's shortcuts to them. Each shortcut opens
// its own connection (WAL: it never blocks the running service) and throws store_error when the file
// cannot be read. The same questions for either store are audit_reader.hpp's (the shortcuts are its
// SQLite reader); formatting is the CLI's business. The report and the FHIR export are in report.hpp
// and audit_event_export.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ivig::audit {

/// Every member that is not empty narrows the list. Times are RFC 3339 UTC, compared as text.
struct call_filter {
  std::string patient{};    ///< as stored (the id, or its keyed hash when so configured)
  std::string user_id{};    ///< e.g. "Practitioner/123"
  std::string from{};       ///< received_at >= from
  std::string to{};         ///< received_at < to
  std::string rule_id{};    ///< calls in which this rule fired
  std::string indicator{};  ///< calls that showed a card with this indicator
  std::size_t limit = 0;    ///< at most this many (oldest first); 0: all
};

struct call_row {
  std::int64_t seq = 0;
  std::string received_at;
  std::string service_id;
  std::string hook;
  std::string hook_instance;
  std::string user_id;
  std::string patient;
  std::string encounter_id;
  unsigned http_status = 0;
  std::string error_code;
  std::string knowledge_version;
  double service_ms = 0;
  std::string chain_id{};  ///< PostgreSQL: the replica's chain the seq is in; SQLite: ""
  friend bool operator==(const call_row&, const call_row&) = default;
};

struct card_row {
  std::int64_t seq = 0;  ///< the call's entry
  std::string card_uuid;
  std::string indicator;
  std::string summary;
  std::string rule_ids;  ///< space separated
  std::string chain_id{};
  friend bool operator==(const card_row&, const card_row&) = default;
};

struct feedback_row {
  std::int64_t seq = 0;
  std::string received_at;
  std::string card_uuid;
  std::string outcome;
  std::string override_code;
  std::string user_comment;
  std::string outcome_timestamp;
  bool matched = false;
  std::string chain_id{};
  friend bool operator==(const feedback_row&, const feedback_row&) = default;
};

/// Calls matching `filter`, in seq order.
std::vector<call_row> list_calls(const std::string& path, const call_filter& filter);

/// One hookInstance: its calls (usually one) with their recorded payloads, the cards they showed, and
/// the feedback received on those cards, each in seq order.
struct hook_instance_view {
  std::vector<call_row> calls;
  std::vector<std::string> payloads;  ///< canonical JSON of each call, as chained (same order as calls)
  std::vector<card_row> cards;
  std::vector<feedback_row> feedback;
};
hook_instance_view show_hook_instance(const std::string& path, const std::string& hook_instance);

/// Calls `visit(seq, payload)` for every call answered 200 and received in [from, to) (an empty bound
/// is open), in seq order, one at a time: a month of payloads need not fit in memory (`ivig-cds replay`).
void for_each_answered_call(const std::string& path, const std::string& from, const std::string& to,
                            const std::function<void(std::int64_t seq, const std::string& payload)>& visit);

}  // namespace ivig::audit

// hooks/audit/audit_sink.hpp: what the service tells the audit log, and what it asks of it.
//
// The audit log records every service call (what the service saw, showed and on which knowledge),
// every rejected call (status and reason code, never the body), and every clinician response
// (feedback), so that CDS governance can answer "who was shown what, when, and what did they do".
// The interface is what hooks/service depends on; the SQLite store implements it. Implementations
// are thread-safe: the server calls them from several threads at once. Submission is asynchronous:
// the server's I/O threads hand a record over and are called back once it is in the log.
#pragma once

#include <cstdint>
#include <functional>
#include <future>
#include <string>
#include <vector>

namespace ivig::audit {

struct card_record {
  std::string uuid;
  std::string indicator;
  std::string summary;
  std::vector<std::string> rule_ids;
};

struct rule_record {
  std::string rule_id;
  bool fired = false;  ///< produced a card (or joined one) for some order
  /// Set when the rule failed with an internal error ("internal error on MedicationRequest/1"):
  /// its check was skipped and listed as not completed. Empty when it ran.
  std::string error;
};

/// Where one data category came from: "prefetch", "fetched", "missing", "error" or "incomplete";
/// and, when it did not come whole, why ("not sent", "timeout", "401 unauthorized", ...).
struct data_source_record {
  std::string key;
  std::string origin;
  std::string why{};
};

/// One service call, accepted or rejected.
struct call_record {
  std::string received_at;  ///< RFC 3339 UTC, e.g. "2026-11-22T12:00:00Z"
  std::string service_id;
  std::string hook;
  std::string hook_instance;
  std::string user_id;
  std::string patient;  ///< as sent, or a keyed hash (configuration)
  std::string encounter_id;
  std::vector<std::string> orders;  ///< "MedicationRequest/1: Privigen, 0.5 g/kg (35 g)"
  std::vector<rule_record> rules;
  std::vector<card_record> cards;
  /// The pharmacist's verification worksheets of the call (order-sign), as shown on their cards: the
  /// pharmacy record `audit show --worksheet` prints. Clinical content, kept in the audit log only.
  std::vector<std::string> worksheets;
  std::string knowledge_version;
  std::vector<data_source_record> data;
  double service_ms = 0;
  unsigned http_status = 200;
  std::string error_code;      ///< the stable error code of a rejected call (docs/errors.md), else empty
  std::string error_reason{};  ///< for a 401, the authentication reason code (docs/security.md)
  std::string client_iss;      ///< the client's JWT claims when known; never the token itself
  std::string client_tenant;
  std::string client_jti;
  std::string client_sub{};
  std::string client_address{};  ///< the peer's address and port
  /// A summary of rejected requests that were not recorded one by one (a flood): how many, and from
  /// which hosts (the first ten). 0 for every other record.
  std::uint64_t rejections_summarised = 0;
  std::vector<std::string> rejection_peers{};
  /// What `ivig-cds replay` needs to run the call again (hooks/service/replay_input.hpp): the request
  /// without its access token, and what was fetched for it. Clinical content, kept in the audit log
  /// only, under its retention. Empty when not kept (--audit-replay-inputs false, or not evaluated).
  std::string replay_input{};
};

/// One feedback item (CDS Hooks 2.0 §feedback), as received.
struct feedback_record {
  std::string received_at;
  std::string service_id;
  std::string card_uuid;
  std::string outcome;                            ///< "accepted" or "overridden"
  std::vector<std::string> accepted_suggestions;  ///< suggestion uuids
  std::string override_system;
  std::string override_code;
  std::string override_display;
  std::string user_comment;
  std::string outcome_timestamp;  ///< as sent (RFC 3339)
  /// Who sent it: the peer's address and port; the JWT's claims when the caller was authenticated.
  std::string client_address{};
  std::string client_iss{};
  std::string client_sub{};
  std::string client_tenant{};
  std::string client_jti{};
};

enum class feedback_result {
  recorded_matched,    ///< new, and the card uuid is one the service showed
  recorded_unmatched,  ///< new, kept, and marked unmatched (an unknown card uuid)
  duplicate,           ///< the same item was recorded before; nothing written
};

class audit_sink {
 public:
  /// Called once the record is in the log (committed, or written to the spool): `stored` is false
  /// when the store failed and the record was spooled (or lost, when the spool failed too). It may run
  /// on another thread (the store's writer) or, for a sink that writes nothing, before submit returns.
  using call_done = std::function<void(bool stored)>;
  /// One result per item, in the order submitted.
  using feedback_done = std::function<void(std::vector<feedback_result> results)>;

  virtual ~audit_sink() = default;
  /// Queues the record and returns at once, without waiting for the disk: the caller answers its
  /// request from `done`, so that every response sent has its record in the log (docs/audit.md).
  virtual void submit_call(call_record call, call_done done) = 0;
  /// The items of one feedback request, written together.
  virtual void submit_feedback(std::vector<feedback_record> items, feedback_done done) = 0;
  /// False while the store is failing (records go to the spool); /readyz reports it.
  virtual bool ready() const = 0;

  /// Blocking forms, for the CLI and tests: they wait for `done`. Never call them on a server I/O
  /// thread.
  bool record_call(const call_record& call) {
    std::promise<bool> stored;
    std::future<bool> result = stored.get_future();
    submit_call(call, [&stored](bool ok) { stored.set_value(ok); });
    return result.get();
  }
  feedback_result record_feedback(const feedback_record& feedback) {
    std::promise<feedback_result> outcome;
    std::future<feedback_result> result = outcome.get_future();
    submit_feedback({feedback}, [&outcome](std::vector<feedback_result> results) {
      outcome.set_value(results.empty() ? feedback_result::recorded_unmatched : results.front());
    });
    return result.get();
  }
};

/// A sink that records nothing, for a deployment that turns the audit log off (and for benchmarks
/// measuring its cost). Always ready; completes every submission before returning.
class null_audit_sink final : public audit_sink {
 public:
  void submit_call(call_record, call_done done) override { done(true); }
  void submit_feedback(std::vector<feedback_record> items, feedback_done done) override {
    done(std::vector<feedback_result>(items.size(), feedback_result::recorded_unmatched));
  }
  bool ready() const override { return true; }
};

}  // namespace ivig::audit

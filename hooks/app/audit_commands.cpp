// hooks/app/audit_commands.cpp: the audit log's command-line face. Formatting only: the reading,
// verifying and purging are hooks/audit's. Every command reads either store: --audit-url names a
// PostgreSQL database (every replica's chain), else --audit-path the SQLite file.
#include "hooks/app/audit_commands.hpp"

#include <chrono>
#include <cstdio>
#include <iostream>

#include "fhir/model/fhir_time.hpp"
#include "hooks/app/key_file.hpp"
#include "hooks/audit/audit_event_export.hpp"
#include "hooks/audit/chain.hpp"
#include "hooks/audit/chain_verify.hpp"
#include "hooks/audit/pg_purge.hpp"
#include "hooks/audit/pg_store.hpp"
#include "hooks/audit/pg_verify.hpp"
#include "hooks/audit/queries.hpp"
#include "hooks/audit/record_json.hpp"
#include "hooks/audit/report.hpp"
#include "hooks/audit/sqlite_db.hpp"
#include "hooks/protocol/sent_text.hpp"
#include "hooks/service/worksheet.hpp"

namespace ivig::app {
namespace {

/// What callers sent, as the operator's terminal may show it (hooks/protocol/sent_text.hpp).
std::string terminal_safe(std::string_view text, bool keep_lines = false) {
  return protocol::escape_controls(text, keep_lines);
}

void print_call(const audit::call_row& c) {
  // Every field through terminal_safe: rejected paths, ids and comments are what callers sent.
  std::cout << terminal_safe(c.received_at) << "  " << terminal_safe(c.service_id) << "  " << c.http_status
            << (c.error_code.empty() ? "" : " " + terminal_safe(c.error_code)) << "  " << terminal_safe(c.hook_instance)
            << "  " << terminal_safe(c.user_id) << "  " << terminal_safe(c.patient) << "  knowledge "
            << terminal_safe(c.knowledge_version) << "\n";
}

/// The worksheets the calls of one hookInstance recorded, as text; 1 when there are none.
int print_worksheets(const audit::hook_instance_view& view) {
  int printed = 0;
  for (std::size_t i = 0; i < view.calls.size(); ++i) {
    const std::optional<audit::call_record> call = audit::call_from_json(view.payloads[i]);
    if (!call) continue;
    for (const std::string& worksheet : call->worksheets) {
      std::cout << (printed++ == 0 ? "" : "\n") << "IVIg verification worksheet, " << terminal_safe(view.calls[i].hook)
                << " " << terminal_safe(view.calls[i].received_at) << ", hookInstance "
                << terminal_safe(view.calls[i].hook_instance) << ", patient " << terminal_safe(view.calls[i].patient)
                << "\n\n"
                << terminal_safe(service::worksheet_text(worksheet), true);
    }
  }
  if (printed == 0)
    std::cout << "ivig-cds: the calls of hookInstance " << terminal_safe(view.calls.front().hook_instance)
              << " recorded no worksheet (worksheets are made at order-sign)\n";
  return printed == 0 ? 1 : 0;
}

std::string horizon(const audit_command& a, unsigned default_days) {
  if (!a.before.empty()) return a.before;
  const unsigned days = a.retention_days != 0 ? a.retention_days : default_days;
  if (days == 0) return {};
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  return fhir::format_instant(now - std::chrono::days{days});
}

/// Prints what `audit verify` found; returns its exit code. The head line is printed alone and only
/// for a chain that verified, so that a script can take it as the head to export.
int print_verification(const audit::verify_result& result, const std::string& expect_head) {
  if (result.ok) {
    std::cout << "ivig-cds: audit chain verifies: " << result.entries << " entries, sealed with " << result.seal
              << (result.key_id.empty() ? " (unkeyed: finds accidents, not an insider who can write the file)"
                                        : " (key id " + result.key_id + ")")
              << "\n"
              << audit::head_line(result.head) << "\n";
    if (!expect_head.empty())
      std::cout << "ivig-cds: expected head seq " << expect_head.substr(0, expect_head.find(':')) << " "
                << result.expected_head_note << "\n";
    return 0;
  }
  if (result.expected_head_missing) {
    std::cout << "ivig-cds: audit chain does not hold the expected head " << expect_head << ": " << result.problem
              << "\n";
    return 1;
  }
  if (result.first_bad_seq == 0) {
    std::cout << "ivig-cds: audit chain cannot be verified: " << result.problem << "\n";
    return 1;
  }
  std::cout << "ivig-cds: audit chain broken at entry " << result.first_bad_seq << ": " << result.problem << " ("
            << result.entries << " entries verified before it)\n";
  return 1;
}

/// The chain seal for verify and purge: keyed when --audit-chain-key-file names a key.
result<audit::chain_seal, std::string> chain_seal_of(const options& o) {
  if (o.audit_chain_key_file.empty()) return audit::chain_seal{};
  auto key = read_key_file(o.audit_chain_key_file, "--audit-chain-key-file");
  if (!key) return failure(key.error());
  return audit::chain_seal(std::move(*key));
}

/// `audit verify --audit-url`: every replica's chain, each with its head line ("chain <id> head seq=…").
int print_pg_verification(const audit::pg_verify_result& result, const std::string& expect_head) {
  if (!result.problem.empty()) {
    std::cout << "ivig-cds: audit chain cannot be verified: " << result.problem << "\n";
    return 1;
  }
  std::int64_t entries = 0;
  for (const audit::pg_chain_verification& chain : result.chains) {
    const std::string name = terminal_safe(chain.chain_id);
    if (!chain.result.ok) {
      std::cout << "chain " << name << " does not verify\n";
      return print_verification(chain.result, expect_head);
    }
    entries += chain.result.entries;
    std::cout << "chain " << name << " " << audit::head_line(chain.result.head) << "\n";
    if (!expect_head.empty() && !chain.result.expected_head_note.empty())
      std::cout << "ivig-cds: chain " << name << ": expected head seq " << expect_head.substr(0, expect_head.find(':'))
                << " " << chain.result.expected_head_note << "\n";
  }
  const std::string seal =
      result.chains.empty() ? std::string("the database's seal") : result.chains.front().result.seal;
  std::cout << "ivig-cds: audit chains verify: " << result.chains.size() << " chains, " << entries
            << " entries, sealed with " << seal << "\n";
  return 0;
}

/// `audit purge --audit-url`: a line per chain, then the total as SQLite's purge prints it.
int print_pg_purge(const audit::pg_purge_result& result, const std::string& before) {
  for (const audit::pg_chain_purge& chain : result.chains) {
    std::cout << "chain " << terminal_safe(chain.chain_id) << " purged " << chain.result.purged << " entries";
    if (chain.result.purged > 0) std::cout << " (purge anchor at seq " << chain.result.last_purged_seq << ")";
    std::cout << "\n";
  }
  std::cout << "ivig-cds: purged " << result.purged << " entries received before " << before << "\n";
  return 0;
}

}  // namespace

std::unique_ptr<audit::audit_reader> open_audit_reader(const options& o) {
  if (!o.audit_url.empty()) return audit::pg_reader(o.audit_url, o.audit_password_file);
  return audit::sqlite_reader(o.audit_path);
}

std::string audit_log_name(const options& o) {
  return o.audit_url.empty() ? o.audit_path : audit::pg_redacted_url(o.audit_url);
}

int run_audit_command(const options& o) {
  const audit_command& a = o.audit;
  try {
    if (a.name == "verify") {
      audit::verify_options verify;
      if (!a.expect_head.empty()) {
        verify.expected_head = audit::parse_position(a.expect_head);
        if (!verify.expected_head) {
          std::cerr << "ivig-cds: audit verify --expect-head: '" << terminal_safe(a.expect_head)
                    << "' is not SEQ:HASH (a seq and 64 lower-case hex digits, as the head line gives them)\n";
          return 2;
        }
      }
      auto seal = chain_seal_of(o);
      if (!seal) {
        std::cerr << "ivig-cds: " << seal.error() << "\n";
        return 2;
      }
      verify.seal = std::move(*seal);
      if (!o.audit_url.empty())  // --expect-head is the head of this replica's chain (--audit-chain-id)
        return print_pg_verification(
            audit::verify_pg_chains(o.audit_url, o.audit_password_file, verify, audit_chain_id(o)), a.expect_head);
      return print_verification(audit::verify_chain(o.audit_path, verify), a.expect_head);
    }
    if (a.name == "list") {
      audit::call_filter filter;
      filter.patient = a.patient;
      filter.user_id = a.user;
      filter.from = a.from;
      filter.to = a.to;
      filter.rule_id = a.rule;
      filter.indicator = a.indicator;
      filter.limit = a.limit;
      for (const audit::call_row& c : open_audit_reader(o)->list_calls(filter)) print_call(c);
      return 0;
    }
    if (a.name == "show") {
      const audit::hook_instance_view view = open_audit_reader(o)->show_hook_instance(a.hook_instance);
      if (view.calls.empty()) {
        std::cout << "ivig-cds: no call with hookInstance " << terminal_safe(a.hook_instance) << "\n";
        return 1;
      }
      if (a.worksheet) return print_worksheets(view);
      for (std::size_t i = 0; i < view.calls.size(); ++i) {
        print_call(view.calls[i]);
        // The replay input is the whole request (records of hundreds of KB): its size, not its text.
        std::optional<audit::call_record> recorded = audit::call_from_json(view.payloads[i]);
        if (recorded && !recorded->replay_input.empty()) {
          const std::size_t bytes = recorded->replay_input.size();
          recorded->replay_input.clear();
          std::cout << "  recorded: " << terminal_safe(audit::to_json(*recorded)) << "\n"
                    << "  replay input: " << bytes
                    << " bytes as stored (the request and what was fetched; ivig-cds replay)\n";
          continue;
        }
        std::cout << "  recorded: " << terminal_safe(view.payloads[i]) << "\n";
      }
      for (const audit::card_row& card : view.cards)
        std::cout << "  card " << terminal_safe(card.card_uuid) << " " << terminal_safe(card.indicator) << " ["
                  << terminal_safe(card.rule_ids) << "] " << terminal_safe(card.summary) << "\n";
      for (const audit::feedback_row& f : view.feedback)
        std::cout << "  feedback " << terminal_safe(f.card_uuid) << " " << terminal_safe(f.outcome)
                  << (f.override_code.empty() ? "" : " " + terminal_safe(f.override_code))
                  << (f.user_comment.empty() ? "" : " \"" + terminal_safe(f.user_comment) + "\"") << " at "
                  << terminal_safe(f.outcome_timestamp) << "\n";
      return 0;
    }
    if (a.name == "report") {
      const audit::audit_report report = audit::build_report(*open_audit_reader(o), a.from, a.to);
      std::cout << (a.csv ? audit::report_csv(report) : audit::report_table(report));
      return 0;
    }
    if (a.name == "export") {
      audit::export_audit_events(*open_audit_reader(o), a.from, a.to, std::cout);
      return 0;
    }
    if (a.name == "purge") {
      const std::string before = horizon(a, o.audit_retention_days);
      if (before.empty()) {
        std::cerr << "ivig-cds: audit purge needs --before, --retention-days or --audit-retention-days\n";
        return 2;
      }
      const auto seal = chain_seal_of(o);
      if (!seal) {
        std::cerr << "ivig-cds: " << seal.error() << "\n";
        return 2;
      }
      if (!o.audit_url.empty())
        return print_pg_purge(audit::purge_pg_chains(o.audit_url, o.audit_password_file, before, *seal), before);
      const audit::purge_result result = audit::purge_before(o.audit_path, before, *seal);
      std::cout << "ivig-cds: purged " << result.purged << " entries received before " << before << "\n";
      return 0;
    }
  } catch (const std::exception& e) {
    std::cerr << "ivig-cds: audit " << a.name << ": " << e.what() << "\n";
    return 1;
  }
  std::cerr << "ivig-cds: unknown audit command\n";
  return 2;
}

}  // namespace ivig::app

// tests/unit/audit/audit_fixture.cpp: folders, records, clock and SQL for the audit tests.
//
// Each test gets its own folder under the system temp folder, named after the test and the process, so
// that tests never share a file; SQL checks open a connection of their own, like an auditor would.
#include "tests/unit/audit/audit_fixture.hpp"

#include <unistd.h>

#include "hooks/audit/sqlite_db.hpp"
#include "tests/support/scratch_folder.hpp"

namespace ivig::audit::test {

audit_test::audit_test() {
  dir_ = std::filesystem::temp_directory_path() /
         ("ivig-audit-" + std::to_string(::getpid()) + "-" + ivig::test::running_test_file_name());
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
}

audit_test::~audit_test() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

audit_options audit_test::options() {
  audit_options o;
  o.path = path();
  o.retry_interval = std::chrono::milliseconds(1000);
  o.idle_retry = std::chrono::milliseconds(0);
  o.now = [this] { return std::chrono::system_clock::time_point(std::chrono::milliseconds(now_ms_.load())); };
  o.log = [this](std::string_view line) {
    std::lock_guard lock(log_mutex_);
    log_.emplace_back(line);
  };
  return o;
}

std::vector<std::string> audit_test::log_lines() const {
  std::lock_guard lock(log_mutex_);
  return log_;
}

std::string day(int d) {
  return "2026-11-0" + std::to_string(d) + "T12:00:00Z";
}

void record_days(const audit_options& options, int days) {
  sqlite_audit_store store(options);
  for (int d = 1; d <= days; ++d)
    ASSERT_TRUE(store.record_call(sample_call("h" + std::to_string(d), "u" + std::to_string(d), day(d))));
}

void drop_guards(const std::string& path) {
  execute(path, "DROP TRIGGER IF EXISTS entries_append_only");
}

call_record sample_call(const std::string& hook_instance, const std::string& card_uuid,
                        const std::string& received_at) {
  call_record call;
  call.received_at = received_at;
  call.service_id = "ivig-order-select";
  call.hook = "order-select";
  call.hook_instance = hook_instance;
  call.user_id = "Practitioner/example";
  call.patient = "p1";
  call.encounter_id = "e1";
  call.orders = {"MedicationRequest/1: Privigen, 0.5 g/kg (35 g)"};
  call.rules = {{"R1", false, {}}, {"R3", true, {}}, {"R5", true, {}}};
  call.cards = {{card_uuid, "warning", "Switch to a product without sorbitol", {"R3", "R5"}}};
  call.knowledge_version = "2026.11.1";
  call.data = {{"patient", "prefetch"}, {"allergies", "missing"}};
  call.service_ms = 12.5;
  call.http_status = 200;
  call.client_iss = "https://ehr.example.org";
  call.client_tenant = "t1";
  call.client_jti = "j1";
  return call;
}

feedback_record sample_feedback(const std::string& card_uuid, const std::string& outcome,
                                const std::string& received_at) {
  feedback_record feedback;
  feedback.received_at = received_at;
  feedback.service_id = "ivig-order-select";
  feedback.card_uuid = card_uuid;
  feedback.outcome = outcome;
  if (outcome == "accepted") {
    feedback.accepted_suggestions = {"s1"};
  } else {
    feedback.override_system = "urn:ivig-cds:override";
    feedback.override_code = "benefit-outweighs-risk";
    feedback.override_display = "Benefit outweighs risk";
    feedback.user_comment = "discussed with the patient";
  }
  feedback.outcome_timestamp = "2026-11-22T12:04:00Z";
  return feedback;
}

std::string query(const std::string& path, const std::string& sql) {
  database db(path, database::open_mode::existing);
  return db.query_text(sql);
}

std::int64_t count(const std::string& path, const std::string& table_and_condition) {
  return std::stoll(query(path, "SELECT COUNT(*) FROM " + table_and_condition));
}

std::vector<std::string> rows(const std::string& path, const std::string& sql) {
  database db(path, database::open_mode::existing);
  statement s(db, sql);
  std::vector<std::string> out;
  while (s.step()) {
    std::string row;
    for (int column = 0; column < s.columns(); ++column) {
      if (column > 0) row += '|';
      row += s.text(column);
    }
    out.push_back(row);
  }
  return out;
}

void execute(const std::string& path, const std::string& sql) {
  database db(path, database::open_mode::existing);
  db.exec(sql);
}

}  // namespace ivig::audit::test

// tests/integration/knowledge_reload_test.cpp: replacing the knowledge bundle while the service runs
// (docs/operations.md, "Knowledge rollout"). The real binary reloads its --knowledge-dir on
// POST /admin/reload and on SIGHUP, switches only to a bundle the loader accepts, and says which
// version it serves; a call that started before a reload finishes on the version it started with.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <mutex>

#include <rapidjson/document.h>
#include <rapidjson/writer.h>

#include "fhir/client/fhir_client.hpp"
#include "hooks/server/request_handler.hpp"
#include "hooks/service/ivig_service.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/fhir_builders.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/scratch_folder.hpp"
#include "tests/support/test_support.hpp"

using namespace ivig::test;

namespace {

/// A copy of the embedded bundle's files, which the test edits.
std::filesystem::path copy_of_knowledge(const std::filesystem::path& into) {
  const std::filesystem::path folder = into / "knowledge";
  std::filesystem::create_directories(folder);
  for (const auto& file :
       std::filesystem::directory_iterator(std::filesystem::path(IVIG_SOURCE_DIR) / "rules/knowledge"))
    if (file.path().extension() == ".json") std::filesystem::copy_file(file.path(), folder / file.path().filename());
  return folder;
}

void set_version(const std::filesystem::path& folder, const std::string& version) {
  rapidjson::Document bundle = parse(read_file(folder / "bundle.json"));
  bundle["version"].SetString(version.c_str(), static_cast<rapidjson::SizeType>(version.size()), bundle.GetAllocator());
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> writer(out);
  bundle.Accept(writer);
  write_file(folder / "bundle.json", out.GetString());
}

std::size_t active_rules() {
  std::size_t active = 0;
  for (const auto& rule : embedded_knowledge()->rules)
    active += rule.status == ivig::rules::rule_status::active ? 1 : 0;
  return active;
}

std::string health_of(const std::string& version) {
  return R"({"status":"ok","knowledgeVersion":")" + version + R"("})";
}

unsigned short port_of(child_process& service) {
  const std::string listening = service.wait_for_line("listening on 127.0.0.1:");
  EXPECT_FALSE(listening.empty());
  const auto colon = listening.rfind(':');
  const auto space = listening.find(' ', colon);
  return static_cast<unsigned short>(std::stoi(listening.substr(colon + 1, space - colon - 1)));
}

}  // namespace

TEST(KnowledgeReload, TheBinaryReloadsItsFolderOnRequestAndOnSighupAndKeepsItsVersionOnARefusal) {
  const scratch_folder scratch("knowledge-reload");
  const std::filesystem::path knowledge = copy_of_knowledge(scratch.path());
  set_version(knowledge, "2026.11.1-a");
  child_process service(IVIG_BINARY, {"--port", "0", "--no-audit", "--knowledge-dir", knowledge.string()});
  const unsigned short port = port_of(service);
  EXPECT_EQ(http_request(port, "GET", "/healthz").body, health_of("2026.11.1-a"));

  set_version(knowledge, "2026.11.1-b");
  const http_result reloaded = http_request(port, "POST", "/admin/reload");
  EXPECT_EQ(reloaded.status, 200u);
  EXPECT_EQ(reloaded.body, R"({"knowledgeVersion":"2026.11.1-b","previousVersion":"2026.11.1-a","activeRules":)" +
                               std::to_string(active_rules()) + "}");
  EXPECT_FALSE(service.wait_for_line("knowledge reload: now serving 2026.11.1-b").empty());
  EXPECT_EQ(http_request(port, "GET", "/healthz").body, health_of("2026.11.1-b"));
  EXPECT_NE(http_request(port, "GET", "/cds-services").body.find("Knowledge 2026.11.1-b."), std::string::npos);

  // A bundle the loader refuses is never served: the answer and the log say why, and what stays.
  const std::string rules = read_file(knowledge / "rules.json");
  rapidjson::Document broken = parse(rules);
  broken["rules"][0].AddMember("evidense", "C", broken.GetAllocator());
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> writer(out);
  broken.Accept(writer);
  write_file(knowledge / "rules.json", out.GetString());
  set_version(knowledge, "2026.11.1-c");
  const http_result refused = http_request(port, "POST", "/admin/reload");
  EXPECT_EQ(refused.status, 422u);
  EXPECT_EQ(
      refused.body,
      R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"invalid","details":{"coding":[)"
      R"({"system":"urn:ivig-cds:error","code":"knowledge-rejected","display":"The knowledge bundle was refused; )"
      R"(the running version stays in use."}]},"diagnostics":"The knowledge bundle was refused (rules.json: )"
      R"(rules[0] (R1): unknown key 'evidense'). Still serving 2026.11.1-b."}]})");
  EXPECT_FALSE(service.wait_for_line("knowledge reload: REFUSED, still serving 2026.11.1-b: rules.json").empty());
  EXPECT_EQ(http_request(port, "GET", "/healthz").body, health_of("2026.11.1-b"));

  // SIGHUP does the same as the request, for operators who manage the process, not its port.
  write_file(knowledge / "rules.json", rules);
  ::kill(service.pid(), SIGHUP);
  EXPECT_FALSE(service.wait_for_line("knowledge reload: now serving 2026.11.1-c").empty());
  EXPECT_EQ(http_request(port, "GET", "/healthz").body, health_of("2026.11.1-c"));

  ::kill(service.pid(), SIGTERM);
  EXPECT_EQ(service.wait_exit(), 0);
}

TEST(KnowledgeReload, TheEmbeddedBundleHasNothingToReload) {
  running_service server(scenario_now());
  const http_result answer = http_request(server.port(), "POST", "/admin/reload");
  EXPECT_EQ(answer.status, 409u);
  EXPECT_EQ(answer.body,
            R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"not-supported","details":)"
            R"({"coding":[{"system":"urn:ivig-cds:error","code":"reload-unavailable","display":"The service runs on )"
            R"(its embedded knowledge: nothing to reload."}]},"diagnostics":"The service runs on its embedded )"
            R"(knowledge bundle (no --knowledge folder): there is nothing to read again. Still serving )" +
                embedded_knowledge()->version + R"(."}]})");
}

namespace {

/// A FHIR client that holds every fetch until the test releases it: the point in a call between
/// its start and its evaluation where a reload can happen.
class held_fhir_client final : public ivig::fhir::client::fhir_client {
 public:
  std::optional<std::string> refusal(std::string_view) const override { return std::nullopt; }
  void get(ivig::fhir::client::fetch_request, std::function<void(ivig::fhir::client::fetch_result)> done) override {
    const std::lock_guard lock(mutex_);
    held_.push_back(std::move(done));
  }
  /// Answers every held fetch with an empty searchset.
  void release() {
    std::vector<std::function<void(ivig::fhir::client::fetch_result)>> held;
    {
      const std::lock_guard lock(mutex_);
      held.swap(held_);
    }
    for (auto& done : held) done({ivig::fhir::client::fetch_failure::none, 200, bundle({}), {}});
  }
  std::size_t held() const {
    const std::lock_guard lock(mutex_);
    return held_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::function<void(ivig::fhir::client::fetch_result)>> held_;
};

}  // namespace

TEST(KnowledgeReload, ACallThatStartedBeforeAReloadFinishesOnItsVersionAndTheNextGetsTheNewOne) {
  const auto first = embedded_knowledge();
  const auto second = embedded_knowledge_edited(
      "bundle.json", [](rapidjson::Document& d) { d["version"].SetString("2026.11.1-reloaded", d.GetAllocator()); });
  ASSERT_TRUE(second);
  auto client = std::make_shared<held_fhir_client>();
  ivig::service::service_options options;
  options.now = scenario_now;
  options.log = [](std::string_view) {};
  options.reload_from = [second]() -> ivig::result<std::shared_ptr<const ivig::rules::knowledge>, std::string> {
    return second;
  };
  ivig::service::ivig_service service(first, options, std::make_shared<ivig::audit::null_audit_sink>(), client);

  // The order with a prefetch that lacks everything but the patient: the service must fetch.
  hook_request request = order_select_with(medication_request("ivig-1", privigen()), "ivig-1");
  request.prefetch.clear();
  set_prefetch(request, "patient", {patient()});
  request.fhir_server = "http://127.0.0.1:9/fhir";
  request.access_token = "t";
  std::vector<std::string> answers;
  std::mutex answers_mutex;
  auto sink = [&] {
    return ivig::server::reply_sink(
        [&](ivig::server::http_reply reply, bool) {
          const std::lock_guard lock(answers_mutex);
          answers.push_back(reply.body);
        },
        [] { return ivig::server::http_reply{}; });
  };
  service.call_service({}, "ivig-order-select", request.json(), sink());
  ASSERT_GT(client->held(), 0u) << (answers.empty() ? std::string("no answer") : answers[0].substr(0, 600));

  std::string reload_answer;
  service.reload(ivig::server::reply_sink([&](ivig::server::http_reply reply, bool) { reload_answer = reply.body; },
                                          [] { return ivig::server::http_reply{}; }));
  EXPECT_NE(reload_answer.find(R"("knowledgeVersion":"2026.11.1-reloaded")"), std::string::npos) << reload_answer;
  client->release();
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_NE(answers[0].find("Knowledge " + first->version + "."), std::string::npos) << answers[0];
  EXPECT_EQ(answers[0].find("2026.11.1-reloaded"), std::string::npos);

  service.call_service({}, "ivig-order-select", request.json(), sink());
  client->release();
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_NE(answers[1].find("Knowledge 2026.11.1-reloaded."), std::string::npos) << answers[1];
}

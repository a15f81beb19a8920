// tests/support/pg_test_server.cpp: starting (or finding) the tests' PostgreSQL, and SQL for tests.
//
// Facts from /work/shared/testing-notes.md ("PostgreSQL in tests"): initdb refuses to run as root,
// so as root it runs as `postgres` through runuser, in a folder owned by that user; the server listens
// on 127.0.0.1 and keeps its socket in the same folder.
#include "tests/support/pg_test_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <stdexcept>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

namespace ivig::test {
namespace {

constexpr const char* bin = "/usr/lib/postgresql/15/bin";

std::string skip_why;
std::string own_folder;  // the server this process started, stopped at exit

std::string as_postgres(const std::string& command) {
  return geteuid() == 0 ? "runuser -u postgres -- " + command : command;
}

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t size = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    ::close(fd);
    return 0;
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

void stop_own_server() {
  if (own_folder.empty()) return;
  const std::string stop =
      as_postgres(std::string(bin) + "/pg_ctl -D " + own_folder + "/data -m immediate stop") + " >/dev/null 2>&1";
  [[maybe_unused]] const int stopped = std::system(stop.c_str());
  std::error_code ignored;
  std::filesystem::remove_all(own_folder, ignored);
}

std::string start_own_server() {
  if (!std::filesystem::exists(std::string(bin) + "/initdb")) {
    skip_why =
        "PostgreSQL 15 is not installed (postgresql-15: bash deploy/install-deps.sh --tests), and "
        "IVIG_TEST_PG_URL is not set";
    return {};
  }
  char folder[] = "/tmp/ivig-pg-XXXXXX";
  if (::mkdtemp(folder) == nullptr) {
    skip_why = "no temporary folder for PostgreSQL";
    return {};
  }
  own_folder = folder;
  if (geteuid() == 0) {
    const std::string chown = "chown postgres: " + own_folder;
    if (std::system(chown.c_str()) != 0) throw std::runtime_error("pg_test_server: chown " + own_folder + " failed");
  }
  const std::string init = as_postgres(std::string(bin) + "/initdb -D " + own_folder + "/data -A trust -U postgres") +
                           " >" + own_folder + "/initdb.log 2>&1";
  if (std::system(init.c_str()) != 0) throw std::runtime_error("pg_test_server: initdb failed, see " + own_folder);
  std::atexit(stop_own_server);
  for (int attempt = 0; attempt < 5; ++attempt) {
    const int port = free_port();
    const std::string start = as_postgres(std::string(bin) + "/pg_ctl -D " + own_folder + "/data -l " + own_folder +
                                          "/server.log -w -o \"-p " + std::to_string(port) + " -k " + own_folder +
                                          " -c listen_addresses=127.0.0.1 -c fsync=on\" start") +
                              " >/dev/null 2>&1";
    if (std::system(start.c_str()) == 0) return "postgresql://postgres@127.0.0.1:" + std::to_string(port);
  }
  throw std::runtime_error("pg_test_server: PostgreSQL did not start, see " + own_folder + "/server.log");
}

std::string with_database(const std::string& base, const std::string& database) {
  return base + "/" + database;
}

}  // namespace

pg_test_server* pg_test_server::get() {
  static std::once_flag once;
  static pg_test_server* server = nullptr;
  std::call_once(once, [] {
    std::string base;
    if (const char* url = std::getenv("IVIG_TEST_PG_URL"); url != nullptr && *url != '\0') {
      base = url;
      // The variable may name a database: the tests make their own beside it.
      const auto scheme = base.find("://");
      const auto slash = base.find('/', scheme == std::string::npos ? 0 : scheme + 3);
      if (slash != std::string::npos) base.resize(slash);
    } else {
      base = start_own_server();
    }
    if (!base.empty()) server = new pg_test_server(base);  // lives as long as the process
  });
  return server;
}

const std::string& pg_test_server::skip_reason() {
  return skip_why;
}

std::string pg_test_server::create_database(const std::string& name) {
  std::string database = "t" + std::to_string(::getpid()) + "_";
  for (const char c : name)
    database += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '_';
  if (database.size() > 63)
    database = database.substr(0, 40) + "_" + std::to_string(std::hash<std::string>{}(database) % 1000000000);
  const std::string admin = with_database(base_url_, "postgres");
  pqxx::connection connection(admin);
  pqxx::nontransaction tx(connection);
  tx.exec0("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
  tx.exec0("CREATE DATABASE " + database);
  return with_database(base_url_, database);
}

std::string pg_test_server::database_for_current_test() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return create_database(std::string(info->test_suite_name()) + "_" + info->name());
}

void pg_test_server::set_reachable(const std::string& database_url, bool reachable) {
  const std::string database = pg_database_name(database_url);
  pqxx::connection connection(with_database(base_url_, "postgres"));
  pqxx::nontransaction tx(connection);
  tx.exec0("ALTER DATABASE " + database + " ALLOW_CONNECTIONS " + (reachable ? "true" : "false"));
  if (!reachable) tx.exec_params("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", database);
}

std::string pg_database_name(const std::string& url) {
  const auto scheme = url.find("://");
  const auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (slash == std::string::npos) return {};
  const auto end = url.find('?', slash);
  return url.substr(slash + 1, end == std::string::npos ? std::string::npos : end - slash - 1);
}

std::vector<std::string> pg_rows(const std::string& url, const std::string& sql) {
  pqxx::connection connection(url);
  pqxx::nontransaction tx(connection);
  std::vector<std::string> out;
  for (const pqxx::row row : tx.exec(sql)) {
    std::string line;
    for (pqxx::row::size_type i = 0; i < row.size(); ++i) {
      if (i > 0) line += '|';
      line += row[i].is_null() ? std::string("NULL") : row[i].as<std::string>();
    }
    out.push_back(std::move(line));
  }
  return out;
}

std::string pg_query(const std::string& url, const std::string& sql) {
  const std::vector<std::string> rows = pg_rows(url, sql);
  return rows.empty() ? std::string{} : rows.front();
}

std::int64_t pg_count(const std::string& url, const std::string& table_and_condition) {
  return std::stoll(pg_query(url, "SELECT COUNT(*) FROM " + table_and_condition));
}

void pg_execute(const std::string& url, const std::string& sql) {
  pqxx::connection connection(url);
  pqxx::nontransaction tx(connection);
  tx.exec0(sql);
}

}  // namespace ivig::test

// hooks/logging/log.cpp: the line format and spdlog's asynchronous logger behind log().
//
// The line is formatted here (RapidJSON escapes it, so a message can never break the JSON); spdlog
// queues it and one thread of its pool writes it to stderr ("%v": the line as given). The logger
// lives in a function-local static: at a normal exit its destructor writes every queued line and
// joins the pool's thread before the logger goes. A line logged after that (another static's
// destructor) is written directly, as is every line if the logger could not be made.
#include "hooks/logging/log.hpp"

#include <atomic>
#include <cstdio>
#include <ctime>
#include <memory>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <spdlog/async.h>
#include <spdlog/async_logger.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace ivig::logging {
namespace {

std::atomic<format> chosen_format{format::json};
std::atomic<bool> logging_enabled{true};

// Enough for a burst of thousands of lines (each slot holds one line) while stderr is slow; beyond it
// the oldest are dropped rather than making a request thread wait.
constexpr std::size_t queue_lines = 8192;

struct async_state {
  async_state()
      : pool(std::make_shared<spdlog::details::thread_pool>(queue_lines, 1)),
        logger(std::make_shared<spdlog::async_logger>("ivig-cds", std::make_shared<spdlog::sinks::stderr_sink_mt>(),
                                                      pool, spdlog::async_overflow_policy::overrun_oldest)) {
    logger->set_pattern("%v");
    logger->set_level(spdlog::level::trace);
    alive.store(true);
  }
  ~async_state() {
    alive.store(false);
    // The pool first: its destructor writes what is queued and joins its thread, so the thread is done
    // with the logger and its sink before they are destroyed here (the join is what orders the two;
    // TSan sees it, not the reference counts inside the uninstrumented libspdlog).
    pool.reset();
    logger.reset();
  }
  async_state(const async_state&) = delete;
  async_state& operator=(const async_state&) = delete;

  static inline std::atomic<bool> alive{false};
  std::shared_ptr<spdlog::details::thread_pool> pool;
  std::shared_ptr<spdlog::async_logger> logger;
};

async_state& state() {
  static async_state s;
  return s;
}

std::string_view level_name(level lvl) {
  switch (lvl) {
    case level::info:
      return "info";
    case level::warning:
      return "warning";
    case level::error:
      return "error";
  }
  return "info";
}

spdlog::level::level_enum spdlog_level(level lvl) {
  switch (lvl) {
    case level::info:
      return spdlog::level::info;
    case level::warning:
      return spdlog::level::warn;
    case level::error:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

/// "2026-11-30T18:00:00.123Z"
std::string rfc3339_millis(std::chrono::system_clock::time_point at) {
  const auto since_epoch = at.time_since_epoch();
  const auto seconds = std::chrono::floor<std::chrono::seconds>(since_epoch);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - seconds).count();
  const std::time_t t = seconds.count();
  std::tm utc{};
  gmtime_r(&t, &utc);
  char text[64];  // room for any int in each field, which the compiler cannot rule out
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(millis));
  return text;
}

void write_string(rapidjson::Writer<rapidjson::StringBuffer>& w, std::string_view key, std::string_view value) {
  w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

}  // namespace

void set_format(format f) {
  chosen_format.store(f);
}

void set_enabled(bool enabled) {
  logging_enabled.store(enabled);
}

std::string format_line(format f, std::chrono::system_clock::time_point at, level lvl, std::string_view component,
                        std::string_view message, const request_fields& fields) {
  if (f == format::text) {
    // main()'s own lines read as they always have, "ivig-cds: …"; the libraries' name themselves.
    std::string line = component == "app" ? "ivig-cds: " + std::string(message)
                                          : "ivig-cds " + std::string(component) + ": " + std::string(message);
    if (!fields.request_id.empty()) line += " request_id=" + std::string(fields.request_id);
    if (!fields.service.empty()) line += " service=" + std::string(fields.service);
    if (fields.status != 0) line += " status=" + std::to_string(fields.status);
    if (fields.duration_ms >= 0) {
      char millis[32];
      std::snprintf(millis, sizeof millis, "%.3f", fields.duration_ms);
      line += std::string(" duration_ms=") + millis;
    }
    return line;
  }
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  write_string(w, "time", rfc3339_millis(at));
  write_string(w, "level", level_name(lvl));
  write_string(w, "component", component);
  if (!fields.request_id.empty()) write_string(w, "request_id", fields.request_id);
  if (!fields.service.empty()) write_string(w, "service", fields.service);
  if (fields.status != 0) {
    w.Key("status");
    w.Uint(fields.status);
  }
  if (fields.duration_ms >= 0) {
    w.Key("duration_ms");
    w.Double(static_cast<double>(static_cast<long long>(fields.duration_ms * 1000 + 0.5)) / 1000);
  }
  // Last, so that a reader splitting on the final colon ("listening on 127.0.0.1:8080") still can.
  write_string(w, "message", message);
  w.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

void log(level lvl, std::string_view component, std::string_view message, const request_fields& fields) noexcept {
  if (!logging_enabled.load()) return;
  try {
    const std::string line =
        format_line(chosen_format.load(), std::chrono::system_clock::now(), lvl, component, message, fields);
    async_state& s = state();
    if (async_state::alive.load()) {
      s.logger->log(spdlog_level(lvl), spdlog::string_view_t(line.data(), line.size()));
      return;
    }
    const std::string whole = line + "\n";
    std::fwrite(whole.data(), 1, whole.size(), stderr);
  } catch (...) {
    // Logging must never throw into a request's thread; a line lost under memory pressure is.
  }
}

std::uint64_t dropped_lines() {
  return async_state::alive.load() ? state().pool->overrun_counter() : 0;
}

}  // namespace ivig::logging

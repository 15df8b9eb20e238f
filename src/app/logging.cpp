#include "app/logging.h"

#include <spdlog/async.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "model/error.h"

namespace tribune {

namespace {

// %q: " request_id=..." when the line is written while a request is handled (text lines).
class RequestIdFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg&, const std::tm&, spdlog::memory_buf_t& dest) override {
    auto id = current_request_id();
    if (id.empty()) return;
    static constexpr std::string_view kKey = " request_id=";
    dest.append(kKey.data(), kKey.data() + kKey.size());
    dest.append(id.data(), id.data() + id.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<RequestIdFlag>(); }
};

// %Q: ,"request_id":"..." (JSON lines).
class JsonRequestIdFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg&, const std::tm&, spdlog::memory_buf_t& dest) override {
    auto id = current_request_id();
    if (id.empty()) return;
    static constexpr std::string_view kKey = ",\"request_id\":\"";
    dest.append(kKey.data(), kKey.data() + kKey.size());
    dest.append(id.data(), id.data() + id.size());  // valid_request_id: nothing to escape
    dest.push_back('"');
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<JsonRequestIdFlag>(); }
};

// %J: the message as JSON string contents.
class JsonMessageFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    for (char c : std::string_view(msg.payload.data(), msg.payload.size())) {
      if (c == '"' || c == '\\') {
        dest.push_back('\\');
        dest.push_back(c);
      } else if (static_cast<unsigned char>(c) < 0x20) {
        char buf[8];
        int n = std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
        dest.append(buf, buf + n);
      } else {
        dest.push_back(c);
      }
    }
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<JsonMessageFlag>(); }
};

}  // namespace

void check_log_settings(const LogSettings& s) {
  if (spdlog::level::from_str(s.level) == spdlog::level::off && s.level != "off")
    throw Error(ErrorKind::invalid, "invalid_config",
                "log.level must be trace, debug, info, warn, error, critical or off", "log.level");
  if (s.format != "text" && s.format != "json")
    throw Error(ErrorKind::invalid, "invalid_config", "log.format must be text or json", "log.format");
}

void configure_logging(const LogSettings& s) {
  check_log_settings(s);
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  if (s.format == "json")
    formatter->add_flag<JsonMessageFlag>('J').add_flag<JsonRequestIdFlag>('Q').set_pattern(
        R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","message":"%J"%Q})");
  else
    formatter->add_flag<RequestIdFlag>('q').set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v%q");
  spdlog::set_formatter(std::move(formatter));
  spdlog::set_level(spdlog::level::from_str(s.level));
}

std::function<void(std::string&&)> access_sink(const LogSettings& s) {
  // Lines are queued to spdlog's one background thread, which writes (and flushes) them: a connection's
  // thread only copies its line into the queue, never waits on the disk or a stalled pipe. A full queue
  // (8,192 lines) drops its oldest line rather than stall the server.
  if (!spdlog::thread_pool()) spdlog::init_thread_pool(8192, 1);
  spdlog::sink_ptr sink;
  try {
    if (s.access_file.empty())
      sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
    else
      sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(s.access_file, false);
  } catch (const spdlog::spdlog_ex& e) {
    throw Error(ErrorKind::unavailable, "access_log_unavailable",
                "cannot open the access log " + s.access_file + ": " + e.what());
  }
  // Not registered: the process-wide set_level and set_formatter (configure_logging) leave it alone.
  auto logger = std::make_shared<spdlog::async_logger>("access", std::move(sink), spdlog::thread_pool(),
                                                       spdlog::async_overflow_policy::overrun_oldest);
  logger->set_formatter(std::make_unique<spdlog::pattern_formatter>("%v"));
  logger->set_level(spdlog::level::info);
  logger->flush_on(spdlog::level::info);
  return [logger](std::string&& line) { logger->info(line); };
}

std::string node_name(const LogSettings& s) {
  if (!s.node.empty()) return s.node;
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) return "tribune";
  return host;
}

}  // namespace tribune

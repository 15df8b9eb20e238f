#include "app/logging.h"

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
    const auto& id = current_request_id();
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
    const auto& id = current_request_id();
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

void configure_logging(const LogSettings& s) {
  auto level = spdlog::level::from_str(s.level);
  if (level == spdlog::level::off && s.level != "off")
    throw Error(ErrorKind::invalid, "invalid_config",
                "log.level must be trace, debug, info, warn, error, critical or off", "log.level");
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  if (s.format == "json") {
    formatter->add_flag<JsonMessageFlag>('J').add_flag<JsonRequestIdFlag>('Q').set_pattern(
        R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","message":"%J"%Q})");
  } else if (s.format == "text") {
    formatter->add_flag<RequestIdFlag>('q').set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v%q");
  } else {
    throw Error(ErrorKind::invalid, "invalid_config", "log.format must be text or json", "log.format");
  }
  spdlog::set_formatter(std::move(formatter));
  spdlog::set_level(level);
}

std::function<void(std::string&&)> access_sink(const LogSettings& s) {
  std::shared_ptr<spdlog::logger> logger;
  try {
    if (s.access_file.empty())
      logger = std::make_shared<spdlog::logger>("access", std::make_shared<spdlog::sinks::stdout_sink_mt>());
    else
      logger = std::make_shared<spdlog::logger>(
          "access", std::make_shared<spdlog::sinks::basic_file_sink_mt>(s.access_file, false));
  } catch (const spdlog::spdlog_ex& e) {
    throw Error(ErrorKind::unavailable, "access_log_unavailable",
                "cannot open the access log " + s.access_file + ": " + e.what());
  }
  logger->set_pattern("%v");
  logger->set_level(spdlog::level::info);
  logger->flush_on(spdlog::level::err);
  spdlog::drop("access");           // a second App in one process (tests) takes the name over
  spdlog::register_logger(logger);  // flushed by spdlog::flush_every, and at exit by spdlog::shutdown
  spdlog::flush_every(std::chrono::seconds(1));
  return [logger](std::string&& line) { logger->info(line); };
}

std::string node_name(const LogSettings& s) {
  if (!s.node.empty()) return s.node;
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) return "tribune";
  return host;
}

}  // namespace tribune

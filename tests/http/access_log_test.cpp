// The access log and request ids (issue 18): one line per request in JSON or logfmt with the route pattern,
// never the path's token, an address or a cookie; X-Request-Id taken only from a trusted proxy, made
// otherwise, echoed; per-route latency histograms in /metrics.
#include "http/access_log.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>
#include <thread>

#include "app/logging.h"
#include "test_support.h"

using namespace tribune;
using namespace tribune::testing;
namespace json = boost::json;

namespace {

std::vector<std::string> lines_of(const std::string& path, size_t at_least) {
  std::vector<std::string> lines;
  for (int i = 0; i < 60; ++i) {  // flushed each second
    lines.clear();
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    if (lines.size() >= at_least) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return lines;
}

}  // namespace

TEST(AccessLog, LinesSayWhatHappenedInEitherFormat) {
  AccessEntry e{"GET", "/api/v1/articles/{slug}", 200, 1234, 0.0025, "abc123", "node-1", 1767225600123};
  auto j = json::parse(format_access(e, AccessLogFormat::json)).as_object();
  EXPECT_EQ(j.at("time").as_string(), "2026-01-01T00:00:00.123Z");
  EXPECT_EQ(j.at("route").as_string(), "/api/v1/articles/{slug}");
  EXPECT_EQ(j.at("status").as_int64(), 200);
  EXPECT_EQ(j.at("bytes").as_int64(), 1234);
  EXPECT_DOUBLE_EQ(j.at("duration_ms").to_number<double>(), 2.5);
  EXPECT_EQ(j.at("request_id").as_string(), "abc123");
  EXPECT_EQ(j.at("node").as_string(), "node-1");
  EXPECT_EQ(format_access(e, AccessLogFormat::logfmt),
            "time=2026-01-01T00:00:00.123Z method=GET route=/api/v1/articles/{slug} status=200 bytes=1234 "
            "duration_ms=2.500 request_id=abc123 node=node-1");
  AccessEntry odd{"GET", "a route", 404, 0, 0, "id", "my node", 0};
  EXPECT_NE(format_access(odd, AccessLogFormat::logfmt).find("route=\"a route\""), std::string::npos);
  EXPECT_TRUE(valid_request_id("req-1.2_3:4"));
  EXPECT_FALSE(valid_request_id(""));
  EXPECT_FALSE(valid_request_id("has space"));
  EXPECT_FALSE(valid_request_id("line\nbreak"));
  EXPECT_FALSE(valid_request_id(std::string(129, 'a')));
  EXPECT_NE(make_request_id(), make_request_id());
  {
    RequestIdScope scope("outer");
    EXPECT_EQ(current_request_id(), "outer");
  }
  EXPECT_EQ(current_request_id(), "");
}

TEST(AccessLog, EveryRequestIsOneLineWithItsIdAndNothingPersonal) {
  TempDir logs;
  std::string file = logs.path() + "/access.log";
  TestServer server(true, {}, [&](Config& c) {
    c.log.access = AccessLogFormat::json;
    c.log.access_file = file;
    c.log.node = "test-node";
  });
  auto reader = register_reader(server.port(), "logged@example.org", "Logged Reader");
  auto page = request(server.port(), {"GET", "/verify?token=the-secret-token", {}, {{"X-Request-Id", "chosen-id"}}});
  auto made = page.header("x-request-id");
  EXPECT_TRUE(valid_request_id(made));
  EXPECT_NE(made, "chosen-id") << "an id from a client that is not a trusted proxy is not taken";
  auto me = reader.call("GET", "/api/v1/me");
  auto lines = lines_of(file, 3);
  ASSERT_GE(lines.size(), 3U);
  bool verify_seen = false, me_seen = false;
  for (const auto& line : lines) {
    auto o = json::parse(line).as_object();
    EXPECT_EQ(o.at("node").as_string(), "test-node");
    EXPECT_EQ(line.find("the-secret-token"), std::string::npos) << line;
    EXPECT_EQ(line.find("logged@example.org"), std::string::npos) << line;
    EXPECT_EQ(line.find("127.0.0.1"), std::string::npos) << line;
    EXPECT_EQ(line.find(reader.cookie.substr(reader.cookie.find('=') + 1, 20)), std::string::npos) << line;
    if (o.at("route").as_string() == "/verify") {
      verify_seen = true;
      EXPECT_EQ(o.at("request_id").as_string(), made) << "the line carries the id the response echoed";
      EXPECT_EQ(o.at("method").as_string(), "GET");
    }
    if (o.at("route").as_string() == "/api/v1/me") {
      me_seen = true;
      EXPECT_EQ(o.at("status").as_int64(), 200);
      EXPECT_EQ(o.at("bytes").as_int64(), static_cast<int64_t>(me.body.size()));
    }
  }
  EXPECT_TRUE(verify_seen);
  EXPECT_TRUE(me_seen);
}

TEST(AccessLog, ATrustedProxysRequestIdIsKeptAndRoutesHaveTheirOwnLatency) {
  TestServer server(true, {}, [](Config& c) { c.pipeline.trusted_proxies = {"127.0.0.1"}; });
  auto r = request(server.port(), {"GET", "/api/v1/articles", {}, {{"X-Request-Id", "lb-7f3a.1"}}});
  EXPECT_EQ(r.header("x-request-id"), "lb-7f3a.1");
  auto bad = request(server.port(), {"GET", "/api/v1/articles", {}, {{"X-Request-Id", "no spaces allowed"}}});
  EXPECT_NE(bad.header("x-request-id"), "no spaces allowed");
  EXPECT_TRUE(valid_request_id(bad.header("x-request-id")));
  auto metrics = get(server.port(), "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("tribune_http_route_duration_seconds_count{route=\"GET /api/v1/articles\"} 2\n"),
            std::string::npos)
      << metrics.body;
  EXPECT_EQ(metrics.body.find("route=\"GET /api/v1/webhooks\""), std::string::npos)
      << "a route that has not answered takes no room";
}

// deploy/grafana-dashboard.json asks only for series the server exports.
TEST(AccessLog, TheGrafanaDashboardAsksForSeriesTheServerHas) {
  TestServer server(true);
  get(server.port(), "/api/v1/articles");
  auto metrics = get(server.port(), "/metrics").body;
  std::ifstream in(tribune::testing::source_dir() + "/deploy/grafana-dashboard.json");
  std::stringstream text;
  text << in.rdbuf();
  auto dashboard = json::parse(text.str()).as_object();
  int asked = 0;
  for (const auto& p : dashboard.at("panels").as_array())
    for (const auto& t : p.at("targets").as_array()) {
      std::string expr(t.at("expr").as_string());
      for (size_t at = expr.find("tribune_"); at != std::string::npos; at = expr.find("tribune_", at + 1)) {
        size_t end = expr.find_first_not_of("abcdefghijklmnopqrstuvwxyz_", at);
        auto name = expr.substr(at, end - at);
        ++asked;
        bool found = false;
        for (size_t m = metrics.find("\n" + name); m != std::string::npos && !found;
             m = metrics.find("\n" + name, m + 1)) {
          char next = m + 1 + name.size() < metrics.size() ? metrics[m + 1 + name.size()] : '\0';
          found = next == ' ' || next == '{';  // the whole name, not a longer one's start
        }
        EXPECT_TRUE(found) << name << " is not in /metrics";
        at = end == std::string::npos ? expr.size() - 1 : end;
      }
    }
  EXPECT_GT(asked, 10);
}

// Application lines written while a request is handled carry its id, in either format.
TEST(AccessLog, ApplicationLinesCarryTheRequestId) {
  std::ostringstream out;
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(
      std::make_shared<spdlog::logger>("capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(out)));
  configure_logging(LogSettings{});
  spdlog::info("outside");
  {
    RequestIdScope scope("req-42");
    spdlog::warn("inside");
  }
  LogSettings json_lines;
  json_lines.format = "json";
  configure_logging(json_lines);
  {
    RequestIdScope scope("req-43");
    spdlog::warn("a \"quoted\" word");
  }
  spdlog::set_default_logger(previous);
  configure_logging(LogSettings{});
  std::vector<std::string> lines;
  std::istringstream in(out.str());
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 3U) << out.str();
  EXPECT_TRUE(lines[0].ends_with(" info outside")) << lines[0];
  EXPECT_TRUE(lines[1].ends_with(" warning inside request_id=req-42")) << lines[1];
  auto o = json::parse(lines[2]).as_object();
  EXPECT_EQ(o.at("message").as_string(), "a \"quoted\" word");
  EXPECT_EQ(o.at("request_id").as_string(), "req-43");
  EXPECT_THROW(check_log_settings(LogSettings{"loud", "text"}), Error);
  EXPECT_THROW(check_log_settings(LogSettings{"info", "xml"}), Error);
}

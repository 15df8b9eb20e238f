// Logs: the application's lines (spdlog; text or JSON, a level, the request id of the request being handled
// on every line written while handling it) and the access log's sink. Configured by [log]
// (docs/configuration.md, docs/operations.md).
#pragma once

#include <functional>
#include <string>

#include "http/access_log.h"

namespace tribune {

struct LogSettings {
  std::string level = "info";   // trace, debug, info, warn, error, critical, off
  std::string format = "text";  // the application's lines: text or json
  AccessLogFormat access = AccessLogFormat::off;
  std::string access_file;  // empty: standard output
  std::string node;         // names this node in access lines; empty: the host name
};

// Throws Error(invalid) for an unknown level or format (the config file's check).
void check_log_settings(const LogSettings& s);
// The process's loggers (spdlog's default writes to standard output): pattern and level. Throws as
// check_log_settings.
void configure_logging(const LogSettings& s);
// Where access lines go: a file (appended to, opened once) or standard output, written by a background
// thread. Throws Error(unavailable) when the file cannot be opened.
std::function<void(std::string&&)> access_sink(const LogSettings& s);
// The node name access lines carry: s.node, else the host name.
std::string node_name(const LogSettings& s);

}  // namespace tribune

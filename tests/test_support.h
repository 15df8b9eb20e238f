// Shared test fixtures: temporary directories, an in-process Tribune on port 0, and a small HTTP client.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "app/app.h"
#include "http/server.h"

namespace tribune::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct HttpResult {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// Sends raw bytes and reads one response (or until the server closes).
HttpResult raw_request(uint16_t port, const std::string& bytes);

struct RequestSpec {
  std::string method = "GET";
  std::string target = "/";
  std::string body;
  std::map<std::string, std::string> headers;
};
HttpResult request(uint16_t port, const RequestSpec& spec);
inline HttpResult get(uint16_t port, const std::string& target) { return request(port, {"GET", target, {}, {}}); }

// A whole Tribune (store, domain, router, pipeline, server) in this process, on 127.0.0.1:0.
class TestServer {
 public:
  explicit TestServer(bool demo = true, std::string data_dir = {}, std::function<void(Config&)> tweak = {});
  ~TestServer();
  uint16_t port() const { return port_; }
  App& app() { return *app_; }
  const std::string& data_dir() const { return data_dir_; }

 private:
  std::unique_ptr<TempDir> owned_dir_;
  std::string data_dir_;
  std::unique_ptr<App> app_;
  std::unique_ptr<Server> server_;
  uint16_t port_ = 0;
};

}  // namespace tribune::testing

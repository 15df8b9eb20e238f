// Shared test fixtures: temporary directories, an in-process Tribune on port 0, and a small HTTP client.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "app/app.h"
#include "http/server.h"

namespace tribune::testing {

// The source tree's root (tests/data, deploy/ and the like). Compiled into test_support.cpp alone, so that the other
// test files' objects are the same in every clone of the tree (ccache shares them between clones).
std::string source_dir();

class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// PostgreSQL for tests. TRIBUNE_TEST_PG names a server (a libpq URL or key=value string) on which tests may
// create and drop databases; without it, PostgreSQL tests are skipped and the contract suite runs on SQLite only.
std::optional<std::string> pg_test_server();
// The connection string of a database named after key (a temporary directory: unique while it exists),
// created on the test server when missing. Requires pg_test_server().
std::string pg_test_database(const std::string& key);
// Drops that database, ending its sessions first.
void drop_pg_test_database(const std::string& key);

struct HttpResult {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::vector<std::string> set_cookies;  // every Set-Cookie, in order
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// The error code of a JSON error answer ({"error": {"code": ...}}).
std::string error_code(const HttpResult& r);
// The code of the tribune::Error that f throws, or "none" when it throws nothing.
std::string thrown_code(const std::function<void()>& f);

// The bytes a gzip member holds (zlib's inflate); throws when it is not whole and valid.
std::string gunzip(std::string_view gz);

// A blocking TCP socket connected to 127.0.0.1:port (throws when it cannot connect). The caller closes it.
// receive_buffer > 0: its SO_RCVBUF, set before connecting (the window it offers from the start; set after, a
// smaller buffer than the window already offered leaves the sender probing a closed window, with backoff).
int connect_loopback(uint16_t port, int receive_buffer = 0);

// Sends raw bytes and reads one response (or until the server closes).
HttpResult raw_request(uint16_t port, const std::string& bytes);

struct RequestSpec {
  std::string method = "GET";
  std::string target = "/";
  std::string body;
  std::map<std::string, std::string> headers;
};
HttpResult request(uint16_t port, const RequestSpec& spec);
inline HttpResult get(uint16_t port, const std::string& target) {
  return request(port, {"GET", target, {}, {}});
}

// A client with a session: keeps the cookie it is given, sends the CSRF token on state-changing requests.
struct Reader {
  uint16_t port = 0;
  std::string cookie, csrf;
  int64_t id = 0;
  // JSON API call (Content-Type set when there is a body).
  HttpResult call(const std::string& method, const std::string& target, const std::string& body = {});
  // A form post as a browser without JavaScript sends it (urlencoded fields, csrf_token added).
  HttpResult form(const std::string& target, const std::string& fields);
  // A form with a file input, as a browser sends it (multipart/form-data, csrf_token added).
  struct File {
    std::string field, filename, content_type, bytes;
  };
  HttpResult multipart(const std::string& target, const std::vector<std::pair<std::string, std::string>>& fields,
                       const std::vector<File>& files = {});
};

// The slug of a demo article open for comments whatever the closing rules (comments mode "open"); empty when
// none is.
std::string open_article_slug(uint16_t port);

class TestServer;
// A reader registered over the API (and so signed in at once).
Reader register_reader(uint16_t port, const std::string& email, const std::string& name);
// A staff account created directly in the app, signed in over the API.
Reader staff_session(TestServer& server, const std::string& email, const std::string& name, const std::string& role);

// Reads a Server-Sent Events stream on its own socket until a text appears or a deadline passes.
class EventReader {
 public:
  EventReader(uint16_t port, const std::string& target, const std::map<std::string, std::string>& headers = {});
  ~EventReader();
  EventReader(const EventReader&) = delete;
  EventReader& operator=(const EventReader&) = delete;
  bool wait_for(const std::string& text, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  const std::string& text() const { return text_; }

 private:
  int fd_ = -1;
  std::string text_;
};

// A whole Tribune (store, domain, router, pipeline, server) in this process, on 127.0.0.1:0. With
// TRIBUNE_TEST_STORE_PG set (and TRIBUNE_TEST_PG naming the server) the store is a PostgreSQL database named
// after the data directory, dropped with the directory's TempDir.
class TestServer {
 public:
  explicit TestServer(bool demo = true, std::string data_dir = {}, std::function<void(Config&)> tweak = {},
                      App::StoreDecorator decorate = {});
  ~TestServer();
  uint16_t port() const { return port_; }
  bool uses_postgres() const { return !app_->config().store.url.empty(); }
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

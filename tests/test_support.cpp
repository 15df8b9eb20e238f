#include "test_support.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <cstdlib>
#include <iostream>
#include <random>
#include <stdexcept>

#include "model/error.h"
#include "store/postgres/pg.h"

namespace tribune::testing {

std::string source_dir() {
  return TRIBUNE_SOURCE_DIR;
}

std::string gunzip(std::string_view gz) {
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) throw std::runtime_error("inflateInit2 failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  zs.avail_in = static_cast<uInt>(gz.size());
  std::string out;
  int rc = Z_OK;
  while (rc == Z_OK) {
    char buf[16384];
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof buf - zs.avail_out);
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) break;
  }
  bool whole = rc == Z_STREAM_END && zs.avail_in == 0;
  inflateEnd(&zs);
  if (!whole) throw std::runtime_error("not a whole gzip member (inflate " + std::to_string(rc) + ")");
  return out;
}

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "tribune-test-XXXXXX").string();
  char* p = mkdtemp(tmpl.data());
  if (!p) throw std::runtime_error("mkdtemp failed");
  path_ = p;
}

std::optional<std::string> pg_test_server() {
  const char* v = std::getenv("TRIBUNE_TEST_PG");
  if (!v || !*v) return std::nullopt;
  return std::string(v);
}

namespace {

std::string pg_test_database_name(const std::string& key) {
  static const char* hex = "0123456789abcdef";
  std::string name = "tribune_test_";
  for (unsigned char ch : std::filesystem::path(key).filename().string()) {
    name += hex[ch >> 4];
    name += hex[ch & 15];
  }
  return name;
}

}  // namespace

std::string pg_test_database(const std::string& key) {
  std::string name = pg_test_database_name(key);
  pg::Connection admin(*pg_test_server());
  try {
    admin.exec("CREATE DATABASE " + pg::quote_identifier(name));
  } catch (const pg::PgError& e) {
    if (e.sqlstate() != "42P04") throw;  // already created for this key: a reopened store
  }
  return pg::with_database(*pg_test_server(), name);
}

void drop_pg_test_database(const std::string& key) {
  pg::Connection admin(*pg_test_server());
  admin.exec("DROP DATABASE IF EXISTS " + pg::quote_identifier(pg_test_database_name(key)) + " WITH (FORCE)");
}

TempDir::~TempDir() {
  // A TestServer on PostgreSQL keeps its database as long as its directory: a restarted server finds it again.
  if (std::getenv("TRIBUNE_TEST_STORE_PG") && pg_test_server()) {
    try {
      drop_pg_test_database(path_);
    } catch (const std::exception& e) {
      std::cerr << "warning: test database of " << path_ << " not dropped: " << e.what() << "\n";
    }
  }
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

namespace {

HttpResult read_response(tcp::socket& socket) {
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  parser.skip(false);
  beast::error_code ec;
  http::read(socket, buffer, parser, ec);
  HttpResult r;
  if (ec && !parser.is_header_done()) {
    r.status = 0;
    r.body = ec.message();
    return r;
  }
  auto& res = parser.get();
  r.status = static_cast<int>(res.result_int());
  for (const auto& f : res) {
    std::string name(f.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (name == "set-cookie") {
      r.set_cookies.emplace_back(f.value());
      // header("set-cookie") is the session's (what the tests follow); the read-your-writes cookie that a
      // write adds is only in set_cookies.
      if (f.value().starts_with("tribune_pos=")) continue;
    }
    r.headers[name] = std::string(f.value());
  }
  r.body = res.body();
  return r;
}

tcp::socket connect(asio::io_context& ioc, uint16_t port) {
  tcp::socket socket(ioc);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  struct timeval tv {
    10, 0
  };
  ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return socket;
}

}  // namespace

std::string error_code(const HttpResult& r) {
  return std::string(boost::json::parse(r.body).at("error").at("code").as_string());
}

int connect_loopback(uint16_t port, int receive_buffer) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd >= 0 && receive_buffer > 0) ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port));
  }
  return fd;
}

HttpResult raw_request(uint16_t port, const std::string& bytes) {
  asio::io_context ioc;
  auto socket = connect(ioc, port);
  beast::error_code ec;
  asio::write(socket, asio::buffer(bytes), ec);  // the server may answer and close before reading it all
  return read_response(socket);
}

HttpResult request(uint16_t port, const RequestSpec& spec) {
  asio::io_context ioc;
  auto socket = connect(ioc, port);
  http::request<http::string_body> req{http::string_to_verb(spec.method), spec.target, 11};
  req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  for (const auto& [k, v] : spec.headers) req.set(k, v);
  if (!spec.body.empty() || spec.method == "POST" || spec.method == "PUT" || spec.method == "PATCH") {
    req.body() = spec.body;
    req.prepare_payload();
  }
  req.keep_alive(false);
  beast::error_code ec;
  http::write(socket, req, ec);  // the server may answer (413) and close before reading it all
  auto r = read_response(socket);
  if (spec.method == "HEAD") r.body.clear();
  return r;
}

HttpResult Reader::call(const std::string& method, const std::string& target, const std::string& body) {
  RequestSpec spec{method, target, body, {}};
  if (!body.empty()) spec.headers["Content-Type"] = "application/json";
  if (!cookie.empty()) spec.headers["Cookie"] = cookie;
  if (!csrf.empty() && method != "GET") spec.headers["X-CSRF-Token"] = csrf;
  auto r = request(port, spec);
  if (auto set = r.header("set-cookie"); !set.empty()) cookie = set.substr(0, set.find(';'));
  return r;
}

HttpResult Reader::form(const std::string& target, const std::string& fields) {
  RequestSpec spec{"POST", target, fields + "&csrf_token=" + csrf, {}};
  spec.headers["Content-Type"] = "application/x-www-form-urlencoded";
  spec.headers["Cookie"] = cookie;
  return request(port, spec);
}

HttpResult Reader::multipart(const std::string& target, const std::vector<std::pair<std::string, std::string>>& fields,
                             const std::vector<File>& files) {
  const std::string boundary = "----TribuneTestBoundary7MA4YWxkTrZu0gW";
  std::string body;
  auto part = [&](const std::string& disposition, const std::string& type, const std::string& data) {
    body += "--" + boundary + "\r\nContent-Disposition: form-data; " + disposition + "\r\n";
    if (!type.empty()) body += "Content-Type: " + type + "\r\n";
    body += "\r\n" + data + "\r\n";
  };
  part("name=\"csrf_token\"", "", csrf);
  for (const auto& [name, value] : fields) part("name=\"" + name + "\"", "", value);
  for (const auto& f : files)
    part("name=\"" + f.field + "\"; filename=\"" + f.filename + "\"",
         f.content_type.empty() ? "application/octet-stream" : f.content_type, f.bytes);
  body += "--" + boundary + "--\r\n";
  RequestSpec spec{"POST", target, body, {}};
  spec.headers["Content-Type"] = "multipart/form-data; boundary=" + boundary;
  spec.headers["Cookie"] = cookie;
  return request(port, spec);
}

Reader register_reader(uint16_t port, const std::string& email, const std::string& name) {
  Reader r{port, {}, {}};
  std::string body =
      "{\"email\":\"" + email + "\",\"display_name\":\"" + name + "\",\"password\":\"a reader's long password\"}";
  auto res = r.call("POST", "/api/v1/accounts", body);
  if (res.status != 201) throw std::runtime_error("registration failed: " + res.body);
  auto v = boost::json::parse(res.body);
  r.csrf = std::string(v.at("csrf_token").as_string());
  r.id = v.at("account").at("id").as_int64();
  return r;
}

std::string open_article_slug(uint16_t port) {
  auto v = boost::json::parse(get(port, "/api/v1/articles?limit=50").body);
  for (auto& a : v.at("articles").as_array())
    if (a.at("comments_open").as_bool() && a.at("comments_mode").as_string() == "open")
      return std::string(a.at("slug").as_string());
  return {};
}

Reader staff_session(TestServer& server, const std::string& email, const std::string& name, const std::string& role) {
  server.app().accounts().create_account(email, name, "a staff member's password", role);
  Reader r{server.port(), {}, {}};
  auto res =
      r.call("POST", "/api/v1/sessions", "{\"email\":\"" + email + "\",\"password\":\"a staff member's password\"}");
  if (res.status != 200) throw std::runtime_error("staff sign-in failed: " + res.body);
  auto v = boost::json::parse(res.body);
  r.csrf = std::string(v.at("csrf_token").as_string());
  r.id = v.at("account").at("id").as_int64();
  return r;
}

EventReader::EventReader(uint16_t port, const std::string& target, const std::map<std::string, std::string>& headers) {
  fd_ = connect_loopback(port);
  timeval tv{0, 200000};
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string req = "GET " + target + " HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n";
  for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
  req += "\r\n";
  if (::send(fd_, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size()))
    throw std::runtime_error("EventReader: cannot send");
}

EventReader::~EventReader() {
  if (fd_ >= 0) ::close(fd_);
}

bool EventReader::wait_for(const std::string& text, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (text_.find(text) != std::string::npos) return true;
    char buf[4096];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n > 0) text_.append(buf, static_cast<size_t>(n));
    if (n == 0) break;
  }
  return text_.find(text) != std::string::npos;
}

TestServer::TestServer(bool demo, std::string data_dir, std::function<void(Config&)> tweak,
                       App::StoreDecorator decorate) {
  if (data_dir.empty()) {
    owned_dir_ = std::make_unique<TempDir>();
    data_dir = owned_dir_->path();
  }
  data_dir_ = data_dir;
  Config config;
  config.data_dir = data_dir_;
  if (std::getenv("TRIBUNE_TEST_STORE_PG") && pg_test_server()) config.store.url = pg_test_database(data_dir_);
  config.server.host = "127.0.0.1";
  config.server.port = 0;
  config.server.io_threads = 2;
  config.pipeline.blocking_threads = 8;
  config.blocking_threads_set = true;
  // Every test reader comes from 127.0.0.1: the per-IP comment limit has a test of its own.
  config.comment_limits.per_ip.count = 1000000;
  if (tweak) tweak(config);
  app_ = std::make_unique<App>(config, std::move(decorate));
  if (demo) app_->load_demo();
  server_ = std::make_unique<Server>(app_->config().server);
  server_->listen();
  port_ = server_->port();
  if (!app_->config().base_url_set) app_->config().site.base_url = "http://127.0.0.1:" + std::to_string(port_);
  app_->build_http();
  app_->start_background();
  server_->start(app_->pipeline());
}

TestServer::~TestServer() {
  app_->live().close_all();
  server_->stop();
  server_->wait();
  app_->pipeline().shutdown_pool();
  app_->stop_background();
}

std::string thrown_code(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code();
  }
  return "none";
}

}  // namespace tribune::testing

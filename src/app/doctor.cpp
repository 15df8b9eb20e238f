#include "app/doctor.h"

#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "app/app.h"
#include "app/config.h"
#include "model/error.h"
#include "store/postgres/migrations.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/migrations.h"
#include "util/curl_client.h"

namespace tribune {

namespace {

using Level = DoctorFinding::Level;

struct Findings {
  std::vector<DoctorFinding> list;
  void ok(std::string check, std::string message) {
    list.push_back({Level::ok, std::move(check), std::move(message), {}});
  }
  void warn(std::string check, std::string message, std::string fix) {
    list.push_back({Level::warning, std::move(check), std::move(message), std::move(fix)});
  }
  void error(std::string check, std::string message, std::string fix) {
    list.push_back({Level::error, std::move(check), std::move(message), std::move(fix)});
  }
};

// The secrets a configuration may hold, by key, when set.
std::vector<std::string> secrets_in(const Config& c) {
  std::vector<std::string> out;
  if (!c.stripe.secret_key.empty()) out.emplace_back("stripe.secret_key");
  if (!c.stripe.webhook_secret.empty()) out.emplace_back("stripe.webhook_secret");
  if (!c.smtp.password.empty()) out.emplace_back("mail.password");
  if (!c.external_rule.secret.empty()) out.emplace_back("moderation.external.secret");
  if (!c.metrics.token.empty()) out.emplace_back("server.metrics_token");
  // A password in a URL: user:password@ before the host, or ?password=.
  auto has_password = [](const std::string& url) {
    auto scheme = url.find("://");
    auto at = scheme == std::string::npos ? std::string::npos : url.find('@', scheme + 3);
    bool userinfo = at != std::string::npos && url.find(':', scheme + 3) < at && url.find('/', scheme + 3) > at;
    return userinfo || url.find("password=") != std::string::npos;
  };
  if (has_password(c.store.url)) out.emplace_back("store.url (a password)");
  if (has_password(c.store.replica_url)) out.emplace_back("store.replica_url (a password)");
  if (has_password(c.smtp.url)) out.emplace_back("mail.smtp_url (a password)");
  return out;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

std::optional<Config> check_config(const DoctorOptions& o, Findings& f) {
  Config c;
  c.data_dir = o.data_dir;
  if (!o.config_file.empty()) {
    std::ifstream probe(o.config_file);
    if (!probe) {
      f.error("config", "cannot read " + o.config_file, "check the path, and that this user may read it");
      return std::nullopt;
    }
    try {
      load_config_file(o.config_file, c);
    } catch (const Error& e) {
      f.error("config", e.message(),
              "correct that key in " + o.config_file + " (docs/configuration.md lists them all)");
      return std::nullopt;
    }
    struct stat st {};
    auto secrets = secrets_in(c);
    if (::stat(o.config_file.c_str(), &st) == 0 && (st.st_mode & S_IROTH) && !secrets.empty())
      f.error("config", o.config_file + " is readable by every user on this machine and holds " + joined(secrets),
              "chmod 640 " + o.config_file + " and give it to the service's group (chgrp)");
    else
      f.ok("config", o.config_file + " read, every key known");
  } else {
    f.ok("config", "no --config: the defaults (docs/configuration.md)");
  }
  try {
    apply_outside_secrets(c);  // as `serve` will: credentials and the environment over the file
  } catch (const Error& e) {
    f.error("config", e.message(), "make the credential readable by the service (LoadCredential=), or fix the value");
    return std::nullopt;
  }
  if (!o.store_url.empty()) c.store.url = o.store_url;
  return c;
}

bool check_data_dir(const Config& c, Findings& f) {
  namespace fs = std::filesystem;
  std::error_code ec;
  auto status = fs::status(c.data_dir, ec);
  if (ec && ec != std::errc::no_such_file_or_directory) {
    f.error("data",
            "this user (uid " + std::to_string(::geteuid()) + ") cannot reach " + c.data_dir + ": " + ec.message(),
            "let the service user through every directory above it, or run as that user");
    return false;
  }
  if (!fs::exists(status)) {
    f.error("data", c.data_dir + " does not exist",
            "create it for the service user (tribune serve makes it when it may)");
    return false;
  }
  if (!fs::is_directory(c.data_dir, ec)) {
    f.error("data", c.data_dir + " is not a directory", "point --data at a directory");
    return false;
  }
  if (::access(c.data_dir.c_str(), R_OK | W_OK | X_OK) != 0) {
    f.error("data", "this user (uid " + std::to_string(::geteuid()) + ") cannot read and write " + c.data_dir,
            "chown the directory to the service user, or run as that user");
    return false;
  }
  if (!is_postgres_url(c.store.url) && fs::exists(c.database_path(), ec) &&
      ::access(c.database_path().c_str(), R_OK | W_OK) != 0) {
    f.error("data", "this user cannot read and write " + c.database_path(), "chown it to the service user");
    return false;
  }
  f.ok("data", c.data_dir + " readable and writable");
  struct statvfs vfs {};
  if (::statvfs(c.data_dir.c_str(), &vfs) == 0) {
    double free = static_cast<double>(vfs.f_bavail) * static_cast<double>(vfs.f_frsize);
    double total = static_cast<double>(vfs.f_blocks) * static_cast<double>(vfs.f_frsize);
    std::string gib = std::to_string(static_cast<int64_t>(free / (1 << 30))) + " GiB";
    if (free < 256.0 * (1 << 20))
      f.error("disk",
              "only " + std::to_string(static_cast<int64_t>(free / (1 << 20))) + " MiB free under " + c.data_dir,
              "free space now: a full disk stops every write (the store answers 503)");
    else if (free < 1024.0 * (1 << 20) || free < total * 0.05)
      f.warn("disk",
             gib + " free under " + c.data_dir + " (" + std::to_string(static_cast<int>(100 * free / total)) + "%)",
             "free space or grow the disk before it fills");
    else
      f.ok("disk", gib + " free under " + c.data_dir);
  }
  return true;
}

void check_store(const Config& c, Findings& f) {
  bool postgres = is_postgres_url(c.store.url);
  if (!postgres && !std::filesystem::exists(c.database_path())) {
    f.warn("store", "no database yet at " + c.database_path(), "tribune serve (or tribune migrate) creates it");
    return;
  }
  try {
    auto store = open_store(c);
    int version = store->schema_version();
    int latest = postgres ? postgres::migrations().back().version : sqlite::migrations().back().version;
    std::string where = postgres ? "PostgreSQL" : c.database_path();
    if (version < latest)
      f.warn("store", where + " is at schema " + std::to_string(version) + " of " + std::to_string(latest),
             "tribune migrate (or start tribune serve, which migrates)");
    else if (version > latest)
      f.error("store",
              where + " is at schema " + std::to_string(version) + ", newer than this tribune (" +
                  std::to_string(latest) + ")",
              "run the version of tribune that wrote it, or newer");
    else
      f.ok("store", where + " reachable, schema " + std::to_string(version) + " (current)");
    auto integrity = store->integrity_check();
    if (integrity == "ok")
      f.ok("store", "integrity check ok");
    else
      f.error("store", "integrity check: " + integrity,
              "stop the service and restore the store from a copy or an export (docs/import-export.md)");
  } catch (const Error& e) {
    f.error("store", e.message(),
            postgres ? "check [store] url, the server, and its pg_hba.conf for this host"
                     : "check the file and its permissions");
  }
}

// A URL as it may be printed: without user name and password.
std::string shown(const std::string& url) {
  auto scheme = url.find("://");
  auto at = scheme == std::string::npos ? std::string::npos : url.find('@', scheme + 3);
  if (at == std::string::npos || url.find('/', scheme + 3) < at) return url;
  return url.substr(0, scheme + 3) + url.substr(at + 1);
}

void check_mail(const Config& c, const DoctorOptions& o, Findings& f) {
  if (c.smtp.url.empty()) {
    f.warn("mail", "no [mail] smtp_url: mail (verification, password resets, digests) waits in the outbox",
           "set [mail] smtp_url, username and password to your mail server");
    return;
  }
  curl_client::Mail m;
  m.url = c.smtp.url;
  m.username = c.smtp.username;
  m.password = c.smtp.password;
  m.timeout = std::chrono::duration_cast<std::chrono::seconds>(o.timeout) + std::chrono::seconds(1);
  m.connect_timeout = m.timeout;
  auto why = curl_client::check_mail_server(m);
  if (why.empty())
    f.ok("mail", shown(c.smtp.url) + (c.smtp.username.empty() ? " answers" : " answers and accepts the password") +
                     " (no mail sent)");
  else
    f.error("mail", shown(c.smtp.url) + ": " + why,
            c.smtp.username.empty() ? "check [mail] smtp_url and that the server is up"
                                    : "check [mail] smtp_url, username and password");
}

void check_stripe(const Config& c, const DoctorOptions& o, Findings& f) {
  if (c.stripe.secret_key.empty()) {
    f.ok("stripe", "no [stripe] secret_key: contributions are off (the appeal says they open soon)");
    return;
  }
  if (c.stripe.webhook_secret.empty())
    f.error("stripe", "secret_key is set but webhook_secret is not: payments would never be confirmed",
            "add the webhook endpoint's signing secret as [stripe] webhook_secret (docs/contributions.md)");
  curl_client::Post get{.url = c.stripe.api_base + "/v1/balance",
                        .method = "GET",
                        .headers = {"Authorization: Bearer " + c.stripe.secret_key},
                        .timeout = o.timeout,
                        .connect_timeout = o.timeout};
  auto answer = curl_client::post(get);
  if (!answer.ok())
    f.error("stripe", c.stripe.api_base + " cannot be reached: " + answer.error,
            "check the network and [stripe] api_base");
  else if (answer.status == 401)
    f.error("stripe", "Stripe refused the secret key", "copy [stripe] secret_key again from the Stripe dashboard");
  else if (answer.status >= 200 && answer.status < 300)
    f.ok("stripe", "the secret key works (a read-only call)");
  else
    f.warn("stripe", "Stripe answered HTTP " + std::to_string(answer.status) + " to a read-only call",
           "check the key's permissions in the Stripe dashboard");
}

void check_clock(Findings& f) {
  auto now = std::chrono::system_clock::now();
  auto year = static_cast<int>(std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(now)).year());
  if (year < 2024 || year > 2100)
    f.error("clock", "the system clock says the year is " + std::to_string(year),
            "set the time (timedatectl set-ntp true): sessions, schedules and signatures depend on it");
  else
    f.ok("clock", "the system clock says " + format_rfc3339(std::chrono::time_point_cast<std::chrono::seconds>(now)));
}

void check_public_url(const Config& c, const DoctorOptions& o, Findings& f) {
  if (!c.base_url_set) {
    f.warn("public url", "no [site] base_url: links in feeds, mail and webhooks name the listening address",
           "set [site] base_url to the address readers use");
    return;
  }
  std::string base = c.site.base_url;
  while (base.ends_with('/')) base.pop_back();
  curl_client::Post get{.url = base + "/healthz", .method = "GET", .timeout = o.timeout, .connect_timeout = o.timeout};
  auto answer = curl_client::post(get);
  if (answer.ok() && answer.status == 200)
    f.ok("public url", c.site.base_url + " answers");
  else
    f.warn(
        "public url",
        c.site.base_url + "/healthz " + (answer.ok() ? "answered HTTP " + std::to_string(answer.status) : answer.error),
        "start tribune serve, and check the proxy in front of it and DNS");
}

}  // namespace

std::vector<DoctorFinding> run_doctor(const DoctorOptions& o) {
  Findings f;
  auto config = check_config(o, f);
  if (!config) return f.list;
  if (check_data_dir(*config, f)) check_store(*config, f);
  check_mail(*config, o, f);
  check_stripe(*config, o, f);
  check_clock(f);
  check_public_url(*config, o, f);
  return f.list;
}

int doctor_exit_code(const std::vector<DoctorFinding>& findings) {
  return std::any_of(findings.begin(), findings.end(), [](const DoctorFinding& f) { return f.level != Level::ok; }) ? 1
                                                                                                                    : 0;
}

std::string format_finding(const DoctorFinding& f) {
  std::string level = f.level == Level::ok ? "ok" : f.level == Level::warning ? "warning" : "error";
  std::string out = level + std::string(9 - level.size(), ' ') + f.check + ": " + f.message + "\n";
  if (!f.fix.empty()) out += std::string(9, ' ') + "fix: " + f.fix + "\n";
  return out;
}

}  // namespace tribune

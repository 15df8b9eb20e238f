#include "app/config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "domain/dateline.h"
#include "model/error.h"
#include "store/postgres/postgres_store.h"

namespace tribune {

namespace {

Error bad_key(const std::string& key, const std::string& why) {
  return Error(ErrorKind::invalid, "invalid_config", "config " + key + ": " + why, key);
}

template <class T>
void take(const toml::table& t, std::string_view table, std::string_view key, T& out) {
  const toml::node* n = t.get(key);
  if (!n) return;
  std::string full = std::string(table) + "." + std::string(key);
  if constexpr (std::is_same_v<T, std::string>) {
    if (!n->is_string()) throw bad_key(full, "must be a string");
    out = n->as_string()->get();
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!n->is_boolean()) throw bad_key(full, "must be true or false");
    out = n->as_boolean()->get();
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!n->is_number()) throw bad_key(full, "must be a number");
    out = n->is_integer() ? static_cast<T>(n->as_integer()->get()) : static_cast<T>(n->as_floating_point()->get());
  } else {
    if (!n->is_integer()) throw bad_key(full, "must be an integer");
    out = static_cast<T>(n->as_integer()->get());
  }
}

// Edits (insertions, deletions, substitutions) between two short names.
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// An unknown key is an error naming it, and the known key it is most likely a typo of.
void reject_unknown(const toml::table& t, std::string_view table, std::initializer_list<std::string_view> known) {
  for (const auto& [k, v] : t) {
    bool ok = false;
    for (auto name : known) ok = ok || k.str() == name;
    if (ok) continue;
    std::string_view closest;
    size_t best = 3;  // at most two edits away
    for (auto name : known)
      if (size_t d = edit_distance(k.str(), name); d < best) {
        best = d;
        closest = name;
      }
    std::string full = table.empty() ? std::string(k.str()) : std::string(table) + "." + std::string(k.str());
    std::string why = "unknown key";
    if (!closest.empty())
      why += " (did you mean " +
             (table.empty() ? std::string(closest) : std::string(table) + "." + std::string(closest)) + "?)";
    throw bad_key(full, why);
  }
}

}  // namespace

std::string_view to_string(MetricsAccess a) {
  switch (a) {
    case MetricsAccess::loopback:
      return "loopback";
    case MetricsAccess::token:
      return "token";
    case MetricsAccess::open:
      return "public";
    case MetricsAccess::off:
      break;
  }
  return "off";
}

std::optional<MetricsAccess> parse_metrics_access(std::string_view s) {
  for (auto a : {MetricsAccess::loopback, MetricsAccess::token, MetricsAccess::open, MetricsAccess::off})
    if (to_string(a) == s) return a;
  return std::nullopt;
}

void check_secrets(const Config& c) {
  if (c.metrics.access == MetricsAccess::token && c.metrics.token.size() < 16)
    throw bad_key("server.metrics_token", "must be at least 16 characters when server.metrics is \"token\"");
  if (!c.external_rule.url.empty() && c.external_rule.secret.size() < 16)
    throw bad_key("moderation.external.secret", "must be at least 16 characters");
}

void apply_outside_secrets(Config& c, const std::function<std::optional<std::string>(const char*)>& env) {
  auto lookup = [&](const char* name) -> std::optional<std::string> {
    if (env) return env(name);
    const char* v = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): read once, before any thread starts
    return v ? std::optional<std::string>(v) : std::nullopt;
  };
  auto credentials = lookup("CREDENTIALS_DIRECTORY");
  for (const auto& s : kSecrets) {
    std::optional<std::string> value;
    if (credentials && !credentials->empty()) {
      std::filesystem::path file = std::filesystem::path(*credentials) / s.credential;
      std::error_code ec;
      if (std::filesystem::exists(file, ec)) {
        std::ifstream in(file, std::ios::binary);
        if (!in || !std::filesystem::is_regular_file(file, ec))
          throw Error(ErrorKind::invalid, "invalid_config",
                      "the credential " + file.string() + " (for " + s.key + ") cannot be read");
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
        value = std::move(text);
      }
    }
    if (!value) value = lookup(s.variable);
    // Empty is unset: an empty TRIBUNE_STORE_URL (a template's unset variable) must not quietly move a
    // PostgreSQL node onto a new SQLite store, nor an empty key turn contributions off.
    if (value && !value->empty()) s.field(c) = std::move(*value);
  }
  check_secrets(c);
}

int blocking_threads(const Config& c) {
  if (c.blocking_threads_set || !is_postgres_url(c.store.url)) return c.pipeline.blocking_threads;
  return 64;
}

void load_config_file(const std::string& path, Config& c) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    throw Error(ErrorKind::invalid, "invalid_config",
                "config " + path + ":" + std::to_string(e.source().begin.line) + ": " + std::string(e.description()));
  }
  reject_unknown(root, "",
                 {"site", "server", "comments", "appeal", "mail", "limits", "stripe", "moderation", "store", "webhooks",
                  "backup", "log", "embed", "analytics"});
  if (auto* store = root["store"].as_table()) {
    reject_unknown(*store, "store", {"url", "pool_size", "replica_url", "comment_writers"});
    take(*store, "store", "url", c.store.url);
    take(*store, "store", "replica_url", c.store.replica_url);
    take(*store, "store", "pool_size", c.store.pool_size);
    if (c.store.pool_size < 1 || c.store.pool_size > 1000) throw bad_key("store.pool_size", "must be 1 to 1000");
    take(*store, "store", "comment_writers", c.store.comment_writers);
    if (c.store.comment_writers < 1 || c.store.comment_writers > 16)
      throw bad_key("store.comment_writers", "must be 1 to 16");
  }
  if (auto* m = root["moderation"].as_table()) {
    reject_unknown(
        *m, "moderation",
        {"order", "banned_words", "suspect_words", "nudge_words", "max_links", "link_domains", "hold_first_comments",
         "max_repeats", "rejection_rate", "rejection_min_decisions", "rejection_window_days", "classifier_threshold",
         "classifier_min_examples", "notify_authors", "external"});
    auto strings = [&](const char* key, std::vector<std::string>& out) {
      auto* list = (*m)[key].as_array();
      if (!(*m)[key]) return;
      if (!list) throw bad_key(std::string("moderation.") + key, "must be a list of strings");
      out.clear();
      for (auto& v : *list) {
        auto* s = v.as_string();
        if (!s) throw bad_key(std::string("moderation.") + key, "must be a list of strings");
        out.push_back(s->get());
      }
    };
    strings("order", c.moderation.order);
    strings("banned_words", c.moderation.banned_words);
    strings("suspect_words", c.moderation.suspect_words);
    strings("link_domains", c.moderation.link_domains);
    take(*m, "moderation", "nudge_words", c.moderation.nudge_words);
    int64_t links = c.moderation.max_links, first = c.moderation.hold_first_comments,
            repeats = c.moderation.max_repeats;
    take(*m, "moderation", "max_links", links);
    take(*m, "moderation", "hold_first_comments", first);
    take(*m, "moderation", "max_repeats", repeats);
    if (links < 0 || first < 0 || first > 1000 || repeats < 1)
      throw bad_key("moderation", "max_links and hold_first_comments must be 0 or more, max_repeats at least 1");
    c.moderation.max_links = static_cast<int>(links);
    c.moderation.hold_first_comments = static_cast<int>(first);
    c.moderation.max_repeats = static_cast<int>(repeats);
    auto& r = c.moderation;
    int64_t min_decisions = r.rejection_min_decisions, window = r.rejection_window_days,
            min_examples = c.classifier.min_examples;
    take(*m, "moderation", "rejection_rate", r.rejection_rate);
    take(*m, "moderation", "rejection_min_decisions", min_decisions);
    take(*m, "moderation", "rejection_window_days", window);
    take(*m, "moderation", "classifier_threshold", r.classifier_threshold);
    take(*m, "moderation", "classifier_min_examples", min_examples);
    take(*m, "moderation", "notify_authors", c.moderation_settings.notify_authors);
    if (!(r.rejection_rate > 0 && r.rejection_rate <= 1))
      throw bad_key("moderation.rejection_rate", "must be in (0, 1]");
    if (!(r.classifier_threshold > 0 && r.classifier_threshold <= 1))
      throw bad_key("moderation.classifier_threshold", "must be in (0, 1]");
    if (min_decisions < 1 || window < 1 || window > 3650 || min_examples < 1)
      throw bad_key("moderation",
                    "rejection_min_decisions, rejection_window_days and classifier_min_examples must be at least 1");
    r.rejection_min_decisions = static_cast<int>(min_decisions);
    r.rejection_window_days = static_cast<int>(window);
    c.classifier.min_examples = static_cast<int>(min_examples);
    c.classifier.threshold = r.classifier_threshold;
    if (auto* ext = (*m)["external"].as_table()) {
      reject_unknown(*ext, "moderation.external", {"url", "secret", "timeout_ms", "fail"});
      auto& e = c.external_rule;
      int64_t timeout = e.timeout.count();
      std::string fail = e.fail_open ? "open" : "closed";
      take(*ext, "moderation.external", "url", e.url);
      take(*ext, "moderation.external", "secret", e.secret);
      take(*ext, "moderation.external", "timeout_ms", timeout);
      take(*ext, "moderation.external", "fail", fail);
      if (!e.url.starts_with("http://") && !e.url.starts_with("https://"))
        throw bad_key("moderation.external.url", "must be an http(s) URL");
      if (timeout < 10 || timeout > 10000)
        throw bad_key("moderation.external.timeout_ms", "must be between 10 and 10000");
      if (fail != "open" && fail != "closed")
        throw bad_key("moderation.external.fail", "must be \"open\" or \"closed\"");
      e.timeout = std::chrono::milliseconds(timeout);
      e.fail_open = fail == "open";
    }
    if (std::find(r.order.begin(), r.order.end(), "external") != r.order.end() && c.external_rule.url.empty())
      throw bad_key("moderation.order", "lists \"external\" but [moderation.external] has no url");
  }
  if (auto* log = root["log"].as_table()) {
    reject_unknown(*log, "log", {"level", "format", "access", "access_file", "node"});
    take(*log, "log", "level", c.log.level);
    take(*log, "log", "format", c.log.format);
    std::string access(to_string(c.log.access));
    take(*log, "log", "access", access);
    auto format = parse_access_log_format(access);
    if (!format) throw bad_key("log.access", "must be \"off\", \"json\" or \"logfmt\"");
    c.log.access = *format;
    take(*log, "log", "access_file", c.log.access_file);
    take(*log, "log", "node", c.log.node);
    check_log_settings(c.log);
  }
  if (auto* backup = root["backup"].as_table()) {
    reject_unknown(*backup, "backup", {"dir", "every_minutes", "keep", "key_file"});
    auto& b = c.backup;
    int64_t minutes = b.every.count() / 60, keep = b.keep;
    take(*backup, "backup", "dir", b.dir);
    take(*backup, "backup", "every_minutes", minutes);
    take(*backup, "backup", "keep", keep);
    take(*backup, "backup", "key_file", b.key_file);
    if (minutes < 0 || minutes > int64_t{60} * 24 * 31)
      throw bad_key("backup.every_minutes", "must be between 0 and 44640");
    if (keep < 1 || keep > 1000) throw bad_key("backup.keep", "must be between 1 and 1000");
    if (minutes > 0 && b.dir.empty()) throw bad_key("backup.dir", "must be set when every_minutes is");
    b.every = std::chrono::minutes(minutes);
    b.keep = static_cast<int>(keep);
  }
  if (auto* analytics = root["analytics"].as_table()) {
    reject_unknown(*analytics, "analytics", {"count_views", "flush_seconds"});
    int64_t seconds = c.analytics.flush_every.count();
    take(*analytics, "analytics", "count_views", c.analytics.count_views);
    take(*analytics, "analytics", "flush_seconds", seconds);
    if (seconds < 1 || seconds > 300) throw bad_key("analytics.flush_seconds", "must be between 1 and 300");
    c.analytics.flush_every = std::chrono::seconds(seconds);
  }
  if (auto* embed = root["embed"].as_table()) {
    reject_unknown(*embed, "embed", {"origins", "appeal"});
    take(*embed, "embed", "appeal", c.embed.appeal);
    if (auto* origins = (*embed)["origins"].as_array()) {
      for (auto& v : *origins) {
        auto* s = v.as_string();
        auto given = s ? to_lower_ascii(s->get()) : std::string();
        auto origin = origin_of(given);
        if (!origin || (given != *origin && given != *origin + "/"))
          throw bad_key("embed.origins", "must be a list of origins such as \"https://news.example\"");
        c.embed.origins.push_back(*origin);
      }
    } else if ((*embed)["origins"]) {
      throw bad_key("embed.origins", "must be a list of origins such as \"https://news.example\"");
    }
  }
  if (auto* hooks = root["webhooks"].as_table()) {
    reject_unknown(*hooks, "webhooks", {"allow_insecure", "retry_base_ms", "max_attempts", "timeout_ms", "senders"});
    auto& w = c.webhooks;
    int64_t base = w.retry_base.count(), timeout = w.timeout.count(), attempts = w.max_attempts, senders = w.senders;
    take(*hooks, "webhooks", "allow_insecure", w.allow_insecure);
    take(*hooks, "webhooks", "retry_base_ms", base);
    take(*hooks, "webhooks", "max_attempts", attempts);
    take(*hooks, "webhooks", "timeout_ms", timeout);
    take(*hooks, "webhooks", "senders", senders);
    if (base < 0 || base > 3600000) throw bad_key("webhooks.retry_base_ms", "must be between 0 and 3600000");
    if (attempts < 1 || attempts > 50) throw bad_key("webhooks.max_attempts", "must be between 1 and 50");
    if (timeout < 100 || timeout > 60000) throw bad_key("webhooks.timeout_ms", "must be between 100 and 60000");
    if (senders < 1 || senders > 16) throw bad_key("webhooks.senders", "must be between 1 and 16");
    w.retry_base = std::chrono::milliseconds(base);
    w.timeout = std::chrono::milliseconds(timeout);
    w.max_attempts = static_cast<int>(attempts);
    w.senders = static_cast<int>(senders);
  }
  if (auto* stripe = root["stripe"].as_table()) {
    reject_unknown(*stripe, "stripe", {"api_base", "secret_key", "webhook_secret", "checkout_origin"});
    take(*stripe, "stripe", "api_base", c.stripe.api_base);
    take(*stripe, "stripe", "secret_key", c.stripe.secret_key);
    take(*stripe, "stripe", "webhook_secret", c.stripe.webhook_secret);
    take(*stripe, "stripe", "checkout_origin", c.stripe.checkout_origin);
    for (auto* url : {&c.stripe.api_base, &c.stripe.checkout_origin})
      if (!url->starts_with("https://") && !url->starts_with("http://"))
        throw bad_key("stripe", "api_base and checkout_origin must be http(s) URLs");
    while (c.stripe.api_base.ends_with('/')) c.stripe.api_base.pop_back();
  }
  if (auto* limits = root["limits"].as_table()) {
    reject_unknown(*limits, "limits",
                   {"registrations_per_ip_per_hour", "sign_ins_per_ip_per_15_minutes", "comments_per_reader_per_minute",
                    "comments_per_ip_per_minute", "reactions_per_reader_per_minute"});
    int reg = c.account_limits.register_per_ip.count, signin = c.account_limits.signin_per_ip.count,
        comments = c.comment_limits.per_account.count, per_ip = c.comment_limits.per_ip.count,
        reactions = c.comment_limits.reactions.count;
    take(*limits, "limits", "reactions_per_reader_per_minute", reactions);
    take(*limits, "limits", "registrations_per_ip_per_hour", reg);
    take(*limits, "limits", "sign_ins_per_ip_per_15_minutes", signin);
    take(*limits, "limits", "comments_per_reader_per_minute", comments);
    take(*limits, "limits", "comments_per_ip_per_minute", per_ip);
    if (reg < 1 || signin < 1 || comments < 1 || per_ip < 1 || reactions < 1)
      throw bad_key("limits", "limits must be at least 1");
    c.comment_limits.reactions.count = reactions;
    c.comment_limits.per_ip.count = per_ip;
    c.account_limits.register_per_ip.count = reg;
    c.account_limits.signin_per_ip.count = signin;
    c.comment_limits.per_account.count = comments;
  }
  if (auto* mail = root["mail"].as_table()) {
    reject_unknown(*mail, "mail", {"smtp_url", "from", "username", "password", "digest_interval_seconds"});
    int64_t every = c.digest_interval.count();
    take(*mail, "mail", "digest_interval_seconds", every);
    if (every < 1) throw bad_key("mail.digest_interval_seconds", "must be at least 1");
    c.digest_interval = std::chrono::seconds(every);
    take(*mail, "mail", "smtp_url", c.smtp.url);
    take(*mail, "mail", "from", c.smtp.from);
    take(*mail, "mail", "username", c.smtp.username);
    take(*mail, "mail", "password", c.smtp.password);
    if (!c.smtp.url.empty() && !c.smtp.url.starts_with("smtp://") && !c.smtp.url.starts_with("smtps://"))
      throw bad_key("mail.smtp_url", "must start with smtp:// or smtps://");
  }
  if (auto* site = root["site"].as_table()) {
    reject_unknown(*site, "site",
                   {"name", "tagline", "description", "base_url", "locale", "time_zone", "syndicated_noindex",
                    "feed_full_text", "sitemap_urls_per_file", "assets_dir", "image"});
    take(*site, "site", "name", c.site.name);
    take(*site, "site", "tagline", c.site.tagline);
    take(*site, "site", "description", c.site.description);
    if (site->contains("base_url")) {
      take(*site, "site", "base_url", c.site.base_url);
      c.base_url_set = true;
    }
    take(*site, "site", "locale", c.site.locality.locale);
    take(*site, "site", "time_zone", c.site.locality.time_zone);
    take(*site, "site", "syndicated_noindex", c.site.syndicated_noindex);
    take(*site, "site", "feed_full_text", c.site.feed_full_text);
    take(*site, "site", "sitemap_urls_per_file", c.site.sitemap_urls_per_file);
    if (c.site.sitemap_urls_per_file < 1 || c.site.sitemap_urls_per_file > 50000)
      throw bad_key("site.sitemap_urls_per_file", "must be between 1 and 50000");
    take(*site, "site", "assets_dir", c.site.assets_dir);
    take(*site, "site", "image", c.site.image);
    if (!c.site.image.empty() && !c.site.image.starts_with("/") && !c.site.image.starts_with("https://") &&
        !c.site.image.starts_with("http://"))
      throw bad_key("site.image", "must be an http(s) URL or a path starting with /");
    if (!is_known_time_zone(c.site.locality.time_zone))
      throw bad_key("site.time_zone", "'" + c.site.locality.time_zone + "' is not an IANA time zone");
  }
  if (auto* server = root["server"].as_table()) {
    reject_unknown(*server, "server",
                   {"io_threads", "blocking_threads", "max_body_bytes", "max_header_bytes", "read_timeout_seconds",
                    "idle_timeout_seconds", "trusted_proxies", "max_streams", "max_streams_per_address",
                    "stream_write_timeout_seconds", "metrics", "metrics_token"});
    int64_t streams = static_cast<int64_t>(c.streams.total), per_address = static_cast<int64_t>(c.streams.per_address),
            write_timeout = c.streams.write_timeout.count();
    take(*server, "server", "max_streams", streams);
    take(*server, "server", "max_streams_per_address", per_address);
    take(*server, "server", "stream_write_timeout_seconds", write_timeout);
    if (streams < 1 || per_address < 1 || write_timeout < 1)
      throw bad_key("server",
                    "max_streams, max_streams_per_address and stream_write_timeout_seconds must be at least 1");
    c.streams.total = static_cast<size_t>(streams);
    c.streams.per_address = static_cast<size_t>(per_address);
    c.streams.write_timeout = std::chrono::seconds(write_timeout);
    std::string metrics(to_string(c.metrics.access));
    take(*server, "server", "metrics", metrics);
    take(*server, "server", "metrics_token", c.metrics.token);
    auto access = parse_metrics_access(metrics);
    if (!access) throw bad_key("server.metrics", "must be \"loopback\", \"token\", \"public\" or \"off\"");
    c.metrics.access = *access;
    if (auto* proxies = (*server)["trusted_proxies"].as_array()) {
      for (auto& v : *proxies) {
        auto* s = v.as_string();
        if (!s) throw bad_key("server.trusted_proxies", "must be a list of IP addresses");
        c.pipeline.trusted_proxies.push_back(s->get());
      }
    } else if ((*server)["trusted_proxies"]) {
      throw bad_key("server.trusted_proxies", "must be a list of IP addresses");
    }
    take(*server, "server", "io_threads", c.server.io_threads);
    take(*server, "server", "blocking_threads", c.pipeline.blocking_threads);
    c.blocking_threads_set = (*server)["blocking_threads"] ? true : false;
    take(*server, "server", "max_body_bytes", c.server.body_limit);
    take(*server, "server", "max_header_bytes", c.server.header_limit);
    int64_t read = c.server.read_timeout.count(), idle = c.server.idle_timeout.count();
    take(*server, "server", "read_timeout_seconds", read);
    take(*server, "server", "idle_timeout_seconds", idle);
    if (read < 1 || idle < 1) throw bad_key("server", "timeouts must be at least 1 second");
    c.server.read_timeout = std::chrono::seconds(read);
    c.server.idle_timeout = std::chrono::seconds(idle);
  }
  if (auto* comments = root["comments"].as_table()) {
    reject_unknown(*comments, "comments",
                   {"open_by_default", "close_after_days", "edit_window_minutes", "premoderate"});
    take(*comments, "comments", "open_by_default", c.comments.open_by_default);
    take(*comments, "comments", "premoderate", c.comments.premoderate);
    take(*comments, "comments", "close_after_days", c.comments.close_after_days);
    int64_t edit = c.comment_limits.edit_window.count() / 60;
    take(*comments, "comments", "edit_window_minutes", edit);
    if (edit < 0) throw bad_key("comments.edit_window_minutes", "must be 0 or more");
    c.comment_limits.edit_window = std::chrono::minutes(edit);
  }
  if (auto* appeal = root["appeal"].as_table()) {
    reject_unknown(*appeal, "appeal",
                   {"heading", "copy", "signature", "currency", "amounts", "default_amount", "currencies", "min_amount",
                    "max_amount"});
    int64_t chosen = c.site.appeal.default_amount, low = c.contributions.min_major, high = c.contributions.max_major;
    take(*appeal, "appeal", "default_amount", chosen);
    take(*appeal, "appeal", "min_amount", low);
    take(*appeal, "appeal", "max_amount", high);
    if (low < 1 || high < low)
      throw bad_key("appeal", "min_amount must be at least 1 and max_amount at least min_amount");
    c.site.appeal.default_amount = static_cast<long>(chosen);
    c.contributions.min_major = low;
    c.contributions.max_major = high;
    if (auto* list = (*appeal)["currencies"].as_array()) {
      c.contributions.currencies.clear();
      for (auto& v : *list) {
        auto* s = v.as_string();
        std::string code = s ? s->get() : std::string();
        if (code != "GBP" && code != "USD" && code != "EUR")
          throw bad_key("appeal.currencies", "each must be GBP, USD or EUR (two-decimal currencies)");
        c.contributions.currencies.push_back(code);
      }
      if (c.contributions.currencies.empty()) throw bad_key("appeal.currencies", "must not be empty");
    }
    take(*appeal, "appeal", "heading", c.site.appeal.heading);
    take(*appeal, "appeal", "copy", c.site.appeal.copy);
    take(*appeal, "appeal", "signature", c.site.appeal.signature);
    take(*appeal, "appeal", "currency", c.site.appeal.currency);
    if (c.site.appeal.currency != "GBP" && c.site.appeal.currency != "USD" && c.site.appeal.currency != "EUR")
      throw bad_key("appeal.currency", "must be GBP, USD or EUR (two-decimal currencies, upper case)");
    if (auto* amounts = (*appeal)["amounts"].as_array()) {
      c.site.appeal.amounts.clear();
      for (const auto& v : *amounts) {
        if (!v.is_integer() || v.as_integer()->get() < 1) throw bad_key("appeal.amounts", "must be positive integers");
        c.site.appeal.amounts.push_back(static_cast<long>(v.as_integer()->get()));
      }
    }
  }
}

void parse_listen(const std::string& listen, ServerOptions& server) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0)
    throw Error(ErrorKind::invalid, "invalid_listen", "--listen must be HOST:PORT, e.g. 127.0.0.1:8080", "listen");
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  std::string_view port = std::string_view(listen).substr(colon + 1);
  unsigned p = 0;
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
  if (ec != std::errc() || ptr != port.data() + port.size() || p > 65535)
    throw Error(ErrorKind::invalid, "invalid_listen", "--listen port must be 0 to 65535", "listen");
  server.host = host;
  server.port = static_cast<uint16_t>(p);
}

}  // namespace tribune

#include "domain/analytics.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstdio>

#include "model/error.h"

namespace tribune {

namespace {

constexpr int64_t kHour = 3600;
constexpr int64_t kDay = 86400;

int64_t seconds_of(TimePoint t) {
  return t.time_since_epoch().count();
}

// Marks of automated clients, lower case. Substrings of the lower-cased user agent.
constexpr std::array kBotMarks = {
    "bot",         "crawl",       "spider",     "slurp",      "fetch",          "scrape",     "preview",
    "headless",    "phantomjs",   "lighthouse", "pingdom",    "uptime",         "monitor",    "curl/",
    "wget/",       "python-",     "python/",    "go-http",    "okhttp",         "java/",      "libwww",
    "httpclient",  "http_client", "node-fetch", "axios/",     "facebookexternal", "embedly", "whatsapp",
    "archive.org", "feed",        "rss",        "validator",  "php/",        "wordpress",  "apache-",    "postman",        "insomnia",   "httpie",
};

}  // namespace

bool is_bot(std::string_view user_agent) {
  if (user_agent.empty()) return true;
  // The first 512 bytes decide: a mark hidden past them is not worth a longer scan on every view.
  std::array<char, 512> folded{};
  size_t n = std::min(user_agent.size(), folded.size());
  for (size_t i = 0; i < n; ++i) {
    char c = user_agent[i];
    folded[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  }
  std::string_view ua(folded.data(), n);
  return std::ranges::any_of(kBotMarks, [&](const char* mark) { return ua.find(mark) != std::string_view::npos; });
}

std::string referrer_domain(std::string_view referer, std::string_view own_host) {
  std::string_view rest;
  if (referer.starts_with("https://"))
    rest = referer.substr(8);
  else if (referer.starts_with("http://"))
    rest = referer.substr(7);
  else
    return {};
  auto end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  if (auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  auto host_of = [](std::string_view a) {
    if (auto colon = a.rfind(':'); colon != std::string_view::npos && a.find(']') == std::string_view::npos)
      a = a.substr(0, colon);
    std::string h(a);
    for (char& c : h) c = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    return h;
  };
  std::string host = host_of(authority);
  if (host.empty() || host.size() > 253 || host == host_of(own_host)) return {};
  if (host.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789.-") != std::string::npos) return {};
  if (host.starts_with("www.")) host.erase(0, 4);
  if (host.empty() || host == host_of(own_host)) return {};
  return host;
}

ViewCounter::ViewCounter(Clock clock) : clock_(std::move(clock)) {
  if (!clock_) clock_ = [] { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); };
}

ViewCounter::Day& ViewCounter::day_locked(int64_t day) {
  auto [it, made] = days_.try_emplace(day);
  if (made) {
    it->second.salt.resize(crypto_shorthash_KEYBYTES);
    randombytes_buf(it->second.salt.data(), it->second.salt.size());
    // Past days get no more visitors: their salts go now, so no hash of theirs can be made again.
    for (auto& [d, past] : days_)
      if (d < day) sodium_memzero(past.salt.data(), past.salt.size()), past.salt.clear();
  }
  return it->second;
}

void ViewCounter::count(std::string_view slug, std::string_view address, std::string_view user_agent,
                        std::string_view domain) {
  int64_t now = seconds_of(clock_());
  std::lock_guard lock(mu_);
  auto& hour = views_[now / kHour * kHour];
  if (auto it = hour.find(slug); it != hour.end())
    ++it->second;
  else
    hour.emplace(std::string(slug), 1);
  auto& day = day_locked(now / kDay * kDay);
  day.dirty = true;
  if (!day.salt.empty()) {
    // The visitor: address and user agent, separated so that no two pairs run together, hashed and forgotten.
    std::array<unsigned char, crypto_shorthash_BYTES> out{};
    std::string who;
    who.reserve(address.size() + user_agent.size() + 1);
    who.append(address).push_back('\n');
    who.append(user_agent);
    crypto_shorthash(out.data(), reinterpret_cast<const unsigned char*>(who.data()), who.size(),
                     reinterpret_cast<const unsigned char*>(day.salt.data()));
    uint64_t h = 0;
    for (unsigned char b : out) h = h << 8 | b;
    day.visitors.add(h);
  }
  if (!domain.empty()) {
    if (auto it = day.referrers.find(domain); it != day.referrers.end())
      ++it->second;
    else if (day.referrers.size() < kMaxDomainsPerDay)
      day.referrers.emplace(std::string(domain), 1);
    else
      ++day.referrers["other"];
  }
}

TrafficBatch ViewCounter::take() {
  int64_t today = seconds_of(clock_()) / kDay * kDay;
  std::lock_guard lock(mu_);
  TrafficBatch b;
  for (auto& [hour, counts] : views_)
    for (auto& [slug, n] : counts) b.views.push_back({hour, slug, n});
  views_.clear();
  for (auto it = days_.begin(); it != days_.end();) {
    auto& [d, day] = *it;
    for (auto& [domain, n] : day.referrers) b.referrers.push_back({d, domain, n});
    day.referrers.clear();
    if (day.dirty) b.visitors.push_back({d, day.visitors.registers()});
    day.dirty = false;
    it = d < today ? days_.erase(it) : std::next(it);
  }
  return b;
}

void ViewCounter::give_back(const TrafficBatch& batch) {
  std::lock_guard lock(mu_);
  for (auto& v : batch.views) views_[v.hour][v.slug] += v.views;
  for (auto& r : batch.referrers) {
    auto& day = days_[r.day];
    day.referrers[r.domain] += r.views;
  }
  for (auto& v : batch.visitors) {
    auto& day = days_[v.day];
    day.visitors.merge(v.registers);
    day.dirty = true;
  }
}

int64_t ViewCounter::pending_views() const {
  std::lock_guard lock(mu_);
  int64_t n = 0;
  for (const auto& [hour, counts] : views_)
    for (const auto& [slug, v] : counts) n += v;
  return n;
}

AnalyticsService::AnalyticsService(AnalyticsStore& store, Locality locality, std::string currency,
                                   std::function<std::string(const DashboardStory&)> url_of)
    : store_(store), locality_(std::move(locality)), currency_(std::move(currency)), url_of_(std::move(url_of)) {}

void AnalyticsService::flush(ViewCounter& counter) {
  auto batch = counter.take();
  if (batch.empty()) return;
  try {
    store_.record_traffic(batch);
  } catch (...) {
    counter.give_back(batch);
    throw;
  }
}

namespace {

std::string day_input(TimePoint t, const Locality& where) {
  auto d = local_date(t, where);
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d", d.year % 10000, d.month % 100, d.day % 100);
  return buffer;
}

// The local midnight that starts the day holding t.
TimePoint start_of_day(TimePoint t, const Locality& where) {
  return parse_local(day_input(t, where) + "T00:00", where).value_or(t);
}

}  // namespace

Dashboard AnalyticsService::dashboard(const DashboardForm& form, TimePoint now) {
  Dashboard d;
  d.currency = currency_;
  d.period = form.period.empty() ? "7d" : form.period;
  TimePoint today = start_of_day(now, locality_);
  TimePoint end = now + std::chrono::seconds(1);
  auto days_back = [&](int days) {
    // Local midnights a number of days ago: step back through noon so a clock change cannot skip a day.
    return start_of_day(today + std::chrono::hours(12) - std::chrono::hours(24 * days), locality_);
  };
  if (d.period == "today") {
    d.from = today;
    d.to = end;
    d.label = "Today";
  } else if (d.period == "7d") {
    d.from = days_back(6);
    d.to = end;
    d.label = "Last 7 days";
  } else if (d.period == "30d") {
    d.from = days_back(29);
    d.to = end;
    d.label = "Last 30 days";
  } else if (d.period == "custom") {
    auto day = [&](const std::string& text, const char* field) {
      auto t = text.size() == 10 ? parse_local(text + "T00:00", locality_) : std::nullopt;
      if (!t) throw invalid_field(field, "invalid_date", "Give a date as YYYY-MM-DD.");
      return *t;
    };
    d.from = day(form.from, "from");
    TimePoint last = day(form.to, "to");
    d.to = start_of_day(last + std::chrono::hours(36), locality_);
    if (d.to <= d.from) throw invalid_field("to", "invalid_period", "The period must end on or after its first day.");
    if (d.to - d.from > std::chrono::hours(24 * kMaxDays))
      throw invalid_field("to", "invalid_period", "A period runs at most " + std::to_string(kMaxDays) + " days.");
    if (d.from > now) throw invalid_field("from", "invalid_period", "The period must begin by today.");
    d.label = format_local(d.from, locality_, "d MMM yyyy") + " to " + format_local(last, locality_, "d MMM yyyy");
  } else {
    throw invalid_field("period", "invalid_period", "Choose today, 7d, 30d or custom.");
  }
  d.from_input = day_input(d.from, locality_);
  d.to_input = day_input(d.to - std::chrono::seconds(1), locality_);
  auto span = d.to - d.from;
  d.bucket = span <= std::chrono::hours(24 * 8) ? kHour : kDay;
  DashboardQuery q;
  q.from = seconds_of(d.from);
  q.to = seconds_of(d.to);
  q.bucket = d.bucket;
  q.currency = currency_;
  d.current = store_.dashboard(q);
  for (auto& s : d.current.stories) s.url = url_of_ ? url_of_(s) : std::string();
  q.to = q.from;
  q.from = q.from - seconds_of(TimePoint{} + span);
  q.totals_only = true;
  d.previous = store_.dashboard(q).totals;
  return d;
}

std::vector<int64_t> AnalyticsService::most_read(TimePoint now, int hours, int limit) {
  int64_t to = seconds_of(now) + 1;
  return store_.most_read(to - int64_t{hours} * kHour, to, limit);
}

std::vector<int64_t> AnalyticsService::most_discussed(TimePoint now, int hours, int limit) {
  int64_t to = seconds_of(now) + 1;
  return store_.most_discussed(to - int64_t{hours} * kHour, to, limit);
}

}  // namespace tribune

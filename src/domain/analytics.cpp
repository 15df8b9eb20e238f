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
    "bot",         "crawl",
    "spider",      "slurp",
    "fetch",       "scrape",
    "preview",     "headless",
    "phantomjs",   "lighthouse",
    "pingdom",     "uptime",
    "monitor",     "curl/",
    "wget/",       "python-",
    "python/",     "go-http",
    "okhttp",      "java/",
    "libwww",      "httpclient",
    "http_client", "node-fetch",
    "axios/",      "facebookexternal",
    "embedly",     "whatsapp",
    "archive.org", "feed",
    "rss",         "validator",
    "php/",        "wordpress",
    "apache-",     "postman",
    "insomnia",    "httpie",
};

}  // namespace

namespace {

bool matches_a_mark(std::string_view user_agent) {
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

}  // namespace

bool is_bot(std::string_view user_agent) {
  if (user_agent.empty()) return true;
  // Every view asks, and a site's readers use a handful of browsers: the last verdicts are kept per thread
  // (by the user agent's hash, checked against its text), so the list is scanned once per browser, not per view.
  struct Entry {
    std::string user_agent;
    bool bot = false;
  };
  static thread_local std::array<Entry, 64> seen;
  if (user_agent.size() > 512) return matches_a_mark(user_agent);
  auto& e = seen[std::hash<std::string_view>{}(user_agent) % seen.size()];
  if (e.user_agent != user_agent) {
    e.user_agent.assign(user_agent);
    e.bot = matches_a_mark(user_agent);
  }
  return e.bot;
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

ViewCounter::Day::~Day() {
  if (!salt.empty()) sodium_memzero(salt.data(), salt.size());
}

ViewCounter::Day& ViewCounter::day_locked(int64_t day) {
  auto [it, made] = days_.try_emplace(day);
  if (made) {
    it->second.salt.resize(crypto_shorthash_KEYBYTES);
    randombytes_buf(it->second.salt.data(), it->second.salt.size());
    // Past days get no more visitors: their salts go now, so no hash of theirs can be made again.
    for (auto& [d, past] : days_)
      if (d < day && !past.salt.empty()) sodium_memzero(past.salt.data(), past.salt.size()), past.salt.clear();
  }
  return it->second;
}

void ViewCounter::count(std::string_view slug, std::string_view address, std::string_view user_agent,
                        std::string_view domain) {
  int64_t now = seconds_of(clock_());
  int64_t hour = now / kHour * kHour;
  std::lock_guard lock(mu_);
  auto& views = views_[hour];
  if (auto it = views.find(slug); it != views.end())
    ++it->second;
  else
    views.emplace(std::string(slug), 1);
  auto& day = day_locked(now / kDay * kDay);
  day.dirty = true;
  if (!day.salt.empty()) {
    // The visitor: address and user agent, separated so that no two pairs run together, hashed and forgotten.
    // (On the stack: an address is at most 45 bytes; a user agent past 512 is cut there.)
    std::array<unsigned char, crypto_shorthash_BYTES> out{};
    std::array<char, 46 + 512> who{};
    auto a = address.substr(0, 45), u = user_agent.substr(0, 512);
    std::ranges::copy(a, who.begin());
    who[a.size()] = '\n';
    std::ranges::copy(u, who.begin() + static_cast<std::ptrdiff_t>(a.size()) + 1);
    crypto_shorthash(out.data(), reinterpret_cast<const unsigned char*>(who.data()), a.size() + 1 + u.size(),
                     reinterpret_cast<const unsigned char*>(day.salt.data()));
    uint64_t h = 0;
    for (unsigned char b : out) h = h << 8 | b;
    day.visitors.add(h);
  }
  if (!domain.empty()) {
    // Sites are admitted up to the day's cap; the rest of the day they count as "other" (so a flood of made-up
    // referrers costs a bounded number of rows, however many flushes it spans).
    bool admitted = day.domains.contains(domain);
    if (!admitted && day.domains.size() < kMaxDomainsPerDay) {
      day.domains.emplace(domain);
      admitted = true;
    }
    auto& referrers = referrers_[hour];
    std::string_view key = admitted ? domain : std::string_view("other");
    if (auto it = referrers.find(key); it != referrers.end())
      ++it->second;
    else
      referrers.emplace(std::string(key), 1);
  }
}

TrafficBatch ViewCounter::take() {
  int64_t today = seconds_of(clock_()) / kDay * kDay;
  std::lock_guard lock(mu_);
  TrafficBatch b;
  for (auto& [hour, counts] : views_)
    for (auto& [slug, n] : counts) b.views.push_back({hour, slug, n});
  views_.clear();
  for (auto& [hour, counts] : referrers_)
    for (auto& [domain, n] : counts) b.referrers.push_back({hour, domain, n});
  referrers_.clear();
  for (auto it = days_.begin(); it != days_.end();) {
    auto& [d, day] = *it;
    if (day.dirty) b.visitors.push_back({d, day.visitors.registers()});
    day.dirty = false;
    it = d < today ? days_.erase(it) : std::next(it);  // ~Day wipes the salt
  }
  return b;
}

void ViewCounter::give_back(const TrafficBatch& batch) {
  std::lock_guard lock(mu_);
  for (const auto& v : batch.views) views_[v.hour][v.slug] += v.views;
  // Only sites admitted before (or "other"): giving back never grows what the cap bounds.
  for (const auto& r : batch.referrers) referrers_[r.hour][r.domain] += r.views;
  for (const auto& v : batch.visitors) {
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
  std::lock_guard lock(flush_mu_);
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
  // Local days in the period (the first and the last may be partial), and the buckets: hours for up to 8
  // days, else local days (23 or 25 hours on a clock change).
  std::vector<int64_t> midnights;
  for (TimePoint t = d.from; t < d.to; t = start_of_day(t + std::chrono::hours(36), locality_))
    midnights.push_back(seconds_of(t));
  d.bucket = midnights.size() <= 8 ? kHour : kDay;
  DashboardQuery q;
  q.from = seconds_of(d.from);
  q.to = seconds_of(d.to);
  if (d.bucket == kHour)
    for (int64_t t = q.from; t < q.to; t += kHour) q.starts.push_back(t);
  else
    q.starts = midnights;
  q.currency = currency_;
  d.current = store_.dashboard(q);
  for (auto& s : d.current.stories) s.url = url_of_ ? url_of_(s) : std::string();
  // The period before: as many local days earlier, as long as this one (today until now: yesterday until
  // the same time).
  auto days = static_cast<int>(std::max<size_t>(midnights.size(), 1));
  d.previous_from = start_of_day(d.from + std::chrono::hours(12) - std::chrono::hours(24 * days), locality_);
  d.previous_to = d.previous_from + (d.to - d.from);
  DashboardQuery before;
  before.from = seconds_of(d.previous_from);
  before.to = seconds_of(d.previous_to);
  before.currency = currency_;
  before.totals_only = true;
  d.previous = store_.dashboard(before).totals;
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

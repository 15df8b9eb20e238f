#include "store/analytics_rows.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "store/rows.h"
#include "util/sketch.h"

namespace tribune::store_analytics {

namespace {

std::string listed(const char* time) {
  return store_rows::article_condition(
      ArticleQuery{}, [time] { return std::string(time); }, [] { return std::string(); });
}

}  // namespace

std::string merged_registers(const std::string& stored, const std::string& batch) {
  Sketch s(stored);
  s.merge(batch);
  return s.registers();
}

DashboardData dashboard(const DashboardQuery& q, const Query& run) {
  DashboardData d;
  auto& t = d.totals;
  const std::vector<Value> period{q.from, q.to};
  auto one = [&](const std::string& sql, const std::vector<Value>& params, int64_t& out) {
    run(sql, params, [&](const Cells& c) { out = c.int64(0); });
  };
  one("SELECT coalesce(sum(views), 0) FROM article_views WHERE hour >= ?1 AND hour < ?2", period, t.views);
  // Each day's sketch overlapping the period counts whole: a visitor is a (salted) per-day notion.
  double visitors = 0;
  run("SELECT registers FROM visitor_days WHERE day > ?1 AND day < ?2", {q.from - 86400, q.to},
      [&](const Cells& c) { visitors += Sketch(c.bytes(0)).estimate(); });
  t.visitors = std::llround(visitors);
  run("SELECT count(*), count(DISTINCT author_id) FROM comments WHERE created_at >= ?1 AND created_at < ?2", period,
      [&](const Cells& c) {
        t.comments = c.int64(0);
        t.commenters = c.int64(1);
      });
  one("SELECT count(*) FROM accounts WHERE created_at >= ?1 AND created_at < ?2", period, t.registrations);
  one("SELECT count(*) FROM accounts WHERE email_verified_at >= ?1 AND email_verified_at < ?2", period, t.verified);
  run("SELECT c.interval, sum(CASE WHEN p.amount_minor > 0 THEN p.amount_minor ELSE 0 END), sum(CASE WHEN "
      "p.amount_minor < 0 THEN -p.amount_minor ELSE 0 END), count(DISTINCT CASE WHEN p.amount_minor > 0 THEN c.id END) "
      "FROM contribution_payments p JOIN contributions c ON c.id = p.contribution_id WHERE p.currency = ?3 AND "
      "p.created_at >= ?1 AND "
      "p.created_at < ?2 GROUP BY c.interval",
      {q.from, q.to, q.currency}, [&](const Cells& c) {
        bool monthly = c.text(0) == "month";
        (monthly ? t.monthly_minor : t.once_minor) += c.int64(1);
        (monthly ? t.monthly_count : t.once_count) += c.int64(3);
        t.refunded_minor += c.int64(2);
      });
  const std::string decided =
      " FROM moderation_log l JOIN comments c ON c.id = l.comment_id WHERE l.action IN ('approve', 'reject', 'hide') "
      "AND l.created_at >= ?1 AND l.created_at < ?2";
  one("SELECT count(*)" + decided, period, t.decisions);
  if (t.decisions > 0)
    one("SELECT l.created_at - c.created_at" + decided + " ORDER BY 1 LIMIT 1 OFFSET ?3",
        {q.from, q.to, t.decisions / 2}, t.median_decision_seconds);
  one("SELECT count(*) FROM comments WHERE status = 'pending'", {}, t.queue_waiting);
  if (q.totals_only) return d;

  // Rows by UTC hour, each into the bucket that holds its hour's start (buckets may be local days).
  for (int64_t start : q.starts) d.buckets.push_back(DashboardBucket{start, 0, 0, 0});
  auto bucket_of = [&](int64_t hour) -> DashboardBucket* {
    auto it = std::ranges::upper_bound(q.starts, hour);
    if (it == q.starts.begin() || hour >= q.to) return nullptr;
    return &d.buckets[static_cast<size_t>(it - q.starts.begin() - 1)];
  };
  run("SELECT hour, sum(views) FROM article_views WHERE hour >= ?1 AND hour < ?2 GROUP BY hour", period,
      [&](const Cells& c) {
        if (auto* b = bucket_of(c.int64(0))) b->views += c.int64(1);
      });
  run("SELECT created_at / 3600 * 3600, count(*) FROM comments WHERE created_at >= ?1 AND created_at < ?2 GROUP BY 1",
      period, [&](const Cells& c) {
        if (auto* b = bucket_of(std::max(c.int64(0), q.from))) b->comments += c.int64(1);
      });
  run("SELECT created_at / 3600 * 3600, sum(amount_minor) FROM contribution_payments WHERE created_at >= ?1 AND "
      "created_at < ?2 AND currency = ?3 AND amount_minor > 0 GROUP BY 1",
      {q.from, q.to, q.currency}, [&](const Cells& c) {
        if (auto* b = bucket_of(std::max(c.int64(0), q.from))) b->contributions_minor += c.int64(1);
      });

  // The top stories: the union of the top by views, by comments and by money, each then given all three.
  std::map<int64_t, DashboardStory> stories;
  const std::vector<Value> top{q.from, q.to, int64_t{q.top}};
  auto pick = [&](const Cells& c) { stories[c.int64(0)].article_id = c.int64(0); };
  run("SELECT article_id FROM article_views WHERE hour >= ?1 AND hour < ?2 GROUP BY article_id ORDER BY "
      "sum(views) DESC, article_id DESC LIMIT ?3",
      top, pick);
  run("SELECT article_id FROM comments WHERE created_at >= ?1 AND created_at < ?2 GROUP BY article_id ORDER BY "
      "count(*) DESC, article_id DESC LIMIT ?3",
      top, pick);
  run("SELECT c.article_id FROM contribution_payments p JOIN contributions c ON c.id = p.contribution_id WHERE "
      "c.article_id IS NOT NULL AND p.currency = ?4 AND p.created_at >= ?1 AND p.created_at < ?2 GROUP BY "
      "c.article_id ORDER BY sum(p.amount_minor) DESC, c.article_id DESC LIMIT ?3",
      {q.from, q.to, int64_t{q.top}, q.currency}, pick);
  // Statement texts stay fixed (engines keep prepared statements by text): one small query per story.
  for (auto& entry : stories) {
    int64_t id = entry.first;
    DashboardStory& s = entry.second;  // a reference, not a binding: lambdas below capture it
    const std::vector<Value> of{q.from, q.to, id};
    one("SELECT coalesce(sum(views), 0) FROM article_views WHERE hour >= ?1 AND hour < ?2 AND article_id = ?3", of,
        s.views);
    one("SELECT count(*) FROM comments WHERE created_at >= ?1 AND created_at < ?2 AND article_id = ?3", of, s.comments);
    run("SELECT count(DISTINCT CASE WHEN p.amount_minor > 0 THEN c.id END), coalesce(sum(p.amount_minor), 0) FROM "
        "contribution_payments p JOIN "
        "contributions c ON c.id = p.contribution_id WHERE p.currency = ?4 AND p.created_at >= ?1 AND p.created_at "
        "< ?2 AND c.article_id = ?3",
        {q.from, q.to, id, q.currency}, [&](const Cells& c) {
          s.contributions = c.int64(0);
          s.contributions_minor = c.int64(1);
        });
    run("SELECT a.slug, a.title, s.slug, a.published_at, coalesce(a.embed_url, '') FROM articles a JOIN sections s "
        "ON s.id = a.section_id WHERE a.id = ?1",
        {id}, [&](const Cells& c) {
          s.slug = c.text(0);
          s.title = c.text(1);
          s.section = c.text(2);
          s.published_at = c.int64(3);
          s.url = c.text(4);  // a story's address is the page that embeds it
        });
  }
  for (auto& [id, s] : stories)
    if (!s.slug.empty()) d.stories.push_back(std::move(s));
  std::ranges::sort(d.stories, [](const DashboardStory& a, const DashboardStory& b) {
    return std::tie(b.views, b.comments, b.contributions_minor, b.article_id) <
           std::tie(a.views, a.comments, a.contributions_minor, a.article_id);
  });
  run("SELECT domain, sum(views) FROM referrer_hours WHERE hour >= ?1 AND hour < ?2 GROUP BY domain ORDER BY 2 DESC, "
      "1 LIMIT ?3",
      top, [&](const Cells& c) {
        d.referrers.push_back({c.text(0), c.int64(1)});
      });
  return d;
}

std::vector<int64_t> most_read(int64_t from, int64_t to, int limit, const Query& run) {
  std::vector<int64_t> out;
  run("SELECT v.article_id FROM article_views v JOIN articles a ON a.id = v.article_id WHERE v.hour >= ?1 AND "
      "v.hour < ?2 AND " +
          listed("?3") + " GROUP BY v.article_id ORDER BY sum(v.views) DESC, v.article_id DESC LIMIT ?4",
      {from, to, to, int64_t{limit}}, [&](const Cells& c) { out.push_back(c.int64(0)); });
  return out;
}

std::vector<int64_t> most_discussed(int64_t from, int64_t to, int limit, const Query& run) {
  std::vector<int64_t> out;
  run("SELECT c.article_id FROM comments c JOIN articles a ON a.id = c.article_id WHERE c.created_at >= ?1 AND "
      "c.created_at < ?2 AND c.status = 'published' AND " +
          listed("?3") + " GROUP BY c.article_id ORDER BY count(*) DESC, c.article_id DESC LIMIT ?4",
      {from, to, to, int64_t{limit}}, [&](const Cells& c) { out.push_back(c.int64(0)); });
  return out;
}

}  // namespace tribune::store_analytics

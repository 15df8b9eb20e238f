// Search latency on a large store: 10,000 published pieces of about 700 words each (a Zipf-like vocabulary of
// 20,000 words, so some words are in nearly every piece and most in a few), saved through the store (the
// index written in each save's transaction), then a few kinds of query timed through the search service
// (the store's ranked query, a page of ten, their snippets highlighted). Prints the time to save and index
// and, per query, p50 and p99 in milliseconds over its runs. SQLite always (on /dev/shm when it exists, so the
// saves are not waiting on this disk's fsync); PostgreSQL too when TRIBUNE_BENCH_PG names a database (it is
// emptied of articles: use a scratch one).
//
// Run: build/release/tribune_bench_search [articles=10000] [runs=200]
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "domain/rate_limit.h"
#include "domain/search.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"

using namespace tribune;
using Ms = std::chrono::duration<double, std::milli>;

namespace {

std::string word(size_t rank) {
  static const char* syllables[] = {"ba", "ke", "ri", "mo", "tu", "sa", "ne", "lo", "vi", "da", "po", "ge"};
  std::string w;
  for (size_t r = rank + 1; r; r /= 12) w += syllables[r % 12];
  return w;
}

std::string body(std::mt19937& rng, std::discrete_distribution<size_t>& zipf, int words) {
  std::string out = "<p>";
  for (int i = 0; i < words; ++i) {
    out += word(zipf(rng));
    out += (i % 80 == 79) ? "</p><p>" : " ";
  }
  return out + "Café crème à Zoë.</p>";
}

void run(const char* engine, Store& store, int articles, int runs) {
  store.migrate();
  std::vector<double> weights(20000);
  for (size_t i = 0; i < weights.size(); ++i) weights[i] = 1.0 / std::pow(static_cast<double>(i + 1), 1.05);
  // A store that holds the pieces already (a PostgreSQL database from an earlier run) is searched as it is.
  std::atomic<int> next{static_cast<int>(std::min<int64_t>(store.count_articles(), articles))};
  const int already = next;
  if (already > 0) std::printf("%s: %d pieces there already\n", engine, already);
  auto started = std::chrono::steady_clock::now();
  std::vector<std::thread> writers;
  for (int t = 0; t < 8; ++t)
    writers.emplace_back([&, t] {
      std::mt19937 rng(static_cast<unsigned>(t + 1));
      std::discrete_distribution<size_t> zipf(weights.begin(), weights.end());
      for (int i; (i = next++) < articles;) {
        ArticleRecord r;
        r.draft.slug = "piece-" + std::to_string(i);
        r.draft.title = "Piece " + std::to_string(i) + " on " + word(zipf(rng)) + " and " + word(zipf(rng));
        r.draft.standfirst = "About " + word(zipf(rng)) + ", " + word(zipf(rng)) + " and " + word(zipf(rng)) + ".";
        r.draft.authors = {"Writer " + word(static_cast<size_t>(i % 40))};
        r.draft.section = i % 3 == 0 ? "Opinion" : i % 3 == 1 ? "Culture" : "Politics";
        r.draft.tags = {word(zipf(rng)), word(zipf(rng))};
        r.draft.body_markdown = "(bench)";
        r.body_html = body(rng, zipf, 700);
        r.published_at = TimePoint(std::chrono::seconds(1'600'000'000 + i * 600));
        store.save_article(r, true);
      }
    });
  for (auto& w : writers) w.join();
  double saved = Ms(std::chrono::steady_clock::now() - started).count() / 1000.0;
  if (already < articles)
    std::printf("%s: %d pieces saved and indexed in %.1f s (%.0f a second, 8 writers)\n", engine, articles - already,
                saved, (articles - already) / saved);

  RateLimiter limiter;
  SearchService search(store, limiter, Locality{});
  struct Query {
    const char* label;
    std::string q;
  };
  std::vector<Query> queries = {
      {"common word (in most pieces)", word(0)},
      {"mid word", word(200)},
      {"rare word", word(15000)},
      {"two words", word(3) + " " + word(40)},
      {"phrase", "\"" + word(0) + " " + word(1) + "\""},
      {"word -exclusion", word(5) + " -" + word(2)},
      {"accents typed without", "cafe creme zoe"},
      {"no match", "zzzzqqq"},
  };
  for (const auto& q : queries) {
    std::vector<double> ms;
    int64_t total = 0;
    for (int i = 0; i < runs; ++i) {
      SearchForm form;
      form.q = q.q;
      auto t0 = std::chrono::steady_clock::now();
      auto found = search.search(form, "bench-" + std::to_string(i));  // a client each: no rate limit here
      ms.push_back(Ms(std::chrono::steady_clock::now() - t0).count());
      total = found.total;
    }
    std::sort(ms.begin(), ms.end());
    std::printf("  %-30s %7lld hits   p50 %7.2f ms   p99 %7.2f ms\n", q.label, static_cast<long long>(total),
                ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 99 / 100)]);
  }
}

}  // namespace

int main(int argc, char** argv) {
  int articles = argc > 1 ? std::atoi(argv[1]) : 10000;
  int runs = argc > 2 ? std::atoi(argv[2]) : 200;
  std::filesystem::path base =
      std::filesystem::exists("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
  auto dir = base / ("tribune-bench-search-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  if (!std::getenv("TRIBUNE_BENCH_PG_ONLY")) {
    auto sqlite = open_sqlite_store(SqliteOptions{(dir / "tribune.db").string(), 4, 256});
    run("SQLite", *sqlite, articles, runs);
  }
  std::filesystem::remove_all(dir);
  if (const char* url = std::getenv("TRIBUNE_BENCH_PG")) {
    auto pg = open_postgres_store(PostgresOptions{url, 16});
    run("PostgreSQL", *pg, articles, runs);
  }
  return 0;
}

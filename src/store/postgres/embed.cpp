#include "store/postgres/engine.h"

namespace tribune::postgres {

std::vector<EmbedOrigin> PostgresStore::embed_origins() {
  return db_.read([](Connection& db) {
    std::vector<EmbedOrigin> out;
    for (auto row : db.query("SELECT origin, appeal, created_at FROM embed_origins ORDER BY origin COLLATE \"C\""))
      out.push_back(EmbedOrigin{row.text(0), row.boolean(1), seconds_at(row, 2)});
    return out;
  });
}

void PostgresStore::save_embed_origin(const EmbedOrigin& o) {
  write([&](Connection& db) {
    db.query(
        "INSERT INTO embed_origins (origin, appeal, created_at) VALUES ($1, $2, $3) "
        "ON CONFLICT (origin) DO UPDATE SET appeal = excluded.appeal",
        {o.origin, o.appeal, secs(o.created_at)});
  });
}

bool PostgresStore::remove_embed_origin(const std::string& origin) {
  return write([&](Connection& db) {
    return !db.query("DELETE FROM embed_origins WHERE origin = $1 RETURNING origin", {origin}).empty();
  });
}

namespace {

std::optional<Article> story_in(Connection& db, const std::string& key) {
  auto r = db.query("SELECT slug FROM articles WHERE embed_key = $1", {key});
  if (r.empty()) return std::nullopt;
  return find_article_in(db, r.front().text(0));
}

}  // namespace

std::optional<Article> PostgresStore::find_story(const std::string& key) {
  return db_.read([&](Connection& db) { return story_in(db, key); });
}

Article PostgresStore::make_story(const StoryRecord& r) {
  auto made = write([&](Connection& db) {
    db.query("INSERT INTO sections (slug, name) VALUES ('embedded', 'Embedded conversations') ON CONFLICT DO NOTHING");
    // Announced already: a story is no piece of the publication's to tell webhook receivers about.
    db.query(
        "INSERT INTO articles (slug, title, section_id, body_markdown, body_html, published_at, updated_at, state, "
        "announced, went_out, embed_url, embed_key) SELECT $1, $2, id, '', '', $3, $3, 'published', true, true, $4, "
        "$5 FROM sections WHERE slug = 'embedded' ON CONFLICT DO NOTHING",
        {r.slug, r.title, secs(r.at), r.url, r.key});
    return story_in(db, r.key);
  });
  if (!made) throw Error(ErrorKind::conflict, "story_taken", "Another article has this story's address.");
  return std::move(*made);
}

std::vector<std::pair<std::string, int64_t>> PostgresStore::story_counts(const std::vector<std::string>& keys) {
  return db_.read([&](Connection& db) {
    std::vector<std::pair<std::string, int64_t>> out;
    for (const auto& k : keys) {
      auto r = db.query("SELECT comment_count FROM articles WHERE embed_key = $1", {k});
      if (!r.empty()) out.emplace_back(k, r.front().int64(0));
    }
    return out;
  });
}

}  // namespace tribune::postgres

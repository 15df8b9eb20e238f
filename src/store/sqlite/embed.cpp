#include "store/sqlite/engine.h"

namespace tribune::sqlite {

std::vector<EmbedOrigin> SqliteStore::embed_origins() {
  return readers_.with([](Db& db) {
    std::vector<EmbedOrigin> out;
    auto& st = db.prepare("SELECT origin, appeal, created_at FROM embed_origins ORDER BY origin");
    while (st.step()) out.push_back(EmbedOrigin{st.text(0), st.int64(1) != 0, seconds_at(st, 2)});
    return out;
  });
}

void SqliteStore::save_embed_origin(const EmbedOrigin& o) {
  writer_.run([&](Db& db) {
    db.prepare(
          "INSERT INTO embed_origins (origin, appeal, created_at) VALUES (?1, ?2, ?3) "
          "ON CONFLICT (origin) DO UPDATE SET appeal = excluded.appeal")
        .bind(1, o.origin)
        .bind(2, o.appeal ? 1 : 0)
        .bind(3, secs(o.created_at))
        .run();
  });
}

bool SqliteStore::remove_embed_origin(const std::string& origin) {
  bool removed = false;
  writer_.run([&](Db& db) {
    db.prepare("DELETE FROM embed_origins WHERE origin = ?1").bind(1, origin).run();
    removed = db.changes() > 0;
  });
  return removed;
}

namespace {

std::optional<Article> story_in(Db& db, const std::string& key) {
  auto& st = db.prepare("SELECT slug FROM articles WHERE embed_key = ?1");
  st.bind(1, key);
  if (!st.step()) return std::nullopt;
  auto slug = st.text(0);
  st.reset();
  return find_article_in(db, slug);
}

}  // namespace

std::optional<Article> SqliteStore::find_story(const std::string& key) {
  return readers_.with([&](Db& db) { return story_in(db, key); });
}

Article SqliteStore::make_story(const StoryRecord& r) {
  std::optional<Article> made;
  writer_.run([&](Db& db) {
    db.prepare("INSERT INTO sections (slug, name) VALUES ('embedded', 'Embedded conversations') ON CONFLICT DO NOTHING")
        .run();
    // Announced already: a story is no piece of the publication's to tell webhook receivers about.
    db.prepare(
          "INSERT INTO articles (slug, title, section_id, body_markdown, body_html, published_at, updated_at, state, "
          "announced, went_out, embed_url, embed_key) SELECT ?1, ?2, id, '', '', ?3, ?3, 'published', 1, 1, ?4, ?5 "
          "FROM sections WHERE slug = 'embedded' ON CONFLICT DO NOTHING")
        .bind(1, r.slug)
        .bind(2, r.title)
        .bind(3, secs(r.at))
        .bind(4, r.url)
        .bind(5, r.key)
        .run();
    made = story_in(db, r.key);
  });
  if (!made) throw Error(ErrorKind::conflict, "story_taken", "Another article has this story's address.");
  return std::move(*made);
}

std::vector<std::pair<std::string, int64_t>> SqliteStore::story_counts(const std::vector<std::string>& keys) {
  return readers_.with([&](Db& db) {
    std::vector<std::pair<std::string, int64_t>> out;
    auto& st = db.prepare("SELECT comment_count FROM articles WHERE embed_key = ?1");
    for (const auto& k : keys) {
      st.bind(1, k);
      if (st.step()) out.emplace_back(k, st.int64(0));
      st.reset();
    }
    return out;
  });
}

}  // namespace tribune::sqlite

#include "store/sqlite/engine.h"

namespace tribune::sqlite {

Article SqliteStore::save_article(const ArticleRecord& r, bool replace) {
  int64_t id = 0;
  writer_.run([&](Db& db) {
    bool was_public = false;  // a save that leaves a draft a draft changes no page a reader can see
    const auto& d = r.draft;
    int64_t section_id = upsert_named(db, "section", d.section);
    if (!d.previous_slug.empty() && d.previous_slug != d.slug) {  // a draft moving to another address
      auto& taken = db.prepare("SELECT 1 FROM articles WHERE slug = ?1");
      taken.bind(1, d.slug);
      bool is_taken = taken.step();
      taken.reset();
      if (is_taken)
        throw Error(ErrorKind::conflict, "slug_taken", "An article with the slug '" + d.slug + "' already exists.",
                    "slug");
      db.prepare("UPDATE articles SET slug = ?2 WHERE slug = ?1 AND state = 'draft' AND went_out = 0")
          .bind(1, d.previous_slug)
          .bind(2, d.slug)
          .run();
      if (db.changes() == 0) {
        if (!find_article_in(db, d.previous_slug)) throw not_found("The article");
        throw slug_fixed();
      }
    }
    // ?2 to ?12 are the same in the UPDATE and the INSERT; ?1 is the id or the slug.
    auto save = [&](Statement& st) {
      st.bind(2, d.title)
          .bind(3, d.standfirst)
          .bind(4, section_id)
          .bind(5, d.body_markdown)
          .bind(6, r.body_html)
          .bind(7, r.published_at.time_since_epoch().count())
          .bind(8, r.updated_at.time_since_epoch().count())
          .bind(9, d.source_name)
          .bind(10, d.source_url)
          .bind(11, to_string(d.comments))
          .bind(12, d.correction)
          .bind(13, to_string(r.state))
          .bind(14, secs(r.saved_at))
          .run();
    };
    auto& existing = db.prepare("SELECT id, version, state FROM articles WHERE slug = ?1");
    existing.bind(1, d.slug);
    if (existing.step()) {
      id = existing.int64(0);
      int64_t version = existing.int64(1);
      was_public = existing.text(2) != "draft";
      existing.reset();
      if (r.expected_version && *r.expected_version != version) throw store_rows::article_edit_conflict();
      if (!replace)
        throw Error(ErrorKind::conflict, "slug_taken", "An article with the slug '" + d.slug + "' already exists.",
                    "slug");
      save(db.prepare(
                 "UPDATE articles SET title = ?2, standfirst = ?3, section_id = ?4, body_markdown = ?5, "
                 "body_html = ?6, published_at = ?7, updated_at = ?8, source_name = ?9, source_url = ?10, "
                 "comments_mode = ?11, correction = ?12, state = ?13, "
                 "corrected_at = CASE WHEN ?12 = '' THEN NULL WHEN ?12 = correction THEN corrected_at ELSE ?14 END, "
                 "retraction = CASE WHEN ?13 = 'retracted' THEN retraction ELSE '' END, "
                 "retracted_at = CASE WHEN ?13 = 'retracted' THEN retracted_at END, version = version + 1 "
                 "WHERE id = ?1")
               .bind(1, id));
      db.prepare("DELETE FROM article_authors WHERE article_id = ?1").bind(1, id).run();
      db.prepare("DELETE FROM article_tags WHERE article_id = ?1").bind(1, id).run();
    } else {
      existing.reset();
      if (r.expected_version && *r.expected_version != 0) throw store_rows::article_edit_conflict();
      save(db.prepare(
                 "INSERT INTO articles (slug, title, standfirst, section_id, body_markdown, body_html, published_at, "
                 "updated_at, source_name, source_url, comments_mode, correction, state, corrected_at) VALUES (?1, ?2, "
                 "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, CASE WHEN ?12 = '' THEN NULL ELSE ?14 END)")
               .bind(1, d.slug));
      id = db.last_insert_id();
    }
    db.prepare("UPDATE articles SET lead_image = ?2, description = ?3, went_out = max(went_out, ?4) WHERE id = ?1")
        .bind(1, id)
        .bind(3, d.description)
        .bind(4, int64_t{r.state != ArticleState::draft})
        .bind_optional(2, d.lead_image.empty() ? std::nullopt : std::optional<std::string>(d.lead_image))
        .run();
    int64_t position = 0;
    for (const auto& name : d.authors) {
      int64_t author_id = upsert_named(db, "author", name);
      if (position == 0 && !d.author_bio.empty() && r.state != ArticleState::draft)  // public once it is out
        db.prepare("UPDATE authors SET bio = ?2 WHERE id = ?1").bind(1, author_id).bind(2, d.author_bio).run();
      db.prepare("INSERT OR IGNORE INTO article_authors (article_id, author_id, position) VALUES (?1, ?2, ?3)")
          .bind(1, id)
          .bind(2, author_id)
          .bind(3, position++)
          .run();
    }
    for (const auto& tag : d.tags)
      db.prepare("INSERT OR IGNORE INTO article_tags (article_id, tag) VALUES (?1, ?2)")
          .bind(1, id)
          .bind(2, upsert_tag(db, tag))
          .run();
    if (!r.snapshot.empty())
      db.prepare(
            "INSERT INTO article_revisions (article_id, version, saved_at, saved_by, snapshot) SELECT id, version, "
            "?2, ?3, ?4 FROM articles WHERE id = ?1")
          .bind(1, id)
          .bind(2, secs(r.saved_at))
          .bind(3, r.saved_by)
          .bind(4, r.snapshot)
          .run();
    index_for_search(db, "a.id = ?1", [&](Statement& st) { st.bind(1, id); });
    if (was_public || r.state != ArticleState::draft) db.prepare(kBumpContentVersion).run();
  });
  auto saved = readers_.with([&](Db& db) { return find_article_in(db, r.draft.slug); });
  if (!saved) throw Error(ErrorKind::internal, "store_error", "the saved article could not be read back.");
  return *saved;
}

Article SqliteStore::set_article_state(std::string_view slug, ArticleState state, const std::string& note,
                                       TimePoint now) {
  writer_.run([&](Db& db) {
    bool retracted = state == ArticleState::retracted;
    db.prepare(
          "UPDATE articles SET state = ?2, retraction = ?3, retracted_at = ?4, version = version + 1 "
          "WHERE slug = ?1")
        .bind(1, slug)
        .bind(2, to_string(state))
        .bind(3, retracted ? note : std::string())
        .bind_optional_int(4, retracted ? std::optional<int64_t>(store_rows::secs(now)) : std::nullopt)
        .run();
    if (db.changes() == 0) throw not_found("The article");
    db.prepare(kBumpContentVersion).run();
  });
  auto saved = readers_.with([&](Db& db) { return find_article_in(db, slug); });
  if (!saved) throw Error(ErrorKind::internal, "store_error", "the changed article could not be read back.");
  return *saved;
}

std::vector<ArticleRevision> SqliteStore::article_revisions(int64_t article_id) {
  return readers_.with([&](Db& db) {
    std::vector<ArticleRevision> out;
    auto& st = db.prepare("SELECT " + std::string(kRevisionColumns) +
                          " FROM article_revisions WHERE article_id = ?1 ORDER BY id DESC");
    st.bind(1, article_id);
    while (st.step()) out.push_back(read_revision(st, false));
    return out;
  });
}

std::optional<ArticleRevision> SqliteStore::find_article_revision(int64_t article_id, int64_t revision_id) {
  return readers_.with([&](Db& db) -> std::optional<ArticleRevision> {
    auto& st = db.prepare("SELECT " + std::string(kRevisionColumns) +
                          ", snapshot FROM article_revisions WHERE article_id = ?1 AND id = ?2");
    st.bind(1, article_id).bind(2, revision_id);
    if (!st.step()) return std::nullopt;
    auto v = read_revision(st, true);
    st.reset();
    return v;
  });
}

std::optional<Article> SqliteStore::find_article(std::string_view slug) {
  return readers_.with([&](Db& db) { return find_article_in(db, slug); });
}

std::optional<Article> SqliteStore::find_article_by_id(int64_t id) {
  return readers_.with([&](Db& db) -> std::optional<Article> {
    auto& st = db.prepare("SELECT slug FROM articles WHERE id = ?1");
    st.bind(1, id);
    if (!st.step()) return std::nullopt;
    auto slug = st.text(0);
    st.reset();
    return find_article_in(db, slug);
  });
}

ArticleList SqliteStore::list_articles(const ArticleQuery& q) {
  return readers_.with([&](Db& db) {
    std::string sql = std::string("SELECT ") + kArticleColumns;
    if (q.with_body) sql += ", a.body_markdown, a.body_html";
    sql += " FROM articles a JOIN sections s ON s.id = a.section_id WHERE ";
    sql += store_rows::article_condition(
        q, [] { return std::string("?1"); }, [] { return std::string("?8"); });
    if (q.section_slug) sql += " AND s.slug = ?2";
    if (q.author_slug)
      sql +=
          " AND a.id IN (SELECT aa.article_id FROM article_authors aa JOIN authors au ON au.id = aa.author_id "
          "WHERE au.slug = ?3)";
    if (q.tag) sql += " AND a.id IN (SELECT article_id FROM article_tags WHERE tag = ?4)";
    if (q.after && !q.corrections) sql += " AND (a.published_at < ?5 OR (a.published_at = ?5 AND a.id < ?6))";
    sql += std::string(store_rows::article_order(q)) + " LIMIT ?7";
    auto& st = db.prepare(sql);
    st.bind(1, q.visible_at.time_since_epoch().count());
    if (!q.title_contains.empty()) st.bind(8, store_rows::like_pattern(q.title_contains));
    if (q.section_slug) st.bind(2, *q.section_slug);
    if (q.author_slug) st.bind(3, *q.author_slug);
    if (q.tag) st.bind(4, *q.tag);
    if (q.after && !q.corrections) st.bind(5, q.after->published_at).bind(6, q.after->id);
    int limit = std::clamp(q.limit, 1, 1000);
    st.bind(7, limit + 1);
    ArticleList out;
    while (st.step()) out.articles.push_back(read_article_row(st, q.with_body));
    st.reset();
    if (static_cast<int>(out.articles.size()) > limit) {
      out.articles.pop_back();
      const auto& last = out.articles.back();
      if (!q.corrections) out.next = ArticleCursor{last.published_at.time_since_epoch().count(), last.id};
    }
    for (auto& a : out.articles) load_authors_and_tags(db, a);
    return out;
  });
}

int64_t SqliteStore::count_articles() {
  return readers_.with([](Db& db) {
    auto& st = db.prepare("SELECT count(*) FROM articles");
    return st.step() ? st.int64(0) : 0;
  });
}

std::optional<TimePoint> SqliteStore::next_scheduled(TimePoint after) {
  return readers_.with([&](Db& db) -> std::optional<TimePoint> {
    auto& st = db.prepare("SELECT min(published_at) FROM articles WHERE state = 'published' AND published_at > ?1");
    st.bind(1, after.time_since_epoch().count());
    if (!st.step() || st.is_null(0)) return std::nullopt;
    return TimePoint(std::chrono::seconds(st.int64(0)));
  });
}

int64_t SqliteStore::content_version() {
  return readers_.with([](Db& db) {
    auto& st = db.prepare("SELECT value FROM counters WHERE name = 'content_version'");
    return st.step() ? st.int64(0) : 0;
  });
}

std::optional<Author> SqliteStore::find_author(std::string_view slug) {
  return readers_.with([&](Db& db) -> std::optional<Author> {
    auto& st = db.prepare("SELECT " + std::string(kAuthorColumns) + " FROM authors au WHERE au.slug = ?1");
    st.bind(1, slug);
    if (!st.step()) return std::nullopt;
    auto a = read_author(st);
    st.reset();
    return a;
  });
}

std::optional<Section> SqliteStore::find_section(std::string_view slug) {
  return readers_.with([&](Db& db) -> std::optional<Section> {
    auto& st = db.prepare("SELECT " + std::string(kSectionColumns) + " FROM sections s WHERE s.slug = ?1");
    st.bind(1, slug);
    if (!st.step()) return std::nullopt;
    auto s = read_section(st);
    st.reset();
    return s;
  });
}

std::vector<Section> SqliteStore::list_sections() {
  return readers_.with([](Db& db) {
    std::vector<Section> out;
    auto& st = db.prepare(
        "SELECT id, slug, name FROM sections s WHERE EXISTS (SELECT 1 FROM articles a WHERE a.section_id = s.id AND "
        "a.state IN ('published', 'retracted') AND a.embed_url IS NULL) ORDER BY name");
    while (st.step()) out.push_back(Section{st.int64(0), st.text(1), st.text(2)});
    return out;
  });
}

Page SqliteStore::save_page(const Page& page, TimePoint now, std::optional<int64_t> expected_version) {
  Page saved;
  // One writer: the version check, the write and the read back see no other save in between.
  writer_.run([&](Db& db) {
    auto& current = db.prepare("SELECT version FROM pages WHERE slug = ?1");
    current.bind(1, page.slug);
    int64_t version = current.step() ? current.int64(0) : 0;
    current.reset();
    if (expected_version && *expected_version != version)
      throw Error(ErrorKind::conflict, "edit_conflict", "Someone else saved this page since you opened it.");
    db.prepare(
          "INSERT INTO pages (slug, title, description, body_markdown, body_html, updated_at, version) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1) ON CONFLICT (slug) DO UPDATE SET title = excluded.title, "
          "description = excluded.description, body_markdown = excluded.body_markdown, "
          "body_html = excluded.body_html, updated_at = excluded.updated_at, version = pages.version + 1")
        .bind(1, page.slug)
        .bind(2, page.title)
        .bind(3, page.description)
        .bind(4, page.body_markdown)
        .bind(5, page.body_html)
        .bind(6, store_rows::secs(now))
        .run();
    db.prepare(kBumpContentVersion).run();
    auto& back = db.prepare("SELECT " + std::string(store_rows::kPageColumns) + " FROM pages WHERE slug = ?1");
    back.bind(1, page.slug);
    back.step();
    saved = store_rows::read_page(back);
    back.reset();
  });
  return saved;
}

std::optional<Page> SqliteStore::find_page(std::string_view slug) {
  return readers_.with([&](Db& db) -> std::optional<Page> {
    auto& st = db.prepare("SELECT " + std::string(store_rows::kPageColumns) + " FROM pages WHERE slug = ?1");
    st.bind(1, slug);
    if (!st.step()) return std::nullopt;
    return store_rows::read_page(st);
  });
}

std::vector<Page> SqliteStore::list_pages() {
  return readers_.with([](Db& db) {
    std::vector<Page> out;
    auto& st = db.prepare("SELECT " + std::string(store_rows::kPageColumns) + " FROM pages ORDER BY slug");
    while (st.step()) out.push_back(store_rows::read_page(st));
    return out;
  });
}

}  // namespace tribune::sqlite

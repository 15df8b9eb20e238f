#include "store/postgres/engine.h"

namespace tribune::postgres {

Article PostgresStore::save_article(const ArticleRecord& r, bool replace) {
  return write([&](Connection& db) {
    const auto& d = r.draft;
    int64_t section_id = upsert_named(db, "section", d.section);
    if (!d.previous_slug.empty() && d.previous_slug != d.slug) {  // a draft moving to another address
      if (!db.query("SELECT 1 FROM articles WHERE slug = $1", {d.slug}).empty())
        throw Error(ErrorKind::conflict, "slug_taken", "An article with the slug '" + d.slug + "' already exists.",
                    "slug");
      try {
        if (db.query("UPDATE articles SET slug = $2 WHERE slug = $1 AND state = 'draft' AND NOT went_out RETURNING id",
                     {d.previous_slug, d.slug})
                .empty()) {
          if (db.query("SELECT 1 FROM articles WHERE slug = $1", {d.previous_slug}).empty())
            throw not_found("The article");
          throw slug_fixed();
        }
      } catch (const pg::PgError& e) {
        if (e.sqlstate() != "23505") throw;
        throw Error(ErrorKind::conflict, "slug_taken", "An article with the slug '" + d.slug + "' already exists.",
                    "slug");
      }
    }
    int64_t id = 0;
    bool was_public = false;  // a save that leaves a draft a draft changes no page a reader can see
    // The row lock (or the unique index, for two creators of one slug) orders concurrent saves of a slug.
    for (;;) {
      auto existing = db.query("SELECT id, version, state FROM articles WHERE slug = $1 FOR UPDATE", {d.slug});
      if (!existing.empty()) {
        id = existing.front().int64(0);
        was_public = existing.front().text(2) != "draft";
        if (r.expected_version && *r.expected_version != existing.front().int64(1)) throw article_edit_conflict();
        if (!replace)
          throw Error(ErrorKind::conflict, "slug_taken", "An article with the slug '" + d.slug + "' already exists.",
                      "slug");
        db.query(
            "UPDATE articles SET title = $2, standfirst = $3, section_id = $4, body_markdown = $5, body_html = $6, "
            "published_at = $7, updated_at = $8, source_name = $9, source_url = $10, comments_mode = $11, "
            "correction = $12, state = $13, retraction = CASE WHEN $13 = 'retracted' THEN retraction ELSE '' END, "
            "retracted_at = CASE WHEN $13 = 'retracted' THEN retracted_at END, corrected_at = CASE WHEN $12 = '' "
            "THEN NULL WHEN $12 = correction THEN corrected_at ELSE $14::bigint END, version = version + 1 WHERE id = "
            "$1",
            {id, d.title, d.standfirst, section_id, d.body_markdown, r.body_html, secs(r.published_at),
             secs(r.updated_at), d.source_name, d.source_url, to_string(d.comments), d.correction, to_string(r.state),
             secs(r.saved_at)});
        db.query("DELETE FROM article_authors WHERE article_id = $1", {id});
        db.query("DELETE FROM article_tags WHERE article_id = $1", {id});
        break;
      }
      if (r.expected_version && *r.expected_version != 0) throw article_edit_conflict();
      auto inserted = db.query(
          "INSERT INTO articles (slug, title, standfirst, section_id, body_markdown, body_html, published_at, "
          "updated_at, source_name, source_url, comments_mode, correction, state, corrected_at) VALUES ($1, $2, $3, "
          "$4, $5, $6, $7, $8, $9, $10, $11, $12, $13, CASE WHEN $12 = '' THEN NULL ELSE $14::bigint END) "
          "ON CONFLICT (slug) DO NOTHING RETURNING id",
          {d.slug, d.title, d.standfirst, section_id, d.body_markdown, r.body_html, secs(r.published_at),
           secs(r.updated_at), d.source_name, d.source_url, to_string(d.comments), d.correction, to_string(r.state),
           secs(r.saved_at)});
      if (!inserted.empty()) {
        id = inserted.front().int64(0);
        break;
      }
    }
    db.query(
        "UPDATE articles SET lead_image = NULLIF($2, ''), description = $3, went_out = went_out OR $4 WHERE id = $1",
        {id, d.lead_image, d.description, r.state != ArticleState::draft});
    int64_t position = 0;
    for (const auto& name : d.authors) {
      int64_t author_id = upsert_named(db, "author", name);
      if (position == 0 && !d.author_bio.empty() && r.state != ArticleState::draft)  // public once it is out
        db.query("UPDATE authors SET bio = $2 WHERE id = $1", {author_id, d.author_bio});
      db.query(
          "INSERT INTO article_authors (article_id, author_id, position) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
          {id, author_id, position++});
    }
    for (const auto& tag : d.tags)
      db.query("INSERT INTO article_tags (article_id, tag) VALUES ($1, $2) ON CONFLICT DO NOTHING",
               {id, upsert_tag(db, tag)});
    if (!r.snapshot.empty())
      db.query(
          "INSERT INTO article_revisions (article_id, version, saved_at, saved_by, snapshot) SELECT id, version, "
          "$2, $3, $4 FROM articles WHERE id = $1",
          {id, secs(r.saved_at), r.saved_by, r.snapshot});
    index_for_search(db, "a.id = $1", Param(id));
    if (was_public || r.state != ArticleState::draft) db.query(kBumpContentVersion);
    auto saved = find_article_in(db, d.slug);
    if (!saved) throw Error(ErrorKind::internal, "store_error", "the saved article could not be read back.");
    return *saved;
  });
}

Article PostgresStore::set_article_state(std::string_view slug, ArticleState state, const std::string& note,
                                         TimePoint now) {
  return write([&](Connection& db) {
    bool retracted = state == ArticleState::retracted;
    auto changed = db.query(
        "UPDATE articles SET state = $2, retraction = $3, retracted_at = $4, version = version + 1 WHERE slug = $1 "
        "RETURNING id",
        {slug, to_string(state), retracted ? note : std::string(),
         retracted ? std::optional<int64_t>(secs(now)) : std::nullopt});
    if (changed.empty()) throw not_found("The article");
    db.query(kBumpContentVersion);
    auto saved = find_article_in(db, slug);
    if (!saved) throw Error(ErrorKind::internal, "store_error", "the changed article could not be read back.");
    return *saved;
  });
}

std::vector<ArticleRevision> PostgresStore::article_revisions(int64_t article_id) {
  return db_.read([&](Connection& db) {
    std::vector<ArticleRevision> out;
    for (auto row : db.query("SELECT " + std::string(kRevisionColumns) +
                                 " FROM article_revisions WHERE article_id = $1 ORDER BY id DESC",
                             {article_id}))
      out.push_back(read_revision(row, false));
    return out;
  });
}

std::optional<ArticleRevision> PostgresStore::find_article_revision(int64_t article_id, int64_t revision_id) {
  return db_.read([&](Connection& db) -> std::optional<ArticleRevision> {
    auto r = db.query("SELECT " + std::string(kRevisionColumns) +
                          ", snapshot FROM article_revisions WHERE article_id = $1 AND id = $2",
                      {article_id, revision_id});
    if (r.empty()) return std::nullopt;
    return read_revision(r.front(), true);
  });
}

std::optional<Article> PostgresStore::find_article(std::string_view slug) {
  return db_.read_replica([&](Connection& db) { return find_article_in(db, slug); });
}

std::optional<Article> PostgresStore::find_article_by_id(int64_t id) {
  return db_.read_replica([&](Connection& db) { return find_article_by_id_in(db, id); });
}

ArticleList PostgresStore::list_articles(const ArticleQuery& q) {
  return db_.read_replica([&](Connection& db) {
    std::vector<Param> ps;
    auto arg = [&](Param p) {
      ps.push_back(std::move(p));
      return "$" + std::to_string(ps.size());
    };
    std::string sql = std::string("SELECT ") + kArticleColumns;
    if (q.with_body) sql += ", a.body_markdown, a.body_html";
    sql += " FROM articles a JOIN sections s ON s.id = a.section_id WHERE ";
    sql += article_condition(
        q, [&] { return arg(secs(q.visible_at)); }, [&] { return arg(like_pattern(q.title_contains)); });
    if (q.section_slug) sql += " AND s.slug = " + arg(*q.section_slug);
    if (q.author_slug)
      sql +=
          " AND a.id IN (SELECT aa.article_id FROM article_authors aa JOIN authors au ON au.id = aa.author_id "
          "WHERE au.slug = " +
          arg(*q.author_slug) + ")";
    if (q.tag) sql += " AND a.id IN (SELECT article_id FROM article_tags WHERE tag = " + arg(*q.tag) + ")";
    if (q.after && !q.corrections) {
      auto at = arg(q.after->published_at);
      auto id = arg(q.after->id);
      sql += " AND (a.published_at < " + at + " OR (a.published_at = " + at + " AND a.id < " + id + "))";
    }
    int limit = std::clamp(q.limit, 1, 1000);
    sql += std::string(article_order(q)) + " LIMIT " + arg(limit + 1);
    ArticleList out;
    for (auto row : db.query(sql, ps)) out.articles.push_back(read_article_row(row, q.with_body));
    if (static_cast<int>(out.articles.size()) > limit) {
      out.articles.pop_back();
      const auto& last = out.articles.back();
      if (!q.corrections) out.next = ArticleCursor{secs(last.published_at), last.id};
    }
    return out;
  });
}

int64_t PostgresStore::count_articles() {
  return db_.read_replica([](Connection& db) { return db.query("SELECT count(*) FROM articles").front().int64(0); });
}

std::optional<TimePoint> PostgresStore::next_scheduled(TimePoint after) {
  return db_.read([&](Connection& db) -> std::optional<TimePoint> {
    auto r = db.query("SELECT min(published_at) FROM articles WHERE state = 'published' AND published_at > $1",
                      {secs(after)});
    if (r.empty() || r.front().is_null(0)) return std::nullopt;
    return seconds_at(r.front(), 0);
  });
}

int64_t PostgresStore::content_version() {
  return db_.read([](Connection& db) {
    auto r = db.query("SELECT value FROM counters WHERE name = 'content_version'");
    return r.empty() ? int64_t{0} : r.front().int64(0);
  });
}

std::optional<Author> PostgresStore::find_author(std::string_view slug) {
  return db_.read_replica([&](Connection& db) -> std::optional<Author> {
    auto r = db.query("SELECT " + std::string(kAuthorColumns) + " FROM authors au WHERE au.slug = $1", {slug});
    if (r.empty()) return std::nullopt;
    return read_author(r.front());
  });
}

std::optional<Section> PostgresStore::find_section(std::string_view slug) {
  return db_.read_replica([&](Connection& db) -> std::optional<Section> {
    auto r = db.query("SELECT " + std::string(kSectionColumns) + " FROM sections s WHERE s.slug = $1", {slug});
    if (r.empty()) return std::nullopt;
    return read_section(r.front());
  });
}

std::vector<Section> PostgresStore::list_sections() {
  return db_.read_replica([](Connection& db) {
    std::vector<Section> out;
    for (auto row : db.query("SELECT id, slug, name FROM sections s WHERE EXISTS (SELECT 1 FROM articles a WHERE "
                             "a.section_id = s.id AND a.state IN ('published', 'retracted') AND a.embed_url IS NULL) "
                             "ORDER BY name COLLATE \"C\""))
      out.push_back(Section{row.int64(0), row.text(1), row.text(2)});
    return out;
  });
}

Page PostgresStore::save_page(const Page& page, TimePoint now, std::optional<int64_t> expected_version) {
  return write([&](Connection& db) {
    // The check and the write are one statement: of two editors saving from one version, whether the page
    // existed or not, the second finds no row to write (ON CONFLICT DO NOTHING, or a version that moved on).
    std::vector<pg::Param> args{page.slug,          page.title,     page.description,
                                page.body_markdown, page.body_html, store_rows::secs(now)};
    auto written = [&]() -> pg::Result {
      if (!expected_version) {
        return db.query(
            "INSERT INTO pages (slug, title, description, body_markdown, body_html, updated_at, version) "
            "VALUES ($1, $2, $3, $4, $5, $6, 1) ON CONFLICT (slug) DO UPDATE SET title = excluded.title, "
            "description = excluded.description, body_markdown = excluded.body_markdown, "
            "body_html = excluded.body_html, updated_at = excluded.updated_at, version = pages.version + 1 "
            "RETURNING slug",
            args);
      }
      if (*expected_version == 0) {
        return db.query(
            "INSERT INTO pages (slug, title, description, body_markdown, body_html, updated_at, version) "
            "VALUES ($1, $2, $3, $4, $5, $6, 1) ON CONFLICT (slug) DO NOTHING RETURNING slug",
            args);
      }
      args.emplace_back(*expected_version);
      return db.query(
          "UPDATE pages SET title = $2, description = $3, body_markdown = $4, body_html = $5, updated_at = $6, "
          "version = version + 1 WHERE slug = $1 AND version = $7 RETURNING slug",
          args);
    }();
    if (written.empty())
      throw Error(ErrorKind::conflict, "edit_conflict", "Someone else saved this page since you opened it.");
    db.query(kBumpContentVersion);
    auto r = db.query("SELECT " + std::string(store_rows::kPageColumns) + " FROM pages WHERE slug = $1", {page.slug});
    return store_rows::read_page(r.front());
  });
}

std::optional<Page> PostgresStore::find_page(std::string_view slug) {
  return db_.read_replica([&](Connection& db) -> std::optional<Page> {
    auto r = db.query("SELECT " + std::string(store_rows::kPageColumns) + " FROM pages WHERE slug = $1", {slug});
    if (r.empty()) return std::nullopt;
    return store_rows::read_page(r.front());
  });
}

std::vector<Page> PostgresStore::list_pages() {
  return db_.read_replica([](Connection& db) {
    std::vector<Page> out;
    for (auto row :
         db.query("SELECT " + std::string(store_rows::kPageColumns) + " FROM pages ORDER BY slug COLLATE \"C\""))
      out.push_back(store_rows::read_page(row));
    return out;
  });
}

}  // namespace tribune::postgres

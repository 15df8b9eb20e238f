// The search index: a tsvector per article (the 'simple' configuration over folded text, weighted A headline,
// B standfirst, C names, D body) with a GIN index, queried through websearch_to_tsquery and ranked by
// ts_rank_cd.
#include "store/postgres/engine.h"
#include "store/search_rows.h"

namespace tribune::postgres {

void index_for_search(Connection& db, const std::string& where, const std::optional<Param>& param, bool overwrite) {
  // In batches of 200 pieces, by id: a whole archive (the migration, a restored store) never sits in memory.
  for (int64_t after = 0;;) {
    std::vector<Param> ps;
    if (param) ps.push_back(*param);
    ps.emplace_back(after);
    std::string sql =
        "SELECT a.id, a.title, a.standfirst, a.body_html, "
        "(SELECT coalesce(string_agg(au.name, ' '), '') FROM article_authors aa JOIN authors au ON au.id = "
        "aa.author_id WHERE aa.article_id = a.id), "
        "(SELECT coalesce(string_agg(t.tag, ' '), '') FROM article_tags t WHERE t.article_id = a.id) "
        "FROM articles a WHERE a.embed_url IS NULL AND a.id > $";
    sql.append(std::to_string(ps.size())).append(" AND (").append(where).append(") ORDER BY a.id LIMIT 200");
    auto rows = db.query(sql, ps);
    if (rows.empty()) return;
    for (auto row : rows) {
      after = row.int64(0);
      auto doc = store_search::document(row.text(1), row.text(2), row.text(4) + " " + row.text(5), row.text(3));
      // The catch-up (overwrite false) never replaces an entry: one written meanwhile by a save on another
      // node is newer than what the catch-up read.
      db.query(std::string("INSERT INTO article_search (article_id, document) VALUES ($1, "
                           "setweight(to_tsvector('simple', $2), 'A') || setweight(to_tsvector('simple', $3), 'B') || "
                           "setweight(to_tsvector('simple', $4), 'C') || setweight(to_tsvector('simple', $5), 'D')) ") +
                   (overwrite ? "ON CONFLICT (article_id) DO UPDATE SET document = excluded.document"
                              : "ON CONFLICT (article_id) DO NOTHING"),
               {row.int64(0), doc.title, doc.standfirst, doc.names, doc.body});
    }
  }
}

ArticleHits PostgresStore::search_articles(const ArticleSearch& s) {
  ArticleHits out;
  if (std::none_of(s.terms.begin(), s.terms.end(), [](const SearchTerm& t) { return !t.excluded; })) return out;
  return db_.read_replica([&](Connection& db) {
    std::vector<Param> ps;
    auto arg = [&](Param p) {
      ps.push_back(std::move(p));
      return "$" + std::to_string(ps.size());
    };
    std::string query = arg(store_search::websearch_query(s.terms));
    ArticleQuery readers;
    readers.visible_at = s.visible_at;
    // Ranked and paged on ids alone; only the page's rows are read whole, bodies and all.
    std::string ranked =
        "SELECT a.id, ts_rank_cd(x.document, q) AS score, a.published_at, count(*) OVER () AS total "
        "FROM article_search x JOIN articles a ON a.id = x.article_id JOIN sections s ON s.id = a.section_id, "
        "websearch_to_tsquery('simple', " +
        query + ") q WHERE x.document @@ q AND " +
        article_condition(
            readers, [&] { return arg(secs(s.visible_at)); }, [] { return std::string(); });
    if (s.section_slug) ranked += " AND s.slug = " + arg(*s.section_slug);
    if (s.from) ranked += " AND a.published_at >= " + arg(secs(*s.from));
    if (s.until) ranked += " AND a.published_at < " + arg(secs(*s.until));
    ranked += " ORDER BY score DESC, a.published_at DESC, a.id DESC LIMIT " + arg(std::clamp(s.limit, 1, 50)) +
              " OFFSET " + arg(std::max(s.offset, 0));
    std::string sql = std::string("SELECT ") + kArticleColumns + ", a.body_markdown, a.body_html, r.total FROM (" +
                      ranked +
                      ") r JOIN articles a ON a.id = r.id JOIN sections s ON s.id = a.section_id "
                      "ORDER BY r.score DESC, r.published_at DESC, r.id DESC";
    for (auto row : db.query(sql, ps)) {
      out.articles.push_back(read_article_row(row, true));
      out.total = row.int64(kArticleWidth + 4);
    }
    return out;
  });
}

}  // namespace tribune::postgres

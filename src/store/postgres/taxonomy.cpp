// Sections, authors and tags as the desk manages them, and the redirects renames and merges leave.
#include <spdlog/spdlog.h>

#include "store/postgres/engine.h"

namespace tribune::postgres {

namespace {

std::string table_of(std::string_view kind) {
  return kind == "section" ? "sections" : "authors";
}

// Old slugs that led to `from` (and `from` itself) lead to `to`; `to` exists, so nothing redirects from it.
void move_redirects(Connection& db, std::string_view kind, const std::string& from, const std::string& to) {
  db.query("UPDATE slug_redirects SET new_slug = $3 WHERE kind = $1 AND new_slug = $2", {kind, from, to});
  db.query(
      "INSERT INTO slug_redirects (kind, old_slug, new_slug) VALUES ($1, $2, $3) "
      "ON CONFLICT (kind, old_slug) DO UPDATE SET new_slug = excluded.new_slug",
      {kind, from, to});
  db.query("DELETE FROM slug_redirects WHERE kind = $1 AND old_slug = $2", {kind, to});
}

// The id of the row at `slug` (locked), after checking that no other row has the new slug or name.
int64_t check_rename(Connection& db, std::string_view kind, std::string_view slug, const std::string& new_slug,
                     const std::string& new_name) {
  std::string table = table_of(kind);
  auto at = db.query("SELECT id FROM " + table + " WHERE slug = $1 FOR UPDATE", {slug});
  if (at.empty()) throw not_found(kind == "section" ? "The section" : "The author");
  int64_t id = at.front().int64(0);
  auto other = db.query(
      "SELECT slug = $2 FROM " + table + " WHERE id <> $1 AND (slug = $2 OR name = $3) ORDER BY slug = $2 DESC LIMIT 1",
      {id, new_slug, new_name});
  if (other.empty()) return id;
  if (other.front().boolean(0))
    throw Error(ErrorKind::conflict, "slug_taken", "Another " + std::string(kind) + " has the slug '" + new_slug + "'.",
                "slug");
  throw Error(ErrorKind::conflict, "name_taken", "Another " + std::string(kind) + " is called '" + new_name + "'.",
              "name");
}

// A rename that lost a race to a concurrent one surfaces as the check's error.
template <class F>
auto unique_names(std::string_view kind, F&& f) {
  try {
    return f();
  } catch (const pg::PgError& e) {
    if (e.sqlstate() == "23505")
      throw Error(ErrorKind::conflict, "slug_taken", "Another " + std::string(kind) + " has that slug.", "slug");
    throw;
  }
}

}  // namespace

int64_t upsert_named(Connection& db, std::string_view kind, const std::string& name) {
  std::string table = table_of(kind);
  std::string slug = slugify(name);
  const std::string find =
      "SELECT id FROM " + table +
      " WHERE name = $2 OR slug = $1 OR slug = (SELECT new_slug FROM slug_redirects WHERE kind = $3 AND old_slug = "
      "$1) ORDER BY name = $2 DESC, slug = $1 DESC LIMIT 1";
  if (auto r = db.query(find, {slug, name, kind}); !r.empty()) return r.front().int64(0);
  // Concurrent writers creating the same name: ON CONFLICT waits for the other's transaction, and the SELECT
  // that follows (a new READ COMMITTED snapshot) sees its row.
  if (kind == "section" && is_reserved_section_slug(slug)) throw reserved_section_name(name);
  auto ins =
      db.query("INSERT INTO " + table + " (slug, name) VALUES ($1, $2) ON CONFLICT (slug) DO NOTHING RETURNING id",
               {slug, name});
  if (!ins.empty()) return ins.front().int64(0);
  auto r = db.query(find, {slug, name, kind});
  if (r.empty()) throw Error(ErrorKind::internal, "store_error", "the " + table + " row vanished.");
  return r.front().int64(0);
}

// The tag found is share-locked until the save commits: a merge of it (which deletes it) waits for the save, so
// that no article is left carrying a tag that has no row.
std::string upsert_tag(Connection& db, const std::string& name) {
  std::string slug = tag_slug(name);
  const std::string find =
      "SELECT name FROM tags WHERE name = $2 OR slug = $1 OR slug = (SELECT new_slug FROM slug_redirects WHERE "
      "kind = 'tag' AND old_slug = $1) ORDER BY name = $2 DESC, slug = $1 DESC LIMIT 1 FOR SHARE";
  if (auto r = db.query(find, {slug, name}); !r.empty()) return r.front().text(0);
  auto ins =
      db.query("INSERT INTO tags (slug, name) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING name", {slug, name});
  if (!ins.empty()) return name;
  auto r = db.query(find, {slug, name});
  if (r.empty()) throw Error(ErrorKind::internal, "store_error", "the tag row vanished.");
  return r.front().text(0);
}

void backfill_tags(Connection& db) {
  for (auto row : db.query("SELECT tag FROM article_tags GROUP BY tag ORDER BY tag COLLATE \"C\"")) {
    std::string name = row.text(0);
    auto stored = upsert_tag(db, name);
    if (stored == name) continue;
    spdlog::warn("migration 23: the tag \"{}\" has the address of the tag \"{}\" and becomes it", name, stored);
    db.query(
        "INSERT INTO article_tags (article_id, tag) SELECT article_id, $2 FROM article_tags WHERE tag = $1 "
        "ON CONFLICT DO NOTHING",
        {name, stored});
    db.query("DELETE FROM article_tags WHERE tag = $1", {name});
  }
}

std::vector<Section> PostgresStore::all_sections() {
  return db_.read([](Connection& db) {
    std::vector<Section> out;
    for (auto row :
         db.query("SELECT " + std::string(kSectionColumns) + " FROM sections s ORDER BY s.name COLLATE \"C\""))
      out.push_back(read_section(row));
    return out;
  });
}

std::vector<Author> PostgresStore::all_authors() {
  return db_.read([](Connection& db) {
    std::vector<Author> out;
    for (auto row :
         db.query("SELECT " + std::string(kAuthorColumns) + " FROM authors au ORDER BY au.name COLLATE \"C\""))
      out.push_back(read_author(row));
    return out;
  });
}

Section PostgresStore::update_section(std::string_view slug, const Section& f) {
  return unique_names("section", [&] {
    return write([&](Connection& db) {
      int64_t id = check_rename(db, "section", slug, f.slug, f.name);
      db.query("UPDATE sections SET name = $2, slug = $3, description = $4 WHERE id = $1",
               {id, f.name, f.slug, f.description});
      if (f.slug != slug) move_redirects(db, "section", std::string(slug), f.slug);
      db.query(kBumpContentVersion);
      return read_section(
          db.query("SELECT " + std::string(kSectionColumns) + " FROM sections s WHERE s.id = $1", {id}).front());
    });
  });
}

Author PostgresStore::update_author(std::string_view slug, const Author& f) {
  return unique_names("author", [&] {
    return write([&](Connection& db) {
      int64_t id = check_rename(db, "author", slug, f.slug, f.name);
      auto before = db.query("SELECT name FROM authors WHERE id = $1", {id});
      const bool renamed = before.empty() || before.front().text(0) != f.name;
      db.query("UPDATE authors SET name = $2, slug = $3, bio = $4, photo = nullif($5, '') WHERE id = $1",
               {id, f.name, f.slug, f.bio, f.photo});
      if (f.slug != slug) move_redirects(db, "author", std::string(slug), f.slug);
      if (renamed)  // the index holds names only: a new bio or photo changes no piece's words
        index_for_search(db, "a.id IN (SELECT article_id FROM article_authors WHERE author_id = $1)", Param(id));
      db.query(kBumpContentVersion);
      return read_author(
          db.query("SELECT " + std::string(kAuthorColumns) + " FROM authors au WHERE au.id = $1", {id}).front());
    });
  });
}

std::vector<Tag> PostgresStore::all_tags() {
  return db_.read([](Connection& db) {
    std::vector<Tag> out;
    for (auto row : db.query("SELECT " + std::string(kTagColumns) + " FROM tags t ORDER BY t.name COLLATE \"C\""))
      out.push_back(read_tag(row));
    return out;
  });
}

std::optional<Tag> PostgresStore::find_tag(std::string_view slug) {
  return db_.read_replica([&](Connection& db) -> std::optional<Tag> {
    auto r = db.query("SELECT " + std::string(kTagColumns) + " FROM tags t WHERE t.slug = $1", {slug});
    if (r.empty()) return std::nullopt;
    return read_tag(r.front());
  });
}

Tag PostgresStore::merge_tags(std::string_view from_slug, const std::string& into) {
  return write([&](Connection& db) {
    auto from = db.query("SELECT name FROM tags WHERE slug = $1 FOR UPDATE", {from_slug});
    if (from.empty()) throw not_found("The tag");
    std::string from_name = from.front().text(0);
    if (tag_slug(into) == from_slug) {  // the same tag written another way ("Trains" for "trains"): renamed
      if (into == from_name) throw Error(ErrorKind::invalid, "same_tag", "A tag cannot be merged into itself.", "into");
      db.query("UPDATE tags SET name = $2 WHERE slug = $1", {from_slug, into});
      db.query("UPDATE article_tags SET tag = $2 WHERE tag = $1", {from_name, into});
      index_for_search(db, "a.id IN (SELECT article_id FROM article_tags WHERE tag = $1)", Param(into));
      db.query(kBumpContentVersion);
      return read_tag(
          db.query("SELECT " + std::string(kTagColumns) + " FROM tags t WHERE t.slug = $1", {from_slug}).front());
    }
    // A merge into a name that now redirects to `from` (merged into it earlier) brings that name back.
    db.query("DELETE FROM slug_redirects WHERE kind = 'tag' AND old_slug = $1 AND new_slug = $2",
             {tag_slug(into), from_slug});
    std::string into_name = upsert_tag(db, into);
    if (into_name == from_name)
      throw Error(ErrorKind::invalid, "same_tag", "A tag cannot be merged into itself.", "into");
    std::string into_slug = db.query("SELECT slug FROM tags WHERE name = $1", {into_name}).front().text(0);
    db.query(
        "INSERT INTO article_tags (article_id, tag) SELECT article_id, $2 FROM article_tags WHERE tag = $1 "
        "ON CONFLICT DO NOTHING",
        {from_name, into_name});
    db.query("DELETE FROM article_tags WHERE tag = $1", {from_name});
    db.query("DELETE FROM tags WHERE slug = $1", {from_slug});
    move_redirects(db, "tag", std::string(from_slug), into_slug);
    index_for_search(db, "a.id IN (SELECT article_id FROM article_tags WHERE tag = $1)", Param(into_name));
    db.query(kBumpContentVersion);
    return read_tag(
        db.query("SELECT " + std::string(kTagColumns) + " FROM tags t WHERE t.slug = $1", {into_slug}).front());
  });
}

std::optional<std::string> PostgresStore::redirect_of(std::string_view kind, std::string_view old_slug) {
  return db_.read_replica([&](Connection& db) -> std::optional<std::string> {
    auto r = db.query("SELECT new_slug FROM slug_redirects WHERE kind = $1 AND old_slug = $2", {kind, old_slug});
    if (r.empty()) return std::nullopt;
    return r.front().text(0);
  });
}

}  // namespace tribune::postgres

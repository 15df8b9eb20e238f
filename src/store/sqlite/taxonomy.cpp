// Sections, authors and tags as the desk manages them, and the redirects renames and merges leave.
#include <spdlog/spdlog.h>

#include "store/sqlite/engine.h"

namespace tribune::sqlite {

namespace {

std::string table_of(std::string_view kind) {
  return kind == "section" ? "sections" : "authors";
}

// Old slugs that led to `from` (and `from` itself) lead to `to`; `to` exists, so nothing redirects from it.
void move_redirects(Db& db, std::string_view kind, const std::string& from, const std::string& to) {
  db.prepare("UPDATE slug_redirects SET new_slug = ?3 WHERE kind = ?1 AND new_slug = ?2")
      .bind(1, kind)
      .bind(2, from)
      .bind(3, to)
      .run();
  db.prepare(
        "INSERT INTO slug_redirects (kind, old_slug, new_slug) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (kind, old_slug) DO UPDATE SET new_slug = excluded.new_slug")
      .bind(1, kind)
      .bind(2, from)
      .bind(3, to)
      .run();
  db.prepare("DELETE FROM slug_redirects WHERE kind = ?1 AND old_slug = ?2").bind(1, kind).bind(2, to).run();
}

// The id of the row at `slug`, after checking that no other row has the new slug or name.
int64_t check_rename(Db& db, std::string_view kind, std::string_view slug, const std::string& new_slug,
                     const std::string& new_name) {
  std::string table = table_of(kind);
  auto& at = db.prepare("SELECT id FROM " + table + " WHERE slug = ?1");
  at.bind(1, slug);
  if (!at.step()) throw not_found(kind == "section" ? "The section" : "The author");
  int64_t id = at.int64(0);
  at.reset();
  auto& other = db.prepare("SELECT slug = ?2, name = ?3 FROM " + table +
                           " WHERE id <> ?1 AND (slug = ?2 OR name = ?3) ORDER BY slug = ?2 DESC LIMIT 1");
  other.bind(1, id).bind(2, new_slug).bind(3, new_name);
  if (other.step()) {
    bool slug_taken = other.boolean(0);
    other.reset();
    if (slug_taken)
      throw Error(ErrorKind::conflict, "slug_taken",
                  "Another " + std::string(kind) + " has the slug '" + new_slug + "'.", "slug");
    throw Error(ErrorKind::conflict, "name_taken", "Another " + std::string(kind) + " is called '" + new_name + "'.",
                "name");
  }
  return id;
}

}  // namespace

int64_t upsert_named(Db& db, std::string_view kind, const std::string& name) {
  std::string table = table_of(kind);
  std::string slug = slugify(name);
  auto& s = db.prepare("SELECT id FROM " + table +
                       " WHERE name = ?2 OR slug = ?1 OR slug = (SELECT new_slug FROM slug_redirects WHERE kind = ?3 "
                       "AND old_slug = ?1) ORDER BY name = ?2 DESC, slug = ?1 DESC LIMIT 1");
  s.bind(1, slug).bind(2, name).bind(3, kind);
  if (s.step()) {
    int64_t id = s.int64(0);
    s.reset();
    return id;
  }
  if (kind == "section" && is_reserved_section_slug(slug)) throw reserved_section_name(name);
  db.prepare("INSERT INTO " + table + " (slug, name) VALUES (?1, ?2)").bind(1, slug).bind(2, name).run();
  return db.last_insert_id();
}

std::string upsert_tag(Db& db, const std::string& name) {
  std::string slug = tag_slug(name);
  auto& s = db.prepare(
      "SELECT name FROM tags WHERE name = ?2 OR slug = ?1 OR slug = (SELECT new_slug FROM slug_redirects WHERE "
      "kind = 'tag' AND old_slug = ?1) ORDER BY name = ?2 DESC, slug = ?1 DESC LIMIT 1");
  s.bind(1, slug).bind(2, name);
  if (s.step()) {
    auto stored = s.text(0);
    s.reset();
    return stored;
  }
  db.prepare("INSERT INTO tags (slug, name) VALUES (?1, ?2)").bind(1, slug).bind(2, name).run();
  return name;
}

void backfill_tags(Db& db) {
  std::vector<std::string> names;
  auto& st = db.prepare("SELECT DISTINCT tag FROM article_tags ORDER BY tag");
  while (st.step()) names.push_back(st.text(0));
  for (const auto& name : names) {
    auto stored = upsert_tag(db, name);
    if (stored == name) continue;
    spdlog::warn("migration 23: the tag \"{}\" has the address of the tag \"{}\" and becomes it", name, stored);
    db.prepare(
          "INSERT OR IGNORE INTO article_tags (article_id, tag) SELECT article_id, ?2 FROM article_tags WHERE tag = ?1")
        .bind(1, name)
        .bind(2, stored)
        .run();
    db.prepare("DELETE FROM article_tags WHERE tag = ?1").bind(1, name).run();
  }
}

std::vector<Section> SqliteStore::all_sections() {
  return readers_.with([](Db& db) {
    std::vector<Section> out;
    auto& st = db.prepare("SELECT " + std::string(kSectionColumns) + " FROM sections s ORDER BY s.name");
    while (st.step()) out.push_back(read_section(st));
    return out;
  });
}

std::vector<Author> SqliteStore::all_authors() {
  return readers_.with([](Db& db) {
    std::vector<Author> out;
    auto& st = db.prepare("SELECT " + std::string(kAuthorColumns) + " FROM authors au ORDER BY au.name");
    while (st.step()) out.push_back(read_author(st));
    return out;
  });
}

namespace {

// Each write reads its row back inside its transaction: a rename right after it cannot make it vanish.
template <class T, class Read>
T read_back(Db& db, const std::string& sql, const std::string& key, Read read) {
  auto& st = db.prepare(sql);
  st.bind(1, key);
  if (!st.step()) throw Error(ErrorKind::internal, "store_error", "a saved row could not be read back.");
  T out = read(st);
  st.reset();
  return out;
}

}  // namespace

Section SqliteStore::update_section(std::string_view slug, const Section& f) {
  Section saved;
  writer_.run([&](Db& db) {
    int64_t id = check_rename(db, "section", slug, f.slug, f.name);
    db.prepare("UPDATE sections SET name = ?2, slug = ?3, description = ?4 WHERE id = ?1")
        .bind(1, id)
        .bind(2, f.name)
        .bind(3, f.slug)
        .bind(4, f.description)
        .run();
    if (f.slug != slug) move_redirects(db, "section", std::string(slug), f.slug);
    db.prepare(kBumpContentVersion).run();
    saved = read_back<Section>(db, "SELECT " + std::string(kSectionColumns) + " FROM sections s WHERE s.slug = ?1",
                               f.slug, [](Statement& st) { return read_section(st); });
  });
  return saved;
}

Author SqliteStore::update_author(std::string_view slug, const Author& f) {
  Author saved;
  writer_.run([&](Db& db) {
    int64_t id = check_rename(db, "author", slug, f.slug, f.name);
    auto& before = db.prepare("SELECT name FROM authors WHERE id = ?1");
    before.bind(1, id);
    const bool renamed = !before.step() || before.text(0) != f.name;
    before.reset();
    db.prepare("UPDATE authors SET name = ?2, slug = ?3, bio = ?4, photo = ?5 WHERE id = ?1")
        .bind(1, id)
        .bind(2, f.name)
        .bind(3, f.slug)
        .bind(4, f.bio)
        .bind_optional(5, f.photo.empty() ? std::nullopt : std::optional<std::string>(f.photo))
        .run();
    if (f.slug != slug) move_redirects(db, "author", std::string(slug), f.slug);
    if (renamed)  // the index holds names only: a new bio or photo changes no piece's words
      index_for_search(db, "a.id IN (SELECT article_id FROM article_authors WHERE author_id = ?1)",
                       [&](Statement& st) { st.bind(1, id); });
    db.prepare(kBumpContentVersion).run();
    saved = read_back<Author>(db, "SELECT " + std::string(kAuthorColumns) + " FROM authors au WHERE au.slug = ?1",
                              f.slug, [](Statement& st) { return read_author(st); });
  });
  return saved;
}

std::vector<Tag> SqliteStore::all_tags() {
  return readers_.with([](Db& db) {
    std::vector<Tag> out;
    auto& st = db.prepare("SELECT " + std::string(kTagColumns) + " FROM tags t ORDER BY t.name");
    while (st.step()) out.push_back(read_tag(st));
    return out;
  });
}

std::optional<Tag> SqliteStore::find_tag(std::string_view slug) {
  return readers_.with([&](Db& db) -> std::optional<Tag> {
    auto& st = db.prepare("SELECT " + std::string(kTagColumns) + " FROM tags t WHERE t.slug = ?1");
    st.bind(1, slug);
    if (!st.step()) return std::nullopt;
    auto t = read_tag(st);
    st.reset();
    return t;
  });
}

Tag SqliteStore::merge_tags(std::string_view from_slug, const std::string& into) {
  Tag saved;
  writer_.run([&](Db& db) {
    std::string into_slug;
    auto& from = db.prepare("SELECT name FROM tags WHERE slug = ?1");
    from.bind(1, from_slug);
    if (!from.step()) throw not_found("The tag");
    std::string from_name = from.text(0);
    from.reset();
    if (tag_slug(into) == from_slug) {  // the same tag written another way ("Trains" for "trains"): renamed
      if (into == from_name) throw Error(ErrorKind::invalid, "same_tag", "A tag cannot be merged into itself.", "into");
      db.prepare("UPDATE tags SET name = ?2 WHERE slug = ?1").bind(1, from_slug).bind(2, into).run();
      db.prepare("UPDATE article_tags SET tag = ?2 WHERE tag = ?1").bind(1, from_name).bind(2, into).run();
      index_for_search(db, "a.id IN (SELECT article_id FROM article_tags WHERE tag = ?1)",
                       [&](Statement& st) { st.bind(1, into); });
      db.prepare(kBumpContentVersion).run();
      saved = read_back<Tag>(db, "SELECT " + std::string(kTagColumns) + " FROM tags t WHERE t.slug = ?1",
                             std::string(from_slug), [](Statement& st) { return read_tag(st); });
      return;
    }
    // A merge into a name that now redirects to `from` (merged into it earlier) brings that name back.
    db.prepare("DELETE FROM slug_redirects WHERE kind = 'tag' AND old_slug = ?1 AND new_slug = ?2")
        .bind(1, tag_slug(into))
        .bind(2, from_slug)
        .run();
    std::string into_name = upsert_tag(db, into);
    if (into_name == from_name)
      throw Error(ErrorKind::invalid, "same_tag", "A tag cannot be merged into itself.", "into");
    auto& s = db.prepare("SELECT slug FROM tags WHERE name = ?1");
    s.bind(1, into_name);
    s.step();
    into_slug = s.text(0);
    s.reset();
    db.prepare(
          "INSERT OR IGNORE INTO article_tags (article_id, tag) SELECT article_id, ?2 FROM article_tags WHERE tag = ?1")
        .bind(1, from_name)
        .bind(2, into_name)
        .run();
    db.prepare("DELETE FROM article_tags WHERE tag = ?1").bind(1, from_name).run();
    db.prepare("DELETE FROM tags WHERE slug = ?1").bind(1, from_slug).run();
    move_redirects(db, "tag", std::string(from_slug), into_slug);
    index_for_search(db, "a.id IN (SELECT article_id FROM article_tags WHERE tag = ?1)",
                     [&](Statement& st) { st.bind(1, into_name); });
    db.prepare(kBumpContentVersion).run();
    saved = read_back<Tag>(db, "SELECT " + std::string(kTagColumns) + " FROM tags t WHERE t.slug = ?1", into_slug,
                           [](Statement& st) { return read_tag(st); });
  });
  return saved;
}

std::optional<std::string> SqliteStore::redirect_of(std::string_view kind, std::string_view old_slug) {
  return readers_.with([&](Db& db) -> std::optional<std::string> {
    auto& st = db.prepare("SELECT new_slug FROM slug_redirects WHERE kind = ?1 AND old_slug = ?2");
    st.bind(1, kind).bind(2, old_slug);
    if (!st.step()) return std::nullopt;
    auto to = st.text(0);
    st.reset();
    return to;
  });
}

}  // namespace tribune::sqlite

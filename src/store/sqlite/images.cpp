#include "store/sqlite/engine.h"

namespace tribune::sqlite {

bool SqliteStore::insert_image(const Image& image) {
  bool inserted = false;
  writer_.run([&](Db& db) {
    db.prepare(
          "INSERT OR IGNORE INTO images (id, width, height, source, alt, caption, credit, created_at, created_by) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")
        .bind(1, image.id)
        .bind(2, int64_t{image.width})
        .bind(3, int64_t{image.height})
        .bind(4, to_string(image.source))
        .bind(5, image.text.alt)
        .bind(6, image.text.caption)
        .bind(7, image.text.credit)
        .bind(8, secs(image.created_at))
        .bind(9, image.created_by)
        .run();
    inserted = db.changes() > 0;
    if (!inserted) return;
    for (const auto& r : image.renditions)
      db.prepare(
            "INSERT INTO image_renditions (image_id, format, width, height, size, bytes) VALUES (?1, ?2, ?3, ?4, ?5, "
            "?6)")
          .bind(1, image.id)
          .bind(2, to_string(r.format))
          .bind(3, int64_t{r.width})
          .bind(4, int64_t{r.height})
          .bind(5, static_cast<int64_t>(r.bytes.size()))
          .bind_blob(6, r.bytes)
          .run();
  });
  return inserted;
}

namespace {

void read_renditions(Db& db, std::vector<Image>& images) {
  for (auto& image : images) {
    auto& st = db.prepare(std::string("SELECT ") + std::string(store_rows::kRenditionColumns) +
                          " FROM image_renditions WHERE image_id = ?1");
    st.bind(1, image.id);
    while (st.step()) image.renditions.push_back(store_rows::read_rendition(st));
    st.reset();
    store_rows::sort_renditions(image.renditions);
  }
}

}  // namespace

std::optional<Image> SqliteStore::find_image(const std::string& id) {
  return readers_.with([&](Db& db) -> std::optional<Image> {
    auto& st =
        db.prepare(std::string("SELECT ") + std::string(store_rows::kImageColumns) + " FROM images WHERE id = ?1");
    st.bind(1, id);
    if (!st.step()) return std::nullopt;
    std::vector<Image> found{store_rows::read_image(st)};
    st.reset();
    read_renditions(db, found);
    return std::move(found.front());
  });
}

std::optional<std::string> SqliteStore::image_rendition(const std::string& id, int width, ImageFormat format) {
  return readers_.with([&](Db& db) -> std::optional<std::string> {
    auto& st = db.prepare("SELECT bytes FROM image_renditions WHERE image_id = ?1 AND format = ?2 AND width = ?3");
    st.bind(1, id).bind(2, to_string(format)).bind(3, int64_t{width});
    if (!st.step()) return std::nullopt;
    std::string bytes = st.text(0);
    st.reset();
    return bytes;
  });
}

std::vector<Image> SqliteStore::list_images(int limit) {
  return readers_.with([&](Db& db) {
    std::vector<Image> out;
    auto& st = db.prepare(std::string("SELECT ") + std::string(store_rows::kImageColumns) +
                          " FROM images ORDER BY created_at DESC, rowid DESC LIMIT ?1");
    st.bind(1, static_cast<int64_t>(limit));
    while (st.step()) out.push_back(store_rows::read_image(st));
    st.reset();
    read_renditions(db, out);
    return out;
  });
}

}  // namespace tribune::sqlite

#include <libpq-fe.h>

#include "store/postgres/engine.h"

namespace tribune::postgres {

bool PostgresStore::insert_image(const Image& image) {
  return write([&](Connection& db) {
    auto inserted = db.query(
        "INSERT INTO images (id, width, height, source, alt, caption, credit, created_at, created_by) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING",
        {image.id, image.width, image.height, to_string(image.source), image.text.alt, image.text.caption,
         image.text.credit, secs(image.created_at), image.created_by});
    if (inserted.affected() == 0) return false;
    for (const auto& r : image.renditions)
      db.query(
          "INSERT INTO image_renditions (image_id, format, width, height, size, bytes) VALUES ($1, $2, $3, $4, "
          "$5, $6)",
          {image.id, to_string(r.format), r.width, r.height, static_cast<int64_t>(r.bytes.size()),
           Param::bytes(r.bytes)});
    return true;
  });
}

namespace {

void read_renditions(Connection& db, std::vector<Image>& images) {
  if (images.empty()) return;
  std::map<std::string, Image*, std::less<>> by_id;
  std::string ids = "{";
  for (auto& image : images) {
    by_id[image.id] = &image;
    ids += (ids.size() > 1 ? "," : "") + image.id;  // ids are hex: nothing to quote
  }
  ids += "}";
  for (const auto& row : db.query(std::string("SELECT ") + std::string(store_rows::kRenditionColumns) +
                                      " FROM image_renditions WHERE image_id = ANY($1::text[])",
                                  {ids}))
    if (auto it = by_id.find(row.text(0)); it != by_id.end())
      it->second->renditions.push_back(store_rows::read_rendition(row));
  for (auto& image : images) store_rows::sort_renditions(image.renditions);
}

}  // namespace

std::optional<Image> PostgresStore::find_image(const std::string& id) {
  return db_.read([&](Connection& db) -> std::optional<Image> {
    auto rows =
        db.query(std::string("SELECT ") + std::string(store_rows::kImageColumns) + " FROM images WHERE id = $1", {id});
    if (rows.empty()) return std::nullopt;
    std::vector<Image> found{store_rows::read_image(rows.front())};
    read_renditions(db, found);
    return std::move(found.front());
  });
}

std::optional<std::string> PostgresStore::image_rendition(const std::string& id, int width, ImageFormat format) {
  return db_.read([&](Connection& db) -> std::optional<std::string> {
    auto rows = db.query("SELECT bytes FROM image_renditions WHERE image_id = $1 AND format = $2 AND width = $3",
                         {id, to_string(format), width});
    if (rows.empty()) return std::nullopt;
    // BYTEA arrives in text format, hex-escaped ("\x4142...").
    std::string escaped = rows.front().text(0);
    size_t n = 0;
    unsigned char* raw = PQunescapeBytea(reinterpret_cast<const unsigned char*>(escaped.c_str()), &n);
    if (!raw) throw Error(ErrorKind::internal, "internal", "An image could not be read.");
    std::string bytes(reinterpret_cast<const char*>(raw), n);
    PQfreemem(raw);
    return bytes;
  });
}

std::vector<Image> PostgresStore::list_images(int limit) {
  return db_.read([&](Connection& db) {
    std::vector<Image> out;
    for (const auto& row : db.query(std::string("SELECT ") + std::string(store_rows::kImageColumns) +
                                        " FROM images ORDER BY created_at DESC, id DESC LIMIT $1",
                                    {limit}))
      out.push_back(store_rows::read_image(row));
    read_renditions(db, out);
    return out;
  });
}

}  // namespace tribune::postgres

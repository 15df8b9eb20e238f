// JSON API v1: images (editors and admins; session or token), and the public addresses of their renditions.
#pragma once

#include <boost/json.hpp>
#include <optional>

#include "domain/images.h"
#include "http/message.h"

namespace tribune::api {

class ImagesApi {
 public:
  explicit ImagesApi(ImageService& images) : images_(images) {}

  // POST /api/v1/images: the picture as the body (any Content-Type: the bytes say what it is) with ?alt=
  // (required), &caption=, &credit=; or multipart/form-data with a file field "image" and text fields alt,
  // caption, credit. -> 201 {image} (200 when the same bytes were uploaded before: that image, unchanged)
  Response upload(RequestContext& ctx);
  // GET /api/v1/images?limit= -> {images: [...]}, newest first
  Response list(RequestContext& ctx);
  // GET /api/v1/images/{id} -> {image}
  Response get(RequestContext& ctx);
  // GET /media/{id}/{width}.{ext}: a rendition's bytes, cached by browsers and proxies for a year (the address
  // changes whenever the bytes could).
  Response media(RequestContext& ctx);
  // GET /media/{id}: the picture itself, a 301 to its sharing rendition (for a Markdown link without a size).
  Response picture(RequestContext& ctx);
  // The same, inline on the connection's thread, when the bytes are in memory (nothing to wait for).
  std::optional<Response> media_cached(RequestContext& ctx);

  // {id, width, height, alt, caption, credit, markdown, url, created_at, created_by, renditions: [{url, width,
  // height, format, bytes}]}; url is the rendition for sharing cards, markdown what puts it in an article's text.
  static boost::json::object to_json(const Image& image);

 private:
  ImageService& images_;
};

}  // namespace tribune::api

#include "api/images_api.h"

#include <charconv>

#include "api/json_io.h"
#include "http/forms.h"
#include "model/error.h"

namespace tribune::api {

namespace json = boost::json;

json::object ImagesApi::to_json(const Image& image) {
  json::array renditions;
  for (const auto& r : image.renditions)
    renditions.push_back(json::object{{"url", rendition_url(image, r)},
                                      {"width", r.width},
                                      {"height", r.height},
                                      {"format", std::string(to_string(r.format))},
                                      {"bytes", r.size}});
  const auto* sharing = sharing_rendition(image);
  return json::object{{"id", image.id},
                      {"width", image.width},
                      {"height", image.height},
                      {"alt", image.text.alt},
                      {"caption", image.text.caption},
                      {"credit", image.text.credit},
                      {"markdown", image_markdown(image)},
                      {"url", sharing ? json::value(rendition_url(image, *sharing)) : json::value(nullptr)},
                      {"created_at", format_rfc3339(image.created_at)},
                      {"created_by", image.created_by},
                      {"renditions", std::move(renditions)}};
}

Response ImagesApi::upload(RequestContext& ctx) {
  auto type = to_lower_ascii(ctx.request[http::field::content_type]);
  std::string_view bytes;
  ImageText text;
  if (type.starts_with("multipart/form-data")) {
    auto parts = parse_multipart(ctx.request.body(), ctx.request[http::field::content_type]);
    auto fields = multipart_fields(parts);
    for (const auto& p : parts)
      if (p.name == "image" && p.filename) bytes = p.data;
    auto get = [&](std::string_view name) {
      auto it = fields.find(name);
      return it == fields.end() ? std::string() : it->second;
    };
    text = ImageText{get("alt"), get("caption"), get("credit")};
  } else {
    bytes = ctx.request.body();
    text = ImageText{std::string(ctx.query_value("alt").value_or("")),
                     std::string(ctx.query_value("caption").value_or("")),
                     std::string(ctx.query_value("credit").value_or(""))};
  }
  auto up = images_.upload(bytes, std::move(text), ctx.principal.name);
  return json_response(up.created ? http::status::created : http::status::ok,
                       json::object{{"image", to_json(up.image)}});
}

Response ImagesApi::list(RequestContext& ctx) {
  json::array items;
  for (const auto& image : images_.recent(limit_param(ctx, 50, 200))) items.push_back(to_json(image));
  return json_response(http::status::ok, json::object{{"images", std::move(items)}});
}

Response ImagesApi::get(RequestContext& ctx) {
  auto image = images_.find(ctx.param("id"));
  if (!image) throw not_found("The image");
  return json_response(http::status::ok, json::object{{"image", to_json(*image)}});
}

namespace {

struct RenditionAddress {
  int width = 0;
  ImageFormat format = ImageFormat::jpeg;
};

// "{width}.{ext}": a rendition's file name.
std::optional<RenditionAddress> parse_rendition_file(const std::string& file) {
  auto dot = file.find('.');
  if (dot == std::string::npos) return std::nullopt;
  int width = 0;
  auto [p, ec] = std::from_chars(file.data(), file.data() + dot, width);
  auto format = image_format_for_extension(std::string_view(file).substr(dot + 1));
  if (ec != std::errc() || p != file.data() + dot || !format) return std::nullopt;
  return RenditionAddress{width, *format};
}

Response serve_rendition(std::shared_ptr<const std::string> bytes, ImageFormat format) {
  Response r;
  r.headers.set(http::field::content_type, content_type(format));
  r.headers.set(http::field::cache_control, "public, max-age=31536000, immutable");
  r.shared_body = std::move(bytes);  // served from the cache's copy, not copied per request
  return r;
}

}  // namespace

std::optional<Response> ImagesApi::media_cached(RequestContext& ctx) {
  auto address = parse_rendition_file(ctx.param("file"));
  if (!address) return std::nullopt;
  auto bytes = images_.cached_rendition(ctx.param("id"), address->width, address->format);
  if (!bytes) return std::nullopt;
  return serve_rendition(std::move(bytes), address->format);
}

Response ImagesApi::picture(RequestContext& ctx) {
  auto image = images_.find(ctx.param("id"));
  const auto* r = image ? sharing_rendition(*image) : nullptr;
  if (!r) throw not_found("The image");
  Response out = Response::redirect(http::status::moved_permanently, rendition_url(*image, *r));
  out.headers.set(http::field::cache_control, "public, max-age=31536000, immutable");
  return out;
}

Response ImagesApi::media(RequestContext& ctx) {
  auto address = parse_rendition_file(ctx.param("file"));
  if (!address) throw not_found("The image");
  auto bytes = images_.rendition(ctx.param("id"), address->width, address->format);
  if (!bytes) throw not_found("The image");
  return serve_rendition(std::move(bytes), address->format);
}

}  // namespace tribune::api

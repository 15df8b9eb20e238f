#include "api/taxonomy_api.h"

#include "api/images_api.h"
#include "api/json_io.h"
#include "model/error.h"

namespace tribune::api {

namespace json = boost::json;

namespace {

json::object tag_json(const Tag& t) {
  return {{"slug", t.slug}, {"name", t.name}, {"url", "/tags/" + t.slug}, {"articles", t.articles}};
}

}  // namespace

json::object TaxonomyApi::section_json(const Section& s) const {
  return {{"slug", s.slug},
          {"name", s.name},
          {"description", s.description},
          {"url", "/" + s.slug},
          {"articles", s.articles}};
}

json::object TaxonomyApi::author_json(const Author& a) const {
  auto photo = a.photo.empty() ? std::nullopt : articles_.find_image(a.photo);
  return {{"slug", a.slug},
          {"name", a.name},
          {"bio", a.bio},
          {"photo", photo ? json::value(ImagesApi::to_json(*photo)) : json::value(nullptr)},
          {"url", "/authors/" + a.slug},
          {"articles", a.articles}};
}

Response TaxonomyApi::sections(RequestContext&) {
  json::array out;
  for (const auto& s : articles_.all_sections()) out.push_back(section_json(s));
  return json_response(http::status::ok, json::object{{"sections", std::move(out)}});
}

Response TaxonomyApi::update_section(RequestContext& ctx) {
  auto o = parse_object(ctx, {"name", "slug", "description"});
  auto current = articles_.find_section(ctx.param("slug"));
  if (!current) throw not_found("The section");
  Section fields = *current;
  if (auto v = optional_string(o, "name")) fields.name = *v;
  if (auto v = optional_string(o, "slug")) fields.slug = *v;
  if (auto v = optional_string(o, "description")) fields.description = *v;
  return json_response(http::status::ok,
                       section_json(articles_.update_section(current->slug, fields,
                                                             DeskActor{ctx.principal.actor(), ctx.principal.name})));
}

Response TaxonomyApi::authors(RequestContext&) {
  json::array out;
  for (const auto& a : articles_.all_authors()) out.push_back(author_json(a));
  return json_response(http::status::ok, json::object{{"authors", std::move(out)}});
}

Response TaxonomyApi::update_author(RequestContext& ctx) {
  auto o = parse_object(ctx, {"name", "slug", "bio", "photo"});
  auto current = articles_.find_author(ctx.param("slug"));
  if (!current) throw not_found("The author");
  Author fields = *current;
  if (auto v = optional_string(o, "name")) fields.name = *v;
  if (auto v = optional_string(o, "slug")) fields.slug = *v;
  if (auto v = optional_string(o, "bio")) fields.bio = *v;
  if (auto it = o.find("photo"); it != o.end() && it->value().is_null())
    fields.photo.clear();
  else if (auto v = optional_string(o, "photo"))
    fields.photo = *v;
  return json_response(http::status::ok,
                       author_json(articles_.update_author(current->slug, fields,
                                                           DeskActor{ctx.principal.actor(), ctx.principal.name})));
}

Response TaxonomyApi::tags(RequestContext&) {
  json::array out;
  for (const auto& t : articles_.all_tags()) out.push_back(tag_json(t));
  return json_response(http::status::ok, json::object{{"tags", std::move(out)}});
}

Response TaxonomyApi::merge_tag(RequestContext& ctx) {
  auto o = parse_object(ctx, {"into"});
  return json_response(http::status::ok,
                       tag_json(articles_.merge_tags(ctx.param("slug"), required_string(o, "into"),
                                                     DeskActor{ctx.principal.actor(), ctx.principal.name})));
}

}  // namespace tribune::api

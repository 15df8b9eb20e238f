#include "web/desk_taxonomy.h"

#include <boost/json.hpp>

#include "web/form_support.h"

namespace tribune::web {

namespace json = boost::json;

namespace {

// The error, and which field it names, for a form that shows each error under its field.
void put_error(json::object& view, const Error* error, std::initializer_list<std::string_view> fields) {
  if (!error) return;
  view["error"] = error->message();
  std::string at = error->field();
  if (std::ranges::find(fields, at) == fields.end()) at = *fields.begin();
  view[at + "_error"] = error->message();
}

std::string saved_query(const RequestContext& ctx, std::string_view key) {
  auto v = ctx.query_value(key).value_or("");
  return is_valid_slug(v) ? std::string(v) : std::string();
}

}  // namespace

Response DeskTaxonomy::sections(RequestContext& ctx) {
  json::array rows;
  auto saved = saved_query(ctx, "saved");
  for (const auto& s : articles_.all_sections())
    rows.push_back(json::object{{"slug", s.slug},
                                {"name", s.name},
                                {"description", s.description},
                                {"articles", s.articles},
                                {"saved", s.slug == saved}});
  json::object view{{"sections", std::move(rows)}};
  if (!saved.empty()) view["saved"] = saved;
  return html_page(ctx, http::status::ok, renderer_.page_from("desk_sections", view, "Sections", articles_.sections()));
}

Response DeskTaxonomy::section_page(RequestContext& ctx, http::status status, const std::string& slug,
                                    const Section& typed, const Error* error) {
  json::object view{{"path_slug", slug},
                    {"csrf_token", ctx.principal.csrf_token},
                    {"name", typed.name},
                    {"slug", typed.slug},
                    {"description", typed.description}};
  put_error(view, error, {"name", "slug", "description"});
  return html_page(ctx, status,
                   renderer_.page_from("desk_section_form", view, "Edit section " + typed.name, articles_.sections()));
}

Response DeskTaxonomy::section_form(RequestContext& ctx) {
  auto s = articles_.find_section(ctx.param("slug"));
  if (!s) throw not_found("The section");
  return section_page(ctx, http::status::ok, s->slug, *s, nullptr);
}

Response DeskTaxonomy::section_submit(RequestContext& ctx) {
  auto current = articles_.find_section(ctx.param("slug"));
  if (!current) throw not_found("The section");
  auto f = form_of(ctx);
  Section typed{0, trim(field(f, "slug")), field(f, "name"), field(f, "description")};
  try {
    auto saved = articles_.update_section(current->slug, typed, DeskActor{ctx.principal.actor(), ctx.principal.name});
    return see_other("/desk/sections?saved=" + saved.slug + "#section-" + saved.slug);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::invalid && e.kind() != ErrorKind::conflict) throw;
    return section_page(ctx,
                        e.kind() == ErrorKind::conflict ? http::status::conflict : http::status::unprocessable_entity,
                        current->slug, typed, &e);
  }
}

Response DeskTaxonomy::authors(RequestContext& ctx) {
  json::array rows;
  auto saved = saved_query(ctx, "saved");
  for (const auto& a : articles_.all_authors()) {
    json::object row{
        {"slug", a.slug}, {"name", a.name}, {"bio", a.bio}, {"articles", a.articles}, {"saved", a.slug == saved}};
    if (auto photo = a.photo.empty() ? std::nullopt : images_.find(a.photo))
      row["photo_html"] = picture_html(*photo, "3rem", true);
    rows.push_back(std::move(row));
  }
  json::object view{{"authors", std::move(rows)}};
  if (!saved.empty()) view["saved"] = saved;
  return html_page(ctx, http::status::ok, renderer_.page_from("desk_authors", view, "Authors", articles_.sections()));
}

Response DeskTaxonomy::author_page(RequestContext& ctx, http::status status, const std::string& slug,
                                   const Author& typed, const Error* error) {
  json::object view{{"path_slug", slug},  {"csrf_token", ctx.principal.csrf_token},
                    {"name", typed.name}, {"slug", typed.slug},
                    {"bio", typed.bio},   {"photo", typed.photo}};
  if (auto photo = typed.photo.empty() ? std::nullopt : images_.find(typed.photo))
    view["photo_html"] = picture_html(*photo, "8rem", false);
  put_error(view, error, {"name", "slug", "bio", "photo_file", "photo_alt"});
  return html_page(ctx, status,
                   renderer_.page_from("desk_author_form", view, "Edit author " + typed.name, articles_.sections()));
}

Response DeskTaxonomy::author_form(RequestContext& ctx) {
  auto a = articles_.find_author(ctx.param("slug"));
  if (!a) throw not_found("The author");
  return author_page(ctx, http::status::ok, a->slug, *a, nullptr);
}

Response DeskTaxonomy::author_submit(RequestContext& ctx) {
  auto current = articles_.find_author(ctx.param("slug"));
  if (!current) throw not_found("The author");
  auto f = form_of(ctx);
  Author typed{0, trim(field(f, "slug")), field(f, "name"), field(f, "bio"),
               field(f, "photo_remove") == "1" ? std::string() : trim(field(f, "photo"))};
  try {
    // A new photo is stored first, and stays chosen (in the form) whatever becomes of this save.
    if (auto file = uploaded_file(ctx, "photo_file"); !file.empty()) {
      try {
        typed.photo = images_.upload(file, ImageText{field(f, "photo_alt"), "", ""}, ctx.principal.name).image.id;
      } catch (const Error& e) {
        if (e.kind() != ErrorKind::invalid) throw;
        // The image's own field names become the form's ("alt": "photo_alt").
        throw Error(e.kind(), e.code(), e.message(), e.field() == "alt" ? "photo_alt" : "photo_file");
      }
    }
    auto saved = articles_.update_author(current->slug, typed, DeskActor{ctx.principal.actor(), ctx.principal.name});
    return see_other("/desk/authors?saved=" + saved.slug + "#author-" + saved.slug);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::invalid && e.kind() != ErrorKind::conflict) throw;
    if (e.field() == "photo") typed.photo.clear();  // an id that is no image: not offered again
    return author_page(ctx,
                       e.kind() == ErrorKind::conflict ? http::status::conflict : http::status::unprocessable_entity,
                       current->slug, typed, &e);
  }
}

Response DeskTaxonomy::tags_page(RequestContext& ctx, http::status status, const std::string& failed_slug,
                                 const std::string& typed, const Error* error) {
  json::array rows;
  auto merged = saved_query(ctx, "merged");
  auto all = articles_.all_tags();
  json::array names;
  for (const auto& t : all) {
    json::object row{{"slug", t.slug},
                     {"name", t.name},
                     {"count", std::to_string(t.articles) + (t.articles == 1 ? " article" : " articles")},
                     {"merged", t.slug == merged}};
    if (t.slug == failed_slug && error) {
      row["error"] = error->message();
      row["into"] = typed;
    }
    rows.push_back(std::move(row));
    names.push_back(json::string(t.name));
  }
  json::object view{{"tags", std::move(rows)},
                    {"tag_names", std::move(names)},
                    {"csrf_token", ctx.principal.csrf_token},
                    {"empty", all.empty()}};
  if (!merged.empty()) view["merged"] = merged;
  return html_page(ctx, status, renderer_.page_from("desk_tags", view, "Tags", articles_.sections()));
}

Response DeskTaxonomy::tags(RequestContext& ctx) {
  return tags_page(ctx, http::status::ok, "", "", nullptr);
}

Response DeskTaxonomy::tag_merge(RequestContext& ctx) {
  auto f = form_of(ctx);
  auto into = field(f, "into");
  const auto& slug = ctx.param("slug");
  try {
    auto saved = articles_.merge_tags(slug, into, DeskActor{ctx.principal.actor(), ctx.principal.name});
    return see_other("/desk/tags?merged=" + saved.slug + "#tag-" + saved.slug);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::invalid) throw;
    return tags_page(ctx, http::status::unprocessable_entity, slug, into, &e);
  }
}

}  // namespace tribune::web

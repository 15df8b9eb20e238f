#include "web/desk_pages.h"

#include <boost/json.hpp>
#include <charconv>

#include "domain/dateline.h"
#include "web/form_support.h"

namespace tribune::web {

namespace {

std::string_view footer_title(std::string_view slug) {
  const StandardPage* page = find_standard_page(slug);
  return page ? page->title : slug;
}

}  // namespace

Response DeskPages::pages(RequestContext& ctx) {
  boost::json::array rows;
  for (const auto& p : kStandardPages) {
    auto saved = articles_.find_page(p.slug);
    boost::json::object row{{"slug", std::string(p.slug)}, {"title", std::string(p.title)}};
    if (saved) row["updated"] = format_local(saved->updated_at, articles_.locality(), "d MMMM yyyy HH:mm");
    rows.push_back(std::move(row));
  }
  boost::json::object view{{"pages", std::move(rows)}};
  auto saved = ctx.query_value("saved").value_or("");
  if (is_standard_page(saved)) {
    view["saved_slug"] = std::string(saved);
    view["saved_title"] = std::string(footer_title(saved));
  }
  return html_page(ctx, http::status::ok, renderer_.page_from("desk_pages", view, "Pages", articles_.sections()));
}

Response DeskPages::form(RequestContext& ctx, http::status status, const Page& page, int64_t version,
                         const std::string& error) {
  boost::json::object view{{"slug", page.slug},
                           {"footer_title", std::string(footer_title(page.slug))},
                           {"csrf_token", ctx.principal.csrf_token},
                           {"version", std::to_string(version)},
                           {"saved", version > 0},
                           {"title", page.title},
                           {"description", page.description},
                           {"body", page.body_markdown},
                           {"error", error.empty() ? boost::json::value(nullptr) : boost::json::value(error)}};
  return html_page(ctx, status,
                   renderer_.page_from("desk_page_form", view, "Edit " + page.title, articles_.sections()));
}

Response DeskPages::page_form(RequestContext& ctx) {
  auto page = articles_.standard_page(ctx.param("slug"));
  if (!page) throw not_found("The page");
  return form(ctx, http::status::ok, *page, page->version, "");
}

Response DeskPages::page_submit(RequestContext& ctx) {
  const auto& slug = ctx.param("slug");
  if (!is_standard_page(slug)) throw not_found("The page");
  auto f = form_of(ctx);
  Page typed;
  typed.slug = slug;
  typed.title = field(f, "title");
  typed.description = field(f, "description");
  typed.body_markdown = field(f, "body");
  // The version the editor started from: a save over someone else's newer one is refused, keeping the text.
  int64_t version = 0;
  auto v = field(f, "version");
  std::from_chars(v.data(), v.data() + v.size(), version);
  try {
    articles_.save_page(typed, version);
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::conflict) {
      auto current = articles_.standard_page(slug);
      return form(ctx, http::status::conflict, typed, current ? current->version : version,
                  e.message() +
                      " Your text is below, unsaved: open the page in another tab to see theirs, then "
                      "save again to replace it with yours.");
    }
    if (e.kind() != ErrorKind::invalid) throw;
    return form(ctx, http::status::unprocessable_entity, typed, version, e.message());
  }
  return see_other("/desk/pages?saved=" + slug);
}

}  // namespace tribune::web

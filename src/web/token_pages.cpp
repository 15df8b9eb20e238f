#include "web/token_pages.h"

#include <boost/json.hpp>

#include "domain/dateline.h"
#include "web/form_support.h"

namespace tribune::web {

Response TokenPages::page(RequestContext& ctx, http::status status, const Shown& shown) {
  const auto& where = articles_.locality();
  auto when = [&](TimePoint t) { return format_local(t, where, "d MMM yyyy HH:mm"); };
  boost::json::array rows;
  for (const auto& t : tokens_.list()) {
    boost::json::object row{{"id", t.id},
                            {"name", t.name},
                            {"role", std::string(to_string(t.role))},
                            {"created", when(t.created_at)},
                            {"last_used", t.last_used_at ? when(*t.last_used_at) : std::string("Never")}};
    if (t.revoked_at) row["revoked"] = when(*t.revoked_at);
    rows.push_back(std::move(row));
  }
  boost::json::array roles;
  for (std::string_view r : {"editor", "moderator", "admin"})
    roles.push_back(boost::json::object{{"value", r}, {"selected", r == shown.role}});
  bool has_tokens = !rows.empty();
  boost::json::object view{{"tokens", std::move(rows)},
                           {"has_tokens", has_tokens},
                           {"roles", std::move(roles)},
                           {"csrf_token", ctx.principal.csrf_token},
                           {"name", shown.name}};
  if (!shown.secret.empty()) view["secret"] = shown.secret;
  if (!shown.notice.empty()) view["notice"] = shown.notice;
  if (!shown.error.empty()) view["error"] = shown.error;
  return html_page(ctx, status, renderer_.page_from("admin_tokens", view, "API tokens", articles_.sections()));
}

Response TokenPages::list(RequestContext& ctx) {
  Shown shown;
  if (ctx.query_value("revoked")) shown.notice = "The token is revoked: it opens nothing from now on.";
  return page(ctx, http::status::ok, shown);
}

Response TokenPages::create(RequestContext& ctx) {
  auto f = form_of(ctx);
  Shown shown{.name = field(f, "name"), .role = field(f, "role")};
  try {
    auto created = tokens_.create(shown.name, shown.role, ctx.principal.actor());
    return page(ctx, http::status::created,
                Shown{.secret = created.token, .notice = "Token “" + created.record.name + "” created."});
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::invalid) throw;
    shown.error = e.message();
    return page(ctx, http::status::unprocessable_entity, shown);
  }
}

Response TokenPages::revoke(RequestContext& ctx) {
  auto id = ctx.id_param("id");
  if (!id) throw not_found("The token");
  tokens_.revoke(*id, ctx.principal.actor());
  return see_other("/admin/tokens?revoked=" + std::to_string(*id));
}

}  // namespace tribune::web

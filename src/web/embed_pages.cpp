#include "web/embed_pages.h"

#include <sodium.h>

#include <boost/json.hpp>
#include <boost/url/url.hpp>

#include "http/cursors.h"
#include "http/error_mapping.h"
#include "util/text.h"
#include "web/form_support.h"

namespace tribune::web {

namespace json = boost::json;

Response EmbedPages::frame(RequestContext& ctx) {
  EmbedService::Page page{std::string(ctx.query_value("url").value_or("")),
                          std::string(ctx.query_value("id").value_or("")),
                          std::string(ctx.query_value("title").value_or(""))};
  // The frame's own links name the story ("story"); the host's script names the page.
  std::optional<EmbedService::Story> found;
  if (auto slug = ctx.query_value("story")) {
    auto a = articles_.find_visible(*slug);
    if (!a) throw not_found("The story");
    found = embed_.story(*a);
  } else {
    found = embed_.story(page, ctx.client_ip);
  }
  auto& story = *found;
  // This page's own address, for its links and the forms' way back: the story's, not the asker's spelling.
  boost::urls::url self("/embed");
  self.params().append({"story", story.article.slug});
  std::string scheme(ctx.query_value("scheme").value_or(""));
  if (scheme != "dark" && scheme != "light") scheme.clear();
  if (!scheme.empty()) self.params().append({"scheme", scheme});
  const std::string target(self.buffer());
  const auto& who = ctx.principal;
  auto fill = [&](const Principal& p) -> SlotFiller {
    return [this, p, &target, &story](std::string_view slot) {
      if (slot == "reader" && p.signed_in())
        return renderer_.fragment(slot, p, target, readers_.unread(p.account_id), readers_.ignored(p.account_id));
      return renderer_.fragment(slot, p, target, 0, {}, story.article.slug);
    };
  };
  // The same page for every reader but their slots, as an article page is: kept, and stale with its
  // conversation when one of its comments changes. A busy host page costs a cache lookup a view.
  std::map<std::string, std::string, std::less<>> kept;
  for (std::string_view name : {"sort", "cursor"})
    if (auto v = ctx.query_value(name)) kept.emplace(name, *v);
  if (!scheme.empty()) kept.emplace("scheme", scheme);
  auto key = query_cache_key("embed:" + story.article.slug, kept, {"sort", "cursor", "scheme"});
  auto generation = cache_.ticket();
  auto cached = key.empty() ? nullptr : cache_.get_or_refresh(key);
  if (!cached) {
    CommentSort sort = CommentSort::newest;
    if (auto v = ctx.query_value("sort")) sort = parse_comment_sort(*v).value_or(CommentSort::newest);
    std::optional<CommentCursor> after;
    if (auto c = ctx.query_value("cursor")) {
      auto cursor = decode_cursor(*c);
      after = CommentCursor{cursor.published_at, cursor.id};
    }
    PageRenderer::Embed e{story.article, comments_.conversation(story.article, sort, after),     story.origin.origin,
                          target,        story.origin.appeal && renderer_.site().appeal.enabled, scheme};
    cached = make_page(renderer_.embed(e), fill(Principal{}), std::string(kHtml), std::string(kPageCacheControl),
                       key.empty() ? 1 : 9);
    if (!key.empty()) cache_.put(key, cached, generation, conversation_group(story.article.slug));
  }
  Response r = who.signed_in() ? serve_personal(*cached, fill(who), ctx.request) : serve_page(*cached, ctx.request);
  r.frame_ancestor = story.origin.origin;
  // Pages a reader opens inside this frame (a reply without JavaScript, sign-in) may be framed by this site
  // too (Pipeline::embedded). Only in a frame: a link opened on its own sets nothing.
  if (ctx.request["Sec-Fetch-Dest"] == "iframe")
    r.headers.insert(http::field::set_cookie,
                     set_cookie(embed_cookie_, story.origin.origin, {.http_only = true, .partitioned = true}));
  return r;
}

std::pair<std::string, std::string> EmbedPages::script_reference() const {
  auto bytes = embedded_file("assets/embed.js").value_or("");
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  std::string raw(reinterpret_cast<const char*>(digest), sizeof digest);
  return {"/assets/embed.js?v=" + to_hex(raw.substr(0, 6)), "sha256-" + base64_encode(raw)};
}

Response EmbedPages::admin_page(RequestContext& ctx, http::status status, const std::string& notice,
                                const std::string& error) {
  json::array rows;
  for (const auto& o : embed_.origins())
    rows.push_back(
        json::object{{"origin", o.origin.origin}, {"appeal", o.origin.appeal}, {"configured", o.configured}});
  auto base = renderer_.site().base_url;
  while (base.ends_with("/")) base.pop_back();
  auto [script, integrity] = script_reference();
  bool has_origins = !rows.empty();
  json::object view{
      {"origins", std::move(rows)},  {"has_origins", has_origins}, {"csrf_token", ctx.principal.csrf_token},
      {"script_url", base + script}, {"integrity", integrity},     {"counts_url", base + "/api/v1/comment-counts"}};
  if (!notice.empty()) view["notice"] = notice;
  if (!error.empty()) view["error"] = error;
  return html_page(ctx, status,
                   renderer_.page_from("admin_embed", view, "Embedded conversations", articles_.sections()));
}

Response EmbedPages::admin(RequestContext& ctx) {
  return admin_page(ctx, http::status::ok, {}, {});
}

Response EmbedPages::admin_allow(RequestContext& ctx) {
  auto f = form_of(ctx);
  try {
    auto o = embed_.allow(ctx.principal.actor(), field(f, "origin"), field(f, "appeal") == "1");
    return admin_page(ctx, http::status::ok, o.origin + " may embed conversations now.", {});
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::invalid) throw;
    return admin_page(ctx, http::status::unprocessable_entity, {}, e.message());
  }
}

Response EmbedPages::admin_remove(RequestContext& ctx) {
  auto f = form_of(ctx);
  try {
    embed_.remove(ctx.principal.actor(), field(f, "origin"));
    return admin_page(ctx, http::status::ok,
                      field(f, "origin") + " may no longer embed conversations; its stories and comments are kept.",
                      {});
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::invalid && e.kind() != ErrorKind::not_found) throw;
    return admin_page(ctx, status_for(e.kind()), {}, e.message());
  }
}

}  // namespace tribune::web

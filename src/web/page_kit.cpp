#include "web/page_kit.h"

#include <algorithm>
#include <charconv>
#include <map>

#include "http/cursors.h"
#include "http/error_mapping.h"
#include "http/forms.h"
#include "model/error.h"
#include "util/text.h"
#include "web/form_support.h"

namespace tribune::web {

std::string PageKit::cache_key(const RequestContext& ctx) {
  // Pages of a listing or a conversation ("?cursor=", "?sort=top") are kept too.
  return query_cache_key(ctx.path, ctx.query, {"sort", "cursor"});
}

SlotFiller PageKit::filler(const Principal& who, const std::string& path) const {
  return [this, who, path](std::string_view slot) {
    if (slot != "reader" || !who.signed_in()) return renderer_.fragment(slot, who, path);
    return renderer_.fragment(slot, who, path, readers_.unread(who.account_id), readers_.ignored(who.account_id));
  };
}

SlotFiller PageKit::filler(std::shared_ptr<const ReaderSlots::Reader> reader, const std::string& path) const {
  return [reader = std::move(reader), path](std::string_view slot) {
    return PageRenderer::place(reader->fragments, slot, path);
  };
}

Response PageKit::serve(RequestContext& ctx, const CachedPage& page) {
  const auto& who = ctx.principal;
  if (!who.signed_in()) return serve_page(page, ctx.request);
  auto reader = slots_->keep(
      who, renderer_.reader_fragments(who, readers_.unread(who.account_id), readers_.ignored(who.account_id)));
  return serve_personal(page, filler(std::move(reader), ctx.path), ctx.request);
}

std::optional<Response> PageKit::from_cache(RequestContext& ctx) {
  auto key = cache_key(ctx);
  if (key.empty()) return std::nullopt;
  auto page = cache_.get_or_refresh(key);
  if (!page) return std::nullopt;
  return serve(ctx, *page);
}

Response PageKit::html_page(RequestContext& ctx, http::status status, const std::string& html) {
  Response r = Response::text(status, fill_slots(html, filler(ctx.principal, ctx.path)), kHtml);
  r.headers.set(http::field::cache_control, "private, no-store");
  return r;
}

Response PageKit::store_and_serve(RequestContext& ctx, PageCache::Ticket generation, std::string body,
                                  std::string_view content_type, bool cacheable, std::string group) {
  auto key = cacheable ? cache_key(ctx) : std::string();
  auto page = make_page(std::move(body), filler(Principal{}, ctx.path), std::string(content_type),
                        std::string(kPageCacheControl), key.empty() ? 1 : cache_.gzip_level(key));
  if (!key.empty()) cache_.put(std::move(key), page, generation, std::move(group));
  return serve(ctx, *page);
}

Response PageKit::error_page(const Error& e, const Principal& who) {
  int status = static_cast<int>(status_for(e.kind()));
  std::string title = e.kind() == ErrorKind::not_found ? "Page not found"
                      : status >= 500                  ? "Something went wrong"
                                                       : "We could not handle that request";
  std::string message = e.kind() == ErrorKind::not_found ? "There is nothing at this address. It may have moved, or "
                                                           "it may not have been published yet."
                                                         : e.message();
  std::vector<Section> sections;
  try {
    sections = articles_.sections();
  } catch (const Error&) {
    // The store is what failed: the error page still renders, without the section links.
  }
  std::string page = renderer_.error_page(status, title, message, sections);
  std::string html;
  try {
    html = fill_slots(page, filler(who, "/"));
  } catch (const Error&) {
    // The reader's own fragment needs the store, which may be what failed: the anonymous masthead then.
    html = fill_slots(page, filler(Principal{}, "/"));
  }
  return Response::text(status_for(e.kind()), std::move(html), kHtml);
}

std::vector<PageRenderer::CommentCard> PageKit::cards_for(const std::vector<Comment>& comments) const {
  std::map<int64_t, std::optional<Article>> articles;
  std::vector<PageRenderer::CommentCard> cards;
  cards.reserve(comments.size());
  for (const auto& c : comments) {
    auto [it, fresh] = articles.try_emplace(c.article_id);
    if (fresh) it->second = articles_.find_by_id(c.article_id);
    PageRenderer::CommentCard card;
    card.comment = c;
    if (it->second) {
      card.article_title = it->second->title;
      card.url = comment_link(c);
    }
    cards.push_back(std::move(card));
  }
  return cards;
}

}  // namespace tribune::web

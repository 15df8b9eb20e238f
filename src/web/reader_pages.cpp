#include "web/reader_pages.h"

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

namespace {

constexpr int kCardsPerPage = 30;

}  // namespace

Response ReaderPages::reader(RequestContext& ctx) {
  auto id = ctx.id_param("id");
  if (!id) throw not_found("The reader");
  int64_t viewer = ctx.principal.signed_in() ? ctx.principal.account_id : 0;
  PageRenderer::ReaderPage page;
  page.profile = readers_.profile(*id, viewer, 0);
  page.signed_in = viewer > 0;
  page.self = viewer == *id;
  page.csrf_token = ctx.principal.csrf_token;
  // Only a comment's address ("Back to the comment"): the profile is not a redirector to any page of the site.
  if (auto back = ctx.query_value("return_to"); back && back->starts_with("/comments/"))
    page.return_to = safe_return_to(*back);
  if (page.return_to == "/") page.return_to.clear();
  if (viewer > 0 && !page.self)
    for (int64_t ignored : readers_.ignored(viewer)) page.ignoring = page.ignoring || ignored == *id;
  auto comments = readers_.comments_of(*id, query_id(ctx, "before"), kCardsPerPage);
  if (static_cast<int>(comments.size()) == kCardsPerPage)
    page.next_url = "/readers/" + std::to_string(*id) + "?before=" + std::to_string(comments.back().id);
  page.comments = cards_for(comments);
  return html_page(ctx, http::status::ok, renderer_.reader_page(page, articles_.sections()));
}

Response ReaderPages::ignored_css(RequestContext& ctx) {
  // Public and the same for every reader who ignores the same readers: the ids are the whole input.
  std::string css;
  std::string_view ids = ctx.query_value("ids").value_or("");
  for (int n = 0; !ids.empty() && n < 1000; ++n) {
    auto comma = ids.find(',');
    auto one = ids.substr(0, comma);
    ids = comma == std::string_view::npos ? std::string_view() : ids.substr(comma + 1);
    auto id = parse_positive_id(one);
    if (!id) throw not_found("The stylesheet");
    // With JavaScript the script folds these comments itself, with a button that opens one (app.js).
    std::string sel =
        "html:not(.js) .comment[data-author-id=\"" + std::to_string(*id) + "\"]:not(:target) > .comment__box";
    css += sel + " > :not(.comment__meta) { display: none; }\n";
    css += sel +
           "::after { content: \"You ignore this reader. Select the comment's time to read it.\"; "
           "color: var(--ink-soft); font: italic 0.875rem/1.4 var(--sans); }\n";
  }
  auto r = Response::text(http::status::ok, std::move(css), "text/css; charset=utf-8");
  r.headers.set(http::field::cache_control, "public, max-age=31536000, immutable");
  return r;
}

Response ReaderPages::follow_submit(RequestContext& ctx) {
  auto id = ctx.id_param("id");
  if (!id) throw not_found("The reader");
  std::string back = "/readers/" + std::to_string(*id);
  auto form = form_of(ctx);
  readers_.follow(ctx.principal.account_id, *id, on_field(form));
  // Chosen from a comment: back to it.
  if (auto to = field(form, "return_to"); !to.empty()) back = safe_return_to(to);
  return see_other(back);
}

Response ReaderPages::ignore_submit(RequestContext& ctx) {
  auto id = ctx.id_param("id");
  if (!id) throw not_found("The reader");
  std::string back = "/readers/" + std::to_string(*id);
  auto form = form_of(ctx);
  readers_.ignore(ctx.principal.account_id, *id, on_field(form));
  // Chosen from a comment: back to its thread, but not to the comment itself, which would then be the page's
  // target and open (the fold opens a comment that is its page's target).
  if (auto to = field(form, "return_to"); !to.empty()) back = safe_return_to(to.substr(0, to.find('#')));
  return see_other(back);
}

Response ReaderPages::following(RequestContext& ctx) {
  auto comments = readers_.feed(ctx.principal.account_id, query_id(ctx, "before"), kCardsPerPage);
  PageRenderer::ActivityPage page;
  page.heading = "Readers you follow";
  page.page_title = "Readers you follow";
  page.intro =
      "Recent comments by the readers you follow, newest first. Follow a reader from their profile: "
      "select their name on any comment.";
  page.empty_text = "Nothing yet: follow readers whose comments you like, and their new comments gather here.";
  if (static_cast<int>(comments.size()) == kCardsPerPage)
    page.next_url = "/following?before=" + std::to_string(comments.back().id);
  page.cards = cards_for(comments);
  return html_page(ctx, http::status::ok, renderer_.activity_page(page, articles_.sections()));
}

Response ReaderPages::notifications(RequestContext& ctx) {
  int64_t me = ctx.principal.account_id;
  auto items = readers_.notifications(me, query_id(ctx, "before"), kCardsPerPage);
  std::vector<Comment> comments;
  comments.reserve(items.size());
  for (const auto& n : items) comments.push_back(n.comment);
  PageRenderer::ActivityPage page;
  page.heading = "Notifications";
  page.page_title = "Notifications";
  page.intro =
      "Replies to you, mentions of you (@YourName), comments by readers you follow and moderators' "
      "decisions on your comments.";
  page.empty_text = "No notifications yet.";
  page.cards = cards_for(comments);
  for (size_t i = 0; i < items.size(); ++i) {
    page.cards[i].lead = describe(items[i]);
    page.cards[i].unread = !items[i].read;
  }
  if (static_cast<int>(items.size()) == kCardsPerPage)
    page.next_url = "/notifications?before=" + std::to_string(items.back().id);
  // Seen is read: the page shows what was new once (highlighted), then marks it.
  if (!items.empty() && !ctx.query_value("before")) readers_.mark_read(me, items.front().id);
  auto r = html_page(ctx, http::status::ok, renderer_.activity_page(page, articles_.sections()));
  return r;
}

}  // namespace tribune::web

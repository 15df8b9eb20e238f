#include "web/comment_pages.h"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <map>

#include "http/cursors.h"
#include "http/error_mapping.h"
#include "http/forms.h"
#include "model/error.h"
#include "model/moderation.h"
#include "util/text.h"
#include "web/form_support.h"

namespace tribune::web {

Response CommentPages::comment_submit(RequestContext& ctx) {
  auto form = form_of(ctx);
  auto slug = field(form, "article");
  auto article = articles_.find_visible(slug);
  if (!article) throw not_found("The article");
  std::string back = articles_.url_for(*article);
  std::optional<int64_t> parent;
  if (auto raw = field(form, "parent_id"); !raw.empty()) {
    int64_t id = 0;
    auto [p, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), id);
    if (ec != std::errc() || p != raw.data() + raw.size()) throw not_found("The comment");
    parent = id;
  }
  try {
    auto c = comments_.post(Commenter{ctx.principal.account_id, ctx.principal.name, ctx.client_ip, ctx.principal.role,
                                      field(form, "acknowledge_nudge") == "1", ctx.principal.account},
                            slug, field(form, "body"), parent);
    if (c.status == CommentStatus::pending)
      return html_page(ctx, http::status::ok,
                       renderer_.message_page("Your comment is awaiting review",
                                              "A moderator reads your comment before it appears. It will show in "
                                              "the conversation once approved, and you will be notified.",
                                              back + "#comments", articles_.sections()));
    // A reply opens where it surely is (a deep one is not on the article page); a new thread is at the top.
    return see_other(c.parent_id ? comment_link(c) : back + "#comment-" + std::to_string(c.id));
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::invalid && e.kind() != ErrorKind::forbidden && e.kind() != ErrorKind::rate_limited)
      throw;
    std::optional<Comment> parent_comment;
    if (parent) parent_comment = comments_.find(*parent);
    if (parent_comment && parent_comment->status != CommentStatus::published) parent_comment.reset();
    Response r = html_page(ctx, status_for(e.kind()),
                           renderer_.reply_page(*article, parent_comment, ctx.principal.csrf_token, field(form, "body"),
                                                e.message(), articles_.sections(), e.post_anyway()));
    if (e.retry_after() > 0) r.headers.set(http::field::retry_after, std::to_string(e.retry_after()));
    return r;
  }
}

Response CommentPages::thread(RequestContext& ctx) {
  if (auto hit = from_cache(ctx)) return std::move(*hit);
  auto generation = cache_.ticket();
  auto id = ctx.id_param("id");
  if (!id) throw not_found("The comment");
  auto t = comments_.thread(*id);
  return store_and_serve(ctx, generation, renderer_.thread_page(t.article, t.conversation, articles_.sections()), kHtml,
                         true, conversation_group(t.article.slug));
}

Response CommentPages::reply_form(RequestContext& ctx) {
  auto id = ctx.id_param("id");
  if (!id) throw not_found("The comment");
  auto comment = comments_.find(*id);
  if (!comment || comment->status != CommentStatus::published) throw not_found("The comment");
  auto article = articles_.find_by_id(comment->article_id);
  if (!article) throw not_found("The article");
  return html_page(ctx, http::status::ok,
                   renderer_.reply_page(*article, comment, ctx.principal.csrf_token, {}, {}, articles_.sections()));
}

Response CommentPages::pick_submit(RequestContext& ctx) {
  auto id = ctx.id_param("id");
  if (!id) throw not_found("The comment");
  auto form = form_of(ctx);
  comments_.pick(Actor{ctx.principal.account_id, ctx.principal.role}, *id, on_field(form));
  auto c = comments_.find(*id);
  auto a = c ? articles_.find_by_id(c->article_id) : std::nullopt;
  return see_other(!c                   ? std::string("/moderation")
                   : c->parent_id || !a ? comment_link(*c)
                                        : articles_.url_for(*a) + "#comment-" + std::to_string(*id));
}

Comment CommentPages::published_in_path(RequestContext& ctx) {
  auto id = ctx.id_param("id");
  auto c = id ? comments_.find(*id) : std::nullopt;
  // A comment on an article readers cannot see (a draft, a deleted piece) is nobody's to act on.
  if (!c || c->status != CommentStatus::published || !articles_.find_by_id(c->article_id))
    throw not_found("The comment");
  return std::move(*c);
}

Response CommentPages::recommend_page(RequestContext& ctx, const Comment& c, http::status status,
                                      const std::string& error) {
  bool mine = false;
  for (const auto& [id, kind] : comments_.reactions_by(ctx.principal.account_id, {c.id}))
    mine = mine || kind == "recommend";
  PageRenderer::SimpleForm f;
  f.heading = mine ? "Withdraw your recommendation?" : "Recommend this comment?";
  std::string words = c.body_markdown.size() > 280 ? c.body_markdown.substr(0, 280) + "..." : c.body_markdown;
  f.lead = (c.author_id ? c.author_name : std::string("A deleted reader")) + " wrote: \u201c" + words + "\u201d";
  f.error = error;
  f.action = "/comments/" + std::to_string(c.id) + "/recommend";
  f.submit = mine ? "Withdraw recommendation" : "Recommend";
  f.hidden = {{"csrf_token", ctx.principal.csrf_token}, {"on", mine ? "0" : "1"}};
  f.after_html = "<a href=\"" + html_escape(comment_link(c)) + "\">Back to the comment</a>";
  return html_page(ctx, status, renderer_.simple_form(f, articles_.sections()));
}

Response CommentPages::recommend_form(RequestContext& ctx) {
  auto c = published_in_path(ctx);
  return recommend_page(ctx, c, http::status::ok, {});
}

Response CommentPages::recommend_submit(RequestContext& ctx) {
  auto c = published_in_path(ctx);
  auto form = form_of(ctx);
  try {
    comments_.react(Actor{ctx.principal.account_id, ctx.principal.role, ctx.principal.account}, c.id, "recommend",
                    on_field(form));
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::forbidden && e.kind() != ErrorKind::rate_limited && e.kind() != ErrorKind::invalid)
      throw;
    return recommend_page(ctx, c, status_for(e.kind()), e.message());
  }
  return see_other(comment_link(c));
}

Response CommentPages::options_page(RequestContext& ctx, const Comment& c, http::status status,
                                    const std::string& error, const Form* typed) {
  auto article = articles_.find_by_id(c.article_id);
  if (!article) throw not_found("The comment");
  bool own = c.author_id && *c.author_id == ctx.principal.account_id;
  auto left = comments_.edit_window() - (articles_.now() - c.created_at);  // shown in whole minutes, rounded up
  int64_t minutes = std::max<int64_t>((left.count() + 59) / 60, 0);
  auto typed_or = [&](std::string_view name, const std::string& otherwise) {
    return typed && typed->contains(name) ? field(*typed, name) : otherwise;
  };
  boost::json::array reasons;
  std::string chosen = typed_or("reason", "");
  for (auto [value, label] : kReportReasons)
    reasons.push_back({{"value", value}, {"label", label}, {"checked", chosen == value}});
  boost::json::object view{{"id", std::to_string(c.id)},
                           {"csrf_token", ctx.principal.csrf_token},
                           {"article_url", articles_.url_for(*article)},
                           {"article_title", article->title},
                           {"heading", own ? "Your comment" : "Report this comment"},
                           {"author", c.author_id ? c.author_name : std::string("Deleted reader")},
                           {"comment_html", c.body_html},
                           {"error", error.empty() ? boost::json::value(nullptr) : boost::json::value(error)},
                           {"own", own},
                           {"can_edit", own && minutes > 0},
                           {"minutes_left", std::to_string(minutes)},
                           {"minutes_noun", minutes == 1 ? "minute" : "minutes"},
                           {"body", typed_or("body", c.body_markdown)},
                           {"reasons", std::move(reasons)},
                           {"note", typed_or("note", "")},
                           {"back", comment_link(c)}};
  return html_page(
      ctx, status,
      renderer_.page_from("comment_options", view, own ? "Your comment" : "Report a comment", articles_.sections()));
}

Response CommentPages::options(RequestContext& ctx) {
  auto c = published_in_path(ctx);
  return options_page(ctx, c, http::status::ok, {}, nullptr);
}

Response CommentPages::comment_action(RequestContext& ctx,
                                      const std::function<Response(const Comment&, const Actor&, const Form&)>& act) {
  auto c = published_in_path(ctx);
  auto form = form_of(ctx);
  try {
    return act(c, Actor{ctx.principal.account_id, ctx.principal.role, ctx.principal.account}, form);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::invalid && e.kind() != ErrorKind::forbidden && e.kind() != ErrorKind::rate_limited)
      throw;
    return options_page(ctx, c, status_for(e.kind()), e.message(), &form);
  }
}

Response CommentPages::edit_submit(RequestContext& ctx) {
  return comment_action(ctx, [&](const Comment& c, const Actor& who, const Form& form) {
    return see_other(comment_link(comments_.edit(who, c.id, field(form, "body"))));
  });
}

Response CommentPages::delete_submit(RequestContext& ctx) {
  return comment_action(ctx, [&](const Comment& c, const Actor& who, const Form&) {
    comments_.remove(who, c.id);
    auto a = articles_.find_by_id(c.article_id);
    return see_other(a ? articles_.url_for(*a) + "#comments" : std::string("/"));
  });
}

Response CommentPages::report_submit(RequestContext& ctx) {
  return comment_action(ctx, [&](const Comment& c, const Actor& who, const Form& form) {
    comments_.report(who, c.id, field(form, "reason"), field(form, "note"));
    return html_page(ctx, http::status::ok,
                     renderer_.message_page("Thank you for your report",
                                            "A moderator will look at the comment. The author is not told who "
                                            "reported it.",
                                            comment_link(c), articles_.sections()));
  });
}

}  // namespace tribune::web

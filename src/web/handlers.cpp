#include "web/handlers.h"

#include <fstream>
#include <sstream>

#include <charconv>

#include "http/cursors.h"
#include "http/forms.h"
#include "web/form_support.h"
#include "http/error_mapping.h"

namespace tribune::web {

namespace {
constexpr std::string_view kHtml = "text/html; charset=utf-8";
constexpr std::string_view kPageCacheControl = "no-cache";
}  // namespace

std::string WebHandlers::cache_key(const RequestContext& ctx) {
  // Pages of a listing or a conversation ("?cursor=", "?sort=top") are kept too.
  return query_cache_key(ctx.path, ctx.query, {"sort", "cursor"});
}

std::optional<Response> WebHandlers::cached(RequestContext& ctx) {
  auto key = cache_key(ctx);
  if (key.empty()) return std::nullopt;
  // A reader with a session cookie gets their own fragments: that needs the store, so not on this thread.
  if (cookie_value(ctx.request[http::field::cookie], cookie_.name)) return std::nullopt;
  auto page = cache_.get(key);
  if (!page) {
    metrics_.cache_miss();
    return std::nullopt;
  }
  metrics_.cache_hit();
  return serve_page(*page, ctx.request);
}

SlotFiller WebHandlers::filler(const Principal& who, const std::string& path) const {
  return [this, who, path](std::string_view slot) {
    int64_t unread = slot == "reader" && who.signed_in() ? readers_.unread(who.account_id) : 0;
    return renderer_.fragment(slot, who, path, unread);
  };
}

Response WebHandlers::serve(RequestContext& ctx, const CachedPage& page) {
  if (ctx.principal.signed_in()) return serve_personal(page, filler(ctx.principal, ctx.path), ctx.request);
  return serve_page(page, ctx.request);
}

std::optional<Response> WebHandlers::from_cache(RequestContext& ctx) {
  auto key = cache_key(ctx);
  if (key.empty()) return std::nullopt;
  auto page = cache_.get(key);
  if (!page) return std::nullopt;
  return serve(ctx, *page);
}

Response WebHandlers::html_page(RequestContext& ctx, http::status status, const std::string& html) {
  Response r = Response::text(status, fill_slots(html, filler(ctx.principal, ctx.path)), kHtml);
  r.headers.set(http::field::cache_control, "private, no-store");
  return r;
}

Response WebHandlers::store_and_serve(RequestContext& ctx, uint64_t generation, std::string body,
                                      std::string_view content_type, bool cacheable, std::string group) {
  auto key = cacheable ? cache_key(ctx) : std::string();
  auto page = make_page(std::move(body), filler(Principal{}, ctx.path), std::string(content_type),
                        std::string(kPageCacheControl), key.empty() ? 1 : 9);
  if (!key.empty()) cache_.put(std::move(key), page, generation, std::move(group));
  return serve(ctx, *page);
}

Response WebHandlers::listing_page(RequestContext& ctx, PageRenderer::Listing listing, ArticleQuery query,
                                   const std::string& base_path) {
  uint64_t generation = cache_.generation();
  query.limit = 21;
  if (auto c = ctx.query_value("cursor")) query.after = decode_cursor(*c);
  auto page = articles_.list(query);
  listing.articles = std::move(page.articles);
  if (page.next) listing.next_url = base_path + "?cursor=" + encode_cursor(*page.next);
  listing.canonical_path = base_path;
  return store_and_serve(ctx, generation, renderer_.listing(listing, articles_.sections()), kHtml, true);
}

Response WebHandlers::home(RequestContext& ctx) {
  if (auto hit = from_cache(ctx)) return std::move(*hit);
  PageRenderer::Listing l;
  l.heading = "Latest opinion";
  l.page_title = renderer_.site().name + " | " + renderer_.site().tagline;
  l.intro = renderer_.site().description;
  l.lead = !ctx.query_value("cursor");
  l.home = true;
  return listing_page(ctx, std::move(l), {}, "/");
}

Response WebHandlers::section(RequestContext& ctx) {
  if (auto hit = from_cache(ctx)) return std::move(*hit);
  auto s = articles_.find_section(ctx.param("section"));
  if (!s) throw not_found("The section");
  PageRenderer::Listing l;
  l.kicker = "Section";
  l.heading = s->name;
  l.page_title = s->name + " | " + renderer_.site().name;
  l.current_section = s->slug;
  ArticleQuery q;
  q.section_slug = s->slug;
  return listing_page(ctx, std::move(l), q, "/" + s->slug);
}

Response WebHandlers::author(RequestContext& ctx) {
  if (auto hit = from_cache(ctx)) return std::move(*hit);
  auto a = articles_.find_author(ctx.param("slug"));
  if (!a) throw not_found("The author");
  PageRenderer::Listing l;
  l.kicker = "Author";
  l.heading = a->name;
  l.intro = a->bio;
  l.page_title = a->name + " | " + renderer_.site().name;
  ArticleQuery q;
  q.author_slug = a->slug;
  return listing_page(ctx, std::move(l), q, "/authors/" + a->slug);
}

Response WebHandlers::article(RequestContext& ctx) {
  if (auto hit = from_cache(ctx)) return std::move(*hit);
  uint64_t generation = cache_.generation();
  auto a = articles_.find_visible(ctx.param("slug"));
  if (!a) throw not_found("The article");
  std::string canonical = articles_.url_for(*a);
  if (canonical != ctx.path) return Response::redirect(http::status::moved_permanently, canonical);
  CommentSort sort = CommentSort::newest;
  if (auto s = ctx.query_value("sort")) sort = parse_comment_sort(*s).value_or(CommentSort::newest);
  std::optional<CommentCursor> after;
  if (auto c = ctx.query_value("cursor")) {
    auto cursor = decode_cursor(*c);
    after = CommentCursor{cursor.published_at, cursor.id};
  }
  // Its pages by sort and cursor go with the conversation: dropped when one of its comments changes.
  return store_and_serve(ctx, generation,
                         renderer_.article(*a, comments_.conversation(*a, sort, after), articles_.sections()), kHtml,
                         true, ctx.query.empty() ? std::string() : conversation_group(a->slug));
}

Response WebHandlers::feed(RequestContext& ctx) {
  if (auto hit = from_cache(ctx)) return std::move(*hit);
  uint64_t generation = cache_.generation();
  ArticleQuery q;
  q.limit = 50;
  auto page = articles_.list(q);
  return store_and_serve(ctx, generation, renderer_.rss(page.articles), "application/rss+xml; charset=utf-8", true);
}

Response WebHandlers::sitemap(RequestContext& ctx) {
  if (auto hit = from_cache(ctx)) return std::move(*hit);
  uint64_t generation = cache_.generation();
  std::vector<Article> all;
  ArticleQuery q;
  q.limit = 1000;
  // A sitemap file holds at most 50,000 URLs; a larger publication needs a sitemap index (not yet).
  while (all.size() < 50000) {
    auto page = articles_.list(q);
    for (auto& a : page.articles) all.push_back(std::move(a));
    if (!page.next) break;
    q.after = page.next;
  }
  return store_and_serve(ctx, generation, renderer_.sitemap(all, articles_.sections()), "application/xml; charset=utf-8",
                         true);
}

Response WebHandlers::support(RequestContext& ctx) {
  if (auto hit = from_cache(ctx)) return std::move(*hit);
  uint64_t generation = cache_.generation();
  bool cancelled = ctx.query_value("contribution").value_or("") == "cancelled";
  return store_and_serve(ctx, generation, renderer_.support_page(articles_.sections(), cancelled), kHtml, true);
}

std::optional<Response> WebHandlers::asset_fast(RequestContext& ctx) {
  if (!renderer_.site().assets_dir.empty()) return std::nullopt;  // read from disk: blocking path
  const auto& name = ctx.param("name");
  auto key = "asset:" + name;
  if (auto page = cache_.get(key)) return serve_page(*page, ctx.request);
  // Only the files of src/web/assets are public; templates and the demo's sources are not served.
  auto bytes = name.find('/') == std::string::npos ? embedded_file("assets/" + name) : std::nullopt;
  if (!bytes) throw not_found("The file");
  auto page = make_page(std::string(*bytes), content_type_for(name), "public, max-age=31536000, immutable");
  cache_.put(key, page, cache_.generation());
  return serve_page(*page, ctx.request);
}

Response WebHandlers::asset(RequestContext& ctx) {
  const auto& name = ctx.param("name");
  if (name.find('/') != std::string::npos || name.starts_with(".") || name.ends_with(".mustache"))
    throw not_found("The file");
  std::ifstream in(renderer_.site().assets_dir + "/" + name, std::ios::binary);
  if (!in) throw not_found("The file");
  std::ostringstream ss;
  ss << in.rdbuf();
  Response r = Response::text(http::status::ok, ss.str(), content_type_for(name));
  r.headers.set(http::field::cache_control, "no-cache");
  return r;
}

Response WebHandlers::error_page(const Error& e, const Principal& who) {
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

}  // namespace tribune::web

namespace tribune::web {


Response WebHandlers::favicon(RequestContext& ctx) {
  auto bytes = embedded_file("assets/favicon.svg");
  if (!bytes) throw not_found("The icon");
  (void)ctx;
  Response r = Response::text(http::status::ok, std::string(*bytes), "image/svg+xml");
  r.headers.set(http::field::cache_control, "public, max-age=86400");
  return r;
}

Response WebHandlers::register_form(RequestContext& ctx) {
  auto return_to = safe_return_to(ctx.query_value("return_to").value_or("/"));
  if (ctx.principal.signed_in()) return see_other(return_to);
  PageRenderer::AccountForm f;
  f.csrf_token = ctx.principal.csrf_token;
  f.register_form = true;
  f.return_to = return_to;
  return html_page(ctx, http::status::ok, renderer_.account_form(f, articles_.sections()));
}

Response WebHandlers::signin_form(RequestContext& ctx) {
  auto return_to = safe_return_to(ctx.query_value("return_to").value_or("/"));
  if (ctx.principal.signed_in()) return see_other(return_to);
  PageRenderer::AccountForm f;
  f.csrf_token = ctx.principal.csrf_token;
  f.return_to = return_to;
  return html_page(ctx, http::status::ok, renderer_.account_form(f, articles_.sections()));
}

Response WebHandlers::register_submit(RequestContext& ctx) {
  auto form = form_of(ctx);
  PageRenderer::AccountForm f;
  f.csrf_token = ctx.principal.csrf_token;
  f.register_form = true;
  f.return_to = safe_return_to(field(form, "return_to"));
  f.email = field(form, "email");
  f.display_name = field(form, "display_name");
  try {
    auto started = accounts_.register_account(f.email, f.display_name, field(form, "password"), client_of(ctx));
    Response r = see_other(f.return_to);
    r.headers.insert(http::field::set_cookie, cookie_.set(started.session_token));
    return r;
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::invalid && e.kind() != ErrorKind::conflict && e.kind() != ErrorKind::rate_limited) throw;
    f.error = e.message();
    Response r = html_page(ctx, status_for(e.kind()), renderer_.account_form(f, articles_.sections()));
    if (e.retry_after() > 0) r.headers.set(http::field::retry_after, std::to_string(e.retry_after()));
    return r;
  }
}

Response WebHandlers::signin_submit(RequestContext& ctx) {
  auto form = form_of(ctx);
  PageRenderer::AccountForm f;
  f.csrf_token = ctx.principal.csrf_token;
  f.return_to = safe_return_to(field(form, "return_to"));
  f.email = field(form, "email");
  try {
    auto started = accounts_.sign_in(f.email, field(form, "password"), client_of(ctx));
    Response r = see_other(f.return_to);
    r.headers.insert(http::field::set_cookie, cookie_.set(started.session_token));
    return r;
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::unauthenticated && e.kind() != ErrorKind::rate_limited) throw;
    f.error = e.message();
    Response r = html_page(ctx, status_for(e.kind()), renderer_.account_form(f, articles_.sections()));
    if (e.retry_after() > 0) r.headers.set(http::field::retry_after, std::to_string(e.retry_after()));
    return r;
  }
}

Response WebHandlers::signout_submit(RequestContext& ctx) {
  if (ctx.principal.signed_in()) accounts_.sign_out(ctx.principal.session_token);
  Response r = see_other("/");
  r.headers.insert(http::field::set_cookie, cookie_.clear());
  return r;
}

Response WebHandlers::account_page(RequestContext& ctx, http::status status, std::string notice, std::string error) {
  auto account = accounts_.find(ctx.principal.account_id);
  if (!account) return see_other("/signin");
  PageRenderer::AccountView v{*account, accounts_.sessions(account->id), ctx.principal.session_id, ctx.principal.csrf_token,
                              std::move(notice), std::move(error), accounts_.pending_email(account->id)};
  return html_page(ctx, status, renderer_.account_page(v, articles_.sections()));
}

Response WebHandlers::account(RequestContext& ctx) {
  static const std::map<std::string, std::string, std::less<>> notices = {
      {"name", "Your display name is saved."},
      {"email", "Check your new address: we sent it a confirmation link. Your account keeps its current address until you open it."},
      {"password", "Your password is changed."},
      {"verification", "A new confirmation link is on its way."},
      {"digest", "Your notification mail choice is saved."},
      {"badge", "Your supporter badge choice is saved."},
      {"warning", "Thank you: you can comment again."}};
  std::string notice;
  if (auto done = ctx.query_value("done"))
    if (auto it = notices.find(*done); it != notices.end()) notice = it->second;
  return account_page(ctx, http::status::ok, notice, {});
}

Response WebHandlers::account_change_submit(RequestContext& ctx) {
  auto form = form_of(ctx);
  const auto& action = ctx.param("action");
  try {
    if (action == "name") {
      accounts_.change_display_name(ctx.principal.account_id, field(form, "display_name"));
    } else if (action == "email") {
      accounts_.change_email(ctx.principal.account_id, field(form, "password"), field(form, "email"));
    } else if (action == "password") {
      accounts_.change_password(ctx.principal.account_id, ctx.principal.session_id, field(form, "current_password"),
                                field(form, "new_password"), field(form, "sign_out_others") == "1");
    } else if (action == "delete") {
      accounts_.delete_account(ctx.principal.account_id, field(form, "password"));
      Response r = see_other("/");
      r.headers.insert(http::field::set_cookie, cookie_.clear());
      return r;
    } else {
      throw not_found("The page");
    }
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::not_found || e.kind() == ErrorKind::internal || e.kind() == ErrorKind::unavailable) throw;
    return account_page(ctx, status_for(e.kind()), {}, e.message());
  }
  return see_other("/account?done=" + action);
}

Response WebHandlers::admin_accounts(RequestContext& ctx) {
  int64_t after = 0;
  if (auto a = ctx.query_value("after")) {
    auto [p, ec] = std::from_chars(a->data(), a->data() + a->size(), after);
    if (ec != std::errc() || p != a->data() + a->size()) after = 0;
  }
  constexpr int kPage = 100;
  auto accounts = accounts_.list_accounts(after, kPage);
  std::optional<std::string> next;
  if (static_cast<int>(accounts.size()) == kPage) next = "/admin/accounts?after=" + std::to_string(accounts.back().id);
  std::string notice = ctx.query_value("done") ? "The role is saved." : "";
  return html_page(ctx, http::status::ok,
                   renderer_.admin_accounts(accounts, ctx.principal.csrf_token, notice, next, articles_.sections()));
}

Response WebHandlers::admin_role_submit(RequestContext& ctx) {
  auto form = form_of(ctx);
  auto id = ctx.id_param("id");
  if (!id) throw not_found("The account");
  accounts_.set_role(ctx.principal.account_id, *id, field(form, "role"));
  return see_other("/admin/accounts?done=1");
}

Response WebHandlers::end_session_submit(RequestContext& ctx) {
  auto id = ctx.id_param("id");
  if (!id) throw not_found("The session");
  accounts_.end_session(ctx.principal.account_id, *id);
  return see_other("/account");
}

Response WebHandlers::comment_submit(RequestContext& ctx) {
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
                                              "Comments on this article are read by a moderator before they appear. "
                                              "Yours will show in the conversation once approved, and you will be "
                                              "notified.",
                                              back + "#comments", articles_.sections()));
    return see_other(back + "#comment-" + std::to_string(c.id));
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::invalid && e.kind() != ErrorKind::forbidden && e.kind() != ErrorKind::rate_limited) throw;
    std::optional<Comment> parent_comment;
    if (parent) parent_comment = comments_.find(*parent);
    if (parent_comment && parent_comment->status != CommentStatus::published) parent_comment.reset();
    Response r = html_page(ctx, status_for(e.kind()),
                           renderer_.reply_page(*article, parent_comment, ctx.principal.csrf_token, field(form, "body"),
                                                e.message(), articles_.sections()));
    if (e.retry_after() > 0) r.headers.set(http::field::retry_after, std::to_string(e.retry_after()));
    return r;
  }
}

Response WebHandlers::thread(RequestContext& ctx) {
  if (auto hit = from_cache(ctx)) return std::move(*hit);
  uint64_t generation = cache_.generation();
  auto id = ctx.id_param("id");
  if (!id) throw not_found("The comment");
  auto t = comments_.thread(*id);
  return store_and_serve(ctx, generation, renderer_.thread_page(t.article, t.conversation, articles_.sections()), kHtml,
                         true, conversation_group(t.article.slug));
}

Response WebHandlers::reply_form(RequestContext& ctx) {
  auto id = ctx.id_param("id");
  if (!id) throw not_found("The comment");
  auto comment = comments_.find(*id);
  if (!comment || comment->status != CommentStatus::published) throw not_found("The comment");
  auto article = articles_.find_by_id(comment->article_id);
  if (!article) throw not_found("The article");
  return html_page(ctx, http::status::ok,
                   renderer_.reply_page(*article, comment, ctx.principal.csrf_token, {}, {}, articles_.sections()));
}

namespace {

PageRenderer::SimpleForm link_expired_page(const std::string& heading) {
  PageRenderer::SimpleForm f;
  f.heading = heading;
  f.lead = "This link has expired or was already used.";
  f.show_form = false;
  f.after_html = "You can ask for a new one: <a href=\"/forgot\">reset your password</a> or, signed in, from "
                 "<a href=\"/account\">your account</a>.";
  return f;
}

}  // namespace

Response WebHandlers::verify_form(RequestContext& ctx) {
  std::string token(ctx.query_value("token").value_or(""));
  if (!accounts_.link_valid(token, "verify"))
    return html_page(ctx, http::status::gone, renderer_.simple_form(link_expired_page("Confirm your email address"), articles_.sections()));
  PageRenderer::SimpleForm f;
  f.heading = "Confirm your email address";
  f.lead = "Press the button to confirm that this address is yours.";
  f.action = "/verify";
  f.submit = "Confirm my address";
  f.hidden = {{"token", token}, {"csrf_token", ctx.principal.csrf_token}};
  return html_page(ctx, http::status::ok, renderer_.simple_form(f, articles_.sections()));
}

Response WebHandlers::verify_submit(RequestContext& ctx) {
  auto form = form_of(ctx);
  try {
    accounts_.verify_email(field(form, "token"));
  } catch (const Error& e) {
    if (e.code() != "link_expired") throw;
    return html_page(ctx, http::status::gone, renderer_.simple_form(link_expired_page("Confirm your email address"), articles_.sections()));
  }
  PageRenderer::SimpleForm f;
  f.heading = "Thank you";
  f.lead = "Your email address is confirmed.";
  f.show_form = false;
  f.after_html = "<a href=\"/\">Go to the front page</a>";
  return html_page(ctx, http::status::ok, renderer_.simple_form(f, articles_.sections()));
}

Response WebHandlers::forgot_form(RequestContext& ctx) {
  PageRenderer::SimpleForm f;
  f.heading = "Forgotten your password?";
  f.lead = "Enter the email address of your account and we will send you a link to choose a new password.";
  f.action = "/forgot";
  f.submit = "Send the link";
  f.hidden = {{"csrf_token", ctx.principal.csrf_token}};
  f.fields = {{"email", "Email", "email", "email", "", 254}};
  return html_page(ctx, http::status::ok, renderer_.simple_form(f, articles_.sections()));
}

Response WebHandlers::forgot_submit(RequestContext& ctx) {
  auto form = form_of(ctx);
  try {
    accounts_.request_password_reset(field(form, "email"), client_of(ctx));
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::rate_limited) throw;
    PageRenderer::SimpleForm f;
    f.heading = "Forgotten your password?";
    f.error = e.message();
    f.show_form = false;
    Response r = html_page(ctx, http::status::too_many_requests, renderer_.simple_form(f, articles_.sections()));
    r.headers.set(http::field::retry_after, std::to_string(e.retry_after()));
    return r;
  }
  PageRenderer::SimpleForm f;
  f.heading = "Check your mail";
  f.lead = "If an account uses that address, a link to reset its password is on its way. It works for 30 minutes.";
  f.show_form = false;
  return html_page(ctx, http::status::ok, renderer_.simple_form(f, articles_.sections()));
}

Response WebHandlers::reset_form(RequestContext& ctx) {
  std::string token(ctx.query_value("token").value_or(""));
  if (!accounts_.link_valid(token, "reset"))
    return html_page(ctx, http::status::gone, renderer_.simple_form(link_expired_page("Choose a new password"), articles_.sections()));
  PageRenderer::SimpleForm f;
  f.heading = "Choose a new password";
  f.lead = "This signs you out everywhere; then sign in with the new password.";
  f.action = "/reset";
  f.submit = "Save the new password";
  f.hidden = {{"token", token}, {"csrf_token", ctx.principal.csrf_token}};
  f.fields = {{"password", "New password", "password", "new-password", "At least 8 characters; 15 or more is better.", 256}};
  return html_page(ctx, http::status::ok, renderer_.simple_form(f, articles_.sections()));
}

Response WebHandlers::reset_submit(RequestContext& ctx) {
  auto form = form_of(ctx);
  std::string token = field(form, "token");
  try {
    accounts_.reset_password(token, field(form, "password"));
  } catch (const Error& e) {
    if (e.code() == "link_expired")
      return html_page(ctx, http::status::gone, renderer_.simple_form(link_expired_page("Choose a new password"), articles_.sections()));
    if (e.kind() != ErrorKind::invalid) throw;
    PageRenderer::SimpleForm f;
    f.heading = "Choose a new password";
    f.error = e.message();
    f.action = "/reset";
    f.submit = "Save the new password";
    f.hidden = {{"token", token}, {"csrf_token", ctx.principal.csrf_token}};
    f.fields = {{"password", "New password", "password", "new-password", "At least 8 characters; 15 or more is better.", 256}};
    return html_page(ctx, http::status::unprocessable_entity, renderer_.simple_form(f, articles_.sections()));
  }
  PageRenderer::SimpleForm f;
  f.heading = "Password changed";
  f.lead = "Your password is changed and every session was signed out.";
  f.show_form = false;
  f.after_html = "<a href=\"/signin\">Sign in</a>";
  Response r = html_page(ctx, http::status::ok, renderer_.simple_form(f, articles_.sections()));
  r.headers.insert(http::field::set_cookie, cookie_.clear());
  return r;
}

Response WebHandlers::resend_verification_submit(RequestContext& ctx) {
  accounts_.resend_verification(ctx.principal.account_id);
  return see_other("/account?done=verification");
}

Response WebHandlers::sign_out_everywhere_submit(RequestContext& ctx) {
  accounts_.sign_out_everywhere(ctx.principal.account_id);
  Response r = see_other("/");
  r.headers.insert(http::field::set_cookie, cookie_.clear());
  return r;
}

}  // namespace tribune::web

// Every route Tribune serves, in one table, each with who may call it (http/router.h, Access): the pipeline
// enforces that before the handler runs. Literal routes come before the catch-all section patterns.
#include <sodium.h>

#include "app/app.h"
#include "http/body_file.h"

namespace tribune {

namespace {

bool is_loopback(std::string_view address) {
  if (address.starts_with("::ffff:")) address.remove_prefix(7);
  return address.starts_with("127.") || address == "::1";
}

}  // namespace

bool App::metrics_allowed(const RequestContext& c) const {
  switch (config_.metrics.access) {
    case MetricsAccess::open:
      return true;
    case MetricsAccess::off:
      return false;
    case MetricsAccess::loopback:
      return is_loopback(c.client_ip);
    case MetricsAccess::token: {
      std::string_view auth = c.request[http::field::authorization];
      std::string expected = "Bearer " + config_.metrics.token;
      return auth.size() == expected.size() && sodium_memcmp(auth.data(), expected.data(), auth.size()) == 0;
    }
  }
  return false;
}

// The route table, one route a line: not reflowed.
// clang-format off
Router App::build_routes() {
  using http::verb;
  Router r;
  auto& article_pages = *article_pages_;
  auto& account_pages = *account_pages_;
  auto& comment_pages = *comment_pages_;
  auto& reader_pages = *reader_pages_;
  auto& moderation_pages = *moderation_pages_;
  auto& contribution_pages = *contribution_pages_;
  auto& desk_pages = *desk_pages_;
  auto& desk = *desk_articles_;
  auto& desk_taxonomy = *desk_taxonomy_;
  auto& token_pages = *token_pages_;
  auto& webhook_pages = *webhook_pages_;
  auto& webhooks = *webhooks_api_;
  auto& embed_pages = *embed_pages_;
  auto& embed = *embed_api_;
  auto& articles = *articles_api_;
  auto& accounts = *accounts_api_;
  auto& tokens = *tokens_api_;
  auto& images = *images_api_;
  auto& taxonomy = *taxonomy_api_;
  auto& comments = *comments_api_;
  auto& readers = *readers_api_;
  auto& moderation = *moderation_api_;
  auto& contributions = *contributions_api_;
  auto cached = [&article_pages](RequestContext& c) { return article_pages.cached(c); };

  // --- Operations -----------------------------------------------------------------------------------
  // GET /healthz: 200 {"status":"ok"} while the store answers
  r.add(verb::get, "/healthz", Access::anyone(), [this](RequestContext&) {
    articles_->content_version();
    return Response::json(http::status::ok, R"({"status":"ok"})");
  });
  // GET /metrics: Prometheus text format, to whom [server] metrics allows (404 to anyone else)
  r.add(verb::get, "/metrics", Access::own_credentials(), [this](RequestContext& c) {
    if (!metrics_allowed(c)) throw Error(ErrorKind::not_found, "not_found", "There is nothing at this address.");
    auto text = metrics_.render([this](std::string& out) {
      auto s = store_->stats();
      out += "# TYPE tribune_articles gauge\ntribune_articles " + std::to_string(s.articles) + "\n";
      out += "# TYPE tribune_store_commits_total counter\ntribune_store_commits_total " + std::to_string(s.group_commits) + "\n";
      out += "# TYPE tribune_store_grouped_writes_total counter\ntribune_store_grouped_writes_total " +
             std::to_string(s.grouped_writes) + "\n";
      out += "# TYPE tribune_store_merged_writes_total counter\ntribune_store_merged_writes_total " +
             std::to_string(s.merged_writes) + "\n";
      out += "# TYPE tribune_store_sessions_cached_total counter\ntribune_store_sessions_cached_total " +
             std::to_string(s.sessions_cached) + "\n";
      if (s.checkpoints)
        out += "# TYPE tribune_store_checkpoints_total counter\ntribune_store_checkpoints_total " +
               std::to_string(*s.checkpoints) + "\n";
      if (s.replica) {
        out += "# TYPE tribune_store_replica_reads_total counter\n";
        out += "tribune_store_replica_reads_total{served_by=\"replica\"} " + std::to_string(s.replica_reads) + "\n";
        out += "tribune_store_replica_reads_total{served_by=\"primary\",why=\"behind\"} " +
               std::to_string(s.replica_behind) + "\n";
        out += "tribune_store_replica_reads_total{served_by=\"primary\",why=\"failed\"} " +
               std::to_string(s.replica_failures) + "\n";
      }
      out += "# TYPE tribune_page_cache_entries gauge\ntribune_page_cache_entries " + std::to_string(cache_.size()) + "\n";
      out += "# TYPE tribune_page_cache_files gauge\ntribune_page_cache_files " + std::to_string(BodyFile::open_files()) +
             "\n";
      out += "# TYPE tribune_http_sendfile_responses_total counter\ntribune_http_sendfile_responses_total " +
             std::to_string(BodyFile::sent()) + "\n";
      out += "# TYPE tribune_live_subscribers gauge\ntribune_live_subscribers " + std::to_string(live_.subscribers()) + "\n";
      out += "# TYPE tribune_live_streams gauge\ntribune_live_streams " + std::to_string(live_.gate().open()) + "\n";
      out += "# TYPE tribune_live_streams_refused_total counter\ntribune_live_streams_refused_total " +
             std::to_string(live_.gate().refused()) + "\n";
      out += "# TYPE tribune_live_events_total counter\ntribune_live_events_total " + std::to_string(live_.published()) + "\n";
    });
    auto res = Response::text(http::status::ok, std::move(text), "text/plain; version=0.0.4; charset=utf-8");
    res.headers.set(http::field::cache_control, "no-store");
    return res;
  });

  // --- JSON API v1 -----------------------------------------------------------------------------------
  // GET /api/v1/search?q&section&from&to&page: readers' search (docs/search.md)
  r.add(verb::get, "/api/v1/search", Access::anyone(), [&articles](RequestContext& c) { return articles.search(c); });
  // GET /api/v1/articles?limit&cursor&section&author&tag
  r.add(verb::get, "/api/v1/articles", Access::anyone(), [&articles](RequestContext& c) { return articles.list(c); });
  // POST /api/v1/articles (Bearer token: editor, admin)
  r.add(verb::post, "/api/v1/articles", Access::editors(), [&articles](RequestContext& c) { return articles.create(c); });
  // GET /api/v1/articles/{slug}
  r.add(verb::get, "/api/v1/articles/{slug}", Access::anyone(), [&articles](RequestContext& c) { return articles.get(c); },
        [&articles](RequestContext& c) { return articles.get_cached(c); });
  // PUT /api/v1/articles/{slug} (Bearer token: editor, admin)
  r.add(verb::put, "/api/v1/articles/{slug}", Access::editors(), [&articles](RequestContext& c) { return articles.replace(c); });
  // DELETE /api/v1/articles/{slug}; POST /api/v1/articles/{slug}/unpublish; POST .../retract {note} (editor, admin)
  r.add(verb::delete_, "/api/v1/articles/{slug}", Access::editors(), [&articles](RequestContext& c) { return articles.remove(c); });
  r.add(verb::post, "/api/v1/articles/{slug}/unpublish", Access::editors(), [&articles](RequestContext& c) { return articles.unpublish(c); });
  r.add(verb::post, "/api/v1/articles/{slug}/retract", Access::editors(), [&articles](RequestContext& c) { return articles.retract(c); });
  // GET /api/v1/desk/articles?status&section&author&tag&q; GET /api/v1/desk/articles/{slug} (editor, admin)
  r.add(verb::get, "/api/v1/desk/articles", Access::editors(), [&articles](RequestContext& c) { return articles.desk_list(c); });
  r.add(verb::get, "/api/v1/desk/articles/{slug}", Access::editors(), [&articles](RequestContext& c) { return articles.desk_get(c); });
  // GET /api/v1/desk/articles/{slug}/revisions[/{id}]; POST .../revisions/{id}/restore {version?} (editor, admin)
  r.add(verb::get, "/api/v1/desk/articles/{slug}/revisions", Access::editors(), [&articles](RequestContext& c) { return articles.revisions(c); });
  r.add(verb::get, "/api/v1/desk/articles/{slug}/revisions/{id}", Access::editors(), [&articles](RequestContext& c) { return articles.revision(c); });
  r.add(verb::post, "/api/v1/desk/articles/{slug}/revisions/{id}/restore", Access::editors(), [&articles](RequestContext& c) { return articles.restore(c); });
  // GET /api/v1/pages; GET /api/v1/pages/{slug}; PUT /api/v1/pages/{slug} (editor, admin): About, Privacy, ...
  r.add(verb::get, "/api/v1/pages", Access::anyone(), [&articles](RequestContext& c) { return articles.pages(c); });
  r.add(verb::get, "/api/v1/pages/{slug}", Access::anyone(), [&articles](RequestContext& c) { return articles.page(c); });
  r.add(verb::put, "/api/v1/pages/{slug}", Access::editors(), [&articles](RequestContext& c) { return articles.save_page(c); });
  // GET /api/v1/articles/{slug}/comments?sort=newest|oldest|top&limit&cursor&parent_id
  r.add(verb::get, "/api/v1/articles/{slug}/comments", Access::anyone(), [&comments](RequestContext& c) { return comments.list(c); },
        [&comments](RequestContext& c) { return comments.list_cached(c); });
  // POST /api/v1/articles/{slug}/comments {body, parent_id?} (signed in)
  r.add(verb::post, "/api/v1/articles/{slug}/comments", Access::session(), [&comments](RequestContext& c) { return comments.create(c); });
  // GET /api/v1/articles/{slug}/events: Server-Sent Events for the open article page
  r.add(verb::get, "/api/v1/articles/{slug}/events", Access::anyone(), [&comments](RequestContext& c) { return comments.events(c); });
  // GET /api/v1/articles/{slug}/comments/mine?ids=: the signed-in reader's own reactions on those comments
  r.add(verb::get, "/api/v1/articles/{slug}/comments/mine", Access::session(), [&comments](RequestContext& c) { return comments.mine(c); });
  // PATCH /api/v1/comments/{id} {body}; DELETE /api/v1/comments/{id}
  r.add(verb::patch, "/api/v1/comments/{id}", Access::session(), [&comments](RequestContext& c) { return comments.edit(c); });
  r.add(verb::delete_, "/api/v1/comments/{id}", Access::session(), [&comments](RequestContext& c) { return comments.remove(c); });
  // PUT|DELETE /api/v1/comments/{id}/reactions/{kind}
  r.add(verb::put, "/api/v1/comments/{id}/reactions/{kind}", Access::session(), [&comments](RequestContext& c) { return comments.react(c); });
  r.add(verb::delete_, "/api/v1/comments/{id}/reactions/{kind}", Access::session(), [&comments](RequestContext& c) { return comments.react(c); });
  // PUT|DELETE /api/v1/comments/{id}/pick (editor, moderator, admin)
  r.add(verb::put, "/api/v1/comments/{id}/pick", Access::session(), [&comments](RequestContext& c) { return comments.pick(c); });
  r.add(verb::delete_, "/api/v1/comments/{id}/pick", Access::session(), [&comments](RequestContext& c) { return comments.pick(c); });
  // GET /api/v1/comment-counts?articles=slug,slug: many articles' counts in one request; ?url=...&id=...: the
  // counts of an embedding site's pages (docs/embed.md)
  r.add(verb::get, "/api/v1/comment-counts", Access::anyone(), [&comments, &embed](RequestContext& c) {
    return c.query.contains("articles") || (!c.query.contains("url") && !c.query.contains("id")) ? comments.counts(c) : embed.counts(c); });
  // POST /api/v1/comments/{id}/reports {reason, note?}
  r.add(verb::post, "/api/v1/comments/{id}/reports", Access::session(), [&comments](RequestContext& c) { return comments.report(c); });
  // GET /api/v1/readers/{id}: public profile; PUT|DELETE /api/v1/readers/{id}/follow
  r.add(verb::get, "/api/v1/readers/{id}", Access::anyone(), [&readers](RequestContext& c) { return readers.profile(c); });
  r.add(verb::put, "/api/v1/readers/{id}/follow", Access::session(), [&readers](RequestContext& c) { return readers.follow(c); });
  r.add(verb::delete_, "/api/v1/readers/{id}/follow", Access::session(), [&readers](RequestContext& c) { return readers.follow(c); });
  // PUT|DELETE /api/v1/readers/{id}/ignore
  r.add(verb::put, "/api/v1/readers/{id}/ignore", Access::session(), [&readers](RequestContext& c) { return readers.ignore(c); });
  r.add(verb::delete_, "/api/v1/readers/{id}/ignore", Access::session(), [&readers](RequestContext& c) { return readers.ignore(c); });
  // GET /api/v1/me/events: the signed-in reader's notifications as Server-Sent Events
  r.add(verb::get, "/api/v1/me/events", Access::session(), [&readers](RequestContext& c) { return readers.events(c); });
  // PUT /api/v1/me/digest {digest: immediate|daily|off}
  r.add(verb::put, "/api/v1/me/digest", Access::session(), [&readers](RequestContext& c) { return readers.set_digest(c); });
  // PUT /api/v1/me/supporter-badge {show}
  r.add(verb::put, "/api/v1/me/supporter-badge", Access::session(), [&readers](RequestContext& c) { return readers.set_supporter_badge(c); });
  // GET /api/v1/me/contributions; POST /api/v1/me/contributions/{id}/cancel (a running monthly one)
  r.add(verb::get, "/api/v1/me/contributions", Access::session(), [&contributions](RequestContext& c) { return contributions.mine(c); });
  r.add(verb::post, "/api/v1/me/contributions/{id}/cancel", Access::session(), [&contributions](RequestContext& c) { return contributions.cancel(c); });
  // GET /api/v1/me/feed; GET /api/v1/me/notifications; POST /api/v1/me/notifications/read {up_to}
  r.add(verb::get, "/api/v1/me/feed", Access::session(), [&readers](RequestContext& c) { return readers.feed(c); });
  r.add(verb::get, "/api/v1/me/notifications", Access::session(), [&readers](RequestContext& c) { return readers.notifications(c); });
  r.add(verb::post, "/api/v1/me/notifications/read", Access::session(), [&readers](RequestContext& c) { return readers.mark_read(c); });
  // Moderation (moderator, editor, admin)
  r.add(verb::get, "/api/v1/moderation/queue", Access::staff(), [&moderation](RequestContext& c) { return moderation.queue(c); });
  r.add(verb::post, "/api/v1/moderation/comments/{id}/decision", Access::staff(), [&moderation](RequestContext& c) { return moderation.decide(c); });
  r.add(verb::post, "/api/v1/moderation/accounts/{id}/ban", Access::staff(), [&moderation](RequestContext& c) { return moderation.ban(c); });
  r.add(verb::delete_, "/api/v1/moderation/accounts/{id}/ban", Access::staff(), [&moderation](RequestContext& c) { return moderation.lift_ban(c); });
  r.add(verb::post, "/api/v1/moderation/accounts/{id}/suspension", Access::staff(), [&moderation](RequestContext& c) { return moderation.suspend(c); });
  r.add(verb::post, "/api/v1/moderation/decisions", Access::staff(), [&moderation](RequestContext& c) { return moderation.decide_many(c); });
  r.add(verb::post, "/api/v1/moderation/accounts/{id}/sanctions", Access::staff(), [&moderation](RequestContext& c) { return moderation.sanction(c); });
  r.add(verb::get, "/api/v1/moderation/comments/{id}/revisions", Access::staff(), [&moderation](RequestContext& c) { return moderation.revisions(c); });
  r.add(verb::get, "/api/v1/moderation/accounts/{id}/history", Access::staff(), [&moderation](RequestContext& c) { return moderation.history(c); });
  r.add(verb::get, "/api/v1/moderation/log", Access::staff(), [&moderation](RequestContext& c) { return moderation.log(c); });
  r.add(verb::post, "/api/v1/me/warning/acknowledge", Access::session(), [&moderation](RequestContext& c) { return moderation.acknowledge_warning(c); });
  // POST /api/v1/contributions/checkout {amount, currency?, interval?, article?, referrer?, email?}
  r.add(verb::post, "/api/v1/contributions/checkout", Access::anyone(), [&contributions](RequestContext& c) { return contributions.checkout(c); });
  // GET /api/v1/admin/contributions/report?currency&days (admin)
  r.add(verb::get, "/api/v1/admin/contributions/report", Access::admins(), [&contributions](RequestContext& c) { return contributions.report(c); });
  // POST /webhooks/stripe: Stripe's signed events (the only way a contribution is fulfilled)
  r.add(verb::post, "/webhooks/stripe", Access::anyone(), [this, &contributions](RequestContext& c) {
    auto answer = contributions.webhook(c);
    // Open dashboards, on every node, read their figures again.
    if (answer.status == http::status::ok) fanout_->tell_newsroom("contribution");
    return answer;
  });
  // GET /api/v1/desk/dashboard?period&from&to; GET /api/v1/desk/events (newsroom frames)
  r.add(verb::get, "/api/v1/desk/dashboard", Access::staff(), [this](RequestContext& c) { return dashboard_api_->get(c); });
  r.add(verb::get, "/api/v1/desk/events", Access::staff(), [this](RequestContext& c) { return dashboard_api_->events(c); });
  // POST /api/v1/accounts {email, password, display_name}: register and sign in
  r.add(verb::post, "/api/v1/accounts", Access::anyone(), [&accounts](RequestContext& c) { return accounts.register_account(c); });
  // POST /api/v1/sessions {email, password}: sign in
  r.add(verb::post, "/api/v1/sessions", Access::anyone(), [&accounts](RequestContext& c) { return accounts.sign_in(c); });
  // DELETE /api/v1/sessions/current: sign out
  r.add(verb::delete_, "/api/v1/sessions/current", Access::session(), [&accounts](RequestContext& c) { return accounts.sign_out(c); });
  // GET /api/v1/me: the signed-in reader and their CSRF token
  r.add(verb::get, "/api/v1/me", Access::session(), [&accounts](RequestContext& c) { return accounts.me(c); });
  // GET /api/v1/me/sessions; DELETE /api/v1/me/sessions (everywhere); DELETE /api/v1/me/sessions/{id}
  r.add(verb::get, "/api/v1/me/sessions", Access::session(), [&accounts](RequestContext& c) { return accounts.sessions(c); });
  r.add(verb::delete_, "/api/v1/me/sessions", Access::session(), [&accounts](RequestContext& c) { return accounts.sign_out_everywhere(c); });
  r.add(verb::delete_, "/api/v1/me/sessions/{id}", Access::session(), [&accounts](RequestContext& c) { return accounts.end_session(c); });
  // PATCH /api/v1/me {display_name}; DELETE /api/v1/me {password}; GET /api/v1/me/export
  r.add(verb::patch, "/api/v1/me", Access::session(), [&accounts](RequestContext& c) { return accounts.update_me(c); });
  r.add(verb::delete_, "/api/v1/me", Access::session(), [&accounts](RequestContext& c) { return accounts.delete_me(c); });
  r.add(verb::get, "/api/v1/me/export", Access::session(), [&accounts](RequestContext& c) { return accounts.export_data(c); });
  // POST /api/v1/me/email {email, password}; POST /api/v1/me/password {current_password, new_password, sign_out_others}
  r.add(verb::post, "/api/v1/me/email", Access::session(), [&accounts](RequestContext& c) { return accounts.change_email(c); });
  r.add(verb::post, "/api/v1/me/password", Access::session(), [&accounts](RequestContext& c) { return accounts.change_password(c); });
  // GET /api/v1/admin/accounts; PUT /api/v1/admin/accounts/{id}/role {role} (admin)
  r.add(verb::get, "/api/v1/admin/accounts", Access::admins(), [&accounts](RequestContext& c) { return accounts.admin_list(c); });
  r.add(verb::put, "/api/v1/admin/accounts/{id}/role", Access::admins(), [&accounts](RequestContext& c) { return accounts.admin_set_role(c); });
  // GET /api/v1/tokens; POST /api/v1/tokens {name, role}; DELETE /api/v1/tokens/{id} (admin)
  // Images: upload (the bytes, or a multipart form), list, one; their renditions at addresses that never change.
  r.add(verb::post, "/api/v1/images", Access::editors(), [&images](RequestContext& c) { return images.upload(c); });
  r.add(verb::get, "/api/v1/images", Access::editors(), [&images](RequestContext& c) { return images.list(c); });
  r.add(verb::get, "/api/v1/images/{id}", Access::editors(), [&images](RequestContext& c) { return images.get(c); });
  r.add(verb::get, "/media/{id}", Access::anyone(), [&images](RequestContext& c) { return images.picture(c); });
  r.add(verb::get, "/media/{id}/{file}", Access::anyone(), [&images](RequestContext& c) { return images.media(c); },
        [&images](RequestContext& c) { return images.media_cached(c); });
  r.add(verb::get, "/api/v1/sections", Access::editors(), [&taxonomy](RequestContext& c) { return taxonomy.sections(c); });
  r.add(verb::put, "/api/v1/sections/{slug}", Access::editors(), [&taxonomy](RequestContext& c) { return taxonomy.update_section(c); });
  r.add(verb::get, "/api/v1/authors", Access::editors(), [&taxonomy](RequestContext& c) { return taxonomy.authors(c); });
  r.add(verb::put, "/api/v1/authors/{slug}", Access::editors(), [&taxonomy](RequestContext& c) { return taxonomy.update_author(c); });
  r.add(verb::get, "/api/v1/tags", Access::editors(), [&taxonomy](RequestContext& c) { return taxonomy.tags(c); });
  r.add(verb::post, "/api/v1/tags/{slug}/merge", Access::editors(), [&taxonomy](RequestContext& c) { return taxonomy.merge_tag(c); });
  r.add(verb::get, "/api/v1/tokens", Access::admins(), [&tokens](RequestContext& c) { return tokens.list(c); });
  r.add(verb::post, "/api/v1/tokens", Access::admins(), [&tokens](RequestContext& c) { return tokens.create(c); });
  r.add(verb::delete_, "/api/v1/tokens/{id}", Access::admins(), [&tokens](RequestContext& c) { return tokens.revoke(c); });
  // Embedded conversations (docs/embed.md): the sites allowed (admin), comment counts for their listings
  r.add(verb::get, "/api/v1/embed/origins", Access::admins(), [&embed](RequestContext& c) { return embed.origins(c); });
  r.add(verb::post, "/api/v1/embed/origins", Access::admins(), [&embed](RequestContext& c) { return embed.allow(c); });
  r.add(verb::delete_, "/api/v1/embed/origins", Access::admins(), [&embed](RequestContext& c) { return embed.remove(c); });
  // Outgoing webhooks (admin): endpoints, their secrets, their delivery log (docs/webhooks.md)
  r.add(verb::get, "/api/v1/webhooks", Access::admins(), [&webhooks](RequestContext& c) { return webhooks.list(c); });
  r.add(verb::post, "/api/v1/webhooks", Access::admins(), [&webhooks](RequestContext& c) { return webhooks.create(c); });
  r.add(verb::get, "/api/v1/webhooks/{id}", Access::admins(), [&webhooks](RequestContext& c) { return webhooks.get(c); });
  r.add(verb::patch, "/api/v1/webhooks/{id}", Access::admins(), [&webhooks](RequestContext& c) { return webhooks.update(c); });
  r.add(verb::delete_, "/api/v1/webhooks/{id}", Access::admins(), [&webhooks](RequestContext& c) { return webhooks.remove(c); });
  r.add(verb::post, "/api/v1/webhooks/{id}/rotate-secret", Access::admins(), [&webhooks](RequestContext& c) { return webhooks.rotate(c); });
  r.add(verb::get, "/api/v1/webhooks/{id}/deliveries", Access::admins(), [&webhooks](RequestContext& c) { return webhooks.deliveries(c); });
  r.add(verb::post, "/api/v1/webhooks/{id}/deliveries/{delivery}/redeliver", Access::admins(), [&webhooks](RequestContext& c) { return webhooks.redeliver(c); });
  // The same under /api/v1/admin/webhooks, the address ../shared/API.md names (creation answers {webhook: {...}}).
  r.add(verb::get, "/api/v1/admin/webhooks", Access::admins(), [&webhooks](RequestContext& c) { return webhooks.list(c); });
  r.add(verb::post, "/api/v1/admin/webhooks", Access::admins(), [&webhooks](RequestContext& c) { return webhooks.create(c, true); });
  r.add(verb::get, "/api/v1/admin/webhooks/{id}", Access::admins(), [&webhooks](RequestContext& c) { return webhooks.get(c); });
  r.add(verb::patch, "/api/v1/admin/webhooks/{id}", Access::admins(), [&webhooks](RequestContext& c) { return webhooks.update(c); });
  r.add(verb::delete_, "/api/v1/admin/webhooks/{id}", Access::admins(), [&webhooks](RequestContext& c) { return webhooks.remove(c); });
  r.add(verb::post, "/api/v1/admin/webhooks/{id}/rotate-secret", Access::admins(), [&webhooks](RequestContext& c) { return webhooks.rotate(c); });
  r.add(verb::get, "/api/v1/admin/webhooks/{id}/deliveries", Access::admins(), [&webhooks](RequestContext& c) { return webhooks.deliveries(c); });
  r.add(verb::post, "/api/v1/admin/webhooks/{id}/deliveries/{delivery}/redeliver", Access::admins(), [&webhooks](RequestContext& c) { return webhooks.redeliver(c); });
  // POST /api/v1/password-resets {email}; POST /api/v1/password-resets/confirm {token, password}
  r.add(verb::post, "/api/v1/password-resets", Access::anyone(), [&accounts](RequestContext& c) { return accounts.request_reset(c); });
  r.add(verb::post, "/api/v1/password-resets/confirm", Access::anyone(), [&accounts](RequestContext& c) { return accounts.confirm_reset(c); });
  // POST /api/v1/email-verifications/confirm {token}; POST /api/v1/me/email-verifications (resend)
  r.add(verb::post, "/api/v1/email-verifications/confirm", Access::anyone(),
        [&accounts](RequestContext& c) { return accounts.confirm_verification(c); });
  r.add(verb::post, "/api/v1/me/email-verifications", Access::session(), [&accounts](RequestContext& c) { return accounts.resend_verification(c); });
  // Anything else under /api/ is answered by the pipeline with a JSON 404 or 405.

  // --- Pages, feeds, assets --------------------------------------------------------------------------
  r.add(verb::get, "/", Access::anyone(), [&article_pages](RequestContext& c) { return article_pages.home(c); }, cached);
  r.add(verb::get, "/feed.xml", Access::anyone(), [&article_pages](RequestContext& c) { return article_pages.feed(c); }, cached);
  r.add(verb::get, "/sitemap.xml", Access::anyone(), [&article_pages](RequestContext& c) { return article_pages.sitemap(c); }, cached);
  r.add(verb::get, "/sitemap-news.xml", Access::anyone(), [&article_pages](RequestContext& c) { return article_pages.news_sitemap(c); }, cached);
  r.add(verb::get, "/sitemaps/{part}", Access::anyone(), [&article_pages](RequestContext& c) { return article_pages.sitemap_part(c); }, cached);
  r.add(verb::get, "/feed.atom", Access::anyone(), [&article_pages](RequestContext& c) { return article_pages.feed(c); }, cached);
  r.add(verb::get, "/corrections", Access::anyone(), [&article_pages](RequestContext& c) { return article_pages.corrections(c); }, cached);
  // GET /search: the page, or for a client that asks for JSON (and not HTML), the API's answer
  r.add(verb::get, "/search", Access::anyone(), [this, &articles](RequestContext& c) {
    std::string_view accept = c.request["Accept"];
    bool json = accept.find("application/json") != std::string_view::npos && accept.find("text/html") == std::string_view::npos;
    return json ? articles.search(c) : search_pages_->search(c);
  });
  r.add(verb::get, "/robots.txt", Access::anyone(), [&article_pages](RequestContext& c) { return article_pages.robots(c); });
  r.add(verb::get, "/support", Access::anyone(), [&article_pages](RequestContext& c) { return article_pages.support(c); }, cached);
  for (const auto& page : kStandardPages)
    r.add(verb::get, "/" + std::string(page.slug), Access::anyone(),
          [&article_pages, slug = std::string(page.slug)](RequestContext& c) { return article_pages.standard(c, slug); }, cached);
  // The desk (editor, admin)
  r.add(verb::get, "/desk/dashboard", Access::staff(), [this](RequestContext& c) { return dashboard_pages_->page(c); });
  r.add(verb::get, "/desk/dashboard.csv", Access::staff(), [this](RequestContext& c) { return dashboard_pages_->csv(c); });
  r.add(verb::get, "/desk", Access::editors(), [&desk](RequestContext& c) { return desk.list(c); });
  r.add(verb::get, "/desk/articles/new", Access::editors(), [&desk](RequestContext& c) { return desk.new_form(c); });
  r.add(verb::post, "/desk/articles", Access::editors(), [&desk](RequestContext& c) { return desk.create(c); });
  r.add(verb::post, "/desk/preview", Access::editors(), [&desk](RequestContext& c) { return desk.preview(c); });
  r.add(verb::get, "/desk/images", Access::editors(), [&desk](RequestContext& c) { return desk.images(c); });
  r.add(verb::post, "/desk/images", Access::editors(), [&desk](RequestContext& c) { return desk.upload_image(c); });
  r.add(verb::get, "/desk/articles/{slug}", Access::editors(), [&desk](RequestContext& c) { return desk.edit_form(c); });
  r.add(verb::post, "/desk/articles/{slug}", Access::editors(), [&desk](RequestContext& c) { return desk.save(c); });
  r.add(verb::post, "/desk/articles/{slug}/unpublish", Access::editors(), [&desk](RequestContext& c) { return desk.unpublish(c); });
  r.add(verb::get, "/desk/articles/{slug}/revisions", Access::editors(), [&desk](RequestContext& c) { return desk.revisions(c); });
  r.add(verb::get, "/desk/articles/{slug}/revisions/{id}", Access::editors(), [&desk](RequestContext& c) { return desk.revision(c); });
  r.add(verb::post, "/desk/articles/{slug}/revisions/{id}/restore", Access::editors(), [&desk](RequestContext& c) { return desk.restore(c); });
  r.add(verb::get, "/desk/articles/{slug}/retract", Access::editors(), [&desk](RequestContext& c) { return desk.retract_form(c); });
  r.add(verb::post, "/desk/articles/{slug}/retract", Access::editors(), [&desk](RequestContext& c) { return desk.retract(c); });
  r.add(verb::get, "/desk/articles/{slug}/delete", Access::editors(), [&desk](RequestContext& c) { return desk.delete_form(c); });
  r.add(verb::post, "/desk/articles/{slug}/delete", Access::editors(), [&desk](RequestContext& c) { return desk.remove(c); });
  r.add(verb::get, "/desk/sections", Access::editors(), [&desk_taxonomy](RequestContext& c) { return desk_taxonomy.sections(c); });
  r.add(verb::get, "/desk/sections/{slug}", Access::editors(), [&desk_taxonomy](RequestContext& c) { return desk_taxonomy.section_form(c); });
  r.add(verb::post, "/desk/sections/{slug}", Access::editors(), [&desk_taxonomy](RequestContext& c) { return desk_taxonomy.section_submit(c); });
  r.add(verb::get, "/desk/authors", Access::editors(), [&desk_taxonomy](RequestContext& c) { return desk_taxonomy.authors(c); });
  r.add(verb::get, "/desk/authors/{slug}", Access::editors(), [&desk_taxonomy](RequestContext& c) { return desk_taxonomy.author_form(c); });
  r.add(verb::post, "/desk/authors/{slug}", Access::editors(), [&desk_taxonomy](RequestContext& c) { return desk_taxonomy.author_submit(c); });
  r.add(verb::get, "/desk/tags", Access::editors(), [&desk_taxonomy](RequestContext& c) { return desk_taxonomy.tags(c); });
  r.add(verb::post, "/desk/tags/{slug}/merge", Access::editors(), [&desk_taxonomy](RequestContext& c) { return desk_taxonomy.tag_merge(c); });
  r.add(verb::get, "/desk/pages", Access::editors(), [&desk_pages](RequestContext& c) { return desk_pages.pages(c); });
  r.add(verb::get, "/desk/pages/{slug}", Access::editors(), [&desk_pages](RequestContext& c) { return desk_pages.page_form(c); });
  r.add(verb::post, "/desk/pages/{slug}", Access::editors(), [&desk_pages](RequestContext& c) { return desk_pages.page_submit(c); });
  r.add(verb::get, "/support/thanks", Access::anyone(), [&contribution_pages](RequestContext& c) { return contribution_pages.contribution_thanks(c); });
  r.add(verb::post, "/contribute", Access::anyone(), [&contribution_pages](RequestContext& c) { return contribution_pages.contribute_submit(c); });
  r.add(verb::get, "/admin/contributions", Access::admins(), [&contribution_pages](RequestContext& c) { return contribution_pages.contributions_report(c); });
  r.add(verb::get, "/admin/contributions.csv", Access::admins(), [&contribution_pages](RequestContext& c) { return contribution_pages.contributions_csv(c); });
  r.add(verb::get, "/assets/{name}", Access::anyone(), [&article_pages](RequestContext& c) { return article_pages.asset(c); },
        [&article_pages](RequestContext& c) { return article_pages.asset_fast(c); });
  r.add(verb::get, "/favicon.ico", Access::anyone(), [&article_pages](RequestContext& c) { return article_pages.favicon(c); });
  // Accounts without JavaScript (forms post, then redirect)
  r.add(verb::get, "/register", Access::anyone(), [&account_pages](RequestContext& c) { return account_pages.register_form(c); });
  r.add(verb::post, "/register", Access::anyone(), [&account_pages](RequestContext& c) { return account_pages.register_submit(c); });
  r.add(verb::get, "/signin", Access::anyone(), [&account_pages](RequestContext& c) { return account_pages.signin_form(c); });
  r.add(verb::post, "/signin", Access::anyone(), [&account_pages](RequestContext& c) { return account_pages.signin_submit(c); });
  r.add(verb::post, "/signout", Access::anyone(), [&account_pages](RequestContext& c) { return account_pages.signout_submit(c); });
  r.add(verb::get, "/account", Access::session(), [&account_pages](RequestContext& c) { return account_pages.account(c); });
  r.add(verb::post, "/account/sessions/{id}/end", Access::session(), [&account_pages](RequestContext& c) { return account_pages.end_session_submit(c); });
  r.add(verb::post, "/account/sign-out-everywhere", Access::session(), [&account_pages](RequestContext& c) { return account_pages.sign_out_everywhere_submit(c); });
  // Mail links (a GET shows a page whose button POSTs: link scanners never change anything)
  r.add(verb::get, "/verify", Access::anyone(), [&account_pages](RequestContext& c) { return account_pages.verify_form(c); });
  r.add(verb::post, "/verify", Access::anyone(), [&account_pages](RequestContext& c) { return account_pages.verify_submit(c); });
  r.add(verb::get, "/forgot", Access::anyone(), [&account_pages](RequestContext& c) { return account_pages.forgot_form(c); });
  r.add(verb::post, "/forgot", Access::anyone(), [&account_pages](RequestContext& c) { return account_pages.forgot_submit(c); });
  r.add(verb::get, "/reset", Access::anyone(), [&account_pages](RequestContext& c) { return account_pages.reset_form(c); });
  r.add(verb::post, "/reset", Access::anyone(), [&account_pages](RequestContext& c) { return account_pages.reset_submit(c); });
  r.add(verb::post, "/account/verification", Access::session(), [&account_pages](RequestContext& c) { return account_pages.resend_verification_submit(c); });
  r.add(verb::post, "/account/digest", Access::session(), [&account_pages](RequestContext& c) { return account_pages.digest_submit(c); });
  r.add(verb::post, "/account/supporter-badge", Access::session(), [&account_pages](RequestContext& c) { return account_pages.supporter_badge_submit(c); });
  r.add(verb::post, "/account/contributions/{id}/cancel", Access::session(), [&account_pages](RequestContext& c) { return account_pages.contribution_cancel_submit(c); });
  r.add(verb::post, "/account/warning", Access::session(), [&moderation_pages](RequestContext& c) { return moderation_pages.acknowledge_submit(c); });
  r.add(verb::post, "/account/{action}", Access::session(), [&account_pages](RequestContext& c) { return account_pages.account_change_submit(c); });
  r.add(verb::get, "/admin/accounts", Access::admins(), [&account_pages](RequestContext& c) { return account_pages.admin_accounts(c); });
  r.add(verb::post, "/admin/accounts/{id}/role", Access::admins(), [&account_pages](RequestContext& c) { return account_pages.admin_role_submit(c); });
  r.add(verb::get, "/admin/tokens", Access::admins(), [&token_pages](RequestContext& c) { return token_pages.list(c); });
  r.add(verb::post, "/admin/tokens", Access::admins(), [&token_pages](RequestContext& c) { return token_pages.create(c); });
  r.add(verb::post, "/admin/tokens/{id}/revoke", Access::admins(), [&token_pages](RequestContext& c) { return token_pages.revoke(c); });
  r.add(verb::get, "/embed", Access::anyone(), [&embed_pages](RequestContext& c) { return embed_pages.frame(c); });
  r.add(verb::get, "/embed.js", Access::anyone(), [&article_pages](RequestContext& c) { return article_pages.embed_script(c); });
  r.add(verb::get, "/admin/embed", Access::admins(), [&embed_pages](RequestContext& c) { return embed_pages.admin(c); });
  r.add(verb::post, "/admin/embed", Access::admins(), [&embed_pages](RequestContext& c) { return embed_pages.admin_allow(c); });
  r.add(verb::post, "/admin/embed/remove", Access::admins(), [&embed_pages](RequestContext& c) { return embed_pages.admin_remove(c); });
  r.add(verb::get, "/admin/webhooks", Access::admins(), [&webhook_pages](RequestContext& c) { return webhook_pages.list(c); });
  r.add(verb::post, "/admin/webhooks", Access::admins(), [&webhook_pages](RequestContext& c) { return webhook_pages.create(c); });
  r.add(verb::get, "/admin/webhooks/{id}", Access::admins(), [&webhook_pages](RequestContext& c) { return webhook_pages.endpoint(c); });
  r.add(verb::post, "/admin/webhooks/{id}", Access::admins(), [&webhook_pages](RequestContext& c) { return webhook_pages.update(c); });
  r.add(verb::post, "/admin/webhooks/{id}/enable", Access::admins(), [&webhook_pages](RequestContext& c) { return webhook_pages.set_enabled(c); });
  r.add(verb::post, "/admin/webhooks/{id}/disable", Access::admins(), [&webhook_pages](RequestContext& c) { return webhook_pages.set_enabled(c); });
  r.add(verb::post, "/admin/webhooks/{id}/rotate", Access::admins(), [&webhook_pages](RequestContext& c) { return webhook_pages.rotate(c); });
  r.add(verb::post, "/admin/webhooks/{id}/delete", Access::admins(), [&webhook_pages](RequestContext& c) { return webhook_pages.remove(c); });
  r.add(verb::post, "/admin/webhooks/{id}/deliveries/{delivery}/redeliver", Access::admins(), [&webhook_pages](RequestContext& c) { return webhook_pages.redeliver(c); });
  // Comments without JavaScript
  r.add(verb::post, "/comment", Access::session(), [&comment_pages](RequestContext& c) { return comment_pages.comment_submit(c); });
  r.add(verb::get, "/comments/{id}/reply", Access::session(), [&comment_pages](RequestContext& c) { return comment_pages.reply_form(c); });
  r.add(verb::get, "/comments/{id}", Access::anyone(), [&comment_pages](RequestContext& c) { return comment_pages.thread(c); }, cached);
  r.add(verb::post, "/comments/{id}/pick", Access::session(), [&comment_pages](RequestContext& c) { return comment_pages.pick_submit(c); });
  r.add(verb::get, "/comments/{id}/options", Access::session(), [&comment_pages](RequestContext& c) { return comment_pages.options(c); });
  r.add(verb::post, "/comments/{id}/edit", Access::session(), [&comment_pages](RequestContext& c) { return comment_pages.edit_submit(c); });
  r.add(verb::post, "/comments/{id}/delete", Access::session(), [&comment_pages](RequestContext& c) { return comment_pages.delete_submit(c); });
  r.add(verb::post, "/comments/{id}/report", Access::session(), [&comment_pages](RequestContext& c) { return comment_pages.report_submit(c); });
  r.add(verb::get, "/comments/{id}/recommend", Access::session(), [&comment_pages](RequestContext& c) { return comment_pages.recommend_form(c); });
  r.add(verb::post, "/comments/{id}/recommend", Access::session(), [&comment_pages](RequestContext& c) { return comment_pages.recommend_submit(c); });
  // Readers, the feed, notifications, the moderation queue
  r.add(verb::get, "/readers/ignored.css", Access::anyone(), [&reader_pages](RequestContext& c) { return reader_pages.ignored_css(c); });
  r.add(verb::get, "/readers/{id}", Access::anyone(), [&reader_pages](RequestContext& c) { return reader_pages.reader(c); });
  r.add(verb::post, "/readers/{id}/follow", Access::session(), [&reader_pages](RequestContext& c) { return reader_pages.follow_submit(c); });
  r.add(verb::post, "/readers/{id}/ignore", Access::session(), [&reader_pages](RequestContext& c) { return reader_pages.ignore_submit(c); });
  r.add(verb::get, "/following", Access::session(), [&reader_pages](RequestContext& c) { return reader_pages.following(c); });
  r.add(verb::get, "/notifications", Access::session(), [&reader_pages](RequestContext& c) { return reader_pages.notifications(c); });
  r.add(verb::get, "/moderation", Access::staff(), [&moderation_pages](RequestContext& c) { return moderation_pages.moderation(c); });
  r.add(verb::post, "/moderation/comments/{id}/decision", Access::staff(), [&moderation_pages](RequestContext& c) { return moderation_pages.decision_submit(c); });
  r.add(verb::post, "/moderation/accounts/{id}/ban", Access::staff(), [&moderation_pages](RequestContext& c) { return moderation_pages.ban_submit(c); });
  r.add(verb::post, "/moderation/decisions", Access::staff(), [&moderation_pages](RequestContext& c) { return moderation_pages.decisions_submit(c); });
  r.add(verb::post, "/moderation/accounts/{id}/sanctions", Access::staff(), [&moderation_pages](RequestContext& c) { return moderation_pages.sanction_submit(c); });
  r.add(verb::get, "/moderation/comments/{id}/versions", Access::staff(), [&moderation_pages](RequestContext& c) { return moderation_pages.comment_versions(c); });
  r.add(verb::get, "/moderation/readers/{id}", Access::staff(), [&moderation_pages](RequestContext& c) { return moderation_pages.reader_history(c); });
  r.add(verb::get, "/moderation/log", Access::staff(), [&moderation_pages](RequestContext& c) { return moderation_pages.audit_log(c); });
  r.add(verb::get, "/moderation/log.csv", Access::staff(), [&moderation_pages](RequestContext& c) { return moderation_pages.audit_log_csv(c); });
  r.add(verb::get, "/tags/{tag}", Access::anyone(), [&article_pages](RequestContext& c) { return article_pages.tag(c); }, cached);
  r.add(verb::get, "/tags/{tag}/feed.xml", Access::anyone(), [&article_pages](RequestContext& c) { return article_pages.feed(c); }, cached);
  r.add(verb::get, "/tags/{tag}/feed.atom", Access::anyone(), [&article_pages](RequestContext& c) { return article_pages.feed(c); }, cached);
  r.add(verb::get, "/authors/{slug}/feed.xml", Access::anyone(), [&article_pages](RequestContext& c) { return article_pages.feed(c); }, cached);
  r.add(verb::get, "/authors/{slug}/feed.atom", Access::anyone(), [&article_pages](RequestContext& c) { return article_pages.feed(c); }, cached);
  r.add(verb::get, "/{section}/feed.xml", Access::anyone(), [&article_pages](RequestContext& c) { return article_pages.feed(c); }, cached);
  r.add(verb::get, "/{section}/feed.atom", Access::anyone(), [&article_pages](RequestContext& c) { return article_pages.feed(c); }, cached);
  r.add(verb::get, "/authors/{slug}", Access::anyone(), [&article_pages](RequestContext& c) { return article_pages.author(c); }, cached);
  r.add(verb::get, "/{section}", Access::anyone(), [&article_pages](RequestContext& c) { return article_pages.section(c); }, cached);
  r.add(verb::get, "/{section}/{year}/{month}/{day}/{slug}", Access::anyone(), [&article_pages](RequestContext& c) { return article_pages.article(c); }, cached);
  return r;
}
// clang-format on

}  // namespace tribune

// HTML pages, feeds and static assets. Each page is rendered on a cache miss and then served from the
// PageCache (fast path, on the I/O thread) until the next content change.
#pragma once

#include "domain/accounts.h"
#include "domain/articles.h"
#include "domain/comments.h"
#include "domain/contributions.h"
#include "domain/moderation.h"
#include "domain/readers.h"
#include "http/cookies.h"
#include "model/error.h"
#include "http/message.h"
#include "http/metrics.h"
#include "http/page_cache.h"
#include "web/pages.h"

namespace tribune::web {

class WebHandlers {
 public:
  WebHandlers(ArticleService& articles, AccountService& accounts, CommentService& comments, ReaderService& readers,
              ModerationService& moderation, ContributionService& contributions, PageRenderer& renderer,
              PageCache& cache, Metrics& metrics, SessionCookie cookie)
      : articles_(articles), accounts_(accounts), comments_(comments), readers_(readers), moderation_(moderation),
        contributions_(contributions), renderer_(renderer), cache_(cache), metrics_(metrics),
        cookie_(std::move(cookie)) {}

  // Fast path for every cacheable GET: the page for this exact path, if rendered and still current.
  std::optional<Response> cached(RequestContext& ctx);

  Response home(RequestContext& ctx);      // GET /
  Response section(RequestContext& ctx);   // GET /{section}?cursor=
  Response author(RequestContext& ctx);    // GET /authors/{slug}?cursor=
  Response article(RequestContext& ctx);   // GET /{section}/{yyyy}/{mm}/{dd}/{slug}
  Response feed(RequestContext& ctx);      // GET /feed.xml
  Response sitemap(RequestContext& ctx);   // GET /sitemap.xml
  Response support(RequestContext& ctx);   // GET /support
  Response asset(RequestContext& ctx);     // GET /assets/{name}
  Response favicon(RequestContext& ctx);   // GET /favicon.ico

  // Accounts without JavaScript: forms that post and redirect.
  Response register_form(RequestContext& ctx);    // GET /register?return_to=
  Response register_submit(RequestContext& ctx);  // POST /register
  Response signin_form(RequestContext& ctx);      // GET /signin?return_to=
  Response signin_submit(RequestContext& ctx);    // POST /signin
  Response signout_submit(RequestContext& ctx);   // POST /signout
  Response account(RequestContext& ctx);          // GET /account?done=
  Response end_session_submit(RequestContext& ctx);        // POST /account/sessions/{id}/end
  Response sign_out_everywhere_submit(RequestContext& ctx);  // POST /account/sign-out-everywhere

  // Mail links: confirm the address, reset a forgotten password.
  Response verify_form(RequestContext& ctx);    // GET /verify?token=   (a button: mail scanners only GET)
  Response verify_submit(RequestContext& ctx);  // POST /verify
  Response forgot_form(RequestContext& ctx);    // GET /forgot
  Response forgot_submit(RequestContext& ctx);  // POST /forgot
  Response reset_form(RequestContext& ctx);     // GET /reset?token=
  Response reset_submit(RequestContext& ctx);   // POST /reset
  Response resend_verification_submit(RequestContext& ctx);  // POST /account/verification
  Response account_change_submit(RequestContext& ctx);  // POST /account/{name,email,password,delete}
  Response admin_accounts(RequestContext& ctx);         // GET /admin/accounts?after= (admin)
  Response admin_role_submit(RequestContext& ctx);      // POST /admin/accounts/{id}/role (admin)

  // Comments without JavaScript.
  Response comment_submit(RequestContext& ctx);  // POST /comment (article, body, parent_id, csrf_token)
  Response reply_form(RequestContext& ctx);      // GET /comments/{id}/reply
  Response thread(RequestContext& ctx);          // GET /comments/{id}: a comment and the replies under it

  // Readers and the forum around them (forum_handlers.cpp).
  Response reader(RequestContext& ctx);              // GET /readers/{id}?before=
  Response follow_submit(RequestContext& ctx);       // POST /readers/{id}/follow (on=1|0)
  Response ignore_submit(RequestContext& ctx);       // POST /readers/{id}/ignore (on=1|0)
  Response following(RequestContext& ctx);           // GET /following?before=: comments by readers I follow
  Response notifications(RequestContext& ctx);       // GET /notifications?before=: marks them read
  Response digest_submit(RequestContext& ctx);       // POST /account/digest (digest=immediate|daily|off)
  Response supporter_badge_submit(RequestContext& ctx);  // POST /account/supporter-badge (show=1|0)
  // Moderation pages (staff; moderation_handlers.cpp)
  Response moderation(RequestContext& ctx);          // GET /moderation?view&article&rule&reader&after
  Response decision_submit(RequestContext& ctx);     // POST /moderation/comments/{id}/decision
  Response decisions_submit(RequestContext& ctx);    // POST /moderation/decisions (bulk: ids, decision, reason)
  Response ban_submit(RequestContext& ctx);          // POST /moderation/accounts/{id}/ban (until? reason; lift=1)
  Response sanction_submit(RequestContext& ctx);     // POST /moderation/accounts/{id}/sanctions (action, reason)
  Response reader_history(RequestContext& ctx);      // GET /moderation/readers/{id}
  Response audit_log(RequestContext& ctx);           // GET /moderation/log?action&reader&before
  Response audit_log_csv(RequestContext& ctx);       // GET /moderation/log.csv
  Response acknowledge_submit(RequestContext& ctx);  // POST /account/warning (the reader acknowledges)
  Response pick_submit(RequestContext& ctx);         // POST /comments/{id}/pick (on=1|0; staff)

  // Contributions (contribution_handlers.cpp).
  Response contribute_submit(RequestContext& ctx);   // POST /contribute: the appeal form without JavaScript
  Response contribution_thanks(RequestContext& ctx); // GET /support/thanks: where Stripe's page returns
  Response contributions_report(RequestContext& ctx);  // GET /admin/contributions?currency&days (admin)
  Response contributions_csv(RequestContext& ctx);     // GET /admin/contributions.csv (admin)
  std::optional<Response> asset_fast(RequestContext& ctx);

  // The HTML error page for any Error (installed into the pipeline).
  Response error_page(const Error& e, const Principal& who);

 private:
  // The cached page for this path, personalised when the reader is signed in.
  std::optional<Response> from_cache(RequestContext& ctx);
  Response serve(RequestContext& ctx, const CachedPage& page);
  SlotFiller filler(const Principal& who, const std::string& path) const;
  Response account_page(RequestContext& ctx, http::status status, std::string notice, std::string error);
  Response html_page(RequestContext& ctx, http::status status, const std::string& html);
  Response store_and_serve(RequestContext& ctx, uint64_t generation, std::string body, std::string_view content_type,
                           bool cacheable, std::string group = {});
  // The page cache's key for this request: the path, or the path and its sort and cursor; empty when the
  // request's page is not to be kept.
  static std::string cache_key(const RequestContext& ctx);
  // Cards for comments shown outside their conversation, with their articles' titles and links.
  std::vector<PageRenderer::CommentCard> cards_for(const std::vector<Comment>& comments) const;
  Response listing_page(RequestContext& ctx, PageRenderer::Listing listing, ArticleQuery query,
                        const std::string& base_path);
  // A moderation form that was refused (moderation_handlers.cpp): which form, why, and what was typed.
  struct Refusal;
  // The moderation queue and a reader's history; refusal (may be null) is shown next to its form.
  Response queue_page(RequestContext& ctx, http::status status, const Refusal* refusal);
  Response history_page(RequestContext& ctx, int64_t account_id, http::status status, const Refusal* refusal);

  ArticleService& articles_;
  AccountService& accounts_;
  CommentService& comments_;
  ReaderService& readers_;
  ModerationService& moderation_;
  ContributionService& contributions_;
  PageRenderer& renderer_;
  PageCache& cache_;
  Metrics& metrics_;
  SessionCookie cookie_;
};

}  // namespace tribune::web

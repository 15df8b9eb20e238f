#include "app/app.h"

#include <sodium.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <boost/json.hpp>
#include <charconv>
#include <filesystem>
#include <thread>

#include "domain/front_matter.h"
#include "http/authentication.h"
#include "http/cookies.h"
#include "http/read_your_writes.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"

namespace tribune {

namespace json = boost::json;

namespace {

// PostgreSQL may still be starting (or restarting) when Tribune does: a few attempts over about ten seconds
// before giving up with the server's reason.
std::unique_ptr<Store> open_postgres_with_retries(const Config& config) {
  PostgresOptions o;
  o.url = config.store.url;
  o.pool_size = config.store.pool_size;
  o.comment_writers = config.store.comment_writers;
  o.replica_url = config.store.replica_url;
  auto delay = std::chrono::milliseconds(500);
  constexpr int kAttempts = 5;
  for (int attempt = 1;; ++attempt) {
    try {
      return open_postgres_store(o);
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::unavailable) throw;
      if (attempt == kAttempts)
        throw Error(ErrorKind::unavailable, "store_unavailable",
                    "PostgreSQL could not be reached after " + std::to_string(kAttempts) + " attempts: " + e.message());
      spdlog::error("PostgreSQL is not reachable (attempt {} of {}), retrying in {} ms: {}", attempt, kAttempts,
                    delay.count(), e.message());
      std::this_thread::sleep_for(delay);
      delay *= 2;
    }
  }
}

}  // namespace

std::unique_ptr<Store> open_store(const Config& config) {
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec)
    throw Error(ErrorKind::unavailable, "data_dir_unavailable",
                "cannot create " + config.data_dir + ": " + ec.message());
  if (!config.store.replica_url.empty() && !is_postgres_url(config.store.replica_url))
    throw Error(ErrorKind::invalid, "invalid_replica_url", "store.replica_url must be a postgresql:// URL.");
  if (!config.store.replica_url.empty() && !is_postgres_url(config.store.url))
    throw Error(ErrorKind::invalid, "invalid_replica_url",
                "store.replica_url is a replica of a PostgreSQL store: set store.url (or --store) to its primary.");
  if (is_postgres_url(config.store.url)) return open_postgres_with_retries(config);
  if (!config.store.url.empty() && config.store.url != "sqlite")
    throw Error(ErrorKind::invalid, "invalid_store_url",
                "store URL must be postgresql://... or postgres://... (or empty for SQLite in the data directory)");
  SqliteOptions o;
  o.path = config.database_path();
  return open_sqlite_store(o);
}

App::App(Config config, const StoreDecorator& decorate)
    : config_(std::move(config)),
      reader_slots_(is_postgres_url(config_.store.url) ? web::ReaderSlots::kShared : web::ReaderSlots::kAlone) {
  {
    // Streams may hold at most three quarters of the descriptors the process may open, whatever the
    // configuration says: pages, the store and the mail sender need the rest.
    rlimit lim{};
    if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY) {
      size_t room = std::max<size_t>(8, static_cast<size_t>(lim.rlim_cur) / 4 * 3);
      if (config_.streams.total > room) {
        spdlog::warn("max_streams {} lowered to {}: the process may open only {} files (ulimit -n)",
                     config_.streams.total, room, static_cast<uint64_t>(lim.rlim_cur));
        config_.streams.total = room;
      }
    }
    live_.gate().set_limits(config_.streams);
  }
  // The engine implements every store role; each service below is handed only the roles it uses.
  store_ = open_store(config_);
  if (decorate) store_ = decorate(std::move(store_));
  store_->migrate();
  limiter_.share_through(store_.get());
  images_ = std::make_unique<ImageService>(*store_);
  articles_ = std::make_unique<ArticleService>(*store_, config_.site.locality, images_.get());
  articles_->set_comment_policy(config_.comments);
  articles_->set_site_name(config_.site.name);
  articles_->on_change([this](const Article&) { cache_.invalidate_all(); });
  articles_->on_page([this](const Page&) { cache_.invalidate_all(); });
  articles_->on_structure([this] { cache_.invalidate_all(); });
  articles_->set_audit(store_.get());
  // A section made before the publication's own pages took these addresses is no longer reachable there.
  for (const auto& section : articles_->sections())
    if (is_standard_page(section.slug))
      spdlog::warn(
          "section \"{}\": /{} is now the publication's page of that name, so the section's listing is "
          "not reachable; move its articles to another section",
          section.name, section.slug);
  tokens_ = std::make_unique<TokenService>(*store_, *store_);
  webhooks_ = std::make_unique<WebhookService>(*store_, *store_, config_.webhooks);
  accounts_ = std::make_unique<AccountService>(*store_, *store_, *store_, limiter_, SessionPolicy{}, PasswordPolicy{},
                                               config_.account_limits);
  readers_ = std::make_unique<ReaderService>(*store_, *store_);
  embed_ = std::make_unique<EmbedService>(*store_, *store_, limiter_, config_.embed);
  search_ = std::make_unique<SearchService>(*store_, limiter_, config_.site.locality);
  outbox_ = std::make_unique<OutboxWorker>(*store_, SmtpSender(config_.smtp), "tribune.local");
  comments_ = std::make_unique<CommentService>(*store_, *store_, *articles_, limiter_, config_.comment_limits);
  moderation_ = std::make_unique<ModerationService>(*store_, *store_, *store_, *store_, *store_, *comments_, *articles_,
                                                    config_.moderation_settings);
  // Bad patterns stop the start with an error naming them (Error invalid bad_pattern).
  auto rules = std::make_shared<const RulePipeline>(config_.moderation);
  if (rules->uses("classifier")) {
    classifier_ = std::make_shared<Classifier>(*store_, config_.classifier);
    classifier_->load();
    comments_->set_classifier(classifier_);
    moderation_->set_classifier(classifier_);
  }
  if (rules->uses("external")) {
    auto external = std::make_shared<const ExternalRule>(config_.external_rule);
    comments_->set_external_check([external](const Candidate& c) { return external->check(c); });
  }
  comments_->set_rules(std::move(rules));
  // A comment's change drops its article's pages, reaches live readers and the other nodes (live/fanout.h).
  fanout_ = std::make_unique<CommentFanout>(*articles_, *store_, *store_, *store_, cache_, live_);
  // A remembered reader's slots (web/reader_slots.h) go when their unread count or ignored readers change.
  fanout_->on_notified([this](int64_t account_id) { reader_slots_.forget(account_id); });
  readers_->on_changed([this](int64_t account_id) { reader_slots_.forget(account_id); });
  // And when the store hears that another node signed them out, banned them or changed their account.
  store_->on_account_changed(
      [this](int64_t account_id) { account_id ? reader_slots_.forget(account_id) : reader_slots_.forget_all(); });
  fanout_->attach(*comments_);
}

App::~App() {
  stop_background();
  if (store_) store_->on_account_changed(nullptr);  // the store's listener outlives reader_slots_
}

int App::load_demo() {
  if (store_->count_articles() > 0) return 0;
  std::vector<ArticleDraft> drafts;
  for (const auto& [name, text] : embedded_demo_articles()) drafts.push_back(parse_article_file(text));
  std::sort(drafts.begin(), drafts.end(), [](const auto& a, const auto& b) { return a.published_at < b.published_at; });
  // The newest pieces are open for comments whatever the closing rules, so a fresh demo can be commented on.
  for (size_t i = 0; i < drafts.size(); ++i) {
    if (i + 2 >= drafts.size()) drafts[i].comments = CommentsMode::open;
    articles_->publish(drafts[i], true, std::nullopt, "demo");
  }
  return static_cast<int>(drafts.size());
}

void App::build_http() {
  bool https = config_.site.base_url.starts_with("https://");
  cookie_ = SessionCookie::for_site(https, 180L * 24 * 3600);
  config_.pipeline.session_cookie = cookie_.name;
  config_.pipeline.embed_cookie = https ? "__Host-tribune_embed" : "tribune_embed";
  config_.pipeline.embed_session_cookie = cookie_.embed_name;
  config_.pipeline.secure_cookies = https;
  {
    // The configured public origin is allowed on state-changing requests besides the request's own host.
    const auto& base = config_.site.base_url;
    size_t path = base.find('/', base.find("://") == std::string::npos ? 0 : base.find("://") + 3);
    config_.pipeline.allowed_origins.push_back(base.substr(0, path));
  }
  accounts_->set_mail_settings(MailSettings{config_.site.base_url, config_.site.name});
  digests_ =
      std::make_unique<DigestService>(*store_, *articles_, MailSettings{config_.site.base_url, config_.site.name});
  {
    // The appeal's currency is the default one; contributions are on once Stripe has a key.
    auto& currencies = config_.contributions.currencies;
    auto it = std::find(currencies.begin(), currencies.end(), config_.site.appeal.currency);
    if (it == currencies.end())
      currencies.insert(currencies.begin(), config_.site.appeal.currency);
    else
      std::rotate(currencies.begin(), it, it + 1);
    config_.site.appeal.enabled = !config_.stripe.secret_key.empty();
    if (config_.site.appeal.enabled) {
      auto& csp = config_.pipeline.content_security_policy;
      if (auto at = csp.find("form-action 'self'"); at != std::string::npos)
        csp.insert(at + std::string_view("form-action 'self'").size(), " " + config_.stripe.checkout_origin);
    }
  }
  payments_ = std::make_unique<StripeClient>(config_.stripe);
  contributions_ = std::make_unique<ContributionService>(*store_, *store_, *articles_, limiter_, *payments_,
                                                         MailSettings{config_.site.base_url, config_.site.name},
                                                         config_.contributions);
  // A deleted account leaves no monthly payment running (and is not deleted while one cannot be stopped).
  accounts_->before_delete([this](int64_t account_id) {
    if (contributions_->enabled()) contributions_->cancel_all_monthly(account_id);
  });
  contributions_api_ = std::make_unique<api::ContributionsApi>(*contributions_);
  analytics_ = std::make_unique<AnalyticsService>(*store_, config_.site.locality, config_.site.appeal.currency,
                                                  [this](const DashboardStory& s) {
                                                    if (!s.url.empty())
                                                      return s.url;  // a story: the page that embeds it
                                                    Article a;
                                                    a.slug = s.slug;
                                                    a.section.slug = s.section;
                                                    a.published_at = TimePoint(std::chrono::seconds(s.published_at));
                                                    return articles_->url_for(a);
                                                  });
  renderer_ = std::make_unique<PageRenderer>(config_.site, *articles_);
  renderer_->set_popular([this] {
    std::lock_guard lock(popular_mu_);
    return popular_;
  });
  web::PageKit kit(*articles_, *readers_, *renderer_, cache_, metrics_, cookie_, reader_slots_);
  article_pages_ = std::make_unique<web::ArticlePages>(kit, *comments_);
  search_pages_ = std::make_unique<web::SearchPages>(kit, *search_);
  dashboard_pages_ = std::make_unique<web::DashboardPages>(kit, *analytics_, config_.analytics.flush_every.count());
  dashboard_api_ = std::make_unique<api::DashboardApi>(*analytics_, *articles_, live_);
  account_pages_ = std::make_unique<web::AccountPages>(kit, *accounts_, *contributions_);
  comment_pages_ = std::make_unique<web::CommentPages>(kit, *comments_);
  reader_pages_ = std::make_unique<web::ReaderPages>(kit);
  moderation_pages_ = std::make_unique<web::ModerationPages>(kit, *moderation_);
  contribution_pages_ = std::make_unique<web::ContributionPages>(kit, *contributions_);
  desk_pages_ = std::make_unique<web::DeskPages>(kit);
  desk_articles_ = std::make_unique<web::DeskArticles>(kit, *images_);
  desk_taxonomy_ = std::make_unique<web::DeskTaxonomy>(kit, *images_);
  token_pages_ = std::make_unique<web::TokenPages>(kit, *tokens_);
  webhook_pages_ = std::make_unique<web::WebhookPages>(kit, *webhooks_);
  embed_pages_ = std::make_unique<web::EmbedPages>(kit, *embed_, *comments_, config_.pipeline.embed_cookie);
  embed_api_ = std::make_unique<api::EmbedApi>(*embed_);
  article_pages_->set_story_sites([this](std::string_view origin) { return embed_->allowed(origin).has_value(); });
  // Kept embed pages carry a site's appeal choice.
  embed_->on_change([this] { cache_.invalidate_all(); });
  webhook_sender_ = std::make_unique<WebhookSender>(*store_, *webhooks_, config_.site.base_url);
  comments_api_ = std::make_unique<api::CommentsApi>(*comments_, *readers_, live_, cache_);
  readers_api_ = std::make_unique<api::ReadersApi>(*readers_, *articles_, live_);
  moderation_api_ = std::make_unique<api::ModerationApi>(*moderation_);
  articles_api_ = std::make_unique<api::ArticlesApi>(*articles_, *search_, cache_, config_.site.base_url);
  accounts_api_ = std::make_unique<api::AccountsApi>(*accounts_, cookie_);
  tokens_api_ = std::make_unique<api::TokensApi>(*tokens_);
  webhooks_api_ = std::make_unique<api::WebhooksApi>(*webhooks_);
  images_api_ = std::make_unique<api::ImagesApi>(*images_);
  taxonomy_api_ = std::make_unique<api::TaxonomyApi>(*articles_);
  router_ = build_routes();
  config_.pipeline.access_log = config_.log.access;
  config_.pipeline.node = node_name(config_.log);
  config_.pipeline.blocking_threads = blocking_threads(config_);
  pipeline_ = std::make_unique<Pipeline>(router_, metrics_, config_.pipeline);
  if (config_.log.access != AccessLogFormat::off) pipeline_->set_access_sink(access_sink(config_.log));
  pipeline_->set_html_errors(
      [this](const Error& e, const Principal& who) { return article_pages_->error_page(e, who); });
  pipeline_->set_authenticator(Authentication(
      cookie_.name, [this](std::string_view token) { return accounts_->authenticate(token); },
      [this](std::string_view token) { return tokens_->authenticate(token); }, cookie_.embed_name));
  pipeline_->set_embed_check([this](std::string_view origin) { return embed_->allowed(origin).has_value(); });
  // A view: a reader's GET of an article page answered 200 or 304, whether from the cache or rendered. Not a
  // conversation's further pages (a cursor), not a prefetch, not a bot.
  const Route* article_route = nullptr;
  if (config_.analytics.count_views)
    for (const auto& r : router_.routes())
      if (r.method == http::verb::get && r.pattern == "/{section}/{year}/{month}/{day}/{slug}") article_route = &r;
  std::string own_host = referrer_domain(config_.site.base_url + "/", "");
  pipeline_->set_observer(
      [this, article_route, own_host](const Route& route, const RequestContext& ctx, const Response& r) {
        auto method = ctx.request.method();
        if (method != http::verb::get && method != http::verb::head && method != http::verb::options) {
          // What a remembered reader's slots show may have changed (web/reader_slots.h): a reader's own request
          // changes only their own; staff, tokens and requests without a session (a payment's webhook, a
          // password reset) may change anyone's, when they succeed.
          const auto& who = ctx.principal;
          if (who.signed_in() && !is_staff(who.role))
            reader_slots_.forget(who.account_id);
          else if (static_cast<int>(r.status) < 400)
            reader_slots_.forget_all();
          return;
        }
        if (&route != article_route || method != http::verb::get) return;
        if (r.status != http::status::ok && r.status != http::status::not_modified) return;
        if (ctx.query.contains("cursor")) return;
        const auto& req = ctx.request;
        if (req["Sec-Purpose"].starts_with("prefetch") || req["Purpose"] == "prefetch" ||
            is_bot(req[http::field::user_agent]))
          return;
        auto domain = referrer_domain(req[http::field::referer], req[http::field::host]);
        if (domain == own_host) domain.clear();  // behind a proxy that sets its own Host
        views_.count(ctx.param("slug"), ctx.client_ip, req[http::field::user_agent], domain);
      });
  // Several nodes may share a PostgreSQL store; on either engine a busy story's page may be served stale for a
  // moment while it re-renders (http/page_cache.h): a reader who just wrote skips both.
  pipeline_->set_request_scope(read_your_writes(
      [this] { return std::chrono::duration_cast<std::chrono::seconds>(articles_->now().time_since_epoch()).count(); },
      cookie_.secure));
}

}  // namespace tribune

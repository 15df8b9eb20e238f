// The composition root: the one place that chooses the store engine and wires store -> domain -> web/api ->
// router -> pipeline. main.cpp and the in-process HTTP tests both build an App.
#pragma once

#include <atomic>
#include <boost/json.hpp>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "api/accounts_api.h"
#include "api/articles_api.h"
#include "api/comments_api.h"
#include "api/contributions_api.h"
#include "api/dashboard_api.h"
#include "api/embed_api.h"
#include "api/images_api.h"
#include "api/moderation_api.h"
#include "api/readers_api.h"
#include "api/taxonomy_api.h"
#include "api/tokens_api.h"
#include "api/webhooks_api.h"
#include "app/config.h"
#include "domain/accounts.h"
#include "domain/analytics.h"
#include "domain/articles.h"
#include "domain/comments.h"
#include "domain/digests.h"
#include "domain/embed.h"
#include "domain/moderation.h"
#include "domain/rate_limit.h"
#include "domain/readers.h"
#include "domain/tokens.h"
#include "domain/webhooks.h"
#include "hooks/webhook_sender.h"
#include "http/page_cache.h"
#include "http/pipeline.h"
#include "http/router.h"
#include "live/fanout.h"
#include "live/hub.h"
#include "mail/outbox_worker.h"
#include "payments/stripe.h"
#include "store/store.h"
#include "web/account_pages.h"
#include "web/article_pages.h"
#include "web/comment_pages.h"
#include "web/contribution_pages.h"
#include "web/dashboard_pages.h"
#include "web/desk_articles.h"
#include "web/desk_pages.h"
#include "web/desk_taxonomy.h"
#include "web/embed_pages.h"
#include "web/moderation_pages.h"
#include "web/pages.h"
#include "web/reader_pages.h"
#include "web/reader_slots.h"
#include "web/search_pages.h"
#include "web/token_pages.h"
#include "web/webhook_pages.h"

namespace tribune {

// Opens the engine the configuration names. Throws Error(unavailable) naming the path when it cannot.
std::unique_ptr<Store> open_store(const Config& config);

class App {
 public:
  // Wraps the opened engine (tests inject faults through it); the result must implement every role.
  using StoreDecorator = std::function<std::unique_ptr<Store>(std::unique_ptr<Store>)>;

  // Opens the store and brings its schema up to date.
  explicit App(Config config, const StoreDecorator& decorate = {});
  ~App();

  // Publishes the embedded demo publication when the store holds no article. Returns articles added.
  int load_demo();
  // Demo readers and conversations on the newest demo articles (app/demo_forum.cpp); after load_demo on an
  // empty store. Returns comments added.
  int load_demo_forum();

  // Builds the route table and the pipeline; call once the final base URL is known.
  void build_http();
  Pipeline& pipeline() { return *pipeline_; }

  // Keeps page caches correct: polls the store's content version (changes by other processes) and wakes
  // when a scheduled article's time comes. Stopped by the destructor.
  void start_background();
  void stop_background();

  Config& config() { return config_; }
  Store& store() { return *store_; }
  ArticleService& articles() { return *articles_; }
  ImageService& images() { return *images_; }
  TokenService& tokens() { return *tokens_; }
  WebhookService& webhooks() { return *webhooks_; }
  EmbedService& embed() { return *embed_; }
  WebhookSender& webhook_sender() { return *webhook_sender_; }  // after build_http
  AccountService& accounts() { return *accounts_; }
  CommentService& comments() { return *comments_; }
  OutboxWorker& outbox() { return *outbox_; }
  ReaderService& readers() { return *readers_; }
  ModerationService& moderation() { return *moderation_; }
  std::shared_ptr<Classifier> classifier() { return classifier_; }  // null when the rule is off
  DigestService& digests() { return *digests_; }
  ContributionService& contributions() { return *contributions_; }
  LiveHub& live() { return live_; }
  PageCache& cache() { return cache_; }
  Metrics& metrics() { return metrics_; }
  ViewCounter& view_counter() { return views_; }
  AnalyticsService& analytics() { return *analytics_; }  // after build_http
  // Writes the page views counted so far to the store (the background thread does it every
  // [analytics] flush_seconds, and once more when it stops). Throws what the store throws; nothing is lost.
  void flush_views();
  // Reads the most read and most discussed pieces of the last 48 hours again; when they changed, the page
  // caches are dropped (the background thread does it every 5 minutes). True when they changed.
  bool refresh_popular();

 private:
  Router build_routes();
  bool metrics_allowed(const RequestContext& c) const;

  Config config_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<ImageService> images_;
  std::unique_ptr<ArticleService> articles_;
  std::unique_ptr<TokenService> tokens_;
  std::unique_ptr<WebhookService> webhooks_;
  std::unique_ptr<WebhookSender> webhook_sender_;
  std::unique_ptr<EmbedService> embed_;
  std::unique_ptr<SearchService> search_;
  RateLimiter limiter_;
  std::unique_ptr<AccountService> accounts_;
  std::unique_ptr<CommentService> comments_;
  std::unique_ptr<ReaderService> readers_;
  std::unique_ptr<ModerationService> moderation_;
  std::shared_ptr<Classifier> classifier_;  // when the "classifier" rule is on
  std::unique_ptr<OutboxWorker> outbox_;
  std::unique_ptr<DigestService> digests_;
  std::unique_ptr<StripeClient> payments_;
  std::unique_ptr<ContributionService> contributions_;
  std::unique_ptr<api::ContributionsApi> contributions_api_;
  SessionCookie cookie_;
  Metrics metrics_;
  LiveHub live_;
  PageCache cache_;
  web::ReaderSlots reader_slots_;
  std::unique_ptr<PageRenderer> renderer_;
  std::unique_ptr<web::ArticlePages> article_pages_;
  std::unique_ptr<web::AccountPages> account_pages_;
  std::unique_ptr<web::CommentPages> comment_pages_;
  std::unique_ptr<web::ReaderPages> reader_pages_;
  std::unique_ptr<web::ModerationPages> moderation_pages_;
  std::unique_ptr<web::ContributionPages> contribution_pages_;
  std::unique_ptr<web::DeskPages> desk_pages_;
  std::unique_ptr<web::DeskArticles> desk_articles_;
  std::unique_ptr<web::DeskTaxonomy> desk_taxonomy_;
  std::unique_ptr<web::TokenPages> token_pages_;
  std::unique_ptr<web::WebhookPages> webhook_pages_;
  std::unique_ptr<web::EmbedPages> embed_pages_;
  std::unique_ptr<web::SearchPages> search_pages_;
  std::unique_ptr<api::EmbedApi> embed_api_;
  std::unique_ptr<api::ArticlesApi> articles_api_;
  std::unique_ptr<api::TokensApi> tokens_api_;
  std::unique_ptr<api::WebhooksApi> webhooks_api_;
  std::unique_ptr<api::ImagesApi> images_api_;
  std::unique_ptr<api::TaxonomyApi> taxonomy_api_;
  std::unique_ptr<api::AccountsApi> accounts_api_;
  std::unique_ptr<api::CommentsApi> comments_api_;
  std::unique_ptr<api::ReadersApi> readers_api_;
  std::unique_ptr<api::ModerationApi> moderation_api_;
  ViewCounter views_;
  std::unique_ptr<AnalyticsService> analytics_;
  std::mutex popular_mu_;
  std::shared_ptr<const PageRenderer::Popular> popular_;
  std::unique_ptr<web::DashboardPages> dashboard_pages_;
  std::unique_ptr<api::DashboardApi> dashboard_api_;
  Router router_;
  std::unique_ptr<Pipeline> pipeline_;
  // After the services, cache and hub it uses: its coalescer's thread delivers through them, so it stops first.
  std::unique_ptr<CommentFanout> fanout_;

  std::mutex bg_mu_;
  std::condition_variable bg_cv_;
  bool bg_stop_ = false;
  std::thread bg_thread_;
  std::thread backup_thread_;  // scheduled backups ([backup] every_minutes), when on
};

}  // namespace tribune

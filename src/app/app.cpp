#include "app/app.h"

#include <sodium.h>
#include <sys/resource.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include <charconv>
#include <filesystem>
#include <thread>

#include "domain/front_matter.h"
#include "http/cookies.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"

namespace tribune {

namespace json = boost::json;

namespace {

std::string_view change_name(CommentService::Change change) {
  switch (change) {
    case CommentService::Change::created: return "created";
    case CommentService::Change::updated:
    case CommentService::Change::reacted: return "updated";
    case CommentService::Change::removed: break;
  }
  return "removed";
}

}  // namespace

std::string App::random_node_id() {
  unsigned char bytes[8];
  randombytes_buf(bytes, sizeof bytes);
  return to_hex(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

namespace {

// PostgreSQL may still be starting (or restarting) when Tribune does: a few attempts over about ten seconds
// before giving up with the server's reason.
std::unique_ptr<Store> open_postgres_with_retries(const Config& config) {
  PostgresOptions o;
  o.url = config.store.url;
  o.pool_size = config.store.pool_size;
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
  if (ec) throw Error(ErrorKind::unavailable, "data_dir_unavailable", "cannot create " + config.data_dir + ": " + ec.message());
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

App::App(Config config, StoreDecorator decorate) : config_(std::move(config)) {
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
  articles_ = std::make_unique<ArticleService>(*store_, config_.site.locality);
  articles_->set_comment_policy(config_.comments);
  articles_->on_change([this](const Article&) { cache_.invalidate_all(); });
  tokens_ = std::make_unique<TokenService>(*store_, *store_);
  accounts_ = std::make_unique<AccountService>(*store_, *store_, *store_, limiter_, SessionPolicy{}, PasswordPolicy{}, config_.account_limits);
  readers_ = std::make_unique<ReaderService>(*store_, *store_);
  outbox_ = std::make_unique<OutboxWorker>(*store_, SmtpSender(config_.smtp), "tribune.local");
  comments_ = std::make_unique<CommentService>(*store_, *store_, *articles_, limiter_, config_.comment_limits);
  moderation_ = std::make_unique<ModerationService>(*store_, *store_, *store_, *store_, *store_, *comments_, *articles_, config_.moderation_settings);
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
  // A new comment changes its article's page and JSON; nothing else is re-rendered.
  // A comment change updates this node's caches and live pages, then tells the other nodes (peer_message).
  comments_->on_comment([this](const Article& a, const Comment& c, CommentService::Change change) {
    std::string frame = api::CommentsApi::frame(c, change);
    // The frame travels with the message when it fits, so that the other nodes need not read the store.
    std::string url = articles_->url_for(a);
    json::object m{{"kind", "comment"}, {"comment", c.id}, {"change", change_name(change)}, {"article", a.id},
                   {"url", url}, {"slug", a.slug}};
    if (frame.size() < Store::kMaxMessageBytes - 1000) m["frame"] = frame;
    auto deliver = [this, article_id = a.id, url = std::move(url), slug = a.slug, frame = std::move(frame),
                    m = std::move(m)]() mutable {
      comment_changed(article_id, url, slug, frame);
      tell_peers(std::move(m));
    };
    // Reaction counts change in bursts: at most one delivery per comment a second. Any other change carries
    // the current count too, and a reaction frame kept for later must not arrive after it and undo it.
    if (change == CommentService::Change::reacted) {
      reactions_.offer(c.id, std::move(deliver));
      return;
    }
    if (change != CommentService::Change::created) reactions_.cancel(c.id);
    deliver();
  });
  // A write that may or may not have committed: drop the article's pages here and on the other nodes.
  comments_->on_doubt([this](const Article& a) {
    comment_changed(a.id, articles_->url_for(a), a.slug, {});
    tell_peers(json::object{{"kind", "article"}, {"article", a.id}, {"url", articles_->url_for(a)}, {"slug", a.slug}});
  });
  // Notified readers with a page open hear at once; everyone else finds it in /notifications or a digest.
  comments_->on_notify([this](const Comment& c, const std::vector<Recipient>& recipients) {
    deliver_notifications(c, recipients);
    // In messages small enough for any engine: a popular author's comment may notify thousands.
    for (size_t start = 0; start < recipients.size(); start += 200) {
      json::array to;
      for (size_t i = start; i < std::min(recipients.size(), start + 200); ++i)
        to.push_back(json::array{recipients[i].account_id, json::string(recipients[i].kind)});
      tell_peers(json::object{{"kind", "notify"}, {"comment", c.id}, {"to", std::move(to)}});
    }
  });
}

void App::comment_changed(int64_t article_id, const std::string& url, const std::string& slug, const std::string& frame) {
  cache_.invalidate({url, "api:" + slug});
  cache_.invalidate_group(conversation_group(slug));
  if (!frame.empty()) live_.publish(article_id, frame);
}

void App::comment_changed(const Article& a, const std::string& frame) {
  comment_changed(a.id, articles_->url_for(a), a.slug, frame);
}

void App::deliver_notifications(const Comment& c, const std::vector<Recipient>& recipients) {
  std::optional<std::string> url;
  for (const auto& r : recipients) {
    if (!live_.has_subscribers(api::ReadersApi::topic(r.account_id))) continue;
    if (!url) {
      auto a = articles_->find_by_id(c.article_id);
      url = a ? articles_->url_for(*a) + "#comment-" + std::to_string(c.id) : std::string();
    }
    live_.publish(api::ReadersApi::topic(r.account_id), api::ReadersApi::frame(c, r.kind, *url));
  }
}

void App::tell_peers(json::object message) {
  if (!peers_listening_) return;
  message["node"] = node_id_;
  // Where the change committed: a node that reads from a replica waits for it (ReadPositions).
  if (ReadPositions::last_write) message["pos"] = ReadPositions::last_write;
  try {
    store_->publish(json::serialize(message));
  } catch (const std::exception& e) {
    // The change itself is committed; other nodes' pages catch up on their next cache refresh.
    spdlog::warn("could not tell the other nodes about a change: {}", e.what());
  }
}

void App::peer_message(std::string_view text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return;
  const auto& m = v.as_object();
  auto* node = m.if_contains("node");
  if (!node || !node->is_string() || node->as_string() == node_id_) return;  // our own, already applied
  // Before any cache drop: pages filled from here on must include the change.
  if (auto* pos = m.if_contains("pos"); pos && pos->is_number()) {
    boost::system::error_code bad;
    if (auto p = pos->to_number<uint64_t>(bad); !bad) store_->heard_position(p);
  }
  auto* kind = m.if_contains("kind");
  auto* id = m.if_contains("comment");
  if (kind && kind->is_string() && kind->as_string() == "article") {
    auto* article = m.if_contains("article");
    auto* url = m.if_contains("url");
    auto* slug = m.if_contains("slug");
    if (article && article->is_int64() && url && url->is_string() && slug && slug->is_string())
      comment_changed(article->as_int64(), std::string(url->as_string()), std::string(slug->as_string()), {});
    return;
  }
  if (!kind || !kind->is_string() || !id || !id->is_int64()) return;
  auto text_of = [&](std::string_view key) {
    auto* field = m.if_contains(key);
    return field && field->is_string() ? std::string(field->as_string()) : std::string();
  };
  if (kind->as_string() == "comment") {
    auto* article = m.if_contains("article");
    std::string frame = text_of("frame"), url = text_of("url"), slug = text_of("slug");
    if (!frame.empty() && article && article->is_int64() && !url.empty() && !slug.empty()) {
      comment_changed(article->as_int64(), url, slug, frame);
      return;
    }
    // Too large to travel: the comment's state comes from the store.
    auto c = store_->find_comment(id->as_int64());
    auto a = c ? store_->find_article_by_id(c->article_id) : std::nullopt;
    if (!a) return;
    std::string change = text_of("change");
    comment_changed(*a, api::CommentsApi::frame(*c, change == "created"   ? CommentService::Change::created
                                                    : change == "removed" ? CommentService::Change::removed
                                                                          : CommentService::Change::updated));
  } else if (kind->as_string() == "notify") {
    auto c = store_->find_comment(id->as_int64());
    if (!c) return;
    std::vector<Recipient> recipients;
    if (auto* to = m.if_contains("to"); to && to->is_array())
      for (const auto& r : to->as_array())
        if (r.is_array() && r.as_array().size() == 2 && r.as_array()[0].is_int64() && r.as_array()[1].is_string())
          recipients.push_back({r.as_array()[0].as_int64(), std::string(r.as_array()[1].as_string())});
    deliver_notifications(*c, recipients);
  }
}

App::~App() { stop_background(); }

int App::load_demo() {
  if (store_->count_articles() > 0) return 0;
  std::vector<ArticleDraft> drafts;
  for (const auto& [name, text] : embedded_demo_articles()) drafts.push_back(parse_article_file(text));
  std::sort(drafts.begin(), drafts.end(), [](const auto& a, const auto& b) { return a.published_at < b.published_at; });
  // The newest pieces are open for comments whatever the closing rules, so a fresh demo can be commented on.
  for (size_t i = 0; i < drafts.size(); ++i) {
    if (i + 2 >= drafts.size()) drafts[i].comments = CommentsMode::open;
    articles_->publish(drafts[i], true);
  }
  return static_cast<int>(drafts.size());
}

Principal App::authenticate(const Request& request) const {
  auto auth = request[http::field::authorization];
  if (auth.empty()) {
    auto token = cookie_value(request[http::field::cookie], cookie_.name);
    if (!token) return {};
    Principal p;
    auto who = accounts_->authenticate(*token);
    if (!who) {
      p.stale_session_cookie = true;
      return p;
    }
    p.kind = Principal::Kind::session;
    p.role = who->account.role;
    p.name = who->account.display_name;
    p.account_id = who->account.id;
    p.session_id = who->session_id;
    p.session_token = std::string(*token);
    p.csrf_token = who->csrf_token;
    p.supporter = who->account.supporter;
    p.account = std::make_shared<const Account>(std::move(who->account));
    return p;
  }
  if (!auth.starts_with("Bearer "))
    throw Error(ErrorKind::unauthenticated, "invalid_token", "Authorization must be 'Bearer <token>'.");
  auto token = tokens_->authenticate(auth.substr(7));
  if (!token) throw Error(ErrorKind::unauthenticated, "invalid_token", "The API token is not valid.");
  return Principal{Principal::Kind::token, token->role, token->name};
}

void App::build_http() {
  bool https = config_.site.base_url.starts_with("https://");
  cookie_ = SessionCookie::for_site(https, 180L * 24 * 3600);
  config_.pipeline.session_cookie = cookie_.name;
  config_.pipeline.secure_cookies = https;
  {
    // The configured public origin is allowed on state-changing requests besides the request's own host.
    const auto& base = config_.site.base_url;
    size_t path = base.find('/', base.find("://") == std::string::npos ? 0 : base.find("://") + 3);
    config_.pipeline.allowed_origins.push_back(base.substr(0, path));
  }
  accounts_->set_mail_settings(MailSettings{config_.site.base_url, config_.site.name});
  digests_ = std::make_unique<DigestService>(*store_, *articles_, MailSettings{config_.site.base_url, config_.site.name});
  {
    // The appeal's currency is the default one; contributions are on once Stripe has a key.
    auto& currencies = config_.contributions.currencies;
    auto it = std::find(currencies.begin(), currencies.end(), config_.site.appeal.currency);
    if (it == currencies.end()) currencies.insert(currencies.begin(), config_.site.appeal.currency);
    else std::rotate(currencies.begin(), it, it + 1);
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
  contributions_api_ = std::make_unique<api::ContributionsApi>(*contributions_);
  renderer_ = std::make_unique<PageRenderer>(config_.site, *articles_);
  web_ = std::make_unique<web::WebHandlers>(*articles_, *accounts_, *comments_, *readers_, *moderation_,
                                            *contributions_, *renderer_, cache_, metrics_, cookie_);
  comments_api_ = std::make_unique<api::CommentsApi>(*comments_, *readers_, live_, cache_);
  readers_api_ = std::make_unique<api::ReadersApi>(*readers_, *articles_, live_);
  moderation_api_ = std::make_unique<api::ModerationApi>(*moderation_);
  articles_api_ = std::make_unique<api::ArticlesApi>(*articles_, cache_, config_.site.base_url);
  accounts_api_ = std::make_unique<api::AccountsApi>(*accounts_, cookie_);
  router_ = build_routes();
  pipeline_ = std::make_unique<Pipeline>(router_, metrics_, config_.pipeline);
  pipeline_->set_html_errors([this](const Error& e, const Principal& who) { return web_->error_page(e, who); });
  pipeline_->set_authenticator([this](const Request& r) { return authenticate(r); });
  if (is_postgres_url(config_.store.url)) install_read_your_writes();  // several nodes may share the store
}

// Read-your-writes across nodes (and a lagging replica): a reader's write answers with a cookie holding its
// position and time. For a few seconds after it, the reader's requests skip this node's caches, which may
// not yet have heard of the write from the node that made it; and for as long as the cookie lives, the
// store's reads for them include the write (the replica answers only once it has replayed it).
void App::install_read_your_writes() {
  static constexpr std::string_view kCookie = "tribune_pos";
  static constexpr int64_t kFreshSeconds = 5;  // far longer than a NOTIFY takes to reach every node
  struct Written {
    uint64_t position = 0;
    int64_t at = 0;  // Unix seconds
  };
  auto written = [](const Request& r) {
    Written w;
    auto v = cookie_value(r[http::field::cookie], kCookie);
    if (!v) return w;
    auto dash = v->find('-');
    if (dash == std::string_view::npos) return w;
    // Junk reads as nothing: no floor, no bypass.
    auto a = std::from_chars(v->data(), v->data() + dash, w.position, 16);
    auto b = std::from_chars(v->data() + dash + 1, v->data() + v->size(), w.at, 16);
    if (a.ec != std::errc() || b.ec != std::errc() || a.ptr != v->data() + dash || b.ptr != v->data() + v->size())
      return Written{};
    return w;
  };
  auto unix_now = [this] { return std::chrono::duration_cast<std::chrono::seconds>(articles_->now().time_since_epoch()).count(); };
  auto fresh = [unix_now](const Written& w) {
    int64_t age = unix_now() - w.at;
    return w.position && age >= 0 && age < kFreshSeconds;
  };
  Pipeline::RequestScope scope;
  scope.skip_fast = [written, fresh](const RequestContext& ctx) { return fresh(written(ctx.request)); };
  scope.around = [this, written, fresh, unix_now](RequestContext& ctx, const std::function<Response()>& run) {
    Written w = written(ctx.request);
    ReadPositions::Scope positions(w.position);
    PageCache::Bypass bypass(fresh(w));
    Response r = run();
    if (ReadPositions::last_write > w.position) {
      char value[40];
      auto end = std::to_chars(value, value + 17, ReadPositions::last_write, 16).ptr;
      *end++ = '-';
      end = std::to_chars(end, value + sizeof value, unix_now(), 16).ptr;
      r.headers.insert(http::field::set_cookie,
                       set_cookie(kCookie, std::string_view(value, static_cast<size_t>(end - value)),
                                  {.secure = cookie_.secure, .http_only = true, .max_age = 300}));
    }
    return r;
  };
  pipeline_->set_request_scope(std::move(scope));
}


}  // namespace tribune

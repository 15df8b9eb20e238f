// Configuration: one TOML file (all keys optional), overridden by command-line flags. See docs/configuration.md.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "app/backup.h"
#include "app/logging.h"
#include "domain/accounts.h"
#include "domain/articles.h"
#include "domain/comments.h"
#include "domain/contributions.h"
#include "domain/embed.h"
#include "domain/moderation.h"
#include "domain/moderation_rules.h"
#include "domain/webhooks.h"
#include "hooks/external_rule.h"
#include "http/pipeline.h"
#include "http/server.h"
#include "live/stream_gate.h"
#include "mail/smtp_sender.h"
#include "model/image.h"
#include "payments/stripe.h"
#include "web/site.h"

namespace tribune {

// Where the store lives. An empty url (or one that is not postgresql:// or postgres://) means the SQLite
// engine in data_dir; a PostgreSQL URL selects the PostgreSQL engine.
struct StoreSettings {
  std::string url;
  int pool_size = 16;       // PostgreSQL connections per process at most
  int comment_writers = 1;  // PostgreSQL: threads (and connections, beyond the pool) committing comments
  // Optional: a streaming replica of the PostgreSQL database for read-only queries (docs/postgresql.md).
  std::string replica_url;
};

// Who may read GET /metrics (docs/configuration.md). Refused requests get 404.
enum class MetricsAccess { loopback, token, open, off };
std::string_view to_string(MetricsAccess a);
std::optional<MetricsAccess> parse_metrics_access(std::string_view s);
struct MetricsSettings {
  MetricsAccess access = MetricsAccess::loopback;  // only clients on this machine
  std::string token;                               // access = token: "Authorization: Bearer <token>"
};

// Private page-view counting (docs/dashboard.md).
struct AnalyticsSettings {
  bool count_views = true;
  std::chrono::seconds flush_every{5};  // how long counts wait in a node's memory at most (plus one flush)
};

struct Config {
  std::string data_dir;  // holds tribune.db (SQLite) and other files
  StoreSettings store;
  // Image uploads (the API's, and the desk's forms, which may carry a lead image) may be as large as an image.
  ServerOptions server{.upload_prefixes = {"POST /api/v1/images", "POST /desk/"},
                       .upload_body_limit = kMaxImageBytes + size_t{256} * 1024};
  StreamLimits streams;
  MetricsSettings metrics;
  PipelineOptions pipeline;
  SiteSettings site;
  CommentPolicy comments;
  AccountLimits account_limits;
  CommentLimits comment_limits;
  SmtpSettings smtp;
  StripeSettings stripe;
  ContributionRules contributions;
  RuleSettings moderation;
  ModerationSettings moderation_settings;
  ClassifierSettings classifier;
  ExternalRuleSettings external_rule;
  WebhookSettings webhooks;
  EmbedSettings embed;
  BackupSettings backup;
  LogSettings log;
  AnalyticsSettings analytics;
  std::chrono::seconds digest_interval{60};  // how often notification mail is looked for
  bool base_url_set = false;
  bool blocking_threads_set = false;  // [server] blocking_threads was given (blocking_threads below)

  std::string database_path() const { return data_dir + "/tribune.db"; }
};

// Reads a TOML file into config. Throws Error(invalid) naming the key for a wrong value or unknown key.
// The blocking pool's size: [server] blocking_threads if given; else 64 for a PostgreSQL store, whose requests
// spend their time waiting on round trips to the server (each carrying many requests' statements), so that
// twice as many in flight keep it busy; else the pipeline's default (32).
int blocking_threads(const Config& c);

void load_config_file(const std::string& path, Config& config);

// Secrets from outside the configuration file, which then need not hold them: for each of kSecrets, a file of
// that name in $CREDENTIALS_DIRECTORY (systemd's LoadCredential=), else the environment variable, else what the
// file said. A credential's trailing newline is dropped; an empty value counts as none. Throws Error(invalid)
// when a secret is unusable (an unreadable credential, or what check_secrets refuses).
// `env` looks a variable up (getenv by default), so tests need not change the process's environment.
struct SecretSource {
  const char* credential;          // a file name in $CREDENTIALS_DIRECTORY
  const char* variable;            // an environment variable
  const char* key;                 // the configuration key it stands for
  std::string& (*field)(Config&);  // where that key's value lives
};
inline constexpr SecretSource kSecrets[] = {
    {"stripe_secret_key", "TRIBUNE_STRIPE_SECRET_KEY", "stripe.secret_key",
     [](Config& c) -> std::string& { return c.stripe.secret_key; }},
    {"stripe_webhook_secret", "TRIBUNE_STRIPE_WEBHOOK_SECRET", "stripe.webhook_secret",
     [](Config& c) -> std::string& { return c.stripe.webhook_secret; }},
    {"smtp_password", "TRIBUNE_SMTP_PASSWORD", "mail.password",
     [](Config& c) -> std::string& { return c.smtp.password; }},
    {"metrics_token", "TRIBUNE_METRICS_TOKEN", "server.metrics_token",
     [](Config& c) -> std::string& { return c.metrics.token; }},
    {"external_rule_secret", "TRIBUNE_EXTERNAL_RULE_SECRET", "moderation.external.secret",
     [](Config& c) -> std::string& { return c.external_rule.secret; }},
    {"store_url", "TRIBUNE_STORE_URL", "store.url", [](Config& c) -> std::string& { return c.store.url; }},
};
void apply_outside_secrets(Config& config, const std::function<std::optional<std::string>(const char*)>& env = {});
// What the secrets must be, wherever they came from (apply_outside_secrets checks it last): a metrics token of
// 16 or more characters with metrics = "token", an external rule's secret of 16 or more when it has a URL.
void check_secrets(const Config& config);

// "HOST:PORT" or "[v6]:PORT". Throws Error(invalid) when malformed.
void parse_listen(const std::string& listen, ServerOptions& server);

}  // namespace tribune

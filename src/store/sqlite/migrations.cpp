#include "store/sqlite/migrations.h"

#include "store/webhook_events.h"

namespace tribune::sqlite {

namespace {

const std::string& webhook_step() {
  static const std::string sql = R"sql(
ALTER TABLE articles ADD COLUMN announced INTEGER NOT NULL DEFAULT 0;
UPDATE articles SET announced = 1 WHERE state = 'published' AND published_at <= CAST(strftime('%s', 'now') AS INTEGER);
CREATE INDEX articles_to_announce ON articles (published_at) WHERE announced = 0 AND state = 'published';
CREATE INDEX articles_to_withdraw ON articles (id) WHERE announced = 1 AND state <> 'published';
CREATE TABLE webhook_endpoints (
  id INTEGER PRIMARY KEY,
  url TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  secret TEXT NOT NULL,
  previous_secret TEXT NOT NULL DEFAULT '',
  previous_until INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  disabled_at INTEGER,
  disabled_reason TEXT NOT NULL DEFAULT '',
  failing_since INTEGER
);
CREATE TABLE webhook_subscriptions (
  event_type TEXT NOT NULL,
  endpoint_id INTEGER NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
  PRIMARY KEY (event_type, endpoint_id)
) WITHOUT ROWID;
CREATE INDEX webhook_subscriptions_by_endpoint ON webhook_subscriptions (endpoint_id);
CREATE TABLE webhook_events (
  id INTEGER PRIMARY KEY,
  type TEXT NOT NULL,
  resource TEXT NOT NULL,
  occurred_at INTEGER NOT NULL,
  data TEXT NOT NULL
);
CREATE TABLE webhook_deliveries (
  id INTEGER PRIMARY KEY,
  endpoint_id INTEGER NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
  event_id INTEGER NOT NULL REFERENCES webhook_events(id),
  resource TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  leased_until INTEGER NOT NULL DEFAULT 0,
  first_attempt_at INTEGER,
  last_attempt_at INTEGER,
  last_status INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  delivered_at INTEGER
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_in_order ON webhook_deliveries (endpoint_id, resource, id) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, id);
CREATE INDEX webhook_deliveries_by_event ON webhook_deliveries (event_id);
)sql" + store_webhooks::trigger_sql(store_webhooks::Dialect::sqlite);
  return sql;
}

}  // namespace

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> steps = {
      {1, R"sql(
CREATE TABLE sections (
  id INTEGER PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL
);
CREATE TABLE authors (
  id INTEGER PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  bio TEXT NOT NULL DEFAULT ''
);
CREATE TABLE articles (
  id INTEGER PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  title TEXT NOT NULL,
  standfirst TEXT NOT NULL DEFAULT '',
  section_id INTEGER NOT NULL REFERENCES sections(id),
  body_markdown TEXT NOT NULL,
  body_html TEXT NOT NULL,
  published_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  source_name TEXT NOT NULL DEFAULT '',
  source_url TEXT NOT NULL DEFAULT '',
  comments_mode TEXT NOT NULL DEFAULT 'default',
  comment_count INTEGER NOT NULL DEFAULT 0,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX articles_by_time ON articles (published_at DESC, id DESC);
CREATE INDEX articles_by_section ON articles (section_id, published_at DESC, id DESC);
CREATE TABLE article_authors (
  article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  author_id INTEGER NOT NULL REFERENCES authors(id),
  position INTEGER NOT NULL,
  PRIMARY KEY (article_id, author_id)
) WITHOUT ROWID;
CREATE INDEX article_authors_by_author ON article_authors (author_id, article_id);
CREATE TABLE article_tags (
  article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  tag TEXT NOT NULL,
  PRIMARY KEY (article_id, tag)
) WITHOUT ROWID;
CREATE INDEX article_tags_by_tag ON article_tags (tag, article_id);
CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY,
  token_hash BLOB NOT NULL UNIQUE,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE TABLE counters (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO counters (name, value) VALUES ('content_version', 1);
)sql"},
      {2, R"sql(
CREATE TABLE accounts (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL,
  email_normalized TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  name_key TEXT NOT NULL,
  name_key_cased TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL DEFAULT 'reader' CHECK (role IN ('reader', 'moderator', 'editor', 'admin')),
  email_verified_at INTEGER,
  created_at INTEGER NOT NULL
);
CREATE INDEX accounts_staff_names ON accounts (name_key) WHERE role <> 'reader';
CREATE INDEX accounts_staff_names_cased ON accounts (name_key_cased) WHERE role <> 'reader';
CREATE TABLE sessions (
  id INTEGER PRIMARY KEY,
  token_hash BLOB NOT NULL UNIQUE,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  user_agent TEXT NOT NULL DEFAULT '',
  ip TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_by_account ON sessions (account_id);
CREATE TABLE mail_outbox (
  id INTEGER PRIMARY KEY,
  recipient TEXT NOT NULL,
  subject TEXT NOT NULL,
  body_text TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  sent_at INTEGER,
  last_error TEXT
);
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL;
)sql"},
      {3, R"sql(
CREATE TABLE comments (
  id INTEGER PRIMARY KEY,
  article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  parent_id INTEGER REFERENCES comments(id),
  root_id INTEGER NOT NULL,
  depth INTEGER NOT NULL,
  author_id INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
  body_markdown TEXT NOT NULL,
  body_html TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('published', 'pending', 'hidden', 'rejected', 'deleted')),
  created_at INTEGER NOT NULL,
  edited_at INTEGER,
  reply_count INTEGER NOT NULL DEFAULT 0,
  recommend_count INTEGER NOT NULL DEFAULT 0,
  picked INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX comments_top_by_time ON comments (article_id, created_at, id) WHERE parent_id IS NULL AND status = 'published';
CREATE INDEX comments_top_by_votes ON comments (article_id, recommend_count, id) WHERE parent_id IS NULL AND status = 'published';
CREATE INDEX comments_by_parent ON comments (parent_id, created_at, id);
CREATE INDEX comments_by_root ON comments (root_id, created_at, id);
CREATE INDEX comments_by_article ON comments (article_id, id);
CREATE INDEX comments_by_author ON comments (author_id, created_at);
)sql"},
      {4, R"sql(
CREATE TABLE email_tokens (
  id INTEGER PRIMARY KEY,
  token_hash BLOB NOT NULL UNIQUE,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  purpose TEXT NOT NULL CHECK (purpose IN ('verify', 'reset')),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
);
CREATE INDEX email_tokens_by_account ON email_tokens (account_id, purpose);
)sql"},
      {5, R"sql(
CREATE TABLE comment_reactions (
  comment_id INTEGER NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (comment_id, account_id, kind)
) WITHOUT ROWID;
CREATE INDEX comment_reactions_by_account ON comment_reactions (account_id);
CREATE TABLE comment_reports (
  id INTEGER PRIMARY KEY,
  comment_id INTEGER NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
  reporter_id INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
  reason TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  UNIQUE (comment_id, reporter_id)
);
CREATE INDEX comment_reports_by_comment ON comment_reports (comment_id);
)sql"},
      {6, R"sql(
CREATE TABLE follows (
  follower_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  followed_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (follower_id, followed_id)
) WITHOUT ROWID;
CREATE INDEX follows_by_followed ON follows (followed_id, follower_id);
CREATE TABLE notifications (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('reply', 'followed_comment')),
  comment_id INTEGER NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  read_at INTEGER
);
CREATE INDEX notifications_by_account ON notifications (account_id, id);
)sql"},
      {7, R"sql(
ALTER TABLE accounts ADD COLUMN banned_until INTEGER;
ALTER TABLE accounts ADD COLUMN ban_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE comment_reports ADD COLUMN resolved_at INTEGER;
CREATE INDEX comment_reports_open ON comment_reports (comment_id) WHERE resolved_at IS NULL;
CREATE TABLE moderation_log (
  id INTEGER PRIMARY KEY,
  moderator_id INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
  action TEXT NOT NULL,
  comment_id INTEGER,
  account_id INTEGER,
  reason TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL
);
)sql"},
      {8, R"sql(
ALTER TABLE accounts ADD COLUMN handle TEXT NOT NULL DEFAULT '';
CREATE INDEX accounts_by_handle ON accounts (handle);
ALTER TABLE accounts ADD COLUMN digest TEXT NOT NULL DEFAULT 'daily' CHECK (digest IN ('immediate', 'daily', 'off'));
ALTER TABLE accounts ADD COLUMN digest_cursor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN digest_sent_at INTEGER NOT NULL DEFAULT 0;
CREATE TABLE notifications_v8 (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('reply', 'followed_comment', 'mention', 'moderation')),
  comment_id INTEGER NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
  detail TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  read_at INTEGER
);
INSERT INTO notifications_v8 (id, account_id, kind, comment_id, created_at, read_at)
  SELECT id, account_id, kind, comment_id, created_at, read_at FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_v8 RENAME TO notifications;
CREATE INDEX notifications_by_account ON notifications (account_id, id);
CREATE UNIQUE INDEX notifications_once ON notifications (comment_id, account_id);
CREATE TABLE comment_mentions (
  comment_id INTEGER NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  PRIMARY KEY (comment_id, account_id)
) WITHOUT ROWID;
CREATE TABLE ignores (
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  ignored_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (account_id, ignored_id)
) WITHOUT ROWID;
CREATE INDEX comments_picked ON comments (article_id, created_at, id) WHERE picked = 1 AND status = 'published';
CREATE INDEX comments_pending ON comments (id) WHERE status = 'pending';
)sql"},
      {9, R"sql(
CREATE TABLE contributions (
  id INTEGER PRIMARY KEY,
  amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
  currency TEXT NOT NULL,
  interval TEXT NOT NULL CHECK (interval IN ('once', 'month')),
  status TEXT NOT NULL DEFAULT 'created',
  status_at INTEGER NOT NULL DEFAULT 0,
  article_id INTEGER REFERENCES articles(id) ON DELETE SET NULL,
  referrer TEXT NOT NULL DEFAULT '',
  account_id INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
  email TEXT NOT NULL DEFAULT '',
  checkout_session_id TEXT UNIQUE,
  subscription_id TEXT UNIQUE,
  payment_intent_id TEXT UNIQUE,
  customer_id TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  thanked_at INTEGER
);
CREATE INDEX contributions_by_article ON contributions (article_id);
CREATE TABLE contribution_payments (
  id INTEGER PRIMARY KEY,
  contribution_id INTEGER NOT NULL REFERENCES contributions(id),
  stripe_object_id TEXT NOT NULL UNIQUE,
  amount_minor INTEGER NOT NULL,
  currency TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX contribution_payments_by_time ON contribution_payments (created_at);
CREATE TABLE stripe_events (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  created INTEGER NOT NULL,
  payload TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  processed_at INTEGER
) WITHOUT ROWID;
CREATE INDEX stripe_events_unmatched ON stripe_events (received_at) WHERE processed_at IS NULL;
ALTER TABLE accounts ADD COLUMN supporter_since INTEGER;
ALTER TABLE accounts ADD COLUMN show_supporter INTEGER NOT NULL DEFAULT 0;
)sql"},
      {10, R"sql(
ALTER TABLE comments ADD COLUMN body_hash INTEGER NOT NULL DEFAULT 0;
ALTER TABLE comments ADD COLUMN moderation_rule TEXT NOT NULL DEFAULT '';
ALTER TABLE comments ADD COLUMN moderation_reason TEXT NOT NULL DEFAULT '';
CREATE INDEX comments_by_author_text ON comments (author_id, body_hash, created_at);
)sql"},
      // Sanctions on readers; the audit log rebuilt append-only, keeping who acted by name (a deleted
      // moderator's acts stay attributed) and, for decisions, whose comment it was (account_id); the
      // classifier's saved models.
      {11, R"sql(
ALTER TABLE accounts ADD COLUMN warning TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN premoderated INTEGER NOT NULL DEFAULT 0;
CREATE TABLE moderation_log_v11 (
  id INTEGER PRIMARY KEY,
  actor_id INTEGER,
  actor_name TEXT NOT NULL DEFAULT '',
  action TEXT NOT NULL,
  comment_id INTEGER,
  account_id INTEGER,
  reason TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL
);
INSERT INTO moderation_log_v11 (id, actor_id, actor_name, action, comment_id, account_id, reason, created_at)
  SELECT l.id, nullif(l.moderator_id, 0), coalesce(a.display_name, ''), l.action, l.comment_id,
         coalesce(l.account_id, (SELECT author_id FROM comments WHERE id = l.comment_id)), l.reason, l.created_at
  FROM moderation_log l LEFT JOIN accounts a ON a.id = l.moderator_id;
DROP TABLE moderation_log;
ALTER TABLE moderation_log_v11 RENAME TO moderation_log;
CREATE INDEX moderation_log_by_comment ON moderation_log (comment_id) WHERE comment_id IS NOT NULL;
CREATE INDEX moderation_log_by_account ON moderation_log (account_id, created_at) WHERE account_id IS NOT NULL;
CREATE TRIGGER moderation_log_no_update BEFORE UPDATE ON moderation_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER moderation_log_no_delete BEFORE DELETE ON moderation_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE INDEX comments_held_by_author ON comments (author_id, article_id, id) WHERE status = 'pending';
CREATE TABLE models (
  name TEXT PRIMARY KEY,
  blob BLOB NOT NULL,
  saved_at INTEGER NOT NULL
) WITHOUT ROWID;
)sql"},
      // A change of address waits for the new address to confirm it (a "verify" token carrying the address).
      {12, R"sql(
ALTER TABLE email_tokens ADD COLUMN new_email TEXT;
ALTER TABLE email_tokens ADD COLUMN new_email_normalized TEXT;
)sql"},
      // An article's correction note. updated_at was the time an article was first saved, even for a 2009
      // piece imported today; an article never changed since (version 1) was last changed when it appeared.
      {13, R"sql(
ALTER TABLE articles ADD COLUMN correction TEXT NOT NULL DEFAULT '';
UPDATE articles SET updated_at = published_at WHERE version = 1;
)sql"},
      // Tombstones: a removed comment stays in the listings while a published comment sits anywhere below it.
      // visible_below counts those; the top-level indexes cover tombstones too.
      {14, R"sql(
ALTER TABLE comments ADD COLUMN visible_below INTEGER NOT NULL DEFAULT 0;
WITH RECURSIVE up(ancestor) AS (
  SELECT parent_id FROM comments WHERE status = 'published' AND parent_id IS NOT NULL
  UNION ALL
  SELECT p.parent_id FROM up JOIN comments p ON p.id = up.ancestor WHERE p.parent_id IS NOT NULL),
below AS (SELECT ancestor, count(*) AS n FROM up GROUP BY ancestor)
UPDATE comments SET visible_below = below.n FROM below WHERE below.ancestor = comments.id;
DROP INDEX comments_top_by_time;
DROP INDEX comments_top_by_votes;
CREATE INDEX comments_top_by_time ON comments (article_id, created_at, id)
  WHERE parent_id IS NULL AND (status = 'published' OR visible_below > 0);
CREATE INDEX comments_top_by_votes ON comments (article_id, recommend_count, id)
  WHERE parent_id IS NULL AND (status = 'published' OR visible_below > 0);
)sql"},
      // The publication's own pages (About, Privacy, ...), edited from the desk or the API.
      {15, R"sql(
CREATE TABLE pages (
  slug TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  body_markdown TEXT NOT NULL,
  body_html TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
) WITHOUT ROWID;
)sql"},
      // An edited comment's earlier texts, for moderators.
      {16, R"sql(
CREATE TABLE comment_revisions (
  id INTEGER PRIMARY KEY,
  comment_id INTEGER NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
  body_markdown TEXT NOT NULL,
  written_at INTEGER NOT NULL
);
CREATE INDEX comment_revisions_by_comment ON comment_revisions (comment_id, id);
)sql"},
      // When each API token was last used (to the minute), for the list an admin revokes from.
      {17, R"sql(
ALTER TABLE api_tokens ADD COLUMN last_used_at INTEGER;
)sql"},
      // An article's life: drafts, retractions (kept at their URL with a note) and deletions (410 Gone).
      {18, R"sql(
ALTER TABLE articles ADD COLUMN state TEXT NOT NULL DEFAULT 'published'
  CHECK (state IN ('draft', 'published', 'retracted', 'deleted'));
ALTER TABLE articles ADD COLUMN retraction TEXT NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN retracted_at INTEGER;
)sql"},
      // Every save of an article, for the desk's revisions: view, compare, restore.
      {19, R"sql(
CREATE TABLE article_revisions (
  id INTEGER PRIMARY KEY,
  article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  version INTEGER NOT NULL,
  saved_at INTEGER NOT NULL,
  saved_by TEXT NOT NULL DEFAULT '',
  snapshot TEXT NOT NULL
);
CREATE INDEX article_revisions_by_article ON article_revisions (article_id, id);
)sql"},
      // When an article's correction note was written (the /corrections page lists them by it).
      {20, R"sql(
ALTER TABLE articles ADD COLUMN corrected_at INTEGER;
UPDATE articles SET corrected_at = updated_at WHERE correction <> '';
CREATE INDEX articles_by_correction ON articles (corrected_at DESC) WHERE corrected_at IS NOT NULL;
)sql"},
      // Images (an editor's uploads, by the hash of their bytes), their renditions, and an article's lead image.
      {21, R"sql(
CREATE TABLE images (
  id TEXT PRIMARY KEY,
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  source TEXT NOT NULL,
  alt TEXT NOT NULL,
  caption TEXT NOT NULL DEFAULT '',
  credit TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL DEFAULT ''
);
CREATE TABLE image_renditions (
  image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  format TEXT NOT NULL,
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  size INTEGER NOT NULL,
  bytes BLOB NOT NULL,
  PRIMARY KEY (image_id, format, width)
);
ALTER TABLE articles ADD COLUMN lead_image TEXT REFERENCES images(id);
)sql"},
      // An article's description for search engines and sharing cards (empty: its standfirst stands in).
      {22, R"sql(
ALTER TABLE articles ADD COLUMN description TEXT NOT NULL DEFAULT '';
)sql"},
      // Whether an article has been public (its address then fixed, even as a draft again); managed sections and
      // authors (a section's introduction, an author's photo), tags with slugs (filled by
      // backfill_tags: a slug needs ICU), and the redirects that renames and tag merges leave behind.
      {23, R"sql(
ALTER TABLE articles ADD COLUMN went_out INTEGER NOT NULL DEFAULT 0;
UPDATE articles SET went_out = 1 WHERE state <> 'draft' OR EXISTS (SELECT 1 FROM article_revisions r
  WHERE r.article_id = articles.id AND r.snapshot LIKE '%"state":"published"%');
ALTER TABLE sections ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE authors ADD COLUMN photo TEXT REFERENCES images(id);
CREATE TABLE tags (
  id INTEGER PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL UNIQUE
);
CREATE TABLE slug_redirects (
  kind TEXT NOT NULL CHECK (kind IN ('section', 'author', 'tag')),
  old_slug TEXT NOT NULL,
  new_slug TEXT NOT NULL,
  PRIMARY KEY (kind, old_slug)
) WITHOUT ROWID;
)sql"},
      // Outgoing webhooks: whether receivers were told an article is public (articles.announced), endpoints, the
      // event types each chose, the events (written by triggers in the transaction of the change,
      // store/webhook_events.cpp) and their deliveries, the outbox the senders drain.
      {24, webhook_step()},
      // What each item of an imported conversation (Disqus, WordPress, Remark42) became: an import run twice or
      // resumed brings nothing in twice (store/roles/imports.h).
      {25, R"sql(
CREATE TABLE import_keys (
  source TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('thread', 'reader', 'comment')),
  key TEXT NOT NULL,
  local_id INTEGER NOT NULL,
  PRIMARY KEY (source, kind, key)
) WITHOUT ROWID;
)sql"},
      // Conversations embedded in other sites' pages: each host page's story is an article with the page's
      // address (embed_url) and what names it (embed_key); the origins an admin allowed (store/roles/embed.h).
      {26, R"sql(
ALTER TABLE articles ADD COLUMN embed_url TEXT;
ALTER TABLE articles ADD COLUMN embed_key TEXT;
CREATE UNIQUE INDEX articles_by_embed_key ON articles (embed_key) WHERE embed_key IS NOT NULL;
CREATE TABLE embed_origins (
  origin TEXT PRIMARY KEY,
  appeal INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;
)sql"},
      // Full-text search of articles (store/roles/search.h): folded text, so diacritics are gone before the
      // tokenizer (which removes any left). Filled for existing articles by the step's code (admin.cpp).
      {27, R"sql(
CREATE VIRTUAL TABLE article_search USING fts5(title, standfirst, names, body,
  tokenize = 'unicode61 remove_diacritics 2');
)sql"},
      // Private page-view counters and the dashboard's time ranges (store/roles/analytics.h).
      {28, R"sql(
CREATE TABLE article_views (
  hour INTEGER NOT NULL,
  article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  views INTEGER NOT NULL,
  PRIMARY KEY (hour, article_id)
) WITHOUT ROWID;
CREATE INDEX article_views_by_article ON article_views (article_id, hour);
CREATE TABLE referrer_hours (
  hour INTEGER NOT NULL,
  domain TEXT NOT NULL,
  views INTEGER NOT NULL,
  PRIMARY KEY (hour, domain)
) WITHOUT ROWID;
CREATE TABLE visitor_days (
  day INTEGER PRIMARY KEY,
  registers BLOB NOT NULL
);
CREATE INDEX comments_by_time ON comments (created_at);
CREATE INDEX accounts_by_creation ON accounts (created_at);
CREATE INDEX moderation_log_by_time ON moderation_log (created_at);
)sql"},
      // PostgreSQL's step 29 announces account and session changes to other nodes. A SQLite file has no other
      // nodes: the server's writer sees its own changes, another process's show within the session cache's
      // max age (store/session_cache.h).
      {29, "-- nothing to change"},
  };
  return steps;
}

}  // namespace tribune::sqlite

// The row layer both engines share: the columns a query selects for an entity, and how one row of them
// becomes the entity. Written once so that the engines, and `store copy` between them, cannot drift apart.
//
// A Row is sqlite::Statement (on a stepped row) or pg::Row: anything with int64(col), text(col),
// boolean(col) and is_null(col). The column lists are valid SQL in both dialects; what differs between the
// engines (placeholders, upserts, locks, how an article's authors and tags arrive) stays in the engines.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "model/account.h"
#include "model/article.h"
#include "model/comment.h"
#include "model/contribution.h"
#include "model/error.h"
#include "model/image.h"
#include "model/moderation.h"
#include "model/social.h"
#include "model/webhook.h"

namespace tribune::store_rows {

// Times are stored as whole seconds since the epoch in both engines.
template <class Row>
TimePoint seconds_at(const Row& r, int col) {
  return TimePoint(std::chrono::seconds(r.int64(col)));
}
inline int64_t secs(TimePoint t) {
  return t.time_since_epoch().count();
}

// 63 bits of BLAKE2b of a comment's text (comments.text_hash): finds a reader's earlier comments with the same
// text through an index. Both engines store it, so `store copy` carries it across unchanged.
int64_t text_hash(std::string_view text);

// --- Pages: the publication's own pages.
inline constexpr std::string_view kPageColumns =
    "slug, title, description, body_markdown, body_html, updated_at, version";
template <class Row>
Page read_page(const Row& r) {
  return Page{r.text(0), r.text(1), r.text(2), r.text(3), r.text(4), seconds_at(r, 5), r.int64(6)};
}

// --- Sections, authors and tags as the desk lists them: each row ends with its article count.
inline constexpr std::string_view kSectionColumns =
    "s.id, s.slug, s.name, s.description, (SELECT count(*) FROM articles a WHERE a.section_id = s.id)";
template <class Row>
Section read_section(const Row& r) {
  return Section{r.int64(0), r.text(1), r.text(2), r.text(3), r.int64(4)};
}
inline constexpr std::string_view kAuthorColumns =
    "au.id, au.slug, au.name, au.bio, coalesce(au.photo, ''), "
    "(SELECT count(*) FROM article_authors aa WHERE aa.author_id = au.id)";
template <class Row>
Author read_author(const Row& r) {
  return Author{r.int64(0), r.text(1), r.text(2), r.text(3), r.text(4), r.int64(5)};
}
inline constexpr std::string_view kTagColumns =
    "t.slug, t.name, (SELECT count(*) FROM article_tags x WHERE x.tag = t.name)";
template <class Row>
Tag read_tag(const Row& r) {
  return Tag{r.text(0), r.text(1), r.int64(2)};
}

// --- API tokens (never the hash).
inline constexpr std::string_view kTokenColumns = "id, name, role, created_at, last_used_at, revoked_at";
template <class Row>
ApiToken read_token(const Row& r) {
  ApiToken t{r.int64(0), r.text(1), role_or_reader(r.text(2)), seconds_at(r, 3)};
  if (!r.is_null(4)) t.last_used_at = seconds_at(r, 4);
  if (!r.is_null(5)) t.revoked_at = seconds_at(r, 5);
  return t;
}

// --- Images: their metadata, and the sizes of their renditions (never the bytes).
inline constexpr std::string_view kImageColumns =
    "id, width, height, source, alt, caption, credit, created_at, created_by";
inline constexpr std::string_view kRenditionColumns = "image_id, format, width, height, size";

template <class Row>
Image read_image(const Row& r) {
  Image i;
  i.id = r.text(0);
  i.width = static_cast<int>(r.int64(1));
  i.height = static_cast<int>(r.int64(2));
  i.source = parse_image_format(r.text(3)).value_or(ImageFormat::jpeg);
  i.text = ImageText{r.text(4), r.text(5), r.text(6)};
  i.created_at = seconds_at(r, 7);
  i.created_by = r.text(8);
  return i;
}

// A row of kRenditionColumns; image_id (column 0) is the caller's to match.
template <class Row>
ImageRendition read_rendition(const Row& r) {
  ImageRendition x;
  x.format = parse_image_format(r.text(1)).value_or(ImageFormat::jpeg);
  x.width = static_cast<int>(r.int64(2));
  x.height = static_cast<int>(r.int64(3));
  x.size = r.int64(4);
  return x;
}

// Renditions in the order Image::renditions promises: by format, widest first.
void sort_renditions(std::vector<ImageRendition>& renditions);

// --- Articles: the head of an article row (a alias for articles, s for sections); the engines add authors,
// tags and the body after these columns, each in its own way.
#define TRIBUNE_ARTICLE_COLUMNS                                                                              \
  "a.id, a.slug, a.title, a.standfirst, a.published_at, a.updated_at, a.source_name, a.source_url, "         \
  "a.comments_mode, a.comment_count, a.version, s.id, s.slug, s.name, a.correction, a.state, a.retraction, " \
  "a.retracted_at, a.corrected_at, a.lead_image, a.description, a.went_out, a.embed_url"
inline constexpr int kArticleWidth = 23;

template <class Row>
Article read_article_head(const Row& r) {
  Article a;
  a.id = r.int64(0);
  a.slug = r.text(1);
  a.title = r.text(2);
  a.standfirst = r.text(3);
  a.published_at = seconds_at(r, 4);
  a.updated_at = seconds_at(r, 5);
  a.source_name = r.text(6);
  a.source_url = r.text(7);
  a.comments = parse_comments_mode(r.text(8)).value_or(CommentsMode::site_default);
  a.comment_count = r.int64(9);
  a.version = r.int64(10);
  a.section = Section{r.int64(11), r.text(12), r.text(13)};
  a.correction = r.text(14);
  a.state = parse_article_state(r.text(15)).value_or(ArticleState::draft);
  a.retraction = r.text(16);
  if (!r.is_null(17)) a.retracted_at = seconds_at(r, 17);
  if (!r.is_null(18)) a.corrected_at = seconds_at(r, 18);
  if (!r.is_null(19)) a.lead_image = r.text(19);
  a.description = r.text(20);
  a.went_out = r.boolean(21);
  if (!r.is_null(22)) a.embed_url = r.text(22);
  return a;
}

// A save from an older version of the article than the stored one (ArticleRecord::expected_version).
Error article_edit_conflict();

// The WHERE condition on articles (alias a) for a query: readers' listings (published, time come) or the
// desk's (by status, by headline). time() and title() return the placeholders that bind q.visible_at and
// like_pattern(q.title_contains); each is called only when the condition uses it.
std::string article_condition(const ArticleQuery& q, const std::function<std::string()>& time,
                              const std::function<std::string()>& title);
// The ORDER BY of that query: newest first by publication, or by correction for the corrections page.
std::string_view article_order(const ArticleQuery& q);
// `text` as a LIKE pattern matching any headline that contains it (ASCII letters in any case; with
// ESCAPE '\': %, _ and \ match themselves).
std::string like_pattern(std::string_view text);

// --- Article revisions: without the snapshot (lists), then with it.
inline constexpr std::string_view kRevisionColumns = "id, article_id, version, saved_at, saved_by";
template <class Row>
ArticleRevision read_revision(const Row& r, bool with_snapshot) {
  ArticleRevision v{r.int64(0), r.int64(1), r.int64(2), seconds_at(r, 3), r.text(4), {}};
  if (with_snapshot) v.snapshot = r.text(5);
  return v;
}

// --- Accounts: unqualified (FROM accounts) or with the alias a.
inline constexpr const char* kAccountColumns =
    "id, email, display_name, role, email_verified_at, created_at, banned_until, ban_reason, digest, "
    "supporter_since IS NOT NULL, show_supporter, warning, premoderated";
inline constexpr const char* kAccountColumnsA =
    "a.id, a.email, a.display_name, a.role, a.email_verified_at, a.created_at, a.banned_until, a.ban_reason, "
    "a.digest, a.supporter_since IS NOT NULL, a.show_supporter, a.warning, a.premoderated";
inline constexpr int kAccountWidth = 13;

template <class Row>
Account read_account(const Row& r, int c) {
  Account a;
  a.id = r.int64(c);
  a.email = r.text(c + 1);
  a.display_name = r.text(c + 2);
  a.role = role_or_reader(r.text(c + 3));
  if (!r.is_null(c + 4)) a.email_verified_at = seconds_at(r, c + 4);
  a.created_at = seconds_at(r, c + 5);
  if (!r.is_null(c + 6)) a.banned_until = seconds_at(r, c + 6);
  a.ban_reason = r.text(c + 7);
  a.digest = r.text(c + 8);
  a.supporter = r.boolean(c + 9);
  a.show_supporter = r.boolean(c + 10);
  a.warning = r.text(c + 11);
  a.premoderated = r.boolean(c + 12);
  return a;
}

// --- Comments (c), with their author's name and supporter badge (ac).
#define TRIBUNE_COMMENT_COLUMNS                                                                           \
  "c.id, c.article_id, c.parent_id, c.root_id, c.depth, c.author_id, coalesce(ac.display_name, ''), "     \
  "c.body_markdown, c.body_html, c.status, c.created_at, c.edited_at, c.reply_count, c.recommend_count, " \
  "c.picked, coalesce(ac.show_supporter AND ac.supporter_since IS NOT NULL, false)"
inline constexpr const char* kCommentColumns = TRIBUNE_COMMENT_COLUMNS;
inline constexpr int kCommentWidth = 16;
inline constexpr const char* kCommentFrom = " FROM comments c LEFT JOIN accounts ac ON ac.id = c.author_id ";
// Comments shown outside their conversation (profiles, the following feed): only on articles readers see.
inline constexpr const char* kCommentArticleVisible =
    " AND c.article_id IN (SELECT id FROM articles WHERE state IN ('published', 'retracted')) ";

template <class Row>
Comment read_comment(const Row& r, int o = 0) {
  Comment c;
  c.id = r.int64(o + 0);
  c.article_id = r.int64(o + 1);
  if (!r.is_null(o + 2)) c.parent_id = r.int64(o + 2);
  c.root_id = r.int64(o + 3);
  c.depth = static_cast<int>(r.int64(o + 4));
  if (!r.is_null(o + 5)) c.author_id = r.int64(o + 5);
  c.author_name = r.text(o + 6);
  c.body_markdown = r.text(o + 7);
  c.body_html = r.text(o + 8);
  c.status = parse_comment_status(r.text(o + 9)).value_or(CommentStatus::hidden);
  c.created_at = seconds_at(r, o + 10);
  if (!r.is_null(o + 11)) c.edited_at = seconds_at(r, o + 11);
  c.reply_count = r.int64(o + 12);
  c.recommend_count = r.int64(o + 13);
  c.picked = r.boolean(o + 14);
  c.author_supporter = r.boolean(o + 15);
  return c;
}

// --- Notifications (n), each with its comment.
inline constexpr const char* kNotificationColumns =
    "n.id, n.kind, n.detail, n.created_at, n.read_at, " TRIBUNE_COMMENT_COLUMNS;
inline constexpr const char* kNotificationFrom =
    " FROM notifications n JOIN comments c ON c.id = n.comment_id LEFT JOIN accounts ac ON ac.id = c.author_id ";
// A notice about a comment taken down stays visible to its author; every other kind goes with its comment.
inline constexpr const char* kNotificationVisible = "(c.status = 'published' OR n.kind = 'moderation')";

template <class Row>
Notification read_notification(const Row& r) {
  Notification n;
  n.id = r.int64(0);
  n.kind = r.text(1);
  n.detail = r.text(2);
  n.created_at = seconds_at(r, 3);
  n.read = !r.is_null(4);
  n.comment = read_comment(r, 5);
  return n;
}

// --- Contributions (FROM contributions).
inline constexpr const char* kContributionColumns =
    "id, amount_minor, currency, interval, status, article_id, referrer, account_id, email, "
    "coalesce(checkout_session_id, ''), coalesce(subscription_id, ''), created_at";

template <class Row>
Contribution read_contribution(const Row& r) {
  Contribution c;
  c.id = r.int64(0);
  c.amount_minor = r.int64(1);
  c.currency = r.text(2);
  c.interval = r.text(3);
  c.status = r.text(4);
  if (!r.is_null(5)) c.article_id = r.int64(5);
  c.referrer = r.text(6);
  if (!r.is_null(7)) c.account_id = r.int64(7);
  c.email = r.text(8);
  c.checkout_session_id = r.text(9);
  c.subscription_id = r.text(10);
  c.created_at = seconds_at(r, 11);
  return c;
}

// --- Sessions (s), after the account's columns or alone.
inline constexpr const char* kSessionColumnsS = "s.id, s.created_at, s.last_seen_at, s.expires_at, s.user_agent, s.ip";
inline constexpr const char* kSessionColumns = "id, created_at, last_seen_at, expires_at, user_agent, ip";
inline constexpr int kSessionWidth = 6;

template <class Row>
SessionInfo read_session(const Row& r, int c, int64_t account_id) {
  return SessionInfo{r.int64(c),           account_id,    seconds_at(r, c + 1), seconds_at(r, c + 2),
                     seconds_at(r, c + 3), r.text(c + 4), r.text(c + 5)};
}

// --- The moderation queue: a comment (kCommentColumns), then its open reports, the reasons given, the rule
// that held it and why, its author's role, the reporters' notes, and for decided items the decision (its log
// entry's id, action, moderator, reason, time).
inline constexpr int kQueueWidth = kCommentWidth + 6;
inline constexpr int kDecidedQueueWidth = kQueueWidth + 5;

template <class Row>
QueueItem read_queue_item(const Row& r, bool decided) {
  QueueItem item;
  item.comment = read_comment(r);
  constexpr int c = kCommentWidth;
  item.open_reports = r.int64(c);
  item.reasons = r.text(c + 1);
  item.rule = r.text(c + 2);
  item.rule_reason = r.text(c + 3);
  item.author_role = role_or_reader(r.text(c + 4));
  item.notes = r.text(c + 5);
  if (decided) {
    item.decision_id = r.int64(c + 6);
    item.decision = r.text(c + 7);
    item.decided_by = r.text(c + 8);
    item.decision_reason = r.text(c + 9);
    item.decided_at = seconds_at(r, c + 10);
  }
  return item;
}

// --- The audit log (FROM moderation_log).
inline constexpr const char* kLogColumns =
    "id, actor_id, actor_name, action, comment_id, account_id, reason, created_at";

template <class Row>
LogEntry read_log_entry(const Row& r) {
  LogEntry e;
  e.id = r.int64(0);
  if (!r.is_null(1)) e.actor_id = r.int64(1);
  e.actor_name = r.text(2);
  e.action = r.text(3);
  if (!r.is_null(4)) e.comment_id = r.int64(4);
  if (!r.is_null(5)) e.account_id = r.int64(5);
  e.reason = r.text(6);
  e.created_at = seconds_at(r, 7);
  return e;
}

// --- Outgoing webhooks: an endpoint (e) without its events (the engines add them), a delivery (d) with its
// event (v).
inline constexpr std::string_view kWebhookEndpointColumns =
    "e.id, e.url, e.description, e.secret, e.previous_secret, e.previous_until, e.created_at, e.disabled_at, "
    "e.disabled_reason, e.failing_since";
template <class Row>
WebhookEndpoint read_webhook_endpoint(const Row& r) {
  WebhookEndpoint e;
  e.id = r.int64(0);
  e.url = r.text(1);
  e.description = r.text(2);
  e.secret = r.text(3);
  e.previous_secret = r.text(4);
  e.previous_until = seconds_at(r, 5);
  e.created_at = seconds_at(r, 6);
  if (!r.is_null(7)) e.disabled_at = seconds_at(r, 7);
  e.disabled_reason = r.text(8);
  if (!r.is_null(9)) e.failing_since = seconds_at(r, 9);
  return e;
}
// SELECT ... FROM for an endpoint (alias e) and for a delivery with its event (d, v): valid in both dialects.
std::string webhook_endpoint_select();
std::string webhook_delivery_select();
// The event types of an endpoint's subscriptions, in kWebhookEventTypes order.
std::vector<std::string> ordered_event_types(std::vector<std::string> types);

inline constexpr std::string_view kWebhookDeliveryColumns =
    "d.id, d.endpoint_id, d.event_id, v.type, d.resource, v.occurred_at, v.data, d.state, d.attempts, "
    "d.next_attempt_at, d.first_attempt_at, d.last_attempt_at, d.last_status, d.last_error, d.delivered_at";
template <class Row>
WebhookDelivery read_webhook_delivery(const Row& r) {
  WebhookDelivery d;
  d.id = r.int64(0);
  d.endpoint_id = r.int64(1);
  d.event_id = r.int64(2);
  d.type = r.text(3);
  d.resource = r.text(4);
  d.occurred_at = seconds_at(r, 5);
  d.data = r.text(6);
  auto state = r.text(7);
  d.state = state == "delivered" ? DeliveryState::delivered
            : state == "failed"  ? DeliveryState::failed
                                 : DeliveryState::pending;
  d.attempts = static_cast<int>(r.int64(8));
  d.next_attempt_at = seconds_at(r, 9);
  if (!r.is_null(10)) d.first_attempt_at = seconds_at(r, 10);
  if (!r.is_null(11)) d.last_attempt_at = seconds_at(r, 11);
  d.last_status = static_cast<int>(r.int64(12));
  d.last_error = r.text(13);
  if (!r.is_null(14)) d.delivered_at = seconds_at(r, 14);
  return d;
}

}  // namespace tribune::store_rows

#include "domain/comments.h"

#include <spdlog/spdlog.h>

#include <limits>
#include <map>
#include <set>

#include "domain/markdown.h"
#include "domain/mentions.h"
#include "model/moderation.h"

namespace tribune {

CommentService::CommentService(CommentStore& store, AccountStore& accounts_store, ArticleService& articles,
                               RateLimiter& limiter, CommentLimits limits)
    : store_(store), accounts_store_(accounts_store), articles_(articles), limiter_(limiter), limits_(limits) {}

Comment CommentService::post(const Commenter& who, std::string_view slug, const std::string& body,
                             std::optional<int64_t> parent_id) {
  // From memory: every comment on a busy story would otherwise read its article from the store first.
  auto article = articles_.find_visible_remembered(slug);
  if (!article) throw not_found("The article");
  if (!articles_.comments_open(*article))
    throw Error(ErrorKind::forbidden, "comments_closed", "Comments are closed on this article.");
  check_body(body);
  auto account = account_of(who.account_id, who.account);
  check_standing(account);
  // Every attempt counts toward a looser limit (and the address's), so that the rules cannot be driven without
  // bound; only a comment that is kept counts toward the posting limit, so that a reader told to revise is
  // not locked out for trying again. All three are counted at once, with the rules' read (one round trip
  // where the store shares the counts between nodes), and the posting hit is given back if the comment is
  // refused before it is stored.
  std::vector<RateLimiter::Hit> hits{{"comment-attempt:account:" + std::to_string(who.account_id), attempt_limit()}};
  if (!is_staff(who.role) && !who.ip.empty()) hits.push_back({"comment:ip:" + who.ip, limits_.per_ip});
  const size_t posting = hits.size();
  hits.push_back({"comment:account:" + std::to_string(who.account_id), limits_.per_account});
  NewComment c;
  c.article_id = article->id;
  c.parent_id = parent_id;
  c.author_id = who.account_id;
  c.body_markdown = body;
  c.created_at = articles_.now();
  std::optional<ActivityQuery> query;
  if (rules_) query = activity_query(who, body, c.created_at);
  std::optional<AuthorActivity> activity;
  RateLimiter::CountAlong along;
  if (query)
    along = [&](const std::vector<RateKey>& keys) {
      auto read = store_.author_activity(*query, keys);
      activity = read.activity;
      return std::move(read.counted);
    };
  auto tally = limiter_.count(hits, along);
  try {
    for (size_t i = 0; i < posting; ++i) tally.check(i);
    c.body_html = render_body(body, article->id);
    bool premoderated = articles_.comments_premoderated(*article);
    c.status = premoderated ? CommentStatus::pending : CommentStatus::published;
    if (rules_) {
      if (!activity) activity = store_.author_activity(*query);
      auto verdict = screen(who, account, *article, body, premoderated, *activity);
      c.status = verdict.action == Verdict::Action::hold ? CommentStatus::pending : CommentStatus::published;
      c.moderation_rule = verdict.rule;
      c.moderation_reason = verdict.reason;
    }
    tally.check(posting);
  } catch (...) {
    give_back(tally, posting);
    throw;
  }
  c.mentions = extract_mentions(body);
  SavedComment saved = in_doubt_drop(article, [&] { return store_.add_comment(c); });
  if (saved.comment.status == CommentStatus::published)
    for (auto& l : listeners_) l(*article, saved.comment, Change::created);
  else
    for (auto& l : held_listeners_) l(*article, saved.comment, Change::created);
  notify(saved.comment, saved.notified);
  return std::move(saved.comment);
}

// The reader is told why the comment was refused even when the give-back fails (it then leaves the window a
// hit fuller, never emptier).
void CommentService::give_back(const RateLimiter::Tally& tally, size_t i) noexcept {
  try {
    limiter_.give_back(tally, i);
  } catch (const std::exception& e) {
    spdlog::warn("could not give back a refused comment's rate-limit hit: {}", e.what());
  }
}

void CommentService::doubt(const Article& article) noexcept {
  try {
    for (auto& l : doubt_listeners_) l(article);
  } catch (const std::exception& e) {
    spdlog::warn("could not drop the pages of article {} after a failed write: {}", article.id, e.what());
  }
}

std::string CommentService::render_body(const std::string& body, int64_t article_id) const {
  std::map<std::string, std::string, std::less<>> urls;  // at most kMaxMentions look-ups per comment
  auto url_for = [&](const std::string& handle) -> std::string {
    if (auto known = urls.find(handle); known != urls.end()) return known->second;
    if (urls.size() >= kMaxMentions) return {};
    auto id = accounts_store_.find_mentioned(handle, article_id);
    return urls[handle] = id ? "/readers/" + std::to_string(*id) : std::string();
  };
  return render_markdown(body, {.tables = false, .ugc_links = true, .mention_url = url_for});
}

std::optional<Account> CommentService::account_of(int64_t account_id,
                                                  const std::shared_ptr<const Account>& given) const {
  if (given && given->id == account_id) return *given;
  return accounts_store_.find_account(account_id);
}

void CommentService::check_standing(const std::optional<Account>& account) const {
  if (!account) return;
  if (account->banned_until && *account->banned_until > articles_.now()) {
    bool ban = is_ban(*account->banned_until, articles_.now());
    throw Error(ErrorKind::forbidden, ban ? "banned" : "suspended",
                std::string(ban ? "You are banned from commenting"
                                : "You are suspended from commenting until " + format_rfc3339(*account->banned_until)) +
                    (account->ban_reason.empty() ? "." : ": " + account->ban_reason));
  }
  if (!account->warning.empty())
    throw Error(ErrorKind::forbidden, "warning_unacknowledged",
                "A moderator warned you: " + account->warning +
                    " Acknowledge the warning on your account page to comment again.");
}

Candidate CommentService::text_candidate(const Commenter& who, std::string_view article_slug,
                                         const std::string& body) const {
  Candidate c{body, who.account_id, std::string(article_slug), who.role};
  if (classifier_ && rules_->uses("classifier")) c.spam_score = classifier_->score(body);
  return c;
}

ActivityQuery CommentService::activity_query(const Commenter& who, const std::string& body, TimePoint now) const {
  const auto& settings = rules_->settings();
  ActivityQuery q;
  q.account_id = who.account_id;
  q.body = body;
  q.same_text_since = now - std::chrono::hours(1);
  if (rules_->uses("new_reader")) q.published_cap = settings.hold_first_comments;
  if (rules_->uses("rejection_rate")) q.decisions_since = now - std::chrono::days(settings.rejection_window_days);
  return q;
}

Verdict CommentService::screen(const Commenter& who, const std::optional<Account>& account, const Article& article,
                               const std::string& body, bool premoderated, const AuthorActivity& activity) {
  Candidate candidate = text_candidate(who, article.slug, body);
  candidate.article_premoderated = premoderated;
  candidate.author_premoderated = account && account->premoderated;
  candidate.author_published = activity.published;
  candidate.same_text_recently = activity.same_text;
  candidate.recent_decisions = activity.decided;
  candidate.recent_rejections = activity.rejected;
  auto verdict = rules_->run(candidate, external_);
  using A = Verdict::Action;
  if (verdict.action == A::reject)
    throw invalid_field("body", verdict.nudge ? "needs_revision" : "rejected",
                        verdict.reason + (verdict.nudge ? " Please revise it." : ""));
  if (verdict.action == A::hold && verdict.nudge && !who.acknowledged_nudge)
    throw invalid_field("body", "needs_revision",
                        verdict.reason + " Revise it, or post it as it is and a moderator will read it.")
        .allow_post_anyway();
  return verdict;
}

void CommentService::check_body(const std::string& body) {
  if (!is_valid_utf8(body)) throw invalid_field("body", "invalid_utf8", "The comment is not valid UTF-8 text.");
  if (has_control_chars(body))
    throw invalid_field("body", "control_characters", "The comment contains control characters.");
  if (body.size() > kMaxCommentBytes)
    throw invalid_field("body", "too_long", "Comments are at most 20,000 characters.");
  if (trim(body).empty()) throw invalid_field("body", "empty_comment", "Write something first.");
}

std::vector<Comment> CommentService::held_for(int64_t account_id, std::string_view slug) const {
  auto article = articles_.find_visible(slug);
  if (!article) throw not_found("The article");
  return store_.held_comments(account_id, article->id, 50);
}

void CommentService::empty_removed(std::vector<Comment>& listed) {
  for (auto& c : listed)
    if (c.status != CommentStatus::published) to_tombstone(c);
}

Comment CommentService::published(int64_t comment_id) const {
  auto c = store_.find_comment(comment_id);
  if (!c || c->status != CommentStatus::published) throw not_found("The comment");
  return *c;
}

void CommentService::notify(const Comment& c, const std::vector<Recipient>& recipients) {
  if (recipients.empty()) return;
  for (auto& l : notify_listeners_) l(c, recipients);
}

void CommentService::changed(const Comment& c, Change change) {
  changed(articles_.find_by_id(c.article_id), c, change);
}

void CommentService::changed(const std::optional<Article>& article, const Comment& c, Change change) {
  if (!article) return;
  for (auto& l : listeners_) l(*article, c, change);
}

Comment CommentService::edit(const Actor& who, int64_t comment_id, const std::string& body) {
  auto c = published(comment_id);
  if (!c.author_id || *c.author_id != who.account_id)
    throw Error(ErrorKind::forbidden, "not_author", "Only the author can edit a comment.");
  if (articles_.now() - c.created_at > limits_.edit_window)
    throw Error(
        ErrorKind::forbidden, "edit_window_closed",
        "Comments can be edited for " + std::to_string(limits_.edit_window.count() / 60) + " minutes after posting.");
  check_body(body);
  // Every sanction that stops a reader posting stops them editing: otherwise a banned reader could rewrite
  // what they published before the ban.
  auto account = account_of(who.account_id, who.account);
  check_standing(account);
  limiter_.hit("edit-attempt:account:" + std::to_string(who.account_id), attempt_limit());
  auto article = articles_.find_by_id(c.article_id);
  if (!article) throw not_found("The comment");
  // A retracted article's conversation is closed to new words, edits included.
  if (article->state != ArticleState::published)
    throw Error(ErrorKind::forbidden, "comments_closed", "Comments are closed on this article.");
  bool hold = articles_.comments_premoderated(*article) || (account && account->premoderated);
  if (rules_) {
    // An edit passes the rules about the text itself (words, links, the classifier, the external rule); one
    // that would need a review is refused rather than taking a published comment down.
    Candidate candidate = text_candidate({who.account_id, {}, {}, who.role}, article->slug, body);
    candidate.author_published = std::numeric_limits<int64_t>::max();
    auto verdict = rules_->run(candidate, external_);
    if (verdict.action == Verdict::Action::reject)
      throw invalid_field("body", verdict.nudge ? "needs_revision" : "rejected", verdict.reason);
    if (verdict.action == Verdict::Action::hold && !hold)
      throw invalid_field("body", "needs_revision",
                          verdict.reason + " Revise your edit, or keep the comment as it was.");
  }
  limiter_.hit("edit:account:" + std::to_string(who.account_id), limits_.per_account);
  auto html = render_body(body, c.article_id);
  auto when = articles_.now();
  // Pre-moderation covers the new text too: the comment waits for a moderator again.
  if (!in_doubt_drop(article, [&] { return store_.edit_comment(comment_id, body, html, when, hold); }))
    throw not_found("The comment");
  c.body_markdown = body;
  c.body_html = html;
  c.edited_at = when;
  if (hold) {
    c.status = CommentStatus::pending;
    changed(article, c, Change::removed);
  } else {
    changed(article, c, Change::updated);
  }
  return c;
}

void CommentService::remove(const Actor& who, int64_t comment_id) {
  auto c = published(comment_id);
  bool own = c.author_id && *c.author_id == who.account_id;
  if (!own && !is_staff(who.role))
    throw Error(ErrorKind::forbidden, "not_author", "You can delete only your own comments.");
  auto article = articles_.find_by_id(c.article_id);  // read while the store answers (see in_doubt_drop)
  if (in_doubt_drop(article, [&] { return store_.delete_comment(comment_id); })) {
    c.status = CommentStatus::deleted;
    changed(article, c, Change::removed);
  }
}

int64_t CommentService::react(const Actor& who, int64_t comment_id, const std::string& kind, bool on) {
  if (kind != "recommend") throw invalid_field("kind", "unknown_reaction", "The only reaction is 'recommend'.");
  auto c = published(comment_id);
  if (c.author_id && *c.author_id == who.account_id)
    throw Error(ErrorKind::forbidden, "own_comment", "You cannot recommend your own comment.");
  check_standing(account_of(who.account_id, who.account));
  limiter_.hit("react:account:" + std::to_string(who.account_id), limits_.reactions);
  auto article = articles_.find_by_id(c.article_id);
  if (!article) throw not_found("The comment");  // a draft's or a deleted article's
  int64_t count = in_doubt_drop(article, [&] { return store_.set_reaction(comment_id, who.account_id, kind, on); });
  if (count != c.recommend_count) {
    c.recommend_count = count;
    changed(article, c, Change::reacted);
  }
  return count;
}

void CommentService::pick(const Actor& who, int64_t comment_id, bool on) {
  if (!is_staff(who.role))
    throw Error(ErrorKind::forbidden, "forbidden", "Only editors and moderators choose editor's picks.");
  auto c = published(comment_id);
  if (c.picked == on) return;
  auto article = articles_.find_by_id(c.article_id);
  if (!in_doubt_drop(article, [&] { return store_.set_pick(comment_id, on); })) throw not_found("The comment");
  c.picked = on;
  changed(article, c, Change::updated);
}

void CommentService::report(const Actor& who, int64_t comment_id, const std::string& reason, const std::string& note) {
  bool known = false;
  for (auto r : kReportReasons) known = known || r.code == reason;
  if (!known) throw invalid_field("reason", "invalid_reason", "reason must be spam, abuse, off_topic or other.");
  if (!is_valid_utf8(note) || has_control_chars(note) || note.size() > 500)
    throw invalid_field("note", "invalid_note", "The note must be at most 500 characters of text.");
  auto c = published(comment_id);
  if (!articles_.find_by_id(c.article_id)) throw not_found("The comment");  // a draft's or a deleted article's
  limiter_.hit("report:account:" + std::to_string(who.account_id), {30, std::chrono::hours(1)});
  store_.add_report(comment_id, who.account_id, reason, note);
}

CommentService::Page CommentService::list(std::string_view slug, CommentQuery query) const {
  auto article = articles_.find_visible(slug);
  if (!article) throw not_found("The article");
  query.article_id = article->id;
  Page page{*article, store_.list_comments(query)};
  empty_removed(page.list.comments);
  return page;
}

CommentService::Thread CommentService::thread(int64_t comment_id) const {
  auto found = store_.find_comment(comment_id);
  if (!found) throw not_found("The comment");
  Comment c = std::move(*found);
  auto article = articles_.find_by_id(c.article_id);
  if (!article || article->published_at > articles_.now()) throw not_found("The comment");
  Thread t{*article, {}};
  // The whole thread from its root, then the part under this comment (descendants have it as an ancestor).
  auto all = store_.list_thread_replies({c.root_id}, kThreadLimit, kThreadLimit);
  std::set<int64_t> inside{c.id};
  bool published_below = false;
  for (auto& r : all)  // oldest first: a parent always comes before its replies
    if (r.parent_id && inside.contains(*r.parent_id)) {
      inside.insert(r.id);
      published_below = published_below || r.status == CommentStatus::published;
      t.conversation.replies.push_back(std::move(r));
    }
  // A removed comment has a page of its own only as the tombstone over published replies.
  if (c.status != CommentStatus::published && !published_below) throw not_found("The comment");
  t.conversation.top.push_back(std::move(c));
  empty_removed(t.conversation.top);
  empty_removed(t.conversation.replies);
  t.conversation.total = article->comment_count;
  return t;
}

Conversation CommentService::conversation(const Article& article, CommentSort sort, std::optional<CommentCursor> after,
                                          int top_limit, int reply_limit) const {
  Conversation c;
  CommentQuery q;
  q.article_id = article.id;
  q.sort = sort;
  q.after = after;
  q.limit = top_limit;
  auto page = store_.list_comments(q);
  c.top = std::move(page.comments);
  c.next = page.next;
  std::vector<int64_t> roots;
  if (sort != CommentSort::picks)  // picks stand alone, replies or not
    for (const auto& t : c.top)
      if (t.reply_count > 0 || t.status != CommentStatus::published) roots.push_back(t.id);
  c.replies = store_.list_thread_replies(roots, kRepliesShown, reply_limit);
  empty_removed(c.top);
  empty_removed(c.replies);
  c.replies_per_thread = kRepliesShown;
  c.total = article.comment_count;
  c.sort = sort;
  return c;
}

}  // namespace tribune

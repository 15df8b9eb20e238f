#include "domain/comments.h"

#include "domain/markdown.h"

namespace tribune {

std::string_view to_string(CommentStatus s) {
  switch (s) {
    case CommentStatus::published: return "published";
    case CommentStatus::pending: return "pending";
    case CommentStatus::hidden: return "hidden";
    case CommentStatus::rejected: return "rejected";
    case CommentStatus::deleted: return "deleted";
  }
  return "hidden";
}

std::optional<CommentStatus> parse_comment_status(std::string_view s) {
  for (auto st : {CommentStatus::published, CommentStatus::pending, CommentStatus::hidden, CommentStatus::rejected,
                  CommentStatus::deleted})
    if (to_string(st) == s) return st;
  return std::nullopt;
}

std::optional<CommentSort> parse_comment_sort(std::string_view s) {
  if (s == "newest") return CommentSort::newest;
  if (s == "oldest") return CommentSort::oldest;
  if (s == "top") return CommentSort::top;
  return std::nullopt;
}

CommentService::CommentService(Store& store, ArticleService& articles, RateLimiter& limiter, CommentLimits limits)
    : store_(store), articles_(articles), limiter_(limiter), limits_(limits) {}

Comment CommentService::post(const Commenter& who, std::string_view slug, const std::string& body,
                             std::optional<int64_t> parent_id) {
  auto article = articles_.find_visible(slug);
  if (!article) throw not_found("The article");
  if (!articles_.comments_open(*article))
    throw Error(ErrorKind::forbidden, "comments_closed", "Comments are closed on this article.");
  if (!is_valid_utf8(body)) throw invalid_field("body", "invalid_utf8", "The comment is not valid UTF-8 text.");
  if (has_control_chars(body))
    throw invalid_field("body", "control_characters", "The comment contains control characters.");
  if (body.size() > kMaxCommentBytes)
    throw invalid_field("body", "too_long", "Comments are at most 20,000 characters.");
  if (trim(body).empty()) throw invalid_field("body", "empty_comment", "Write something first.");
  limiter_.hit("comment:account:" + std::to_string(who.account_id), limits_.per_account);
  NewComment c;
  c.article_id = article->id;
  c.parent_id = parent_id;
  c.author_id = who.account_id;
  c.body_markdown = body;
  c.body_html = render_markdown(body, {.tables = false, .ugc_links = true});
  c.status = CommentStatus::published;
  c.created_at = articles_.now();
  Comment stored = store_.add_comment(c);
  for (auto& l : listeners_) l(*article, stored);
  return stored;
}

CommentService::Page CommentService::list(std::string_view slug, CommentQuery query) const {
  auto article = articles_.find_visible(slug);
  if (!article) throw not_found("The article");
  query.article_id = article->id;
  return Page{*article, store_.list_comments(query)};
}

Conversation CommentService::conversation(const Article& article, int top_limit, int reply_limit) const {
  Conversation c;
  CommentQuery q;
  q.article_id = article.id;
  q.limit = top_limit;
  auto page = store_.list_comments(q);
  c.top = std::move(page.comments);
  c.next = page.next;
  std::vector<int64_t> roots;
  for (const auto& t : c.top)
    if (t.reply_count > 0) roots.push_back(t.id);
  c.replies = store_.list_thread_replies(roots, reply_limit);
  c.total = article.comment_count;
  return c;
}

}  // namespace tribune

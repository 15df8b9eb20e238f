// JSON API v1: comments.
#pragma once

#include <boost/json/object.hpp>

#include "domain/comments.h"
#include "domain/readers.h"
#include "http/message.h"
#include "http/page_cache.h"
#include "live/hub.h"

namespace tribune::api {

class CommentsApi {
 public:
  CommentsApi(CommentService& comments, ReaderService& readers, LiveHub& live, PageCache& cache)
      : comments_(comments), readers_(readers), live_(live), cache_(cache) {}

  // GET /api/v1/articles/{slug}/comments?sort=newest|oldest|top&limit&cursor&parent_id
  //   -> {comments, next_cursor, total}
  Response list(RequestContext& ctx);
  // The same from the cache, on the I/O thread: listings are the same for every reader (their own bits
  // come from mine()), stored per query, precompressed, and stale when a comment of the article changes.
  std::optional<Response> list_cached(RequestContext& ctx);
  // POST /api/v1/articles/{slug}/comments {body, parent_id?} (signed in) -> 201 {comment}
  Response create(RequestContext& ctx);

  // PATCH /api/v1/comments/{id} {body} (author, within the edit window) -> {comment}
  Response edit(RequestContext& ctx);
  // DELETE /api/v1/comments/{id} (author or staff) -> 204
  Response remove(RequestContext& ctx);
  // PUT|DELETE /api/v1/comments/{id}/reactions/{kind} -> {reactions: {recommend: N}, mine: bool}
  Response react(RequestContext& ctx);
  // POST /api/v1/comments/{id}/reports {reason, note?} -> 201
  Response report(RequestContext& ctx);
  // GET /api/v1/articles/{slug}/comments/mine?ids=1,2,3&authors=4,5 -> {reactions: {"1": ["recommend"]},
  // following: [author ids the reader follows], ignoring: [every reader they ignore]} (the per-reader bits)
  Response mine(RequestContext& ctx);
  // PUT|DELETE /api/v1/comments/{id}/pick (editor, moderator, admin) -> {picked}
  Response pick(RequestContext& ctx);
  // GET /api/v1/comment-counts?articles=slug1,slug2 (at most 100) -> {counts: {slug: N}}
  Response counts(RequestContext& ctx);
  static constexpr size_t kMaxCountSlugs = 100;

  // GET /api/v1/articles/{slug}/events (Last-Event-ID) -> text/event-stream of comment.created,
  // comment.updated, comment.removed
  Response events(RequestContext& ctx);

 private:
  CommentService& comments_;
  ReaderService& readers_;
  LiveHub& live_;
  PageCache& cache_;
};

}  // namespace tribune::api

// JSON API v1: reader profiles, following, the feed, notifications.
#pragma once

#include "domain/articles.h"
#include "domain/readers.h"
#include "http/message.h"
#include "live/hub.h"

namespace tribune::api {

class ReadersApi {
 public:
  ReadersApi(ReaderService& readers, ArticleService& articles, LiveHub& live)
      : readers_(readers), articles_(articles), live_(live) {}

  // PUT|DELETE /api/v1/readers/{id}/follow (signed in) -> {following: bool, followers: N}
  Response follow(RequestContext& ctx);
  // GET /api/v1/readers/{id} -> {reader: {id, display_name, member_since, followers, following, followed}, comments}
  Response profile(RequestContext& ctx);
  // GET /api/v1/me/feed?before=ID&limit=N -> {comments, next_before}
  Response feed(RequestContext& ctx);
  // GET /api/v1/me/notifications?before=ID&limit=N -> {notifications, unread, next_before}
  Response notifications(RequestContext& ctx);
  // POST /api/v1/me/notifications/read {up_to} -> 204
  Response mark_read(RequestContext& ctx);
  // PUT|DELETE /api/v1/readers/{id}/ignore (signed in) -> {ignoring: bool}
  Response ignore(RequestContext& ctx);
  // PUT /api/v1/me/digest {digest: immediate|daily|off} -> {digest}
  Response set_digest(RequestContext& ctx);
  // PUT /api/v1/me/supporter-badge {show: bool} -> {show}
  Response set_supporter_badge(RequestContext& ctx);
  // GET /api/v1/me/events -> text/event-stream of "notification" events for the signed-in reader
  Response events(RequestContext& ctx);

 private:
  ReaderService& readers_;
  ArticleService& articles_;
  LiveHub& live_;
};

}  // namespace tribune::api

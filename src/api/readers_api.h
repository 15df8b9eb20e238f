// JSON API v1: reader profiles, following, the feed, notifications.
#pragma once

#include "domain/readers.h"
#include "http/message.h"

namespace tribune::api {

class ReadersApi {
 public:
  explicit ReadersApi(ReaderService& readers) : readers_(readers) {}

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

 private:
  ReaderService& readers_;
};

}  // namespace tribune::api

// JSON API v1 of embedded conversations (docs/embed.md): the sites allowed to embed them (admin), and the
// comment counts a host's listing pages ask for (anyone; CORS for the allowed sites only).
#pragma once

#include "domain/embed.h"
#include "http/message.h"

namespace tribune::api {

class EmbedApi {
 public:
  explicit EmbedApi(EmbedService& embed) : embed_(embed) {}

  // GET /api/v1/embed/origins -> {origins: [{origin, appeal, configured}]}
  Response origins(RequestContext& ctx);
  // POST /api/v1/embed/origins {origin, appeal?} -> 201 {origin, appeal, configured: false}
  Response allow(RequestContext& ctx);
  // DELETE /api/v1/embed/origins?origin=https://news.example -> 204
  Response remove(RequestContext& ctx);
  // GET /api/v1/comment-counts?url=U&url=V&id=I[&origin=O] -> {counts: [{url|identifier, count}]}, in the order
  // asked. The site is the request's Origin header (a page's script), else `origin`, else the first url's.
  // Identifiers need the site. Answers an allowed site only (403 origin_not_allowed), with CORS for it.
  Response counts(RequestContext& ctx);

 private:
  EmbedService& embed_;
};

}  // namespace tribune::api

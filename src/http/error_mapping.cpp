#include "http/error_mapping.h"

#include <boost/json.hpp>

namespace tribune {

http::status status_for(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::bad_request:
      return http::status::bad_request;
    case ErrorKind::invalid:
      return http::status::unprocessable_entity;
    case ErrorKind::unauthenticated:
      return http::status::unauthorized;
    case ErrorKind::forbidden:
    case ErrorKind::csrf_failed:
      return http::status::forbidden;
    case ErrorKind::not_found:
      return http::status::not_found;
    case ErrorKind::method_not_allowed:
      return http::status::method_not_allowed;
    case ErrorKind::conflict:
      return http::status::conflict;
    case ErrorKind::gone:
      return http::status::gone;
    case ErrorKind::payload_too_large:
      return http::status::payload_too_large;
    case ErrorKind::headers_too_large:
      return http::status::request_header_fields_too_large;
    case ErrorKind::timeout:
      return http::status::request_timeout;
    case ErrorKind::unsupported_media_type:
      return http::status::unsupported_media_type;
    case ErrorKind::rate_limited:
      return http::status::too_many_requests;
    case ErrorKind::unavailable:
      return http::status::service_unavailable;
    case ErrorKind::internal:
      return http::status::internal_server_error;
  }
  return http::status::internal_server_error;
}

Response json_error(const Error& e) {
  boost::json::object err{{"code", e.code()}, {"message", e.message()}};
  if (!e.field().empty()) err["field"] = e.field();
  if (e.code() == "needs_revision") err["post_anyway"] = e.post_anyway();
  boost::json::object root{{"error", std::move(err)}};
  return Response::json(status_for(e.kind()), boost::json::serialize(root));
}

Response Response::text(http::status s, std::string body, std::string_view content_type) {
  Response r;
  r.status = s;
  r.headers.set(http::field::content_type, content_type);
  r.body = std::move(body);
  return r;
}

Response Response::json(http::status s, std::string body) {
  return text(s, std::move(body), "application/json; charset=utf-8");
}

Response Response::redirect(http::status s, std::string_view location) {
  Response r;
  r.status = s;
  r.headers.set(http::field::location, location);
  r.headers.set(http::field::content_type, "text/plain; charset=utf-8");
  r.body = "Moved to " + std::string(location) + "\n";
  return r;
}

}  // namespace tribune

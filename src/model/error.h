// The one error vocabulary of Tribune. Every failure a caller can act on is an Error with a kind (which
// decides the HTTP status, in http/error_mapping.cpp and nowhere else), a stable snake_case code that
// clients may match on, a human message, and optionally the offending input field.
#pragma once

#include <stdexcept>
#include <string>

namespace tribune {

enum class ErrorKind {
  bad_request,      // malformed input: syntax, encoding, types
  invalid,          // well-formed but breaks a rule (validation)
  unauthenticated,  // no or bad credentials
  forbidden,        // authenticated, not allowed
  csrf_failed,      // missing or wrong CSRF token or Origin
  not_found,
  method_not_allowed,
  conflict,  // duplicates, races lost
  gone,
  payload_too_large,
  headers_too_large,
  timeout,  // the request did not arrive in time
  unsupported_media_type,
  rate_limited,
  unavailable,  // dependency down or shutting down: retry later
  internal,     // a bug or an unexpected failure: never shows details to the client
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, std::string code, const std::string& message, std::string field = {})
      : std::runtime_error(message), kind_(kind), code_(std::move(code)), field_(std::move(field)) {}

  ErrorKind kind() const noexcept { return kind_; }
  const std::string& code() const noexcept { return code_; }
  const std::string& field() const noexcept { return field_; }
  std::string message() const { return what(); }
  // Seconds a client should wait before retrying (rate_limited, unavailable); 0 when not applicable.
  int retry_after() const noexcept { return retry_after_; }
  void set_retry_after(int seconds) noexcept { retry_after_ = seconds; }
  // A nudge the author may override by sending again with acknowledge_nudge (needs_revision only).
  bool post_anyway() const noexcept { return post_anyway_; }
  Error& allow_post_anyway() noexcept {
    post_anyway_ = true;
    return *this;
  }

 private:
  ErrorKind kind_;
  std::string code_;
  std::string field_;
  int retry_after_ = 0;
  bool post_anyway_ = false;
};

inline Error invalid_field(std::string field, std::string code, const std::string& message) {
  return Error(ErrorKind::invalid, std::move(code), message, std::move(field));
}

inline Error not_found(std::string what) {
  return Error(ErrorKind::not_found, "not_found", std::move(what) + " was not found.");
}

}  // namespace tribune

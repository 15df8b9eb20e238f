// Cookie header parsing and Set-Cookie building.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tribune {

// The value of the first cookie called name in a Cookie header.
std::optional<std::string_view> cookie_value(std::string_view header, std::string_view name);

struct CookieOptions {
  bool secure = false;  // over https: Secure and the __Host- prefix
  bool http_only = true;
  long max_age = -1;  // seconds; -1: session cookie; 0: delete
  // For a page framed on another site (an embed): SameSite=None; Secure; Partitioned (CHIPS). The browser keeps
  // it apart for each site that frames the page and sends it only there, even with third-party cookies blocked.
  bool partitioned = false;
};

// "name=value; Path=/; SameSite=Lax; HttpOnly[; Secure][; Max-Age=N]", or with SameSite=None; Secure;
// Partitioned for a partitioned cookie.
std::string set_cookie(std::string_view name, std::string_view value, const CookieOptions& options);
// The same Set-Cookie value made partitioned (see CookieOptions::partitioned).
std::string partitioned_cookie(std::string_view set_cookie_value);

// The session cookie: its name (with the __Host- prefix over https), flags and lifetime.
struct SessionCookie {
  std::string name = "tribune_session";
  bool secure = false;
  long max_age = 180L * 24 * 3600;
  // The session of a reader inside an embed's frame on another site (docs/embed.md): its own name, so that it
  // never takes the place of the first-party one (a browser without partitioned cookies, a host site that is
  // the same site as Tribune's).
  std::string embed_name = "tribune_embed_session";

  static SessionCookie for_site(bool https, long max_age_seconds) {
    return SessionCookie{https ? "__Host-tribune_session" : "tribune_session", https, max_age_seconds,
                         https ? "__Host-tribune_embed_session" : "tribune_embed_session"};
  }
  std::string set(std::string_view token) const { return set_cookie(name, token, {secure, true, max_age}); }
  std::string clear() const { return set_cookie(name, "", {secure, true, 0}); }
};

}  // namespace tribune

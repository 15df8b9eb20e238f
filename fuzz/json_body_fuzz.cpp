// JSON request bodies as the API handlers read them (src/api/json_io.h): parse_object with the fields a
// handler knows, then optional_string / required_string / string_list on each of them.
//
// Input: the body, sent as application/json. Contract checked:
//   - parse_object returns an object with no field outside `known`, or throws Error: 400 invalid_utf8,
//     invalid_json or unknown_field (naming a field that is indeed unknown);
//   - it accepts only valid UTF-8, and what it accepts serialises to JSON that parses to the same value. Two
//     allowances for Boost.JSON 1.81 (no handler echoes a number it was sent): it reads 1e999 as infinity and
//     writes that as "Infinity", which is not JSON, so such bodies are left out; and its number parser is not
//     correctly rounded (precise parsing came in 1.83), so a double may come back a few ULPs away.
//   - the field readers give valid UTF-8 strings, or throw Error naming the field (400 invalid_type,
//     422 missing_field);
//   - the content type: the body is read only when the type before ';', trimmed and in any case, is
//     application/json (else 415). The first line of the input is tried as a Content-Type header.
#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "api/json_io.h"
#include "fuzz_check.h"
#include "model/error.h"
#include "util/text.h"

namespace {

using namespace tribune;
namespace json = boost::json;

// The union of the fields the API's bodies take (docs/api.md): articles, comments, accounts, moderation.
constexpr std::initializer_list<std::string_view> kKnown = {"title",        "slug",
                                                            "standfirst",   "authors",
                                                            "author_bio",   "section",
                                                            "tags",         "published_at",
                                                            "source_name",  "source_url",
                                                            "comments",     "body",
                                                            "parent_id",    "acknowledge_nudge",
                                                            "email",        "password",
                                                            "display_name", "current_password",
                                                            "new_password", "sign_out_others",
                                                            "token",        "role",
                                                            "reason",       "note",
                                                            "decision",     "ids"};

bool has_non_finite(const json::value& v) {
  if (v.is_double()) return !std::isfinite(v.get_double());
  if (v.is_array())
    for (const auto& x : v.get_array())
      if (has_non_finite(x)) return true;
  if (v.is_object())
    for (const auto& kv : v.get_object())
      if (has_non_finite(kv.value())) return true;
  return false;
}

// Equal, but doubles only within a relative 1e-14 (see the header comment).
bool same_json(const json::value& a, const json::value& b) {
  if (a.is_double() && b.is_double()) {
    double x = a.get_double(), y = b.get_double();
    return x == y || std::fabs(x - y) <= 1e-14 * std::max(std::fabs(x), std::fabs(y));
  }
  if (a.is_array() && b.is_array()) {
    const auto &x = a.get_array(), &y = b.get_array();
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i)
      if (!same_json(x[i], y[i])) return false;
    return true;
  }
  if (a.is_object() && b.is_object()) {
    const auto &x = a.get_object(), &y = b.get_object();
    if (x.size() != y.size()) return false;
    for (const auto& kv : x) {
      auto it = y.find(kv.key());
      if (it == y.end() || !same_json(kv.value(), it->value())) return false;
    }
    return true;
  }
  return a == b;
}

bool known(std::string_view key) {
  for (auto k : kKnown)
    if (k == key) return true;
  return false;
}

RequestContext context_for(const Request& request) {
  return RequestContext{request, "/api/v1/x", {}, {}, "127.0.0.1", {}};
}

template <class F>
void field_reader(std::string_view key, F f) {
  try {
    f();
  } catch (const Error& e) {
    FUZZ_CHECK(e.field() == key);
    FUZZ_CHECK((e.kind() == ErrorKind::bad_request && e.code() == "invalid_type") ||
               (e.kind() == ErrorKind::invalid && e.code() == "missing_field"));
  }
}

void check_body(std::string_view body) {
  Request request{http::verb::post, "/api/v1/x", 11};
  request.set(http::field::content_type, "application/json; charset=utf-8");
  request.body() = std::string(body);
  auto ctx = context_for(request);
  json::object o;
  try {
    o = api::parse_object(ctx, kKnown);
  } catch (const Error& e) {
    FUZZ_CHECK(e.kind() == ErrorKind::bad_request);
    FUZZ_CHECK(e.code() == "invalid_utf8" || e.code() == "invalid_json" || e.code() == "unknown_field");
    if (e.code() == "unknown_field") FUZZ_CHECK(!known(e.field()));
    return;
  }
  FUZZ_CHECK(is_valid_utf8(body));
  for (const auto& kv : o) FUZZ_CHECK(known(kv.key()));

  json::value whole(o);
  if (!has_non_finite(whole)) {
    std::string text = json::serialize(whole);
    boost::system::error_code ec;
    json::value back = json::parse(text, ec);
    if (ec || !same_json(back, whole)) fuzz::print_escaped("serialised", text);
    FUZZ_CHECK(!ec && same_json(back, whole));
  }

  for (auto key : kKnown) {
    field_reader(key, [&] {
      if (auto s = api::optional_string(o, key)) FUZZ_CHECK(is_valid_utf8(*s));
    });
    field_reader(key, [&] { FUZZ_CHECK(is_valid_utf8(api::required_string(o, key))); });
    field_reader(key, [&] {
      for (const auto& s : api::string_list(o, key)) FUZZ_CHECK(is_valid_utf8(s));
    });
  }
}

void check_content_type(std::string_view type) {
  Request request{http::verb::post, "/api/v1/x", 11};
  request.set(http::field::content_type, type);
  request.body() = "{}";
  auto ctx = context_for(request);
  // Beast keeps the header value as given; the reader must take it as it comes.
  std::string_view sent = request[http::field::content_type];
  std::string expected = to_lower_ascii(trim(sent.substr(0, sent.find(';'))));
  bool accepted = true;
  try {
    api::parse_object(ctx, kKnown);
  } catch (const Error& e) {
    FUZZ_CHECK(e.kind() == ErrorKind::unsupported_media_type);
    accepted = false;
  }
  FUZZ_CHECK(accepted == (expected == "application/json"));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  check_body(input);
  std::string_view first_line = input.substr(0, std::min(input.find('\n'), size_t{100}));
  check_content_type(first_line);
  return 0;
}

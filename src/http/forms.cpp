#include "http/forms.h"

#include <boost/url/params_view.hpp>
#include <boost/url/parse_query.hpp>

#include "model/error.h"
#include "util/text.h"

namespace tribune {

// Boost.URL 1.81's parse_query, which params_view(string_view) calls too, takes the text's length from
// strlen(data()) instead of the view's size: given a view that does not end in a NUL, an empty one included,
// it reads past it and hands out fields from the bytes beyond ("a=1&b=2" inside "a=1&b=2xyz" gives b=2xyz).
// Found by fuzz/form_fuzz. The text is therefore copied into a std::string, which always ends in a NUL.

std::map<std::string, std::string, std::less<>> parse_form(std::string_view body_view) {
  const std::string body(body_view);
  auto parsed = boost::urls::parse_query(body);
  if (!parsed) throw Error(ErrorKind::bad_request, "invalid_form", "The form data is malformed.");
  boost::urls::encoding_opts opts;
  opts.space_as_plus = true;
  std::map<std::string, std::string, std::less<>> out;
  for (auto p : boost::urls::params_view(body, opts)) {
    std::string key(p.key), value(p.value);
    if (!is_valid_utf8(key) || !is_valid_utf8(value))
      throw Error(ErrorKind::bad_request, "invalid_form", "The form data is not valid UTF-8.");
    out.emplace(std::move(key), std::move(value));
  }
  return out;
}

std::vector<std::string> form_values(std::string_view body_view, std::string_view name) {
  parse_form(body_view);              // validates the whole body
  const std::string body(body_view);  // see above
  boost::urls::encoding_opts opts;
  opts.space_as_plus = true;
  std::vector<std::string> out;
  for (auto p : boost::urls::params_view(body, opts))
    if (p.key == name) out.emplace_back(p.value);
  return out;
}

std::optional<std::string> form_value(std::string_view body, std::string_view name) {
  auto fields = parse_form(body);
  auto it = fields.find(name);
  if (it == fields.end()) return std::nullopt;
  return it->second;
}

}  // namespace tribune

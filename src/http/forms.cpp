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

namespace {

Error malformed(const std::string& why) {
  return Error(ErrorKind::bad_request, "invalid_form", "The form data is malformed: " + why + ".");
}

// A parameter of a header value: name="value" or name=value, matched without regard to case. The value's
// parameters are read in order, quotes respected, so a ';' or a "name=" inside a quoted value is text.
std::optional<std::string> header_parameter(std::string_view header, std::string_view name) {
  size_t at = header.find(';');
  while (at != std::string_view::npos && at < header.size()) {
    ++at;
    while (at < header.size() && (header[at] == ' ' || header[at] == '\t')) ++at;
    size_t eq = header.find_first_of("=;", at);
    if (eq == std::string_view::npos) return std::nullopt;
    if (header[eq] == ';') {  // a parameter without a value
      at = eq;
      continue;
    }
    bool wanted = to_lower_ascii(trim(header.substr(at, eq - at))) == name;
    std::string value;
    size_t i = eq + 1;
    if (i < header.size() && header[i] == '"') {
      bool closed = false;
      for (++i; i < header.size(); ++i) {
        if (header[i] == '\\' && i + 1 < header.size()) {
          value += header[++i];
        } else if (header[i] == '"') {
          closed = true;
          ++i;
          break;
        } else {
          value += header[i];
        }
      }
      if (!closed) return std::nullopt;
      at = header.find(';', i);
    } else {
      at = header.find(';', i);
      value = trim(header.substr(i, at == std::string_view::npos ? std::string_view::npos : at - i));
    }
    if (wanted) return value;
  }
  return std::nullopt;
}

}  // namespace

std::vector<FormPart> parse_multipart(std::string_view body, std::string_view content_type) {
  if (!to_lower_ascii(content_type).starts_with("multipart/form-data")) throw malformed("not multipart/form-data");
  auto boundary = header_parameter(content_type, "boundary");
  if (!boundary || boundary->empty() || boundary->size() > 70) throw malformed("no boundary");
  const std::string delimiter = "--" + *boundary;
  const std::string next = "\r\n" + delimiter;
  if (!body.starts_with(delimiter)) throw malformed("it does not start with its boundary");
  size_t at = delimiter.size();
  std::vector<FormPart> parts;
  for (;;) {
    if (body.substr(at).starts_with("--")) return parts;  // the closing delimiter
    if (!body.substr(at).starts_with("\r\n")) throw malformed("a boundary is not followed by a line end");
    at += 2;
    size_t head_end = body.find("\r\n\r\n", at);
    if (head_end == std::string_view::npos) throw malformed("a part has no end of headers");
    FormPart part;
    std::string_view head = body.substr(at, head_end - at);
    bool has_disposition = false;
    for (size_t line_at = 0; line_at <= head.size();) {
      size_t line_end = head.find("\r\n", line_at);
      if (line_end == std::string_view::npos) line_end = head.size();
      std::string_view line = head.substr(line_at, line_end - line_at);
      line_at = line_end + 2;
      size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      auto name = to_lower_ascii(line.substr(0, colon));
      std::string_view value = line.substr(colon + 1);
      if (name == "content-disposition") {
        if (!to_lower_ascii(trim(value)).starts_with("form-data")) throw malformed("a part is not form data");
        auto field_name = header_parameter(value, "name");
        if (!field_name) throw malformed("a part has no name");
        part.name = *field_name;
        part.filename = header_parameter(value, "filename");
        has_disposition = true;
      } else if (name == "content-type") {
        part.content_type = trim(value);
      }
    }
    if (!has_disposition) throw malformed("a part has no Content-Disposition");
    size_t data_at = head_end + 4;
    size_t data_end = body.find(next, data_at);
    if (data_end == std::string_view::npos) throw malformed("the body ends inside a part");
    part.data = body.substr(data_at, data_end - data_at);
    if (!is_valid_utf8(part.name) || (part.filename && !is_valid_utf8(*part.filename)) ||
        (!part.filename && !is_valid_utf8(part.data)))
      throw Error(ErrorKind::bad_request, "invalid_form", "The form data is not valid UTF-8.");
    parts.push_back(std::move(part));
    if (parts.size() > 100) throw malformed("it has more than 100 parts");
    at = data_end + next.size();
  }
}

std::map<std::string, std::string, std::less<>> multipart_fields(const std::vector<FormPart>& parts) {
  std::map<std::string, std::string, std::less<>> out;
  for (const auto& p : parts)
    if (!p.filename) out.emplace(p.name, std::string(p.data));
  return out;
}

}  // namespace tribune

#include "web/form_support.h"

#include "http/forms.h"
#include "model/error.h"

namespace tribune::web {

// Only local paths: "/x" but never "//host" or "/\\host", which browsers treat as another site.
std::string safe_return_to(std::string_view target) {
  if (target.empty() || target.front() != '/' || target.size() > 500) return "/";
  if (target.size() > 1 && (target[1] == '/' || target[1] == '\\')) return "/";
  for (char c : target)
    if (static_cast<unsigned char>(c) < 0x21 || c == '\\' || c == '"' || c == '<' || c == '>') return "/";
  return std::string(target);
}

ClientInfo client_of(const RequestContext& ctx) {
  return ClientInfo{ctx.client_ip, std::string(ctx.request[http::field::user_agent])};
}

std::map<std::string, std::string, std::less<>> form_of(const RequestContext& ctx) {
  auto type = ctx.request[http::field::content_type];
  if (to_lower_ascii(type).starts_with("multipart/form-data"))
    return multipart_fields(parse_multipart(ctx.request.body(), type));
  if (!type.starts_with("application/x-www-form-urlencoded"))
    throw Error(ErrorKind::unsupported_media_type, "unsupported_media_type", "Send the form as a web browser does.");
  return parse_form(ctx.request.body());
}

std::string_view uploaded_file(const RequestContext& ctx, std::string_view name) {
  auto type = ctx.request[http::field::content_type];
  if (!to_lower_ascii(type).starts_with("multipart/form-data")) return {};
  for (const auto& part : parse_multipart(ctx.request.body(), type))
    if (part.name == name && part.filename) return part.data;
  return {};
}

std::string field(const std::map<std::string, std::string, std::less<>>& form, std::string_view name) {
  auto it = form.find(name);
  return it == form.end() ? std::string() : it->second;
}

std::string csv_field(std::string_view v) {
  bool quote = v.find_first_of(",\"\r\n") != std::string_view::npos;
  // A leading =, +, -, @, tab or carriage return would be a formula to a spreadsheet: prefix it so it stays
  // text.
  std::string out =
      !v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' || v[0] == '\r') ? "'"
                                                                                                               : "";
  for (char c : v) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quote ? "\"" + out + "\"" : out;
}

Response see_other(std::string_view location) {
  return Response::redirect(http::status::see_other, location);
}

std::optional<int64_t> form_id(const std::map<std::string, std::string, std::less<>>& form, std::string_view name) {
  auto raw = field(form, name);
  int64_t id = 0;
  auto [p, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), id);
  if (raw.empty() || ec != std::errc() || p != raw.data() + raw.size() || id <= 0) return std::nullopt;
  return id;
}

int64_t query_id(const RequestContext& ctx, std::string_view name) {
  auto v = ctx.query_value(name);
  if (!v) return 0;
  int64_t id = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), id);
  return ec == std::errc() && p == v->data() + v->size() && id > 0 ? id : 0;
}

}  // namespace tribune::web

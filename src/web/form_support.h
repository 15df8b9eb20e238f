// Helpers shared by the page handlers that take forms (posted without JavaScript) and query parameters.
#pragma once

#include <charconv>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "domain/accounts.h"
#include "http/message.h"

namespace tribune::web {

using Form = std::map<std::string, std::string, std::less<>>;

// Only local paths: "/x" but never "//host" or "/\\host", which browsers treat as another site; else "/".
std::string safe_return_to(std::string_view target);
ClientInfo client_of(const RequestContext& ctx);
// The text fields of a POSTed form, urlencoded or multipart. Errors: unsupported_media_type for anything else.
Form form_of(const RequestContext& ctx);
// The bytes of the file the form's file input `name` carries (multipart forms); empty when none was chosen.
// A view into the request's body.
std::string_view uploaded_file(const RequestContext& ctx, std::string_view name);
// The field's value, empty when absent.
std::string field(const Form& form, std::string_view name);
// "on=1" turns a follow, an ignore or a pick on; anything else turns it off.
inline bool on_field(const Form& form) {
  return field(form, "on") == "1";
}
// A positive id in the field, or nullopt.
std::optional<int64_t> form_id(const Form& form, std::string_view name);
// A positive id in the query, or 0 when absent or malformed.
int64_t query_id(const RequestContext& ctx, std::string_view name);
Response see_other(std::string_view location);
// One CSV field: quoted when needed, and never read as a formula by a spreadsheet.
std::string csv_field(std::string_view v);

}  // namespace tribune::web

// HTML form bodies: application/x-www-form-urlencoded, and multipart/form-data (forms that carry a file).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tribune {

// Decoded fields; the first value of a repeated name wins. Throws Error(bad_request, invalid_form) on
// malformed encoding or invalid UTF-8.
std::map<std::string, std::string, std::less<>> parse_form(std::string_view body);
std::optional<std::string> form_value(std::string_view body, std::string_view name);
// Every value of a repeated name (checkboxes), in order.
std::vector<std::string> form_values(std::string_view body, std::string_view name);

// One part of a multipart/form-data body (RFC 7578). data views the body it was parsed from.
struct FormPart {
  std::string name;
  std::optional<std::string> filename;  // set for a file input (empty when no file was chosen)
  std::string content_type;             // as the client declared it: never trusted for what the bytes are
  std::string_view data;
};
// The parts of a multipart/form-data body whose Content-Type header is content_type (its boundary is read
// from there). Throws Error(bad_request, invalid_form) on a missing boundary, a malformed or unterminated
// body, more than 100 parts, or a text field's name or value that is not UTF-8.
std::vector<FormPart> parse_multipart(std::string_view body, std::string_view content_type);
// The text fields of such a body (file parts left out), as parse_form gives them.
std::map<std::string, std::string, std::less<>> multipart_fields(const std::vector<FormPart>& parts);

}  // namespace tribune

// application/x-www-form-urlencoded bodies (HTML forms without JavaScript).
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

}  // namespace tribune

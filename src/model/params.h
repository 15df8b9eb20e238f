// Named text parameters as a request carries them (a URL's query string, decoded). The layer that owns a
// parameter's meaning parses it; these helpers give every layer the same answers for the common shapes.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace tribune {

using Params = std::map<std::string, std::string, std::less<>>;

std::optional<std::string_view> param(const Params& params, std::string_view key);
// A keyset position: 0 when absent; Error(bad_request, invalid_cursor) unless a whole number >= 0.
int64_t position_param(const Params& params, std::string_view key);
// An optional id: nullopt when absent or empty; Error(invalid, invalid_id) unless a whole number > 0.
std::optional<int64_t> optional_id_param(const Params& params, std::string_view key);

}  // namespace tribune

#include "model/params.h"

#include <charconv>

#include "model/error.h"

namespace tribune {

std::optional<std::string_view> param(const Params& params, std::string_view key) {
  auto it = params.find(key);
  if (it == params.end()) return std::nullopt;
  return std::string_view(it->second);
}

int64_t position_param(const Params& params, std::string_view key) {
  auto v = param(params, key);
  if (!v) return 0;
  int64_t id = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), id);
  if (ec != std::errc() || p != v->data() + v->size() || id < 0)
    throw Error(ErrorKind::bad_request, "invalid_cursor", std::string(key) + " must be an id.", std::string(key));
  return id;
}

std::optional<int64_t> optional_id_param(const Params& params, std::string_view key) {
  auto v = param(params, key);
  if (!v || v->empty()) return std::nullopt;
  int64_t id = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), id);
  if (ec != std::errc() || end != v->data() + v->size() || id <= 0)
    throw invalid_field(std::string(key), "invalid_id", std::string(key) + " must be a positive whole number.");
  return id;
}

}  // namespace tribune

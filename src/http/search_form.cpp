#include "http/search_form.h"

#include <charconv>

#include "http/cursors.h"

namespace tribune {

SearchForm search_form(const RequestContext& ctx) {
  SearchForm f;
  auto value = [&](const char* name) { return std::string(ctx.query_value(name).value_or("")); };
  f.q = value("q");
  f.section = value("section");
  f.from = value("from");
  f.to = value("to");
  auto number = [&](const char* name, int absent) {
    auto p = ctx.query_value(name);
    if (!p) return absent;
    int n = 0;
    auto [end, ec] = std::from_chars(p->data(), p->data() + p->size(), n);
    return ec == std::errc() && end == p->data() + p->size() ? n : 0;
  };
  f.page = number("page", 1);
  f.limit = number("limit", 10);
  if (auto c = ctx.query_value("cursor"); c && !c->empty()) f.offset = decode_offset_cursor(*c);
  return f;
}

}  // namespace tribune

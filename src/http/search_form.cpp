#include "http/search_form.h"

#include <charconv>

namespace tribune {

SearchForm search_form(const RequestContext& ctx) {
  SearchForm f;
  auto value = [&](const char* name) { return std::string(ctx.query_value(name).value_or("")); };
  f.q = value("q");
  f.section = value("section");
  f.from = value("from");
  f.to = value("to");
  if (auto p = ctx.query_value("page")) {
    int n = 0;
    auto [end, ec] = std::from_chars(p->data(), p->data() + p->size(), n);
    f.page = ec == std::errc() && end == p->data() + p->size() ? n : 0;
  }
  return f;
}

}  // namespace tribune

#include "store/search_rows.h"

#include "util/search_text.h"

namespace tribune::store_search {

Document document(std::string_view title, std::string_view standfirst, std::string_view names,
                  std::string_view body_html) {
  return {fold_for_search(title), fold_for_search(standfirst), fold_for_search(names),
          fold_for_search(text_of_html(body_html))};
}

namespace {

// Terms hold folded words: letters and digits, never a quote. Anything else is dropped, to be sure.
std::string quoted(const SearchTerm& t) {
  std::string out = "\"";
  for (size_t i = 0; i < t.words.size(); ++i) {
    if (i) out += ' ';
    for (char ch : t.words[i])
      if (ch != '"') out += ch;
  }
  return out + "\"";
}

}  // namespace

std::string fts5_query(const std::vector<SearchTerm>& terms) {
  std::string out;
  for (const auto& t : terms)
    if (!t.excluded) out += (out.empty() ? "" : " ") + quoted(t);
  for (const auto& t : terms)
    if (t.excluded) out += " NOT " + quoted(t);
  return out;
}

std::string websearch_query(const std::vector<SearchTerm>& terms) {
  std::string out;
  for (const auto& t : terms) out += (out.empty() ? "" : " ") + std::string(t.excluded ? "-" : "") + quoted(t);
  return out;
}

}  // namespace tribune::store_search

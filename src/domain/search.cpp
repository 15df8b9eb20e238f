#include "domain/search.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "model/error.h"
#include "util/search_text.h"

namespace tribune {

std::vector<SearchTerm> parse_search_terms(std::string_view q) {
  std::vector<SearchTerm> terms;
  size_t i = 0;
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (i < q.size() && terms.size() < SearchService::kMaxTerms) {
    while (i < q.size() && space(q[i])) ++i;
    if (i >= q.size()) break;
    bool excluded = false;
    if (q[i] == '-') {
      excluded = true;
      ++i;
    }
    std::string_view raw;
    if (i < q.size() && q[i] == '"') {
      size_t close = q.find('"', i + 1);
      if (close == std::string_view::npos) close = q.size();
      raw = q.substr(i + 1, close - i - 1);
      i = close + 1;
    } else {
      size_t end = i;
      while (end < q.size() && !space(q[end])) ++end;
      raw = q.substr(i, end - i);
      i = end;
    }
    SearchTerm t;
    t.excluded = excluded;
    for_each_word(raw, [&](size_t b, size_t e) { t.words.push_back(fold_word(raw.substr(b, e - b))); });
    if (t.words.empty()) continue;
    // Outside quotes, "covid-19" or "l'été" is still one term: its words next to each other, as typed.
    terms.push_back(std::move(t));
  }
  return terms;
}

std::string highlight(std::string_view text, const std::vector<std::string>& words, size_t max_bytes) {
  struct Span {
    size_t begin, end;
    bool match;
  };
  std::set<std::string, std::less<>> wanted(words.begin(), words.end());
  std::vector<Span> spans;
  for_each_word(text, [&](size_t b, size_t e) {
    spans.push_back({b, e, wanted.contains(fold_word(text.substr(b, e - b)))});
  });
  size_t from = 0, to = text.size();
  if (max_bytes && text.size() > max_bytes && !spans.empty()) {
    auto first = std::find_if(spans.begin(), spans.end(), [](const Span& s) { return s.match; });
    size_t at = first == spans.end() ? 0 : static_cast<size_t>(first - spans.begin());
    // A few words of lead-in before the first match, then whole words up to about max_bytes.
    size_t start = at > 6 ? at - 6 : 0;
    from = start == 0 ? 0 : spans[start].begin;
    size_t last = start;
    while (last + 1 < spans.size() && spans[last + 1].end - from <= max_bytes) ++last;
    to = last + 1 < spans.size() ? spans[last].end : text.size();
  }
  std::string out;
  if (from > 0) out += "… ";
  size_t pos = from;
  for (const auto& s : spans) {
    if (s.end <= from || s.begin >= to || !s.match) continue;
    append_html_escaped(out, text.substr(pos, s.begin - pos));
    out += "<mark>";
    append_html_escaped(out, text.substr(s.begin, s.end - s.begin));
    out += "</mark>";
    pos = s.end;
  }
  append_html_escaped(out, text.substr(pos, to - pos));
  if (to < text.size()) out += " …";
  return out;
}

SearchResults SearchService::search(const SearchForm& form, const std::string& client_ip) const {
  const auto characters = std::count_if(form.q.begin(), form.q.end(), [](char c) { return (c & 0xC0) != 0x80; });
  if (characters > static_cast<std::ptrdiff_t>(kMaxQueryCharacters))
    throw Error(ErrorKind::invalid, "query_too_long",
                "Search for at most " + std::to_string(kMaxQueryCharacters) + " characters.", "q");
  if (form.page < 1 || form.page > kMaxPages)
    throw Error(ErrorKind::invalid, "invalid_page", "Pages run from 1 to " + std::to_string(kMaxPages) + ".", "page");
  if (form.limit < 1 || form.limit > kMaxLimit)
    throw Error(ErrorKind::invalid, "invalid_limit", "A page holds 1 to " + std::to_string(kMaxLimit) + " results.",
                "limit");
  if (form.offset && (*form.offset < 0 || *form.offset >= kMaxResults))
    throw Error(ErrorKind::invalid, "invalid_cursor", "The cursor is not one this server issued.", "cursor");
  if (!form.offset && (form.page - 1) * form.limit >= kMaxResults)
    throw Error(ErrorKind::invalid, "invalid_page",
                "Results go " + std::to_string(kMaxResults) + " deep: ask with fewer words or a narrower date.",
                "page");
  // The local midnight that starts a day ("2026-03-29"), or with next, the one that ends it (a day with a
  // clock change is 23 or 25 hours long).
  auto day = [&](const std::string& text, const char* field, bool next = false) -> std::optional<TimePoint> {
    if (text.empty()) return std::nullopt;
    Error bad(ErrorKind::invalid, "invalid_date", "Give a date as YYYY-MM-DD.", field);
    if (text.size() != 10) throw bad;
    auto start = parse_local(text + "T00:00", locality_);
    if (!start) throw bad;
    if (!next) return start;
    auto d = local_date(*start + std::chrono::hours(36), locality_);  // safely inside the next day
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT00:00", d.year, d.month, d.day);
    return parse_local(buffer, locality_);
  };
  ArticleSearch s;
  s.terms = parse_search_terms(form.q);
  s.from = day(form.from, "from");
  s.until = day(form.to, "to", true);  // the whole of the last day
  if (!form.section.empty()) s.section_slug = form.section;
  s.visible_at = now_();
  s.limit = form.limit;
  s.offset = form.offset.value_or((form.page - 1) * form.limit);

  SearchResults out;
  out.page = form.page;
  out.asked = std::any_of(s.terms.begin(), s.terms.end(), [](const SearchTerm& t) { return !t.excluded; });
  if (!out.asked) return out;
  limiter_.hit("search:ip:" + client_ip, kPerAddress);
  auto found = store_.search_articles(s);
  if (found.articles.empty() && s.offset > 0) {  // past the last page: how many there are, all the same
    auto first = s;
    first.offset = 0;
    first.limit = 1;
    found.total = store_.search_articles(first).total;
  }
  out.total = found.total;
  out.pages = static_cast<int>(std::min<int64_t>((found.total + s.limit - 1) / s.limit, kMaxPages));
  if (int next = s.offset + s.limit; next < found.total && next < kMaxResults) out.next_offset = next;
  std::vector<std::string> words;
  for (const auto& t : s.terms)
    if (!t.excluded) words.insert(words.end(), t.words.begin(), t.words.end());
  for (auto& a : found.articles) {
    SearchHit hit;
    hit.title_html = highlight(a.title, words);
    std::string body = text_of_html(a.body_html);
    hit.snippet_html = highlight(body.empty() ? a.standfirst : body, words, 240);
    hit.snippet = text_of_html(hit.snippet_html);
    hit.article = std::move(a);
    hit.article.body_html.clear();  // the hit shows its snippet, not its body
    hit.article.body_markdown.clear();
    out.hits.push_back(std::move(hit));
  }
  return out;
}

}  // namespace tribune

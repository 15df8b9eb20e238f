#include "imports/importer.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <unordered_map>
#include <vector>

#include "domain/accounts.h"
#include "domain/articles.h"
#include "domain/markdown.h"
#include "imports/html_text.h"
#include "model/account.h"
#include "model/article.h"
#include "model/error.h"
#include "store/roles/accounts.h"
#include "store/roles/imports.h"
#include "util/curl_client.h"

namespace tribune::imports {

namespace {

std::ifstream open_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorKind::not_found, "file_not_found", "cannot read " + path);
  return in;
}

// The last segment of the address's path ("https://old.example/2009/07/my-piece/" -> "my-piece"), as a slug.
std::string slug_from_url(const std::string& url) {
  auto end = url.find_first_of("?#");
  std::string path = url.substr(0, end);
  while (!path.empty() && path.back() == '/') path.pop_back();
  auto scheme = path.find("://");
  // No path ("https://site/?p=123"): the address names no slug; the title will.
  if (scheme != std::string::npos && path.find('/', scheme + 3) == std::string::npos) return {};
  auto slash = path.rfind('/');
  std::string last = slash == std::string::npos ? path : path.substr(slash + 1);
  if (last == "index.html" || last == "index.php" || last == "index.htm") return {};
  for (std::string_view ext : {".html", ".htm", ".php"})
    if (last.ends_with(ext)) last.resize(last.size() - ext.size());
  return slugify(last);
}

std::string fit_slug(std::string slug) {
  if (slug.size() > kMaxSlug) slug.resize(kMaxSlug);
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  return is_valid_slug(slug) ? slug : std::string();
}

// Imported comments longer than this are left out (named in the summary): a reader's own are at most 20,000
// bytes, and a page of such walls is what readers would pay for.
constexpr size_t kMaxImportedComment = size_t{64} * 1024;

// WordPress keeps what its writers typed and adds the markup only when it shows it (wpautop): a blank line is
// a paragraph, a single line break a break.
std::string wordpress_paragraphs(std::string_view text) {
  std::string out = "<p>";
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') continue;
    if (text[i] == '\n') {
      size_t j = i;
      int newlines = 0;
      while (j < text.size() && (text[j] == '\n' || text[j] == '\r' || text[j] == ' ' || text[j] == '\t'))
        newlines += text[j++] == '\n';
      out += newlines >= 2 ? "</p><p>" : "<br>";
      i = j - 1;
      continue;
    }
    out += text[i];
  }
  return out + "</p>";
}

// "slow-roads" -> "Slow roads": a headline for a thread the source kept without its title.
std::string title_from_slug(std::string slug) {
  std::ranges::replace(slug, '-', ' ');
  if (!slug.empty() && slug[0] >= 'a' && slug[0] <= 'z') slug[0] = static_cast<char>(slug[0] - 'a' + 'A');
  return slug;
}

// Cuts at a character boundary, at most max bytes.
std::string cut(std::string s, size_t max) {
  if (s.size() <= max) return s;
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  s.resize(n);
  return s;
}

class Run {
 public:
  Run(ArticleService& articles, ImportStore& store, AccountStore& accounts, EmbedService* embed, const ImportOptions& o,
      ImportSummary& s)
      : articles_(articles),
        store_(store),
        accounts_(accounts),
        embed_(embed),
        o_(o),
        s_(s),
        source_(std::string(to_string(o.format)) + (o.site.empty() ? "" : ":" + o.site)) {
    batch_.source = source_;
  }

  void thread(SourceThread&& t) {
    if (!t.skip.empty()) {
      skipped_threads_.insert(t.key);
      ++s_.skipped[t.skip];
      return;
    }
    if (thread_articles_.contains(t.key)) return;
    if (auto id = store_.imported_id(source_, "thread", t.key)) {
      ++s_.threads_existing;
      thread_articles_[t.key] = *id;
      return;
    }
    if (o_.embed) {
      story(t);
      return;
    }
    std::string slug = fit_slug(t.slug.empty() ? slug_from_url(t.url) : slugify(t.slug));
    if (slug.empty()) slug = fit_slug(slugify(t.title));
    if (slug.empty()) slug = fit_slug("thread-" + slugify(t.key));
    // Two threads of this file with one slug ("/2019/update/", "/2020/update/") are two articles.
    if (created_slugs_.contains(slug)) slug = fit_slug(slug.substr(0, 60) + "-" + slugify(t.key));
    if (slug.empty() || created_slugs_.contains(slug)) slug = fit_slug("thread-" + slugify(t.key));
    if (auto existing = articles_.find_any(slug); existing && !created_slugs_.contains(slug)) {
      ++s_.articles_matched;
      store_.record_imported(source_, "thread", t.key, existing->id);
      thread_articles_[t.key] = existing->id;
      return;
    }
    ArticleDraft d;
    d.slug = slug;
    d.title = cut(t.title.empty() ? title_from_slug(slug) : t.title, kMaxTitle);
    d.authors = {t.author.empty() ? o_.author : cut(t.author, kMaxName)};
    d.section = t.section.empty() ? o_.section : cut(t.section, kMaxName);
    for (const auto& tag : t.tags) {
      if (d.tags.size() >= kMaxTags) break;
      try {
        d.tags.push_back(validate_tag_name(tag, "tags"));
      } catch (const Error&) {  // a tag this publication cannot name: the piece comes without it
      }
    }
    d.published_at = t.created_at;
    d.state = ArticleState::published;
    d.body_markdown = cut(
        html_to_markdown(o_.format == Format::wordpress ? wordpress_paragraphs(t.body_html) : t.body_html), kMaxBody);
    auto where = curl_client::parse_url(t.url);
    bool linkable = where && (where->scheme == "http" || where->scheme == "https");
    if (d.body_markdown.empty())
      d.body_markdown = linkable ? "This conversation was first held at <" + t.url + ">."
                                 : "This conversation was brought over from another site.";
    if (linkable && t.url.size() <= 2000) {
      d.source_url = t.url;
      d.source_name = cut(where->host, kMaxName);
    }
    try {
      auto saved = articles_.publish(std::move(d), false, std::nullopt, DeskActor("import " + source_));
      created_slugs_.insert(saved.slug);
      ++s_.articles_created;
      store_.record_imported(source_, "thread", t.key, saved.id);
      thread_articles_[t.key] = saved.id;
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::invalid && e.kind() != ErrorKind::conflict) throw;
      skipped_threads_.insert(t.key);
      ++s_.skipped["thread refused as an article (" + e.code() + ")"];
    }
  }

  void comment(SourceComment&& c) {
    ++read_;
    report(false);
    if (!c.skip.empty()) {
      ++s_.skipped[c.skip];
      return;
    }
    auto article = thread_articles_.find(c.thread_key);
    if (article == thread_articles_.end()) {
      ++s_.skipped[skipped_threads_.contains(c.thread_key) ? "its thread is not imported"
                                                           : "its thread is not in the file"];
      return;
    }
    auto markdown = html_to_markdown(o_.format == Format::wordpress ? wordpress_paragraphs(c.html) : c.html);
    if (markdown.empty()) {
      ++s_.skipped["no text"];
      return;
    }
    if (markdown.size() > kMaxImportedComment) {
      ++s_.skipped["longer than 64 KiB"];
      return;
    }
    ImportedComment ic;
    ic.key = c.key;
    ic.article_id = article->second;
    ic.parent_key = c.parent_key == c.key ? std::string() : c.parent_key;
    ic.author_key = c.author.key;
    ic.body_html = render_markdown(markdown, {.tables = false, .ugc_links = true});
    ic.body_markdown = std::move(markdown);
    ic.status = c.status;
    ic.created_at = c.created_at;
    ic.likes = c.likes;
    if (!c.author.key.empty() && batch_readers_.insert(c.author.key).second)
      batch_.readers.push_back(reader_of(c.author, c.created_at));
    batch_.comments.push_back(std::move(ic));
    if (batch_.comments.size() >= o_.batch) flush();
  }

  void finish() {
    flush();
    while (!released_.empty()) flush();
    // Replies whose parent never came join their thread at the top, oldest first; replies to those replies
    // keep their parent (released as it is written). Only a cycle of replies naming each other is left after
    // that, and it is broken the same way.
    while (!waiting_.empty()) {
      std::set<std::string> waiting_keys;
      for (const auto& [parent, children] : waiting_)
        for (const auto& c : children) waiting_keys.insert(c.key);
      std::vector<ImportedComment> orphans;
      for (auto it = waiting_.begin(); it != waiting_.end();)
        if (!waiting_keys.contains(it->first)) {
          for (auto& c : it->second) orphans.push_back(std::move(c));
          it = waiting_.erase(it);
        } else {
          ++it;
        }
      if (orphans.empty()) {  // a cycle
        for (auto& [parent, children] : waiting_)
          for (auto& c : children) orphans.push_back(std::move(c));
        waiting_.clear();
      }
      std::ranges::sort(orphans, [](const auto& a, const auto& b) { return a.created_at < b.created_at; });
      for (auto& c : orphans) {
        c.parent_key.clear();
        ++s_.unresolved_parents;
        batch_.comments.push_back(std::move(c));
        if (batch_.comments.size() >= o_.batch) flush();
      }
      flush();
      while (!released_.empty()) flush();
    }
    report(true);
  }

  int64_t read() const { return read_; }

 private:
  ImportedReader reader_of(const SourceAuthor& a, TimePoint first_seen) const {
    ImportedReader r;
    r.key = a.key;
    std::string normalized;
    if (!a.email.empty()) {
      try {
        normalized = AccountService::normalize_email(a.email);
      } catch (const Error&) {  // not an address: the account can never be claimed
      }
    }
    r.email = normalized.empty() ? std::string() : a.email;
    r.email_normalized = normalized.empty() ? "imported:" + source_ + ":" + a.key : normalized;
    // The checks a registration's name passes; a name that fails them is not refused (the comment is the
    // reader's all the same) but shown as one no reader could take.
    std::string name;
    try {
      name = AccountService::clean_display_name(a.name);
    } catch (const Error&) {
      name = "Reader";
    }
    auto keys = confusable_keys(name);
    if (AccountService::reserved_name(keys) || accounts_.staff_name_taken(keys)) {
      name = cut(name, kMaxDisplayName - 11) + " (imported)";
      keys = confusable_keys(name);
    }
    r.display_name = name;
    r.name_keys = keys;
    r.handle = mention_handle(r.display_name);
    r.created_at = first_seen;
    return r;
  }

  void flush() {
    for (auto& c : released_) batch_.comments.push_back(std::move(c));
    released_.clear();
    if (batch_.comments.empty() && batch_.readers.empty()) return;
    auto result = store_.import_batch(batch_);
    s_.comments_created += result.comments_created;
    s_.comments_existing += result.comments_existing;
    s_.readers_created += result.readers_created;
    s_.readers_matched += result.readers_matched;
    std::set<std::string> missing(result.parent_missing.begin(), result.parent_missing.end());
    std::vector<std::string> written;
    for (auto& c : batch_.comments) {
      if (missing.contains(c.key)) {
        auto parent = c.parent_key;
        waiting_[parent].push_back(std::move(c));
      } else {
        written.push_back(c.key);
      }
    }
    // A reply waiting for a comment this batch wrote can go in the next one.
    for (const auto& key : written)
      if (auto it = waiting_.find(key); it != waiting_.end()) {
        for (auto& c : it->second) released_.push_back(std::move(c));
        waiting_.erase(it);
      }
    batch_.comments.clear();
    batch_.readers.clear();
    batch_readers_.clear();
  }

  // The thread's embed story, by its address (a story made by an earlier embed view is joined).
  void story(const SourceThread& t) {
    try {
      auto [made, fresh] = embed_->imported_story({t.url, {}, cut(t.title, kMaxTitle)}, t.created_at);
      ++(fresh ? s_.articles_created : s_.articles_matched);
      store_.record_imported(source_, "thread", t.key, made.id);
      thread_articles_[t.key] = made.id;
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::invalid && e.kind() != ErrorKind::forbidden) throw;
      skipped_threads_.insert(t.key);
      ++s_.skipped[e.kind() == ErrorKind::forbidden ? "its site is not allowed to embed ([embed] origins)"
                                                    : "thread without an http(s) address, so no embed story"];
    }
  }

  void report(bool last) {
    if (!o_.progress) return;
    auto now = std::chrono::steady_clock::now();
    if (!last && now - reported_ < std::chrono::milliseconds(200)) return;
    reported_ = now;
    o_.progress(ImportOptions::Progress{read_, s_.comments, now - started_});
  }

  ArticleService& articles_;
  ImportStore& store_;
  AccountStore& accounts_;
  EmbedService* embed_;
  const ImportOptions& o_;
  ImportSummary& s_;
  std::string source_;
  std::unordered_map<std::string, int64_t> thread_articles_;
  std::set<std::string> skipped_threads_;
  std::set<std::string> created_slugs_;  // articles this run made
  ImportBatch batch_;
  std::set<std::string> batch_readers_;
  std::unordered_map<std::string, std::vector<ImportedComment>> waiting_;  // by the parent they wait for
  std::vector<ImportedComment> released_;
  int64_t read_ = 0;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now(), reported_{};
};

}  // namespace

ImportSummary Importer::run(const std::string& path, const ImportOptions& options) {
  if (options.batch == 0) throw Error(ErrorKind::invalid, "invalid_batch", "the batch size must be at least 1");
  ImportSummary s;
  {
    auto in = open_file(path);
    read_source(options.format, in,
                SourceSink{[&](SourceThread&&) { ++s.threads; }, [&](SourceComment&&) { ++s.comments; }});
  }
  auto in = open_file(path);
  if (options.embed && !embed_)
    throw Error(ErrorKind::internal, "no_embed", "this importer was made without the embed service");
  Run run(articles_, store_, accounts_, embed_, options, s);
  read_source(options.format, in,
              SourceSink{[&](SourceThread&& t) { run.thread(std::move(t)); },
                         [&](SourceComment&& c) { run.comment(std::move(c)); }});
  run.finish();
  return s;
}

}  // namespace tribune::imports

// HTML and XML rendering of the publication's pages. Templates are compiled into the binary and escape
// every value unless the template says otherwise ({{{...}}} is used only for HTML Tribune produced itself:
// rendered Markdown, the page body inside the layout, and head tags built here with escaping).
#pragma once

#include <boost/json/fwd.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "domain/articles.h"
#include "domain/comments.h"
#include "domain/readers.h"
#include "domain/search.h"
#include "http/message.h"
#include "model/account.h"
#include "model/contribution.h"
#include "web/site.h"

namespace tribune {

class PageRenderer {
 public:
  PageRenderer(SiteSettings site, const ArticleService& articles);
  ~PageRenderer();

  // related: pieces to read next (ArticleService::related), listed under the article.
  std::string article(const Article& a, const Conversation& conversation, const std::vector<Section>& sections,
                      const std::vector<Article>& related = {}) const;
  // The most read and most discussed pieces of the last two days, shown on the front page and under every
  // article; refreshed by the application's background thread (which drops the page caches when they change).
  struct Popular {
    std::vector<Article> most_read;
    std::vector<Article> most_discussed;
  };
  void set_popular(std::function<std::shared_ptr<const Popular>()> source) { popular_ = std::move(source); }
  // A story's conversation in another site's frame (docs/embed.md): no masthead or footer, the reader's bar
  // and conversation slots, the appeal when the site chose it.
  struct Embed {
    Article story;
    Conversation conversation;
    std::string host_origin;
    std::string self;  // this page's address with its query ("/embed?url=..."), for sorting and paging
    bool appeal = false;
    std::string scheme;  // "light" or "dark": the host page's; empty: the system's
  };
  std::string embed(const Embed& e) const;
  // One comment and everything under it, on its own page ("continue this thread", "more replies").
  std::string thread_page(const Article& a, const Conversation& thread, const std::vector<Section>& sections) const;
  // A comment form on its own page (without JavaScript): a reply under the comment it answers, or a
  // comment that was refused, with the reader's text and the reason kept. post_anyway: the refusal was a
  // nudge the reader may override ("Post it as it is").
  std::string reply_page(const Article& a, const std::optional<Comment>& parent, const std::string& csrf_token,
                         const std::string& body, const std::string& error, const std::vector<Section>& sections,
                         bool post_anyway = false) const;
  std::string message_page(const std::string& title, const std::string& message, const std::string& link,
                           const std::vector<Section>& sections) const;
  struct Listing {
    std::string kicker;
    std::string heading;
    std::string intro;
    std::string page_title;
    std::string canonical_path;
    std::string current_section;
    std::vector<Article> articles;
    bool lead = false;  // first article shown big
    bool home = false;  // the front page (marked current in the navigation)
    std::optional<std::string> next_url;
    std::string feed_url;  // its own RSS feed (.xml; the Atom one beside it, .atom), linked in the page and head
    std::string photo;     // an image id: the author's photo beside the heading
  };
  std::string listing(const Listing& l, const std::vector<Section>& sections) const;
  std::string error_page(int status, const std::string& title, const std::string& message,
                         const std::vector<Section>& sections) const;
  // /about, /privacy, ...: one of the publication's own pages.
  std::string standard_page(const Page& page, const std::vector<Section>& sections) const;
  // article_slug: the piece that moved the reader (an embed's appeal links here with it), credited with the
  // contribution.
  std::string support_page(const std::vector<Section>& sections, bool cancelled = false,
                           const std::string& article_slug = {}) const;
  // The contributions report for admins: totals, a chart by day, the articles that moved readers to pay.
  std::string contribution_report(const ContributionReport& r, const std::vector<std::string>& currencies, int days,
                                  const std::vector<Section>& sections) const;
  // The HTML for a per-reader slot (reader, conversation) of the page at path, for this principal.
  // unread: the reader's unread notifications, shown in the masthead.
  // ignored: the signed-in reader's ignored readers, whose comments fold without JavaScript (a stylesheet).
  // article_slug: the conversation slot's article when path does not end with it (the embed).
  std::string fragment(std::string_view slot, const Principal& who, std::string_view path, int64_t unread = 0,
                       const std::vector<int64_t>& ignored = {}, std::string_view article_slug = {}) const;
  // A reader's slots rendered once for every page they view: the page's address is left as markers that
  // place() fills in (a copy and a scan, not a template render, per page).
  struct ReaderFragments {
    std::string reader, appeal, conversation;
  };
  ReaderFragments reader_fragments(const Principal& who, int64_t unread, const std::vector<int64_t>& ignored) const;
  // One of them for the page at path: fragment(slot, who, path, unread, ignored, article_slug).
  static std::string place(const ReaderFragments& f, std::string_view slot, std::string_view path,
                           std::string_view article_slug = {});

  // A comment shown outside its conversation: on a profile, in the feed, in notifications, in the queue.
  struct CommentCard {
    Comment comment;
    std::string lead;           // "Ann replied to you"; empty: none
    std::string article_title;  // empty when the article is gone
    std::string url;            // the comment in its conversation
    bool unread = false;
    std::string note;          // a line of plain text under the lead ("2 reports: abuse")
    std::string actions_html;  // trusted HTML built by the caller (moderation forms)
  };
  struct ReaderPage {
    ReaderProfile profile;
    bool signed_in = false;
    bool self = false;
    bool ignoring = false;
    std::string csrf_token;
    std::string return_to;  // where Follow and Ignore lead back to (the comment they were chosen from); empty: here
    std::vector<CommentCard> comments;
    std::optional<std::string> next_url;
  };
  std::string reader_page(const ReaderPage& p, const std::vector<Section>& sections) const;
  // A list of comment cards under a heading: the feed, notifications, the moderation queue.
  struct ActivityPage {
    std::string heading, intro, page_title, empty_text, notice;
    std::string error;  // a refused form whose own place is not on the page
    std::string body_class = "page--activity";
    std::string actions_html;  // trusted HTML built by the caller, shown above the list
    std::vector<CommentCard> cards;
    std::optional<std::string> next_url;
  };
  std::string activity_page(const ActivityPage& p, const std::vector<Section>& sections) const;

  struct AccountForm {
    bool register_form = false;
    std::string return_to = "/";
    std::string error;
    std::string email;
    std::string display_name;
    std::string csrf_token;  // the pre-session token (Pipeline)
  };
  std::string account_form(const AccountForm& f, const std::vector<Section>& sections) const;
  struct AccountView {
    Account account;
    std::vector<SessionInfo> sessions;
    int64_t current_session = 0;
    std::string csrf_token;
    std::string notice;
    std::string error;
    std::optional<std::string> pending_email;  // an address change waiting for its confirmation
    std::vector<Contribution> contributions;   // made while signed in, oldest first
  };
  std::string account_page(const AccountView& v, const std::vector<Section>& sections) const;

  std::string admin_accounts(const std::vector<Account>& accounts, const std::string& csrf_token,
                             const std::string& notice, const std::optional<std::string>& next_url,
                             const std::vector<Section>& sections) const;

  // A one-purpose form page: confirm an address, ask for a reset link, choose a new password.
  struct SimpleForm {
    struct Field {
      std::string name, label, type, autocomplete, hint;
      int maxlength = 256;
    };
    std::string heading, lead, error, action, submit;
    std::vector<std::pair<std::string, std::string>> hidden;
    std::vector<Field> fields;
    bool show_form = true;
    std::string after_html;  // trusted HTML built by the caller
  };
  std::string simple_form(const SimpleForm& f, const std::vector<Section>& sections) const;

  // A fragment from its template (templates/<name>.mustache) and a view: objects, arrays, strings, numbers and
  // booleans map to Mustache's values, null to false (so an item's missing field never falls through to the
  // enclosing one). Every value is escaped.
  std::string fragment_from(std::string_view template_name, const boost::json::object& view) const;
  // A whole page (not for search engines) of that template and view, titled title.
  std::string page_from(std::string_view template_name, const boost::json::object& view, const std::string& title,
                        const std::vector<Section>& sections) const;

  // /corrections: every correction note, newest first, each with its date and the article.
  std::string corrections_page(const std::vector<Article>& corrected, const std::vector<Section>& sections) const;
  // The search page: the form as asked, then the results (or the error, next to the field it names).
  std::string search_page(const SearchForm& form, const SearchResults& results, const std::optional<Error>& error,
                          const std::vector<Section>& sections) const;
  // A feed: the whole publication's, or a section's, an author's or a tag's.
  struct Feed {
    std::string title;  // the channel's
    std::string description;
    std::string page_path;  // the page it follows ("/", "/opinion", "/authors/ana-ruiz", "/tags/x")
    std::string self_path;  // its own address
  };
  // RSS 2.0 and Atom (RFC 4287) of the latest articles, newest first; with [site] feed_full_text, each
  // article's whole text too (the articles then need their bodies).
  std::string rss(const Feed& feed, const std::vector<Article>& latest) const;
  std::string atom(const Feed& feed, const std::vector<Article>& latest) const;
  // with_home: the home page opens it (the whole sitemap, or its first file).
  std::string sitemap(const std::vector<Article>& articles, const std::vector<Section>& sections,
                      bool with_home = true) const;
  // A sitemap index of `files` sitemaps, /sitemaps/1.xml onward (past 50,000 addresses a sitemap is split).
  std::string sitemap_index(int files) const;
  // The Google News sitemap: the pieces of the last 48 hours (at most 1,000), with the publication's name
  // and language, each piece's publication time and headline.
  std::string news_sitemap(const std::vector<Article>& recent) const;

  const SiteSettings& site() const { return site_; }
  // Changes when the embedded assets change: cache-busting query on asset URLs.
  const std::string& asset_version() const { return asset_version_; }

  struct Impl;  // templates (pages.cpp)

 private:
  // A slot's fragment with the page's address left as marks (place() fills them).
  std::string marked(std::string_view slot, const Principal& who, int64_t unread,
                     const std::vector<int64_t>& ignored) const;
  // The appeal box (new_tab: its form opens Checkout in a new tab, as an embed needs) and the conversation
  // section with its sorting and paging links after the given bases ("/path?" or "/embed?url=...&").
  std::string appeal_html(const std::string& article_slug, bool new_tab = false) const;
  std::string conversation_html(const Article& a, const Conversation& conversation, const std::string& more_base,
                                const std::string& sort_base) const;

  std::string popular_html() const;
  std::string related_html(const std::vector<Article>& related) const;

  SiteSettings site_;
  const ArticleService& articles_;
  std::function<std::shared_ptr<const Popular>()> popular_;
  std::string asset_version_;
  std::unique_ptr<Impl> impl_;
};

// Embedded files by folder and name ("assets/site.css", "templates/article.mustache"); nullopt when unknown.
// Only "assets/..." may be served to clients.
std::optional<std::string_view> embedded_file(std::string_view name);
std::string content_type_for(std::string_view name);
// The demo publication's article files (demo/articles/*.md), in name order.
std::vector<std::pair<std::string, std::string_view>> embedded_demo_articles();

}  // namespace tribune

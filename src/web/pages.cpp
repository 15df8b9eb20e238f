#include "web/pages.h"

#include <sodium.h>

#include <boost/json.hpp>
#include <kainjow/mustache.hpp>
#include <map>
#include <mutex>

#include "model/error.h"
#include "util/embedded.h"

namespace tribune {

namespace mus = kainjow::mustache;

std::optional<std::string_view> embedded_file(std::string_view name) {
  return embedded::file(name);
}

std::vector<std::pair<std::string, std::string_view>> embedded_demo_articles() {
  std::vector<std::pair<std::string, std::string_view>> out;
  for (const auto& [name, bytes] : embedded::files())
    if (name.starts_with("articles/")) out.emplace_back(name, bytes);
  return out;
}

std::string content_type_for(std::string_view name) {
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".svg")) return "image/svg+xml";
  if (name.ends_with(".png")) return "image/png";
  if (name.ends_with(".ico")) return "image/x-icon";
  if (name.ends_with(".txt")) return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

// Templates are the binary's own files, the same for every renderer. kainjow's render() is not const (it
// keeps its error state), so each thread parses and keeps its own copies: rendering takes no lock, which
// matters now that the I/O threads render signed-in readers' fragments (web/reader_slots.h).
struct PageRenderer::Impl {
  static mus::mustache& get(std::string_view name) {
    thread_local std::map<std::string, std::unique_ptr<mus::mustache>, std::less<>> templates;
    auto it = templates.find(name);
    if (it != templates.end()) return *it->second;
    auto src = embedded_file("templates/" + std::string(name) + ".mustache");
    if (!src) throw Error(ErrorKind::internal, "template_missing", "template " + std::string(name) + " is missing");
    auto t = std::make_unique<mus::mustache>(std::string(*src));
    t->set_custom_escape([](const std::string& v) { return html_escape(v); });
    if (!t->is_valid())
      throw Error(ErrorKind::internal, "template_invalid", "template " + std::string(name) + ": " + t->error_message());
    return *templates.emplace(std::string(name), std::move(t)).first->second;
  }

  std::string render(std::string_view name, const mus::data& d) {
    auto& t = get(name);
    std::string out = t.render(d);
    if (!t.is_valid()) throw Error(ErrorKind::internal, "template_failed", t.error_message());
    return out;
  }
};

namespace {

std::string absolute(const SiteSettings& site, std::string_view path) {
  std::string base = site.base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + std::string(path);
}

// True when an http(s) URL names a page below its site's home ("https://example.com/2009/07/piece"), not
// the home page itself: only such a URL can be a syndicated piece's canonical address.
bool names_a_piece(std::string_view url) {
  size_t host = url.find("://");
  if (host == std::string_view::npos) return false;
  url = url.substr(0, url.find('#'));
  size_t path = url.find_first_of("/?", host + 3);
  return path != std::string_view::npos && url.substr(path) != "/";
}

// JSON for a <script type="application/ld+json"> block: "<" is escaped so no "</script>" can close it.
std::string script_safe_json(const boost::json::value& v) {
  std::string s = boost::json::serialize(v);
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '<')
      out += "\\u003c";
    else if (c == '>')
      out += "\\u003e";
    else if (c == '&')
      out += "\\u0026";
    else
      out += c;
  }
  return out;
}

// <meta {attribute}="{key}" content="{content}">: Open Graph names its keys with property, Twitter with name.
void meta_tag(std::string& out, std::string_view attribute, std::string_view key, std::string_view content) {
  out += "<meta " + std::string(attribute) + "=\"";
  append_html_escaped(out, key);
  out += "\" content=\"";
  append_html_escaped(out, content);
  out += "\">\n";
}

void meta_property(std::string& out, std::string_view property, std::string_view content) {
  meta_tag(out, "property", property, content);
}

void meta_name(std::string& out, std::string_view name, std::string_view content) {
  meta_tag(out, "name", name, content);
}

std::string byline_text(const Article& a) {
  std::string s = "By ";
  for (size_t i = 0; i < a.authors.size(); ++i) {
    if (i > 0) s += (i + 1 == a.authors.size()) ? " and " : ", ";
    s += a.authors[i].name;
  }
  return s;
}

mus::data section_nav(const std::vector<Section>& sections, std::string_view current) {
  mus::list items;
  for (const auto& s : sections) {
    mus::object o{{"url", "/" + s.slug}, {"name", s.name}};
    o["current"] = mus::data(s.slug == current);
    items.emplace_back(o);
  }
  return mus::data(items);
}

// The author's name, linked to their profile (a deleted reader has none).
void append_author(std::string& out, const Comment& c) {
  if (!c.author_id) {
    out += "<span class=\"comment__author\">Deleted reader</span>";
    return;
  }
  out += "<a class=\"comment__author\" href=\"/readers/" + std::to_string(*c.author_id) + "\">";
  append_html_escaped(out, c.author_name);
  out += "</a>";
}

void render_card(std::string& out, const PageRenderer::CommentCard& card, const Locality& where) {
  const Comment& c = card.comment;
  out += card.unread ? "<li class=\"card card--unread\">" : "<li class=\"card\">";
  if (!card.lead.empty()) {
    out += "<p class=\"card__lead\">";
    append_html_escaped(out, card.lead);
    out += card.unread ? " <span class=\"card__new\">New</span></p>" : "</p>";
  }
  if (!card.note.empty()) {
    out += "<p class=\"card__note\">";
    append_html_escaped(out, card.note);
    out += "</p>";
  }
  out += "<p class=\"card__meta\">";
  append_author(out, c);
  if (!card.article_title.empty()) {
    out += " on <a class=\"card__article\" href=\"";
    append_html_escaped(out, card.url);
    out += "\">";
    append_html_escaped(out, card.article_title);
    out += "</a>";
  }
  out += " <time datetime=\"" + format_rfc3339(c.created_at) + "\">";
  append_html_escaped(out, format_local(c.created_at, where, "d MMM yyyy HH:mm"));
  out += "</time>";
  if (c.status != CommentStatus::published)
    out += " <span class=\"card__status\">" + std::string(to_string(c.status)) + "</span>";
  out += "</p><div class=\"card__body comment__body\">";
  out += c.body_html;  // rendered by cmark with raw HTML disabled
  out += "</div>";
  out += card.actions_html;
  out += "</li>";
}

std::string render_cards(const std::vector<PageRenderer::CommentCard>& cards, const Locality& where) {
  std::string out = "<ol class=\"cards\">";
  for (const auto& card : cards) render_card(out, card, where);
  out += "</ol>";
  return out;
}

constexpr int kMaxIndent = 5;  // deeper replies are shown at this depth, in order

// What rendering a conversation needs besides the comments themselves.
struct Tree {
  std::map<int64_t, std::vector<const Comment*>> children;  // parent id -> replies, oldest first
  std::map<int64_t, int> loaded;                            // root id -> replies loaded in its thread
  int per_thread = 0;                                       // the cap those were loaded with (0: none)
  const Locality& where;
};

void render_comment(std::string& out, const Comment& c, const Tree& tree, int depth);
// A comment's replies (indented, or behind "Continue this thread") and its "More replies" link.
void render_replies(std::string& out, const Comment& c, const Tree& tree, int depth);

void render_children(std::string& out, int64_t parent, const Tree& tree, int depth) {
  auto it = tree.children.find(parent);
  if (it == tree.children.end()) return;
  for (const Comment* child : it->second) render_comment(out, *child, tree, depth);
}

void render_comment(std::string& out, const Comment& c, const Tree& tree, int depth) {
  std::string id = std::to_string(c.id);
  out += std::string(c.tombstone ? "<li class=\"comment comment--removed\"" : "<li class=\"comment\"") +
         " id=\"comment-" + id + "\" data-comment-id=\"" + id + "\" data-depth=\"" +
         std::to_string(std::min(depth, kMaxIndent)) + "\"";
  if (c.author_id) out += " data-author-id=\"" + std::to_string(*c.author_id) + "\"";
  if (c.tombstone) {
    // Its place in the thread, so that its replies keep theirs.
    out += std::string("><div class=\"comment__box comment__tombstone\"><p>") +
           (c.status == CommentStatus::deleted ? "This comment was deleted by its author."
                                               : "This comment was removed by a moderator.") +
           "</p></div>";
    render_replies(out, c, tree, depth);
    out += "</li>";
    return;
  }
  out += "><article class=\"comment__box\"><header class=\"comment__meta\">";
  append_author(out, c);
  if (c.author_supporter) out += " <span class=\"comment__supporter\">Supporter</span>";
  // Without JavaScript, Follow opens the reader's profile, whose Follow (or Ignore) button returns here; the
  // script replaces it with a button that follows in place.
  if (c.author_id)
    out += " <a class=\"comment__follow-link\" href=\"/readers/" + std::to_string(*c.author_id) + "?return_to=" +
           percent_encode("/comments/" + std::to_string(c.parent_id.value_or(c.id)) + "#comment-" + id) +
           "#follow\">Follow</a>";
  out += " <a class=\"comment__time\" href=\"#comment-" + id + "\"><time datetime=\"" + format_rfc3339(c.created_at) +
         "\">";
  append_html_escaped(out, format_local(c.created_at, tree.where, "d MMM yyyy HH:mm"));
  out += "</time></a>";
  if (c.edited_at) out += " <span class=\"comment__edited\">edited</span>";
  if (c.picked) out += " <span class=\"comment__pick\">Editor's pick</span>";
  out += "</header><div class=\"comment__body\">";
  out += c.body_html;  // rendered by cmark with raw HTML disabled
  out += "</div><footer class=\"comment__actions\"><a class=\"comment__reply\" href=\"/comments/" + id +
         "/reply\" data-reply-to=\"" + id + "\">Reply</a>";
  if (c.recommend_count > 0)
    out += " <span class=\"comment__recommends\">" + std::to_string(c.recommend_count) +
           (c.recommend_count == 1 ? " recommend" : " recommends") + "</span>";
  // Without JavaScript the button opens a page that asks (and signs the reader in first, then comes back).
  out += " <form class=\"comment__recommend-form\" method=\"get\" action=\"/comments/" + id +
         "/recommend\"><button class=\"comment__recommend\" type=\"submit\" data-recommend=\"" + id +
         "\" aria-pressed=\"false\">Recommend</button></form>";
  // Report, or edit and delete one's own: a page of their own, with or without JavaScript.
  out += " <a class=\"comment__options\" href=\"/comments/" + id + "/options\">Report or edit</a>";
  out += "</footer></article>";
  render_replies(out, c, tree, depth);
  out += "</li>";
}

void render_replies(std::string& out, const Comment& c, const Tree& tree, int depth) {
  std::string id = std::to_string(c.id);
  auto it = tree.children.find(c.id);
  if (it != tree.children.end()) {
    if (depth < kMaxIndent) {
      out += "<ol class=\"comments comments--replies\">";
      render_children(out, c.id, tree, depth + 1);
      out += "</ol>";
    } else {
      // The indent stops at a readable width: deeper replies get a page of their own, starting flush.
      out += "<p class=\"comment__continue\"><a href=\"/comments/" + id + "#comment-" + id +
             "\">Continue this thread</a></p>";
    }
  }
  if (depth == 0 && tree.per_thread > 0 && c.id == c.root_id) {
    auto loaded = tree.loaded.find(c.id);
    int n = loaded == tree.loaded.end() ? 0 : loaded->second;
    // Capped, or cut short by the page's total (fewer loaded than even its direct replies).
    if (n >= tree.per_thread || n < c.reply_count)
      out += "<p class=\"comment__more-replies\"><a href=\"/comments/" + id + "#comment-" + id +
             "\" data-expand-thread=\"" + id + "\">More replies</a></p>";
  }
}

std::string render_conversation(const Conversation& conv, const Locality& where) {
  Tree tree{{}, {}, conv.replies_per_thread, where};
  for (const auto& r : conv.replies) {
    if (r.parent_id) tree.children[*r.parent_id].push_back(&r);
    ++tree.loaded[r.root_id];
  }
  std::string out = "<ol class=\"comments\" id=\"comment-list\">";
  for (const auto& c : conv.top) render_comment(out, c, tree, 0);
  out += "</ol>";
  return out;
}

}  // namespace

PageRenderer::PageRenderer(SiteSettings site, const ArticleService& articles)
    : site_(std::move(site)), articles_(articles), impl_(std::make_unique<Impl>()) {
  std::string all;
  for (const auto& [name, bytes] : embedded::files()) all.append(bytes);
  unsigned char digest[6];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(all.data()), all.size(), nullptr, 0);
  asset_version_ = to_hex(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

PageRenderer::~PageRenderer() = default;

namespace {

// The page's address in a fragment rendered for any page (PageRenderer::place): a character no template,
// name or token holds (display names refuse control characters), then which value.
constexpr char kAddressMark = '\x1a';
constexpr std::string_view kReturnTo =
    "\x1a"
    "R";
constexpr std::string_view kReturnQuery =
    "\x1a"
    "Q";
constexpr std::string_view kSignoutReturnTo =
    "\x1a"
    "S";
constexpr std::string_view kArticleSlug =
    "\x1a"
    "A";

}  // namespace

// Rendered with the address marks in place of the address-dependent values.
std::string PageRenderer::marked(std::string_view slot, const Principal& who, int64_t unread,
                                 const std::vector<int64_t>& ignored) const {
  mus::data d;
  d.set("return_to", std::string(kReturnTo));
  d.set("return_q", std::string(kReturnQuery));
  d.set("signout_return_to", std::string(kSignoutReturnTo));
  d.set("article_slug", std::string(kArticleSlug));
  if (who.signed_in()) {
    d.set("name", who.name);
    d.set("csrf_token", who.csrf_token);
    d.set("profile_url", "/readers/" + std::to_string(who.account_id));
    d.set("account_id", std::to_string(who.account_id));
    d.set("unread", std::to_string(unread));
    d.set("has_unread", mus::data(unread > 0));
    d.set("is_staff", mus::data(is_staff(who.role)));
    d.set("is_admin", mus::data(who.role == Role::admin));
    d.set("is_editor", mus::data(who.role == Role::editor || who.role == Role::admin));
    if (!ignored.empty()) {
      std::string ids;
      for (int64_t id : ignored) ids += (ids.empty() ? "" : ",") + std::to_string(id);
      d.set("ignored_css", "/readers/ignored.css?ids=" + ids);
    }
  }
  if (slot == "reader") return impl_->render(who.signed_in() ? "reader_signed_in" : "reader_anonymous", d);
  if (slot == "appeal") {  // the appeal form posts with the reader's CSRF token; anonymous readers need none
    if (!who.signed_in()) return {};
    std::string out = "<input type=\"hidden\" name=\"csrf_token\" value=\"" + html_escape(who.csrf_token) + "\">";
    if (who.supporter)
      out += "<p class=\"appeal__thanks\">Thank you for supporting " + html_escape(site_.name) +
             ". Every contribution keeps it open to everyone.</p>";
    return out;
  }
  if (slot == "conversation")
    return impl_->render(who.signed_in() ? "conversation_signed_in" : "conversation_anonymous", d);
  return {};
}

std::string PageRenderer::fragment(std::string_view slot, const Principal& who, std::string_view path, int64_t unread,
                                   const std::vector<int64_t>& ignored, std::string_view article_slug) const {
  ReaderFragments f;
  (slot == "reader" ? f.reader : slot == "appeal" ? f.appeal : f.conversation) = marked(slot, who, unread, ignored);
  return place(f, slot, path, article_slug);
}

PageRenderer::ReaderFragments PageRenderer::reader_fragments(const Principal& who, int64_t unread,
                                                             const std::vector<int64_t>& ignored) const {
  return {marked("reader", who, unread, ignored), marked("appeal", who, unread, ignored),
          marked("conversation", who, unread, ignored)};
}

std::string PageRenderer::place(const ReaderFragments& f, std::string_view slot, std::string_view path,
                                std::string_view article_slug) {
  const std::string& marked = slot == "reader"         ? f.reader
                              : slot == "appeal"       ? f.appeal
                              : slot == "conversation" ? f.conversation
                                                       : std::string();
  // Every way in or out returns the reader to the page they were on (the sign-in and registration pages
  // themselves return home); signing out of a page that needs a session lands on the front page.
  bool entry = path == "/signin" || path == "/register";
  std::string_view back = entry ? std::string_view("/") : path;
  bool personal = entry || path.ends_with("/reply") || path.ends_with("/recommend");
  for (std::string_view p : {"/account", "/notifications", "/feed", "/moderation", "/admin"})
    personal = personal || path == p || (path.starts_with(p) && path.size() > p.size() && path[p.size()] == '/');
  std::string out;
  out.reserve(marked.size() + 4 * path.size());
  size_t pos = 0;
  for (;;) {
    size_t at = marked.find(kAddressMark, pos);
    if (at == std::string::npos || at + 1 >= marked.size()) break;
    out.append(marked, pos, at - pos);
    switch (marked[at + 1]) {
      case 'R':
        append_html_escaped(out, back);
        break;
      case 'Q':
        append_html_escaped(out, percent_encode(back));
        break;
      case 'S':
        append_html_escaped(out, personal ? std::string_view("/") : back);
        break;
      case 'A':
        append_html_escaped(out, article_slug.empty() ? path.substr(path.rfind('/') + 1) : article_slug);
        break;
      default:
        out.append(marked, at, 2);
    }
    pos = at + 2;
  }
  out.append(marked, pos);
  return out;
}

namespace {

struct LayoutArgs {
  std::string page_title;
  std::string description;
  std::string canonical;
  bool noindex = false;
  std::string head_extra;
  std::string body_class;
  std::string current_section;
  bool home = false;
};

}  // namespace

static std::string wrap(PageRenderer::Impl& impl, const SiteSettings& site, const std::string& asset_version,
                        const std::vector<Section>& sections, const LayoutArgs& a, const std::string& content) {
  mus::data d;
  d.set("lang", site.locality.locale.substr(0, 2));
  d.set("page_title", a.page_title);
  d.set("description", a.description.empty() ? site.description : a.description);
  if (!site.image.empty()) d.set("og_image", site.image.starts_with("/") ? absolute(site, site.image) : site.image);
  if (!a.canonical.empty()) d.set("canonical", a.canonical);
  d.set("noindex", mus::data(a.noindex));
  d.set("head_extra", a.head_extra);
  d.set("asset_version", asset_version);
  d.set("site_name", site.name);
  d.set("site_tagline", site.tagline);
  d.set("body_class", a.body_class);
  d.set("article_page", mus::data(a.body_class == "page--article"));  // a second skip link, to #comments
  d.set("sections", section_nav(sections, a.current_section));
  d.set("home", mus::data(a.home));
  mus::list footer_pages;
  for (const auto& page : kStandardPages)
    footer_pages.emplace_back(mus::object{{"slug", std::string(page.slug)}, {"title", std::string(page.title)}});
  d.set("footer_pages", footer_pages);
  d.set("content", content);
  return impl.render("layout", d);
}

static void set_appeal(PageRenderer::Impl& impl, const SiteSettings& site, mus::data& d,
                       const std::string& article_slug) {
  const auto& appeal = site.appeal;
  std::string symbol = currency_symbol(appeal.currency);
  long chosen =
      appeal.default_amount > 0 ? appeal.default_amount : (appeal.amounts.empty() ? 0 : appeal.amounts.front());
  mus::list amounts;
  for (long amount : appeal.amounts) {
    mus::object o{{"label", symbol + std::to_string(amount)}, {"value", std::to_string(amount)}};
    o["default"] = mus::data(amount == chosen);
    amounts.emplace_back(o);
  }
  d.set("appeal_amounts", amounts);
  d.set("contributions", mus::data(appeal.enabled));
  if (appeal.enabled) {
    mus::data f;
    f.set("article_slug", article_slug);
    f.set("currency", appeal.currency);
    f.set("symbol", symbol);
    f.set("appeal_amounts", amounts);
    d.set("appeal_form", impl.render("appeal_form", f));
  }
}

std::string PageRenderer::appeal_html(const std::string& article_slug, bool new_tab) const {
  mus::data d;
  d.set("appeal_heading", site_.appeal.heading);
  d.set("appeal_copy", site_.appeal.copy);
  d.set("appeal_signature", site_.appeal.signature);
  set_appeal(*impl_, site_, d, article_slug);
  // In an embed's frame the appeal leads to the support page in a tab of its own (Checkout cannot be framed,
  // and there the reader's own session and its token are Tribune's first-party ones), still attributed.
  if (new_tab && site_.appeal.enabled) d.set("support_url", "/support?article=" + article_slug);
  return impl_->render("appeal", d);
}

std::string PageRenderer::conversation_html(const Article& a, const Conversation& conversation,
                                            const std::string& more_base, const std::string& sort_base) const {
  mus::data d;
  bool open = articles_.comments_open(a);
  d.set("comments_open", mus::data(open));
  d.set("comments_html", render_conversation(conversation, site_.locality));
  d.set("has_comments", mus::data(!conversation.top.empty()));
  if (conversation.next)
    d.set("more_comments_url",
          more_base + "sort=" + std::string(to_string(conversation.sort)) + "&cursor=" +
              base64url_encode(std::to_string(conversation.next->key) + ":" + std::to_string(conversation.next->id)) +
              "#comments");
  d.set("comment_count", std::to_string(a.comment_count));
  d.set("comment_noun", a.comment_count == 1 ? "comment" : "comments");
  mus::list sorts;
  for (auto [value, label] :
       {std::pair{CommentSort::newest, "Newest"}, std::pair{CommentSort::oldest, "Oldest"},
        std::pair{CommentSort::top, "Most recommended"}, std::pair{CommentSort::picks, "Editor's picks"}}) {
    mus::object o{{"value", std::string(to_string(value))}, {"label", std::string(label)}};
    o["current"] = mus::data(conversation.sort == value);
    sorts.emplace_back(o);
  }
  d.set("sorts", sorts);
  d.set("sort_base", sort_base);
  return impl_->render("conversation", d);
}

std::string PageRenderer::embed(const Embed& e) const {
  mus::data d;
  d.set("lang", site_.locality.locale.substr(0, 2));
  d.set("site_name", site_.name);
  d.set("title", e.story.title);
  d.set("slug", e.story.slug);
  d.set("host_origin", e.host_origin);
  d.set("host_url", e.story.embed_url);
  d.set("asset_version", asset_version_);
  d.set("scheme_class", e.scheme.empty() ? std::string() : " embed--" + e.scheme);
  if (e.appeal) d.set("appeal_html", appeal_html(e.story.slug, true));
  d.set("conversation_html", conversation_html(e.story, e.conversation, e.self + "&", e.self + "&"));
  return impl_->render("embed", d);
}

std::string PageRenderer::popular_html() const {
  auto lists = popular_ ? popular_() : nullptr;
  if (!lists || (lists->most_read.empty() && lists->most_discussed.empty())) return {};
  auto items = [&](const std::vector<Article>& articles, bool counts) {
    mus::list out;
    for (const auto& a : articles) {
      mus::object o{{"url", articles_.url_for(a)}, {"title", a.title}, {"section_name", a.section.name}};
      if (counts && a.comment_count > 0)
        o["comments"] = std::to_string(a.comment_count) + (a.comment_count == 1 ? " comment" : " comments");
      out.emplace_back(o);
    }
    return out;
  };
  mus::data d;
  d.set("most_read", items(lists->most_read, false));
  d.set("any_read", mus::data(!lists->most_read.empty()));
  d.set("most_discussed", items(lists->most_discussed, true));
  d.set("any_discussed", mus::data(!lists->most_discussed.empty()));
  return impl_->render("popular", d);
}

std::string PageRenderer::related_html(const std::vector<Article>& related) const {
  if (related.empty()) return {};
  mus::list items;
  for (const auto& a : related)
    items.emplace_back(mus::object{{"url", articles_.url_for(a)},
                                   {"title", a.title},
                                   {"section_name", a.section.name},
                                   {"date", format_local(a.published_at, site_.locality, "d MMMM yyyy")},
                                   {"published_iso", format_rfc3339(a.published_at)}});
  mus::data d;
  d.set("related", items);
  return impl_->render("related", d);
}

std::string PageRenderer::article(const Article& a, const Conversation& conversation,
                                  const std::vector<Section>& sections, const std::vector<Article>& related) const {
  std::string url = articles_.url_for(a);
  bool syndicated = !a.source_name.empty();
  mus::data d;
  d.set("slug", a.slug);
  d.set("title", a.title);
  if (!a.standfirst.empty()) d.set("standfirst", a.standfirst);
  d.set("section_name", a.section.name);
  d.set("section_url", "/" + a.section.slug);
  mus::list authors, bios;
  for (size_t i = 0; i < a.authors.size(); ++i) {
    std::string prefix = i == 0 ? "" : (i + 1 == a.authors.size() ? " and " : ", ");
    authors.emplace_back(
        mus::object{{"prefix", prefix}, {"name", a.authors[i].name}, {"url", "/authors/" + a.authors[i].slug}});
    if (!a.authors[i].bio.empty()) bios.emplace_back(a.authors[i].bio);
  }
  d.set("authors", authors);
  d.set("bios", bios);
  d.set("published_iso", format_rfc3339(a.published_at));
  d.set("dateline", format_dateline(a.published_at, site_.locality));
  if (a.updated_at > a.published_at) {
    d.set("updated", format_dateline(a.updated_at, site_.locality));
    d.set("updated_iso", format_rfc3339(a.updated_at));
  }
  if (!a.correction.empty()) {
    d.set("correction", a.correction);
    if (a.corrected_at != TimePoint{}) {
      d.set("corrected_on", format_local(a.corrected_at, site_.locality, "d MMMM yyyy"));
      d.set("corrected_iso", format_rfc3339(a.corrected_at));
    }
  }
  if (a.state == ArticleState::retracted) {
    d.set("retraction", a.retraction);
    d.set("retracted_on", format_dateline(a.retracted_at, site_.locality));
    d.set("retracted_iso", format_rfc3339(a.retracted_at));
  }
  auto lead = articles_.lead_image(a);
  // The lead image is above the fold: fetched at once (no lazy loading), at most the column's width.
  if (lead)
    d.set("lead_image_html", figure_html(*lead, "(min-width: 48rem) 46rem, 100vw", false, "article__lead-image"));
  d.set("body_html", a.body_html);
  d.set("syndicated", mus::data(syndicated));
  d.set("source_name", a.source_name);
  d.set("source_url", a.source_url.empty() ? std::string("#") : a.source_url);
  mus::list tags;
  for (const auto& t : a.tags) tags.emplace_back(mus::object{{"name", t}, {"url", "/tags/" + tag_slug(t)}});
  d.set("has_tags", mus::data(!a.tags.empty()));
  d.set("tags", tags);
  d.set("appeal_html", appeal_html(a.slug));
  d.set("conversation_html", conversation_html(a, conversation, url + "?", "?"));
  d.set("related_html", related_html(related));
  d.set("popular_html", popular_html());
  bool open = articles_.comments_open(a);
  // Under the dateline: how many comments, a link down to them (or an invitation when there are none yet).
  if (a.comment_count > 0)
    d.set("comments_link", std::to_string(a.comment_count) + (a.comment_count == 1 ? " comment" : " comments"));
  else if (open)
    d.set("comments_link", std::string("Join the conversation"));
  std::string content = impl_->render("article", d);

  // Open Graph and NewsArticle structured data.
  std::string head;
  std::string abs_url = absolute(site_, url);
  meta_property(head, "og:type", "article");
  meta_property(head, "og:site_name", site_.name);
  meta_property(head, "og:title", a.title);
  // The description written for search and sharing, else the standfirst.
  const std::string& summary = a.description.empty() ? a.standfirst : a.description;
  if (!summary.empty()) meta_property(head, "og:description", summary);
  meta_property(head, "og:url", abs_url);
  meta_property(head, "article:published_time", format_rfc3339(a.published_at));
  if (a.updated_at > a.published_at) meta_property(head, "article:modified_time", format_rfc3339(a.updated_at));
  meta_property(head, "article:section", a.section.name);
  for (const auto& t : a.tags) meta_property(head, "article:tag", t);
  const ImageRendition* card_image = lead ? sharing_rendition(*lead) : nullptr;
  if (card_image) {
    std::string image_url = absolute(site_, rendition_url(*lead, *card_image));
    meta_property(head, "og:image", image_url);
    meta_property(head, "og:image:width", std::to_string(card_image->width));
    meta_property(head, "og:image:height", std::to_string(card_image->height));
    meta_property(head, "og:image:alt", lead->text.alt);
    meta_name(head, "twitter:card", "summary_large_image");
    meta_name(head, "twitter:image", image_url);
    meta_name(head, "twitter:image:alt", lead->text.alt);
  }
  boost::json::array ld_authors;
  for (const auto& au : a.authors)
    ld_authors.push_back({{"@type", "Person"}, {"name", au.name}, {"url", absolute(site_, "/authors/" + au.slug)}});
  boost::json::object ld{
      {"@context", "https://schema.org"},
      {"@type", "NewsArticle"},
      {"headline", a.title},
      {"datePublished", format_rfc3339(a.published_at)},
      {"dateModified", format_rfc3339(std::max(a.updated_at, a.published_at))},
      {"author", ld_authors},
      {"articleSection", a.section.name},
      {"mainEntityOfPage", abs_url},
      {"url", abs_url},
      {"publisher", {{"@type", "NewsMediaOrganization"}, {"name", site_.name}, {"url", absolute(site_, "/")}}}};
  if (!summary.empty()) ld["description"] = summary;
  if (!a.tags.empty()) {
    std::string kw;
    for (const auto& t : a.tags) kw += (kw.empty() ? "" : ", ") + t;
    ld["keywords"] = kw;
  }
  if (syndicated) ld["isBasedOn"] = a.source_url;
  if (card_image)
    ld["image"] = boost::json::array{boost::json::object{{"@type", "ImageObject"},
                                                         {"url", absolute(site_, rendition_url(*lead, *card_image))},
                                                         {"width", card_image->width},
                                                         {"height", card_image->height}}};
  head += "<script type=\"application/ld+json\">" + script_safe_json(ld) + "</script>\n";

  LayoutArgs args;
  args.page_title = a.title + " | " + site_.name;
  args.description = summary;
  args.head_extra = std::move(head);
  args.body_class = "page--article";
  args.current_section = a.section.slug;
  if (syndicated && site_.syndicated_noindex)
    args.noindex = true;
  else
    args.canonical = syndicated && names_a_piece(a.source_url) ? a.source_url : abs_url;
  return wrap(*impl_, site_, asset_version_, sections, args, content);
}

std::string PageRenderer::listing(const Listing& l, const std::vector<Section>& sections) const {
  mus::data d;
  if (!l.kicker.empty()) d.set("kicker", l.kicker);
  d.set("heading", l.heading);
  if (!l.intro.empty()) d.set("intro", l.intro);
  if (auto photo = l.photo.empty() ? std::nullopt : articles_.find_image(l.photo))
    d.set("photo_html", picture_html(*photo, "8rem", false));
  auto card = [&](const Article& a, bool lead) {
    mus::object o{{"url", articles_.url_for(a)},
                  {"title", a.title},
                  {"section_name", a.section.name},
                  {"section_url", "/" + a.section.slug},
                  {"byline", byline_text(a)},
                  {"published_iso", format_rfc3339(a.published_at)},
                  {"date", format_local(a.published_at, site_.locality, "d MMMM yyyy")},
                  {"slug", a.slug}};
    if (!a.standfirst.empty()) o["standfirst"] = a.standfirst;
    if (auto image = articles_.lead_image(a))
      o["image_html"] = lead ? picture_html(*image, "(min-width: 80rem) 76rem, 100vw", false)
                             : picture_html(*image, "(min-width: 64rem) 22rem, (min-width: 40rem) 45vw, 100vw", true);
    // The count as the listing was rendered; app.js refreshes it from /api/v1/comment-counts.
    if (a.comment_count > 0)
      o["comments"] = std::to_string(a.comment_count) + (a.comment_count == 1 ? " comment" : " comments");
    return o;
  };
  size_t start = 0;
  if (l.lead && !l.articles.empty()) {
    d.set("lead", mus::data(card(l.articles.front(), true)));
    start = 1;
  }
  mus::list items;
  for (size_t i = start; i < l.articles.size(); ++i) items.emplace_back(card(l.articles[i], false));
  d.set("articles", items);
  d.set("empty", mus::data(l.articles.empty()));
  if (l.next_url) d.set("next_url", *l.next_url);
  if (!l.feed_url.empty()) d.set("feed_url", l.feed_url);
  if (l.home && l.lead) d.set("popular_html", popular_html());
  std::string content = impl_->render("listing", d);
  LayoutArgs args;
  if (!l.feed_url.empty()) {
    std::string title = html_escape(l.heading + " | " + site_.name);
    std::string atom_url = l.feed_url.substr(0, l.feed_url.size() - 4) + ".atom";
    args.head_extra = "<link rel=\"alternate\" type=\"application/rss+xml\" title=\"" + title + "\" href=\"" +
                      html_escape(l.feed_url) + "\">\n<link rel=\"alternate\" type=\"application/atom+xml\" title=\"" +
                      title + "\" href=\"" + html_escape(atom_url) + "\">\n";
  }
  args.page_title = l.page_title;
  args.description = l.intro.empty() ? site_.description : l.intro;
  args.canonical = absolute(site_, l.canonical_path);
  args.body_class = "page--listing";
  args.current_section = l.current_section;
  args.home = l.home;
  return wrap(*impl_, site_, asset_version_, sections, args, content);
}

std::string PageRenderer::error_page(int status, const std::string& title, const std::string& message,
                                     const std::vector<Section>& sections) const {
  mus::data d;
  d.set("status", std::to_string(status));
  d.set("title", title);
  d.set("message", message);
  LayoutArgs args;
  args.page_title = title + " | " + site_.name;
  args.noindex = true;
  args.body_class = "page--error";
  return wrap(*impl_, site_, asset_version_, sections, args, impl_->render("error", d));
}

std::string PageRenderer::account_form(const AccountForm& f, const std::vector<Section>& sections) const {
  mus::data d;
  d.set("heading", f.register_form ? "Register" : "Sign in");
  d.set("lead", f.register_form
                    ? "Join the conversation under every article. You are signed in as soon as you register."
                    : "Welcome back.");
  if (!f.error.empty()) d.set("error", f.error);
  d.set("action", f.register_form ? "/register" : "/signin");
  d.set("return_to", f.return_to);
  d.set("csrf_token", f.csrf_token);
  d.set("register", mus::data(f.register_form));
  d.set("email", f.email);
  d.set("display_name", f.display_name);
  d.set("password_autocomplete", f.register_form ? "new-password" : "current-password");
  d.set("submit", f.register_form ? "Register" : "Sign in");
  std::string rt = html_escape(percent_encode(f.return_to));
  d.set("switch_html", f.register_form ? "Already registered? <a href=\"/signin?return_to=" + rt + "\">Sign in</a>"
                                       : "New here? <a href=\"/register?return_to=" + rt +
                                             "\">Register</a> · "
                                             "<a href=\"/forgot\">Forgotten your password?</a>");
  LayoutArgs args;
  args.page_title = std::string(f.register_form ? "Register" : "Sign in") + " | " + site_.name;
  args.description = f.register_form ? "Register with " + site_.name +
                                           " to join the conversation under every article, follow other readers "
                                           "and see their replies."
                                     : "Sign in to " + site_.name + " to comment, follow readers and see your replies.";
  // Registration is a page people search for ("join the X conversation"); signing in is not.
  args.noindex = !f.register_form;
  if (f.register_form) args.canonical = absolute(site_, "/register");
  args.body_class = "page--account";
  return wrap(*impl_, site_, asset_version_, sections, args, impl_->render("account_form", d));
}

std::string PageRenderer::account_page(const AccountView& v, const std::vector<Section>& sections) const {
  mus::data d;
  d.set("name", v.account.display_name);
  d.set("email", v.account.email);
  d.set("verified", mus::data(v.account.email_verified_at.has_value()));
  if (v.pending_email) d.set("pending_email", *v.pending_email);
  d.set("role", std::string(to_string(v.account.role)));
  d.set("since", format_local(v.account.created_at, site_.locality, "d MMMM yyyy"));
  d.set("csrf_token", v.csrf_token);
  if (!v.notice.empty()) d.set("notice", v.notice);
  if (!v.error.empty()) d.set("error", v.error);
  d.set("is_admin", mus::data(v.account.role == Role::admin));
  mus::list digests;
  for (auto [value, label] : {std::pair{"immediate", "As they happen (at most one mail a minute)"},
                              std::pair{"daily", "A daily digest"}, std::pair{"off", "No mail"}}) {
    mus::object o{{"value", std::string(value)}, {"label", std::string(label)}};
    o["selected"] = mus::data(v.account.digest == value);
    digests.emplace_back(o);
  }
  d.set("digests", digests);
  d.set("profile_url", "/readers/" + std::to_string(v.account.id));
  d.set("supporter", mus::data(v.account.supporter));
  mus::list contributions;
  std::string running;  // what deleting the account would cancel
  for (const auto& c : v.contributions) {
    if (c.status == "created" || c.status == "abandoned") continue;  // a checkout never finished
    bool live = is_running_monthly(c);
    std::string amount = format_money(c.amount_minor, c.currency) + (c.interval == "month" ? " a month" : " once");
    if (live) running += (running.empty() ? "" : ", ") + amount;
    mus::object o{{"id", std::to_string(c.id)},
                  {"amount", amount},
                  {"status", c.status == "canceled"   ? std::string("cancelled")
                             : c.status == "past_due" ? std::string("payment due")
                                                      : c.status},
                  {"since", format_local(c.created_at, site_.locality, "d MMM yyyy")}};
    o["running"] = mus::data(live);
    contributions.emplace_back(o);
  }
  d.set("has_contributions", mus::data(!contributions.empty()));
  d.set("contributions", contributions);
  if (!running.empty()) d.set("running", running);
  d.set("show_supporter", mus::data(v.account.show_supporter));
  // Sanctions, with the moderator's reason, as the reader sees them.
  if (!v.account.warning.empty()) d.set("warning", v.account.warning);
  auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  if (v.account.banned_until && *v.account.banned_until > now) {
    bool ban = is_ban(*v.account.banned_until, now);
    std::string s = ban ? "You are banned from commenting"
                        : "You are suspended from commenting until " +
                              format_local(*v.account.banned_until, site_.locality, "EEEE d MMMM yyyy HH:mm zzz");
    d.set("sanction", s + (v.account.ban_reason.empty() ? "." : ": " + v.account.ban_reason));
  } else if (v.account.premoderated) {
    d.set("sanction", std::string("A moderator reads your comments before they appear."));
  }
  mus::list sessions;
  for (const auto& s : v.sessions) {
    std::string device = s.user_agent.empty() ? std::string("Unknown device") : s.user_agent.substr(0, 80);
    mus::object o{{"id", std::to_string(s.id)},
                  {"device", device + (s.ip.empty() ? "" : " (" + s.ip + ")")},
                  {"last_seen", format_local(s.last_seen_at, site_.locality, "d MMM yyyy HH:mm zzz")},
                  {"csrf_token", v.csrf_token}};
    o["current"] = mus::data(s.id == v.current_session);
    sessions.emplace_back(o);
  }
  d.set("sessions", sessions);
  LayoutArgs args;
  args.page_title = "Your account | " + site_.name;
  args.noindex = true;
  args.body_class = "page--account";
  return wrap(*impl_, site_, asset_version_, sections, args, impl_->render("account", d));
}

std::string PageRenderer::thread_page(const Article& a, const Conversation& thread,
                                      const std::vector<Section>& sections) const {
  mus::data d;
  d.set("article_title", a.title);
  d.set("article_url", articles_.url_for(a));
  d.set("comments_html", render_conversation(thread, site_.locality));
  LayoutArgs args;
  args.page_title = "A thread on " + a.title + " | " + site_.name;
  args.canonical = site_.base_url + articles_.url_for(a);
  args.body_class = "page--thread";
  return wrap(*impl_, site_, asset_version_, sections, args, impl_->render("thread", d));
}

std::string PageRenderer::reader_page(const ReaderPage& p, const std::vector<Section>& sections) const {
  mus::data d;
  d.set("id", std::to_string(p.profile.id));
  d.set("display_name", p.profile.display_name);
  d.set("member_since", format_local(p.profile.member_since, site_.locality, "MMMM yyyy"));
  d.set("followers", std::to_string(p.profile.counts.followers));
  d.set("followers_noun", p.profile.counts.followers == 1 ? "follower" : "followers");
  d.set("following", std::to_string(p.profile.counts.following));
  d.set("can_act", mus::data(p.signed_in && !p.self));
  d.set("anonymous", mus::data(!p.signed_in));
  d.set("self", mus::data(p.self));
  d.set("followed", mus::data(p.profile.followed_by_viewer));
  d.set("ignoring", mus::data(p.ignoring));
  d.set("csrf_token", p.csrf_token);
  if (!p.return_to.empty()) d.set("return_to", p.return_to);
  // Sign in, then back to this profile's Follow button, which still knows the comment to return to: the
  // inner address is encoded twice, so that its "#comment-N" survives the sign-in page's decoding.
  d.set("signin_return_q",
        percent_encode("/readers/" + std::to_string(p.profile.id) +
                       (p.return_to.empty() ? "" : "?return_to=" + percent_encode(p.return_to)) + "#follow"));
  d.set("has_comments", mus::data(!p.comments.empty()));
  d.set("comments_html", render_cards(p.comments, site_.locality));
  if (p.next_url) d.set("next_url", *p.next_url);
  LayoutArgs args;
  args.page_title = p.profile.display_name + " | " + site_.name;
  args.noindex = true;  // readers' pages are theirs, not search engines'
  args.body_class = "page--reader";
  return wrap(*impl_, site_, asset_version_, sections, args, impl_->render("reader", d));
}

std::string PageRenderer::activity_page(const ActivityPage& p, const std::vector<Section>& sections) const {
  mus::data d;
  d.set("heading", p.heading);
  if (!p.intro.empty()) d.set("intro", p.intro);
  if (!p.notice.empty()) d.set("notice", p.notice);
  if (!p.error.empty()) d.set("error", p.error);
  d.set("actions_html", p.actions_html);
  d.set("has_cards", mus::data(!p.cards.empty()));
  d.set("empty_text", p.empty_text);
  d.set("cards_html", render_cards(p.cards, site_.locality));
  if (p.next_url) d.set("next_url", *p.next_url);
  LayoutArgs args;
  args.page_title = p.page_title + " | " + site_.name;
  args.noindex = true;
  args.body_class = p.body_class;
  return wrap(*impl_, site_, asset_version_, sections, args, impl_->render("activity", d));
}

namespace {

mus::data from_json(const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::object: {
      mus::object o;
      for (const auto& [k, x] : v.get_object()) o.emplace(std::string(k), from_json(x));
      return {o};
    }
    case boost::json::kind::array: {
      mus::list l;
      for (const auto& x : v.get_array()) l.push_back(from_json(x));
      return {l};
    }
    case boost::json::kind::string:
      return {std::string(v.get_string())};
    case boost::json::kind::bool_:
      return mus::data(v.get_bool());
    case boost::json::kind::null:
      return mus::data(false);
    default:
      return {boost::json::serialize(v)};
  }
}

}  // namespace

std::string PageRenderer::fragment_from(std::string_view template_name, const boost::json::object& view) const {
  return impl_->render(template_name, from_json(view));
}

std::string PageRenderer::page_from(std::string_view template_name, const boost::json::object& view,
                                    const std::string& title, const std::vector<Section>& sections) const {
  LayoutArgs args;
  args.page_title = title + " | " + site_.name;
  args.noindex = true;
  args.body_class = "page--account";
  return wrap(*impl_, site_, asset_version_, sections, args, fragment_from(template_name, view));
}

std::string PageRenderer::reply_page(const Article& a, const std::optional<Comment>& parent,
                                     const std::string& csrf_token, const std::string& body, const std::string& error,
                                     const std::vector<Section>& sections, bool post_anyway) const {
  mus::data d;
  d.set("post_anyway", mus::data(post_anyway));
  d.set("article_title", a.title);
  d.set("article_url", articles_.url_for(a));
  d.set("article_slug", a.slug);
  if (parent) {
    Conversation one;
    one.top.push_back(*parent);
    one.top.back().reply_count = 0;
    d.set("comment_html", render_conversation(one, site_.locality));
    d.set("parent_id", std::to_string(parent->id));
  }
  d.set("is_reply", mus::data(parent.has_value()));
  d.set("body", body);
  if (!error.empty()) d.set("error", error);
  d.set("csrf_token", csrf_token);
  LayoutArgs args;
  args.page_title = "Reply | " + site_.name;
  args.noindex = true;
  args.body_class = "page--reply";
  return wrap(*impl_, site_, asset_version_, sections, args, impl_->render("reply", d));
}

std::string PageRenderer::message_page(const std::string& title, const std::string& message, const std::string& link,
                                       const std::vector<Section>& sections) const {
  mus::data d;
  d.set("status", std::string());
  d.set("title", title);
  d.set("message", message);
  LayoutArgs args;
  args.page_title = title + " | " + site_.name;
  args.noindex = true;
  args.body_class = "page--message";
  std::string html = impl_->render("error", d);
  if (!link.empty()) html += "<p class=\"message__back\"><a href=\"" + html_escape(link) + "\">Go back</a></p>";
  return wrap(*impl_, site_, asset_version_, sections, args, html);
}

std::string PageRenderer::admin_accounts(const std::vector<Account>& accounts, const std::string& csrf_token,
                                         const std::string& notice, const std::optional<std::string>& next_url,
                                         const std::vector<Section>& sections) const {
  mus::data d;
  mus::list items;
  for (const auto& a : accounts) {
    mus::list roles;
    for (Role r : {Role::reader, Role::moderator, Role::editor, Role::admin}) {
      mus::object o{{"value", std::string(to_string(r))}};
      o["selected"] = mus::data(r == a.role);
      roles.emplace_back(o);
    }
    items.emplace_back(mus::object{{"id", std::to_string(a.id)},
                                   {"name", a.display_name},
                                   {"email", a.email},
                                   {"since", format_local(a.created_at, site_.locality, "d MMM yyyy")},
                                   {"csrf_token", csrf_token},
                                   {"roles", roles}});
  }
  d.set("accounts", items);
  if (!notice.empty()) d.set("notice", notice);
  if (next_url) d.set("next_url", *next_url);
  LayoutArgs args;
  args.page_title = "Accounts | " + site_.name;
  args.noindex = true;
  args.body_class = "page--admin";
  return wrap(*impl_, site_, asset_version_, sections, args, impl_->render("admin_accounts", d));
}

std::string PageRenderer::simple_form(const SimpleForm& f, const std::vector<Section>& sections) const {
  mus::data d;
  d.set("heading", f.heading);
  if (!f.lead.empty()) d.set("lead", f.lead);
  if (!f.error.empty()) d.set("error", f.error);
  d.set("action", f.action);
  d.set("submit", f.submit);
  d.set("show_form", mus::data(f.show_form));
  mus::list hidden, fields;
  for (const auto& [k, v] : f.hidden) hidden.emplace_back(mus::object{{"name", k}, {"value", v}});
  for (const auto& fl : f.fields) {
    mus::object o{{"name", fl.name},
                  {"label", fl.label},
                  {"type", fl.type},
                  {"autocomplete", fl.autocomplete},
                  {"maxlength", std::to_string(fl.maxlength)}};
    if (!fl.hint.empty()) o["hint"] = fl.hint;
    fields.emplace_back(o);
  }
  d.set("hidden", hidden);
  d.set("fields", fields);
  if (!f.after_html.empty()) d.set("after_html", f.after_html);
  LayoutArgs args;
  args.page_title = f.heading + " | " + site_.name;
  args.noindex = true;
  args.body_class = "page--account";
  return wrap(*impl_, site_, asset_version_, sections, args, impl_->render("simple_form", d));
}

std::string PageRenderer::standard_page(const Page& page, const std::vector<Section>& sections) const {
  mus::data d;
  d.set("title", page.title);
  d.set("body_html", page.body_html);
  if (page.version > 0) {
    d.set("updated", format_local(page.updated_at, site_.locality, "d MMMM yyyy"));
    d.set("updated_iso", format_rfc3339(page.updated_at));
  }
  LayoutArgs args;
  args.page_title = page.title + " | " + site_.name;
  args.description = page.description.empty() ? page.title + ": " + site_.name + "." : page.description;
  args.canonical = absolute(site_, "/" + page.slug);
  args.body_class = "page--standard";
  return wrap(*impl_, site_, asset_version_, sections, args, impl_->render("page", d));
}

std::string PageRenderer::corrections_page(const std::vector<Article>& corrected,
                                           const std::vector<Section>& sections) const {
  boost::json::array rows;
  for (const auto& a : corrected)
    rows.push_back(boost::json::object{{"title", a.title},
                                       {"url", articles_.url_for(a)},
                                       {"note", a.correction},
                                       {"date", format_local(a.corrected_at, site_.locality, "d MMMM yyyy")},
                                       {"iso", format_rfc3339(a.corrected_at)}});
  bool any = !rows.empty();
  LayoutArgs args;
  args.page_title = "Corrections | " + site_.name;
  args.description = "Every correction " + site_.name + " has made to its articles, newest first.";
  args.canonical = absolute(site_, "/corrections");
  args.body_class = "page--standard";
  return wrap(*impl_, site_, asset_version_, sections, args,
              fragment_from("corrections",
                            boost::json::object{{"rows", std::move(rows)}, {"any", any}, {"site_name", site_.name}}));
}

std::string PageRenderer::search_page(const SearchForm& form, const SearchResults& results,
                                      const std::optional<Error>& error, const std::vector<Section>& sections) const {
  boost::json::array options, hits;
  for (const auto& s : sections)
    options.push_back(boost::json::object{{"slug", s.slug}, {"name", s.name}, {"selected", s.slug == form.section}});
  for (const auto& h : results.hits) {
    const auto& a = h.article;
    hits.push_back(boost::json::object{{"url", articles_.url_for(a)},
                                       {"title_html", h.title_html},
                                       {"snippet_html", h.snippet_html},
                                       {"section_name", a.section.name},
                                       {"section_url", "/" + a.section.slug},
                                       {"byline", byline_text(a)},
                                       {"published_iso", format_rfc3339(a.published_at)},
                                       {"date", format_local(a.published_at, site_.locality, "d MMMM yyyy")}});
  }
  auto page_url = [&](int page) {
    std::string url = "/search?q=" + percent_encode(form.q);
    if (!form.section.empty()) url += "&section=" + percent_encode(form.section);
    if (!form.from.empty()) url += "&from=" + percent_encode(form.from);
    if (!form.to.empty()) url += "&to=" + percent_encode(form.to);
    return page > 1 ? url + "&page=" + std::to_string(page) : url;
  };
  boost::json::object d{{"q", form.q},
                        {"from", form.from},
                        {"to", form.to},
                        {"site_name", site_.name},
                        {"section_options", std::move(options)},
                        {"any", !hits.empty()},
                        {"hits", std::move(hits)},
                        {"asked", results.asked && !error}};
  if (error) {
    d["error"] = error->message();
    d["error_field_" + (error->field().empty() ? std::string("q") : error->field())] = true;
  }
  if (results.asked) {
    std::string count = results.total == 0   ? "Nothing found for “" + form.q + "”."
                        : results.total == 1 ? "One piece found for “" + form.q + "”."
                                             : std::to_string(results.total) + " pieces found for “" + form.q + "”";
    if (results.total > 1)
      count += results.pages > 1
                   ? ", page " + std::to_string(results.page) + " of " + std::to_string(results.pages) + "."
                   : ".";
    d["count_text"] = count;
  }
  if (results.page > 1 && results.page <= results.pages) d["prev_url"] = page_url(results.page - 1);
  if (results.page < results.pages) d["next_url"] = page_url(results.page + 1);
  d["paged"] = d.contains("prev_url") || d.contains("next_url");
  LayoutArgs args;
  args.page_title = (form.q.empty() ? std::string("Search") : "Search: " + form.q) + " | " + site_.name;
  args.description = "Search " + site_.name + ".";
  args.noindex = true;  // result pages are not pages of their own to a search engine
  args.body_class = "page--search";
  return wrap(*impl_, site_, asset_version_, sections, args, fragment_from("search", d));
}

std::string PageRenderer::support_page(const std::vector<Section>& sections, bool cancelled,
                                       const std::string& article_slug) const {
  mus::data d;
  d.set("appeal_heading", site_.appeal.heading);
  d.set("appeal_copy", site_.appeal.copy);
  d.set("appeal_signature", site_.appeal.signature);
  d.set("cancelled", mus::data(cancelled));
  set_appeal(*impl_, site_, d, article_slug);
  LayoutArgs args;
  args.page_title = "Support " + site_.name;
  args.description =
      "Support " + site_.name + ": every contribution, one-off or monthly, keeps its journalism open to everyone.";
  args.canonical = absolute(site_, "/support");
  args.body_class = "page--support";
  return wrap(*impl_, site_, asset_version_, sections, args, impl_->render("support", d));
}

namespace {

// Stacked bars per day (one-off below, monthly above), drawn as inline SVG: no script, no external chart.
std::string day_chart(const ContributionReport& r) {
  constexpr int kWidth = 720, kHeight = 220, kBottom = 200, kTop = 12;
  int64_t peak = 1;
  for (const auto& d : r.days) peak = std::max(peak, d.once_minor + d.monthly_minor);
  double slot = r.days.empty() ? kWidth : static_cast<double>(kWidth) / static_cast<double>(r.days.size());
  std::string out =
      "<svg class=\"report__chart\" viewBox=\"0 0 " + std::to_string(kWidth) + " " + std::to_string(kHeight) +
      "\" role=\"img\" aria-labelledby=\"chart-title\"><title id=\"chart-title\">Money received per day, " +
      html_escape(r.currency) + ", " + std::to_string(r.days.size()) + " days</title>";
  out += "<line x1=\"0\" y1=\"" + std::to_string(kBottom) + "\" x2=\"" + std::to_string(kWidth) + "\" y2=\"" +
         std::to_string(kBottom) + "\" class=\"report__axis\"/>";
  char buf[256];
  for (size_t i = 0; i < r.days.size(); ++i) {
    const auto& d = r.days[i];
    double x = slot * static_cast<double>(i) + slot * 0.15, w = std::max(1.0, slot * 0.7);
    double once =
        static_cast<double>(std::max<int64_t>(0, d.once_minor)) / static_cast<double>(peak) * (kBottom - kTop);
    double monthly =
        static_cast<double>(std::max<int64_t>(0, d.monthly_minor)) / static_cast<double>(peak) * (kBottom - kTop);
    std::string label = d.date + ": one-off " + format_money(d.once_minor, r.currency) + ", monthly " +
                        format_money(d.monthly_minor, r.currency);
    std::snprintf(
        buf, sizeof buf,
        "<g><title>%s</title><rect class=\"report__once\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>",
        html_escape(label).c_str(), x, kBottom - once, w, once);
    out += buf;
    std::snprintf(buf, sizeof buf,
                  "<rect class=\"report__monthly\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/></g>", x,
                  kBottom - once - monthly, w, monthly);
    out += buf;
  }
  if (!r.days.empty()) {
    out += "<text x=\"0\" y=\"216\" class=\"report__tick\">" + r.days.front().date + "</text>";
    out += "<text x=\"" + std::to_string(kWidth) + "\" y=\"216\" text-anchor=\"end\" class=\"report__tick\">" +
           r.days.back().date + "</text>";
  }
  out += "<text x=\"4\" y=\"" + std::to_string(kTop + 10) + "\" class=\"report__tick\">" +
         html_escape(format_money(peak, r.currency)) + "</text></svg>";
  return out;
}

}  // namespace

std::string PageRenderer::contribution_report(const ContributionReport& r, const std::vector<std::string>& currencies,
                                              int days, const std::vector<Section>& sections) const {
  std::string h = "<section class=\"report\"><h1 class=\"listing__title\">Contributions</h1>";
  h += "<form class=\"report__filters\" method=\"get\" action=\"/admin/contributions\"><label>Currency <select "
       "name=\"currency\">";
  for (const auto& c : currencies)
    h += "<option" + std::string(c == r.currency ? " selected" : "") + ">" + html_escape(c) + "</option>";
  h += "</select></label> <label>Period <select name=\"days\">";
  for (int d : {7, 30, 90, 365})
    h += "<option value=\"" + std::to_string(d) + "\"" + (d == days ? " selected" : "") + ">last " + std::to_string(d) +
         " days</option>";
  h += "</select></label> <button class=\"button button--small\" type=\"submit\">Show</button></form>";
  h += "<dl class=\"report__totals\">";
  auto fact = [&h](const std::string& term, const std::string& value) {
    h += "<div><dt>" + html_escape(term) + "</dt><dd>" + html_escape(value) + "</dd></div>";
  };
  fact("One-off", format_money(r.once_minor, r.currency) + " from " + std::to_string(r.once_count));
  fact("Monthly payments", format_money(r.monthly_minor, r.currency) + " from " + std::to_string(r.monthly_count));
  fact("Refunded", format_money(r.refunded_minor, r.currency));
  fact("Active monthly supporters", std::to_string(r.active_monthly));
  h += "</dl><figure class=\"report__figure\">" + day_chart(r) +
       "<figcaption><span class=\"report__key report__key--once\"></span> one-off <span class=\"report__key "
       "report__key--monthly\"></span> monthly</figcaption></figure>";
  h += "<h2>Which pieces move readers to pay</h2><table class=\"admin-table\"><thead><tr><th scope=\"col\">Article</th>"
       "<th scope=\"col\">Contributions</th><th scope=\"col\">Amount</th></tr></thead><tbody>";
  for (const auto& a : r.articles)
    h += "<tr><td>" + html_escape(a.title) + "</td><td>" + std::to_string(a.contributions) + "</td><td>" +
         html_escape(format_money(a.amount_minor, r.currency)) + "</td></tr>";
  if (r.articles.empty()) h += "<tr><td colspan=\"3\">Nothing in this period.</td></tr>";
  h += "</tbody></table><p><a class=\"button button--small\" href=\"/admin/contributions.csv\">Download every "
       "contribution (CSV)</a></p></section>";
  LayoutArgs args;
  args.page_title = "Contributions | " + site_.name;
  args.noindex = true;
  args.body_class = "page--report";
  return wrap(*impl_, site_, asset_version_, sections, args, h);
}

std::string PageRenderer::rss(const Feed& feed, const std::vector<Article>& latest) const {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:atom=\"http://www.w3.org/2005/Atom\" "
      "xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">\n<channel>\n<title>";
  out += xml_escape(feed.title) + "</title>\n<link>" + xml_escape(absolute(site_, feed.page_path)) +
         "</link>\n<description>" + xml_escape(feed.description) + "</description>\n<language>" +
         xml_escape(site_.locality.locale.substr(0, 2)) + "</language>\n<atom:link href=\"" +
         xml_escape(absolute(site_, feed.self_path)) + "\" rel=\"self\" type=\"application/rss+xml\"/>\n";
  if (!latest.empty()) out += "<lastBuildDate>" + format_rfc822(latest.front().published_at) + "</lastBuildDate>\n";
  for (const auto& a : latest) {
    std::string link = absolute(site_, articles_.url_for(a));
    out += "<item>\n<title>" + xml_escape(a.title) + "</title>\n<link>" + xml_escape(link) +
           "</link>\n<guid isPermaLink=\"true\">" + xml_escape(link) + "</guid>\n<pubDate>" +
           format_rfc822(a.published_at) + "</pubDate>\n";
    for (const auto& au : a.authors) out += "<dc:creator>" + xml_escape(au.name) + "</dc:creator>\n";
    out += "<category>" + xml_escape(a.section.name) + "</category>\n";
    if (!a.standfirst.empty()) out += "<description>" + xml_escape(a.standfirst) + "</description>\n";
    if (site_.feed_full_text && !a.body_html.empty())
      out += "<content:encoded>" + xml_escape(a.body_html) + "</content:encoded>\n";
    if (auto image = articles_.lead_image(a))
      if (const auto* r = sharing_rendition(*image))
        out += "<enclosure url=\"" + xml_escape(absolute(site_, rendition_url(*image, *r))) + "\" length=\"" +
               std::to_string(r->size) + "\" type=\"" + std::string(content_type(r->format)) + "\"/>\n";
    out += "</item>\n";
  }
  out += "</channel>\n</rss>\n";
  return out;
}

std::string PageRenderer::atom(const Feed& feed, const std::vector<Article>& latest) const {
  TimePoint updated = latest.empty() ? now_seconds() : TimePoint{};
  for (const auto& a : latest) updated = std::max({updated, a.published_at, a.updated_at});
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"" +
      xml_escape(site_.locality.locale.substr(0, 2)) + "\">\n<title>" + xml_escape(feed.title) + "</title>\n";
  if (!feed.description.empty()) out += "<subtitle>" + xml_escape(feed.description) + "</subtitle>\n";
  out += "<id>" + xml_escape(absolute(site_, feed.page_path)) +
         "</id>\n<link rel=\"alternate\" type=\"text/html\" href=\"" + xml_escape(absolute(site_, feed.page_path)) +
         "\"/>\n<link rel=\"self\" type=\"application/atom+xml\" href=\"" +
         xml_escape(absolute(site_, feed.self_path)) + "\"/>\n<updated>" + format_rfc3339(updated) +
         "</updated>\n<author><name>" + xml_escape(site_.name) + "</name></author>\n";
  for (const auto& a : latest) {
    std::string link = absolute(site_, articles_.url_for(a));
    out += "<entry>\n<title>" + xml_escape(a.title) + "</title>\n<link rel=\"alternate\" type=\"text/html\" href=\"" +
           xml_escape(link) + "\"/>\n<id>" + xml_escape(link) + "</id>\n<published>" + format_rfc3339(a.published_at) +
           "</published>\n<updated>" + format_rfc3339(std::max(a.published_at, a.updated_at)) + "</updated>\n";
    for (const auto& au : a.authors) out += "<author><name>" + xml_escape(au.name) + "</name></author>\n";
    out += "<category term=\"" + xml_escape(a.section.slug) + "\" label=\"" + xml_escape(a.section.name) + "\"/>\n";
    if (!a.standfirst.empty()) out += "<summary>" + xml_escape(a.standfirst) + "</summary>\n";
    if (site_.feed_full_text && !a.body_html.empty())
      out += "<content type=\"html\">" + xml_escape(a.body_html) + "</content>\n";
    out += "</entry>\n";
  }
  out += "</feed>\n";
  return out;
}

std::string PageRenderer::sitemap_index(int files) const {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex "
      "xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";
  for (int i = 1; i <= files; ++i)
    out += "<sitemap><loc>" + xml_escape(absolute(site_, "/sitemaps/" + std::to_string(i) + ".xml")) +
           "</loc></sitemap>\n";
  out += "</sitemapindex>\n";
  return out;
}

std::string PageRenderer::news_sitemap(const std::vector<Article>& recent) const {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" "
      "xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\">\n";
  std::string publication = "<news:publication><news:name>" + xml_escape(site_.name) + "</news:name><news:language>" +
                            xml_escape(site_.locality.locale.substr(0, 2)) + "</news:language></news:publication>";
  for (const auto& a : recent) {
    if (!a.source_name.empty() && (site_.syndicated_noindex || names_a_piece(a.source_url))) continue;
    out += "<url><loc>" + xml_escape(absolute(site_, articles_.url_for(a))) + "</loc><news:news>" + publication +
           "<news:publication_date>" + format_rfc3339(a.published_at) + "</news:publication_date><news:title>" +
           xml_escape(a.title) + "</news:title></news:news></url>\n";
  }
  out += "</urlset>\n";
  return out;
}

std::string PageRenderer::sitemap(const std::vector<Article>& articles, const std::vector<Section>& sections,
                                  bool with_home) const {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";
  if (with_home) out += "<url><loc>" + xml_escape(absolute(site_, "/")) + "</loc></url>\n";
  for (const auto& s : sections) out += "<url><loc>" + xml_escape(absolute(site_, "/" + s.slug)) + "</loc></url>\n";
  for (const auto& a : articles) {
    bool syndicated = !a.source_name.empty();
    if (syndicated && (site_.syndicated_noindex || names_a_piece(a.source_url)))
      continue;  // noindex, or canonical elsewhere: not ours to list
    out += "<url><loc>" + xml_escape(absolute(site_, articles_.url_for(a))) + "</loc><lastmod>" +
           format_rfc3339(std::max(a.updated_at, a.published_at)) + "</lastmod></url>\n";
  }
  out += "</urlset>\n";
  return out;
}

}  // namespace tribune

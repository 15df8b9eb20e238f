#include "domain/markdown.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>

#include <cctype>
#include <memory>
#include <mutex>
#include <vector>

#include "domain/mentions.h"

namespace tribune {

namespace {

void register_extensions_once() {
  static std::once_flag once;
  std::call_once(once, [] { cmark_gfm_core_extensions_ensure_registered(); });
}

void attach(cmark_parser* parser, const char* name) {
  if (cmark_syntax_extension* ext = cmark_find_syntax_extension(name))
    cmark_parser_attach_syntax_extension(parser, ext);
}

void add_rel_to_links(std::string& html) {
  static constexpr std::string_view needle = "<a href=\"";
  static constexpr std::string_view rel = "rel=\"nofollow ugc noopener\" ";
  size_t pos = 0;
  while ((pos = html.find(needle, pos)) != std::string::npos) {
    html.insert(pos + 3, rel);
    pos += needle.size() + rel.size();
  }
}

// Reader content never embeds images: each becomes a link to the image, labelled with its alt text.
void images_to_links(cmark_node* doc) {
  std::vector<cmark_node*> images;
  cmark_iter* it = cmark_iter_new(doc);
  for (cmark_event_type ev; (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE;)
    if (ev == CMARK_EVENT_ENTER && cmark_node_get_type(cmark_iter_get_node(it)) == CMARK_NODE_IMAGE)
      images.push_back(cmark_iter_get_node(it));
  cmark_iter_free(it);
  for (cmark_node* image : images) {
    cmark_node* link = cmark_node_new(CMARK_NODE_LINK);
    cmark_node_set_url(link, cmark_node_get_url(image));
    cmark_node_set_title(link, cmark_node_get_title(image));
    while (cmark_node* child = cmark_node_first_child(image)) cmark_node_append_child(link, child);
    if (!cmark_node_first_child(link)) {
      cmark_node* text = cmark_node_new(CMARK_NODE_TEXT);
      cmark_node_set_literal(text, "image");
      cmark_node_append_child(link, text);
    }
    cmark_node_insert_before(image, link);
    cmark_node_free(image);
  }
}

bool inside_link(cmark_node* node) {
  for (cmark_node* up = cmark_node_parent(node); up; up = cmark_node_parent(up))
    if (cmark_node_get_type(up) == CMARK_NODE_LINK) return true;
  return false;
}

cmark_node* text_node(std::string_view text) {
  cmark_node* node = cmark_node_new(CMARK_NODE_TEXT);
  cmark_node_set_literal(node, std::string(text).c_str());
  return node;
}

// "@Ana" in a text node becomes a link to Ana's profile. Code spans and blocks are other node types, so they
// are never touched; text already inside a link stays as it is.
void link_mentions(cmark_node* doc, const std::function<std::string(const std::string&)>& url_for) {
  std::vector<cmark_node*> texts;
  cmark_iter* it = cmark_iter_new(doc);
  for (cmark_event_type ev; (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE;) {
    cmark_node* node = cmark_iter_get_node(it);
    if (ev == CMARK_EVENT_ENTER && cmark_node_get_type(node) == CMARK_NODE_TEXT && !inside_link(node))
      texts.push_back(node);
  }
  cmark_iter_free(it);
  for (cmark_node* node : texts) {
    std::string_view text = cmark_node_get_literal(node);
    // cmark splits text at some punctuation: "x@y" may arrive as "x" and "@y", which is no mention.
    cmark_node* before = cmark_node_previous(node);
    bool word_before = false;
    if (before && cmark_node_get_type(before) == CMARK_NODE_TEXT) {
      std::string_view prev = cmark_node_get_literal(before);
      auto last = prev.empty() ? ' ' : static_cast<unsigned char>(prev.back());
      word_before = std::isalnum(last) || last == '_' || last >= 0x80;
    }
    size_t done = 0;
    bool changed = false;
    for (size_t i = text.find('@'); i != std::string_view::npos; i = text.find('@', i + 1)) {
      if (i == 0 && word_before) continue;
      auto m = mention_at(text, i);
      if (!m) continue;
      std::string url = url_for(m->handle);
      if (url.empty()) continue;
      if (m->at > done) cmark_node_insert_before(node, text_node(text.substr(done, m->at - done)));
      cmark_node* link = cmark_node_new(CMARK_NODE_LINK);
      cmark_node_set_url(link, url.c_str());
      cmark_node_append_child(link, text_node(text.substr(m->at, m->length)));
      cmark_node_insert_before(node, link);
      done = m->at + m->length;
      i = done - 1;
      changed = true;
    }
    if (!changed) continue;
    if (done < text.size()) cmark_node_insert_before(node, text_node(text.substr(done)));
    cmark_node_free(node);
  }
}

// The plain text under a node (an image's alt text).
std::string plain_text(cmark_node* node) {
  std::string out;
  std::unique_ptr<cmark_iter, decltype(&cmark_iter_free)> it(cmark_iter_new(node), &cmark_iter_free);
  for (cmark_event_type ev; (ev = cmark_iter_next(it.get())) != CMARK_EVENT_DONE;) {
    cmark_node* n = cmark_iter_get_node(it.get());
    if (ev == CMARK_EVENT_ENTER &&
        (cmark_node_get_type(n) == CMARK_NODE_TEXT || cmark_node_get_type(n) == CMARK_NODE_CODE))
      if (const char* t = cmark_node_get_literal(n)) out += t;
  }
  return out;
}

void replace_images(cmark_node* doc, const MarkdownOptions& options) {
  std::vector<cmark_node*> images;
  {
    std::unique_ptr<cmark_iter, decltype(&cmark_iter_free)> it(cmark_iter_new(doc), &cmark_iter_free);
    for (cmark_event_type ev; (ev = cmark_iter_next(it.get())) != CMARK_EVENT_DONE;)
      if (ev == CMARK_EVENT_ENTER && cmark_node_get_type(cmark_iter_get_node(it.get())) == CMARK_NODE_IMAGE)
        images.push_back(cmark_iter_get_node(it.get()));
  }
  // An image inside another's alt text (`![a ![b](x)](y)`) goes with the outer one: only outermost images are
  // replaced, so that no node is touched after its ancestor is freed.
  auto inside_image = [](cmark_node* n) {
    for (cmark_node* up = cmark_node_parent(n); up; up = cmark_node_parent(up))
      if (cmark_node_get_type(up) == CMARK_NODE_IMAGE) return true;
    return false;
  };
  std::erase_if(images, inside_image);
  for (cmark_node* image : images) {
    cmark_node* parent = cmark_node_parent(image);
    bool alone = parent && cmark_node_get_type(parent) == CMARK_NODE_PARAGRAPH &&
                 cmark_node_first_child(parent) == image && cmark_node_last_child(parent) == image;
    const char* url = cmark_node_get_url(image);
    const char* title = cmark_node_get_title(image);
    std::string html = options.image_html(url ? url : "", plain_text(image), title ? title : "", alone);
    if (html.empty()) continue;
    // Custom nodes are written out verbatim, outside cmark's safe mode: the callback's HTML is its own.
    cmark_node* custom = cmark_node_new(alone ? CMARK_NODE_CUSTOM_BLOCK : CMARK_NODE_CUSTOM_INLINE);
    cmark_node_set_on_enter(custom, html.c_str());
    cmark_node* replaced = alone ? parent : image;
    if (!cmark_node_insert_before(replaced, custom)) {  // not allowed there (a table cell): the image stays
      cmark_node_free(custom);
      continue;
    }
    cmark_node_free(replaced);
  }
}

}  // namespace

std::string render_markdown(std::string_view markdown, const MarkdownOptions& options) {
  register_extensions_once();
  // CMARK_OPT_UNSAFE is deliberately absent: raw HTML and unsafe link schemes are stripped.
  int opts = CMARK_OPT_DEFAULT | CMARK_OPT_SMART | CMARK_OPT_VALIDATE_UTF8;
  std::unique_ptr<cmark_parser, decltype(&cmark_parser_free)> parser(cmark_parser_new(opts), &cmark_parser_free);
  attach(parser.get(), "strikethrough");
  attach(parser.get(), "autolink");
  if (options.tables) attach(parser.get(), "table");
  cmark_parser_feed(parser.get(), markdown.data(), markdown.size());
  std::unique_ptr<cmark_node, decltype(&cmark_node_free)> doc(cmark_parser_finish(parser.get()), &cmark_node_free);
  if (options.ugc_links) images_to_links(doc.get());
  if (options.mention_url) link_mentions(doc.get(), options.mention_url);
  if (options.image_html && !options.ugc_links) replace_images(doc.get(), options);
  char* raw = cmark_render_html(doc.get(), opts, cmark_parser_get_syntax_extensions(parser.get()));
  std::string html(raw);
  free(raw);  // NOLINT: allocated by cmark with malloc
  if (options.ugc_links) add_rel_to_links(html);
  return html;
}

}  // namespace tribune

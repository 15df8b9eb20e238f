#include "domain/markdown.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>

#include <memory>
#include <mutex>
#include <vector>

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
  char* raw = cmark_render_html(doc.get(), opts, cmark_parser_get_syntax_extensions(parser.get()));
  std::string html(raw);
  free(raw);  // NOLINT: allocated by cmark with malloc
  if (options.ugc_links) add_rel_to_links(html);
  return html;
}

}  // namespace tribune

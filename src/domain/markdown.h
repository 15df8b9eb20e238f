// Markdown to HTML through cmark-gfm. Raw HTML in the source never reaches the output (it is replaced by a
// comment) and links with dangerous schemes (javascript:, vbscript:, file:, data: other than images) are
// dropped by cmark's safe mode. Thread-safe.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace tribune {

struct MarkdownOptions {
  bool tables = true;
  bool ugc_links = false;  // reader content: rel="nofollow ugc noopener" on every link, images become links
  // Reader content: each @mention (domain/mentions.h) outside code and links becomes a link to the address
  // this returns for its handle; an empty address leaves it as text (nobody goes by that name).
  std::function<std::string(const std::string& handle)> mention_url;
  // Article bodies: each image is offered to this with its address, alt text, title and whether it stands
  // alone in its paragraph; HTML it returns replaces the image (and, when alone, the paragraph), written as
  // is, so it must be escaped HTML of Tribune's own making. Empty leaves the image as cmark writes it.
  std::function<std::string(const std::string& url, const std::string& alt, const std::string& title, bool alone)>
      image_html;
};

std::string render_markdown(std::string_view markdown, const MarkdownOptions& options = {});

}  // namespace tribune

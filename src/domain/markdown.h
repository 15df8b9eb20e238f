// Markdown to HTML through cmark-gfm. Raw HTML in the source never reaches the output (it is replaced by a
// comment) and links with dangerous schemes (javascript:, vbscript:, file:, data: other than images) are
// dropped by cmark's safe mode. Thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace tribune {

struct MarkdownOptions {
  bool tables = true;
  bool ugc_links = false;  // reader content: rel="nofollow ugc noopener" on every link, images become links
};

std::string render_markdown(std::string_view markdown, const MarkdownOptions& options = {});

}  // namespace tribune

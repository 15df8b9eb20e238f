// The HTML of comments and posts written elsewhere (Disqus messages, WordPress comments and posts, Remark42
// texts) as Markdown, which Tribune stores and renders through its own safe renderer: what a reader wrote
// survives (paragraphs, line breaks, links, emphasis, quotes, code, lists), the markup around it does not.
#pragma once

#include <string>
#include <string_view>

namespace tribune::imports {

// Never throws on malformed HTML: unknown and unclosed tags are dropped, their text kept; entities are
// decoded (named ones of HTML's common set, numeric ones); script and style elements lose their content.
std::string html_to_markdown(std::string_view html);

}  // namespace tribune::imports

#include "domain/markdown.h"

#include <gtest/gtest.h>

#include <vector>

#include "util/text.h"

using namespace tribune;

TEST(Markdown, RendersCommonMarkAndGfm) {
  auto html = render_markdown("## Head\n\n*em* and [link](https://example.org)\n\n> quote\n\n- a\n- b\n\n~~gone~~\n");
  EXPECT_NE(html.find("<h2>Head</h2>"), std::string::npos);
  EXPECT_NE(html.find("<em>em</em>"), std::string::npos);
  EXPECT_NE(html.find("<a href=\"https://example.org\">link</a>"), std::string::npos);
  EXPECT_NE(html.find("<blockquote>"), std::string::npos);
  EXPECT_NE(html.find("<li>a</li>"), std::string::npos);
  EXPECT_NE(html.find("<del>gone</del>"), std::string::npos);
}

TEST(Markdown, NeverPassesRawHtmlOrScriptLinks) {
  auto html = render_markdown(
      "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1)) "
      "[y](vbscript:msgbox) <b onclick=\"z\">b</b>\n");
  EXPECT_EQ(html.find("<script"), std::string::npos) << html;
  EXPECT_EQ(html.find("<img"), std::string::npos) << html;
  EXPECT_EQ(html.find("javascript:"), std::string::npos) << html;
  EXPECT_EQ(html.find("vbscript:"), std::string::npos) << html;
  EXPECT_EQ(html.find("onclick"), std::string::npos) << html;
}

TEST(Markdown, UgcLinksAreNofollow) {
  auto html = render_markdown("[a](https://a.example) <https://b.example>", {.tables = false, .ugc_links = true});
  EXPECT_NE(html.find("<a rel=\"nofollow ugc noopener\" href=\"https://a.example\">"), std::string::npos) << html;
  EXPECT_NE(html.find("<a rel=\"nofollow ugc noopener\" href=\"https://b.example\">"), std::string::npos) << html;
}

TEST(Markdown, ReaderImagesBecomeLinks) {
  auto html =
      render_markdown("![a cat](https://example.org/cat.png) and ![](/metrics)", {.tables = false, .ugc_links = true});
  EXPECT_EQ(html.find("<img"), std::string::npos) << html;
  EXPECT_NE(html.find("<a rel=\"nofollow ugc noopener\" href=\"https://example.org/cat.png\">a cat</a>"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("href=\"/metrics\">image</a>"), std::string::npos) << html;
  EXPECT_NE(render_markdown("![x](https://example.org/x.png)").find("<img"), std::string::npos)
      << "articles keep images";
}

TEST(Markdown, MentionsLinkToTheReadersTheyNameOutsideCodeAndLinks) {
  std::vector<std::string> asked;
  auto url_for = [&](const std::string& handle) -> std::string {
    asked.push_back(handle);
    return handle == "nobody" ? std::string() : "/readers/" + handle;
  };
  MarkdownOptions o{.tables = false, .ugc_links = true, .mention_url = url_for};
  EXPECT_EQ(
      render_markdown("As @Ana.Lima. said, and @nobody too", o),
      "<p>As <a rel=\"nofollow ugc noopener\" href=\"/readers/analima\">@Ana.Lima</a>. said, and @nobody too</p>\n");
  EXPECT_EQ(render_markdown("`@code` and [@linked](https://x.example) and mail ana@example.org", o).find("/readers/"),
            std::string::npos);
  EXPECT_EQ(render_markdown("**@bold** and *x*@tail", o),
            "<p><strong><a rel=\"nofollow ugc noopener\" href=\"/readers/bold\">@bold</a></strong> and "
            "<em>x</em><a rel=\"nofollow ugc noopener\" href=\"/readers/tail\">@tail</a></p>\n");
  EXPECT_EQ(render_markdown("<script>@x</script> @<b>", o).find("<script>"), std::string::npos);
  EXPECT_EQ(render_markdown("no mentions here", o), "<p>no mentions here</p>\n");
}

TEST(Markdown, AMentionCutAtItsLengthLimitNeverSplitsACharacter) {
  // Found by fuzz/markdown_fuzz.cpp: a handle longer than the 64-byte limit, of two-byte characters, was cut
  // between the two bytes of one, leaving half a character on each side of </a>.
  MarkdownOptions o{
      .tables = false, .ugc_links = true, .mention_url = [](const std::string&) { return std::string("/r"); }};
  std::string name = "@a";
  for (int i = 0; i < 40; ++i) name += "\xc3\xa9";  // é
  auto html = render_markdown(name, o);
  EXPECT_TRUE(is_valid_utf8(html)) << html;
  EXPECT_NE(html.find("</a>\xc3\xa9"), std::string::npos) << "the cut falls between two characters";
}

TEST(Markdown, ImagesAreOfferedToTheHookOutermostFirstAndStayWhereHtmlCannotGo) {
  std::vector<std::string> offered;
  MarkdownOptions o;
  o.image_html = [&](const std::string& url, const std::string& alt, const std::string& title, bool alone) {
    offered.push_back(url + "|" + alt + "|" + title + "|" + (alone ? "alone" : "inline"));
    return std::string(alone ? "<figure>F</figure>" : "<span>I</span>");
  };
  // Alone in its paragraph: the paragraph goes (no <figure> inside a <p>); in a sentence: inline.
  EXPECT_EQ(render_markdown("![Map](/media/a \"Routes\")\n\nText ![b](/media/b) more.", o),
            "<figure>F</figure>\n<p>Text <span>I</span> more.</p>\n");
  EXPECT_EQ(offered, (std::vector<std::string>{"/media/a|Map|Routes|alone", "/media/b|b||inline"}));
  // An image in another's alt text goes with the outer one (found by review: the inner node was used after
  // its ancestor was freed).
  offered.clear();
  EXPECT_EQ(render_markdown("![a ![b](/media/inner)](/media/outer)", o), "<figure>F</figure>\n");
  EXPECT_EQ(offered, (std::vector<std::string>{"/media/outer|a b||alone"}));
  // Where the table extension allows no custom node, the image stays as cmark writes it.
  auto table = render_markdown("| a |\n|---|\n| ![Map](/media/t) |", o);
  EXPECT_NE(table.find("<img src=\"/media/t\" alt=\"Map\" />"), std::string::npos) << table;
  // A hook that declines leaves the image alone.
  o.image_html = [](const std::string&, const std::string&, const std::string&, bool) { return std::string(); };
  EXPECT_EQ(render_markdown("![x](https://elsewhere.example/x.png)", o),
            "<p><img src=\"https://elsewhere.example/x.png\" alt=\"x\" /></p>\n");
  // Reader content never reaches the hook: images there become links.
  o.ugc_links = true;
  o.image_html = [](const std::string&, const std::string&, const std::string&, bool) -> std::string {
    ADD_FAILURE() << "the hook saw reader content";
    return "<script>";
  };
  EXPECT_EQ(render_markdown("![x](/media/a)", o).find("<script>"), std::string::npos);
}

// Search text: folding, the words of HTML, what a reader's query means, and highlighted snippets.
#include "util/search_text.h"

#include <gtest/gtest.h>

#include "domain/search.h"

using namespace tribune;

TEST(SearchText, FoldsCaseAndLatinDiacriticsAndSplitsOnPunctuation) {
  EXPECT_EQ(fold_for_search("Café au LAIT"), "cafe au lait");
  EXPECT_EQ(fold_for_search("Zoë Ruiz-Müller, Łódź; Straße — Œuvre ȘTIINȚĂ"),
            "zoe ruiz muller lodz strasse oeuvre stiinta");
  EXPECT_EQ(fold_for_search("don’t «quote» “me”…"), "don t quote me");
  EXPECT_EQ(fold_for_search("Αθήνα 東京"), "Αθήνα 東京") << "other scripts pass through for the engine to fold";
  EXPECT_EQ(fold_for_search("  "), "");
}

TEST(SearchText, TheTextOfHtmlKeepsWordsApartAcrossBlocksAndTogetherInsideInlineTags) {
  EXPECT_EQ(text_of_html("<h2>Heading</h2><p>One <em>em</em>phasis &amp; a <a href=\"/x\">link</a>.</p><p>Two</p>"),
            "Heading One emphasis & a link. Two");
  EXPECT_EQ(text_of_html("a&lt;b&gt;c&quot;d&#39;e&nbsp;f"), "a<b>c\"d'e f");
  EXPECT_EQ(text_of_html("<p>cut <b"), "cut");
}

TEST(SearchText, AQueryIsWordsPhrasesAndExclusions) {
  auto t = parse_search_terms("Harbour \"Night Watch\" -Ferry  covid-19 -\"old town\" \"unclosed phrase");
  ASSERT_EQ(t.size(), 6u);
  EXPECT_EQ(t[0].words, std::vector<std::string>{"harbour"});
  EXPECT_EQ(t[1].words, (std::vector<std::string>{"night", "watch"}));
  EXPECT_TRUE(t[2].excluded);
  EXPECT_EQ(t[2].words, std::vector<std::string>{"ferry"});
  EXPECT_EQ(t[3].words, (std::vector<std::string>{"covid", "19"}));
  EXPECT_TRUE(t[4].excluded);
  EXPECT_EQ(t[4].words, (std::vector<std::string>{"old", "town"}));
  EXPECT_EQ(t[5].words, (std::vector<std::string>{"unclosed", "phrase"}));
  EXPECT_TRUE(parse_search_terms("  -- \"\" *** ").empty());
  std::string many;
  for (int i = 0; i < 40; ++i) many += "w" + std::to_string(i) + " ";
  EXPECT_EQ(parse_search_terms(many).size(), SearchService::kMaxTerms);
}

TEST(SearchText, HighlightsMarkMatchesEscapeTheRestAndCutAroundTheFirstMatch) {
  EXPECT_EQ(highlight("The Café <script> café", {"cafe"}), "The <mark>Café</mark> &lt;script&gt; <mark>café</mark>");
  std::string text;
  for (int i = 0; i < 100; ++i) text += "filler" + std::to_string(i) + " ";
  text += "target then more words after it ";
  for (int i = 0; i < 100; ++i) text += "tail" + std::to_string(i) + " ";
  auto snippet = highlight(text, {"target"}, 120);
  EXPECT_TRUE(snippet.starts_with("… filler94")) << snippet;
  EXPECT_NE(snippet.find("<mark>target</mark> then more words"), std::string::npos) << snippet;
  EXPECT_TRUE(snippet.ends_with(" …")) << snippet;
  EXPECT_LE(snippet.size(), 120u + 30u);
  // No match in the text (the headline or a tag matched): its beginning.
  EXPECT_TRUE(highlight(text, {"absent"}, 60).starts_with("filler0 filler1"));
}

TEST(SearchText, ThePlainTextOfAHighlightKeepsItsPunctuationInPlace) {
  auto html = highlight("Meet me at the harbour, at noon; l'été.", {"harbour", "ete"});
  EXPECT_EQ(html, "Meet me at the <mark>harbour</mark>, at noon; l&#39;<mark>été</mark>.");
  EXPECT_EQ(text_of_html(html), "Meet me at the harbour, at noon; l'été.");
}

#include "domain/mentions.h"

#include <gtest/gtest.h>

using namespace tribune;
using V = std::vector<std::string>;

TEST(Mentions, HandlesFoldCaseSpacesAndPunctuation) {
  EXPECT_EQ(mention_handle("Ana Lima-Souza"), "analimasouza");
  EXPECT_EQ(mention_handle("ÉLODIE Brun"), "élodiebrun");
  EXPECT_EQ(mention_handle("Straße"), "strasse") << "full case folding";
  EXPECT_EQ(mention_handle("---"), "");
}

TEST(Mentions, FoundAtWordStartsOutsideCode) {
  EXPECT_EQ(extract_mentions("@AnaLima, and @élodie.brun!"), (V{"analima", "élodiebrun"}));
  EXPECT_EQ(extract_mentions("write to ana@example.org"), V{}) << "an address is not a mention";
  EXPECT_EQ(extract_mentions("`@code` and ```\n@fenced\n``` but @real"), V{"real"});
  EXPECT_EQ(extract_mentions("@same @Same @SAME"), V{"same"});
  EXPECT_EQ(extract_mentions("@ alone, @- and @"), V{});
}

TEST(Mentions, AtMostTenPerComment) {
  std::string text;
  for (int i = 0; i < 30; ++i) text += "@reader" + std::to_string(i) + " ";
  EXPECT_EQ(extract_mentions(text).size(), kMaxMentions);
}

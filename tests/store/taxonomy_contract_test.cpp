// The store contract, sections, authors and tags: what the desk changes of them, the redirects renames and
// merges leave, and how the names in drafts resolve afterwards. Every engine must pass it unchanged.
#include <gtest/gtest.h>

#include "model/error.h"
#include "store/contract.h"

using namespace tribune;
using namespace tribune::contract;

namespace {

template <class F>
std::string error_code(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code();
  }
  return "";
}

}  // namespace

TEST_P(StoreContract, ARenamedSectionKeepsItsArticlesAndItsOldSlugAndNameLeadToIt) {
  store_->save_article(record("a", 1000, "Opinion"), false);
  store_->save_article(record("b", 1000, "Culture"), false);
  int64_t before = store_->content_version();
  auto saved = store_->update_section("opinion", Section{0, "commentary", "Commentary", "Our writers argue."});
  EXPECT_EQ(saved.slug, "commentary");
  EXPECT_EQ(saved.name, "Commentary");
  EXPECT_EQ(saved.description, "Our writers argue.");
  EXPECT_EQ(saved.articles, 1);
  EXPECT_GT(store_->content_version(), before);
  EXPECT_FALSE(store_->find_section("opinion"));
  EXPECT_EQ(store_->redirect_of("section", "opinion"), "commentary");
  EXPECT_EQ(store_->find_article("a")->section.slug, "commentary");
  // A draft still naming the old section lands in the renamed one, not in a new "opinion".
  auto c = store_->save_article(record("c", 1000, "Opinion"), false);
  EXPECT_EQ(c.section.slug, "commentary");
  EXPECT_EQ(store_->all_sections().size(), 2u);
  // Moved again: the first slug follows to the newest; the slug taken back stops redirecting.
  store_->update_section("commentary", Section{0, "comment-is-free", "Comment is free", ""});
  EXPECT_EQ(store_->redirect_of("section", "opinion"), "comment-is-free");
  EXPECT_EQ(store_->redirect_of("section", "commentary"), "comment-is-free");
  store_->update_section("comment-is-free", Section{0, "opinion", "Opinion", ""});
  EXPECT_FALSE(store_->redirect_of("section", "opinion"));
  EXPECT_EQ(store_->redirect_of("section", "commentary"), "opinion");
  // Another section's slug or name is refused and changes nothing.
  EXPECT_EQ(error_code([&] { store_->update_section("opinion", Section{0, "culture", "Opinion", ""}); }), "slug_taken");
  EXPECT_EQ(error_code([&] { store_->update_section("opinion", Section{0, "opinion", "Culture", ""}); }), "name_taken");
  EXPECT_EQ(error_code([&] { store_->update_section("nowhere", Section{0, "x", "X", ""}); }), "not_found");
  EXPECT_EQ(store_->find_section("opinion")->name, "Opinion");
  auto all = store_->all_sections();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].name, "Culture");
  EXPECT_EQ(all[1].articles, 2);
}

TEST_P(StoreContract, AnAuthorsBioPhotoAndAddressAreTheDesksAndTheOldAddressRedirects) {
  Image img;
  img.id = std::string(32, 'a');
  img.width = 10;
  img.height = 10;
  img.source = ImageFormat::png;
  img.text.alt = "Ana";
  img.created_at = TimePoint(std::chrono::seconds(1700000000));
  img.renditions = {ImageRendition{10, 10, ImageFormat::png, 0, "png"}};
  ASSERT_TRUE(store_->insert_image(img));
  store_->save_article(record("a", 1000, "Opinion", {"Ana Ruiz", "Bo Li"}), false);
  auto saved = store_->update_author("ana-ruiz", Author{0, "ana", "Ana Ruiz García", "Ana writes.", img.id});
  EXPECT_EQ(saved.slug, "ana");
  EXPECT_EQ(saved.photo, img.id);
  EXPECT_EQ(saved.articles, 1);
  EXPECT_EQ(store_->find_author("ana")->bio, "Ana writes.");
  EXPECT_EQ(store_->redirect_of("author", "ana-ruiz"), "ana");
  EXPECT_FALSE(store_->redirect_of("section", "ana-ruiz"));  // each kind its own
  // The byline's old name still finds her.
  auto b = store_->save_article(record("b", 1000, "Opinion", {"Ana Ruiz"}), false);
  ASSERT_EQ(b.authors.size(), 1u);
  EXPECT_EQ(b.authors[0].slug, "ana");
  EXPECT_EQ(b.authors[0].name, "Ana Ruiz García");
  // The photo removed.
  EXPECT_EQ(store_->update_author("ana", Author{0, "ana", "Ana Ruiz García", "", ""}).photo, "");
  EXPECT_EQ(error_code([&] { store_->update_author("ana", Author{0, "bo-li", "Ana", "", ""}); }), "slug_taken");
  auto all = store_->all_authors();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].slug, "ana");
  EXPECT_EQ(all[0].articles, 2);
}

TEST_P(StoreContract, TagsHaveSlugsAndAMergeMovesEveryArticleAndLeavesARedirect) {
  auto r = record("a", 1000);
  r.draft.tags = {"Climate", "climate", "Night trains"};  // one tag written two ways
  auto a = store_->save_article(r, false);
  EXPECT_EQ(a.tags, (std::vector<std::string>{"Climate", "Night trains"}));
  r = record("b", 1000);
  r.draft.tags = {"CLIMATE", "rail"};
  EXPECT_EQ(store_->save_article(r, false).tags, (std::vector<std::string>{"Climate", "rail"}));
  ASSERT_TRUE(store_->find_tag("night-trains"));
  EXPECT_EQ(store_->find_tag("climate")->articles, 2);
  auto all = store_->all_tags();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].slug, "climate");
  EXPECT_EQ(all[2].name, "rail");

  int64_t before = store_->content_version();
  auto into = store_->merge_tags("night-trains", "rail");
  EXPECT_EQ(into.slug, "rail");
  EXPECT_EQ(into.articles, 2);
  EXPECT_GT(store_->content_version(), before);
  EXPECT_FALSE(store_->find_tag("night-trains"));
  EXPECT_EQ(store_->redirect_of("tag", "night-trains"), "rail");
  EXPECT_EQ(store_->find_article("a")->tags, (std::vector<std::string>{"Climate", "rail"}));
  // A draft still carrying the merged tag gets the one it went into.
  r = record("c", 1000);
  r.draft.tags = {"Night Trains"};
  EXPECT_EQ(store_->save_article(r, false).tags, std::vector<std::string>{"rail"});
  // Into a new name: a rename, and every older slug follows.
  EXPECT_EQ(store_->merge_tags("rail", "Railways").slug, "railways");
  EXPECT_EQ(store_->redirect_of("tag", "night-trains"), "railways");
  EXPECT_EQ(store_->redirect_of("tag", "rail"), "railways");
  EXPECT_EQ(store_->find_tag("railways")->articles, 3);
  // The same slug written another way renames in place.
  auto renamed = store_->merge_tags("climate", "climate");
  EXPECT_EQ(renamed.name, "climate");
  EXPECT_EQ(store_->find_article("b")->tags, (std::vector<std::string>{"Railways", "climate"}));
  // Back into a name merged away before: that name is a tag again.
  EXPECT_EQ(store_->merge_tags("railways", "rail").slug, "rail");
  EXPECT_FALSE(store_->redirect_of("tag", "rail"));
  EXPECT_EQ(store_->redirect_of("tag", "railways"), "rail");
  EXPECT_EQ(error_code([&] { store_->merge_tags("rail", "rail"); }), "same_tag");
  EXPECT_EQ(error_code([&] { store_->merge_tags("nothing", "rail"); }), "not_found");
  EXPECT_EQ(store_->find_tag("rail")->articles, 3);
}

TEST_P(StoreContract, ATagWithNothingToSlugHasAHashedSlug) {
  auto r = record("a", 1000);
  r.draft.tags = {"🚆"};
  auto a = store_->save_article(r, false);
  auto slug = tag_slug("🚆");
  EXPECT_TRUE(slug.starts_with("tag-"));
  EXPECT_EQ(slug.size(), 12u);
  ASSERT_TRUE(store_->find_tag(slug));
  EXPECT_EQ(store_->find_tag(slug)->name, "🚆");
}

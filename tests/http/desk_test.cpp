// The desk's articles in the browser without JavaScript (issue 15): the list by status, the editor's save,
// publish, schedule and update, its errors where the editor looks, the framed preview, two editors on one
// version, unpublish, retract and delete each confirmed; and the autosave calls the editor's script makes.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "domain/dateline.h"
#include "test_support.h"
#include "util/text.h"

using namespace tribune;
using namespace tribune::testing;
namespace json = boost::json;

namespace {

std::string fields(const std::string& title, const std::string& body, const std::string& extra = {}) {
  return "title=" + percent_encode(title) + "&authors=" + percent_encode("Ruth Keller, Ana Ruiz") +
         "&author_bio=" + percent_encode("Ruth Keller writes on transport.") +
         "&section=Opinion&tags=" + percent_encode("rail, fares") + "&comments=default&body=" + percent_encode(body) +
         extra;
}

HttpResult page(const Reader& who, const std::string& path) {
  return request(who.port, {"GET", path, {}, {{"Cookie", who.cookie}}});
}

}  // namespace

TEST(Desk, OnlyEditorsReachItAndTheStaffMenuLinksIt) {
  TestServer server(true);
  auto port = server.port();
  auto editor = staff_session(server, "desk-ed@example.org", "Desk Ed", "editor");
  auto moderator = staff_session(server, "desk-mod2@example.org", "Desk Mod", "moderator");
  auto reader = register_reader(port, "desk-reader2@example.org", "Desk Reader");
  EXPECT_EQ(get(port, "/desk").status, 303);
  EXPECT_EQ(page(reader, "/desk").status, 403);
  EXPECT_EQ(page(moderator, "/desk/articles/new").status, 403);
  EXPECT_EQ(moderator.form("/desk/articles", fields("X", "Y", "&action=draft")).status, 403);
  EXPECT_EQ(moderator.form("/desk/preview", fields("X", "Y")).status, 403);
  EXPECT_EQ(page(moderator, "/").body.find("href=\"/desk\""), std::string::npos);
  EXPECT_NE(page(editor, "/").body.find("<a href=\"/desk\">Articles</a>"), std::string::npos);
  auto list = page(editor, "/desk");
  ASSERT_EQ(list.status, 200);
  EXPECT_NE(list.body.find("In praise of the boring bank"), std::string::npos) << "the demo's articles";
  EXPECT_NE(list.body.find("<a class=\"button\" href=\"/desk/articles/new\">New article</a>"), std::string::npos);
}

TEST(Desk, AnEditorWritesSchedulesPublishesAndUpdatesWithoutJavaScript) {
  TestServer server(true);
  auto port = server.port();
  auto editor = staff_session(server, "desk-writer@example.org", "Desk Writer", "editor");
  const auto& where = server.app().articles().locality();

  // A piece without a headline is refused beside the form, the text kept and the field marked.
  auto untitled = editor.form("/desk/articles", fields("", "Half a thought.", "&action=draft"));
  EXPECT_EQ(untitled.status, 422);
  EXPECT_NE(untitled.body.find("role=\"alert\" id=\"editor-error\">title is required."), std::string::npos);
  EXPECT_NE(untitled.body.find("id=\"ed-title\" name=\"title\" required maxlength=\"300\" value=\"\" "
                               "aria-invalid=\"true\" aria-describedby=\"editor-error\""),
            std::string::npos);
  EXPECT_NE(untitled.body.find("Half a thought."), std::string::npos);
  auto bad_time = editor.form("/desk/articles", fields("Fares", "Text.", "&action=draft&published_at=tomorrow"));
  EXPECT_EQ(bad_time.status, 422);
  EXPECT_NE(bad_time.body.find("The publication time must be a date and a time"), std::string::npos);

  // Saved as a draft: the editor page says so; readers see nothing.
  auto saved = editor.form("/desk/articles", fields("Rail fares must fall", "Cheaper *trains*.", "&action=draft"));
  ASSERT_EQ(saved.status, 303) << saved.body;
  EXPECT_EQ(saved.header("location"), "/desk/articles/rail-fares-must-fall?saved=draft");
  auto draft = page(editor, saved.header("location"));
  ASSERT_EQ(draft.status, 200);
  EXPECT_NE(draft.body.find("Draft saved."), std::string::npos);
  EXPECT_NE(draft.body.find("Draft, last saved"), std::string::npos);
  EXPECT_NE(draft.body.find("value=\"Ruth Keller, Ana Ruiz\""), std::string::npos);
  EXPECT_NE(draft.body.find("name=\"version\" value=\"1\""), std::string::npos);
  EXPECT_EQ(get(port, "/api/v1/articles/rail-fares-must-fall").status, 404);
  EXPECT_NE(page(editor, "/desk?status=draft").body.find("Rail fares must fall"), std::string::npos);
  EXPECT_EQ(page(editor, "/desk?status=published").body.find("Rail fares must fall"), std::string::npos);
  // The same address again is a conflict, said beside the slug.
  auto twin = editor.form("/desk/articles", fields("Rail fares must fall", "Again.", "&action=draft"));
  EXPECT_EQ(twin.status, 409);
  EXPECT_NE(twin.body.find("Another article already has the address"), std::string::npos);

  // Scheduled in the publication's zone: out of sight until its time, then listed as scheduled.
  auto later = format_local_input(now_seconds() + std::chrono::hours(48), where);
  auto scheduled = editor.form("/desk/articles/rail-fares-must-fall",
                               fields("Rail fares must fall", "Cheaper *trains*.",
                                      "&version=1&action=publish&published_at=" + percent_encode(later)));
  ASSERT_EQ(scheduled.status, 303) << scheduled.body;
  auto at_desk = page(editor, scheduled.header("location"));
  EXPECT_NE(at_desk.body.find("Scheduled: it goes out at the time below."), std::string::npos);
  EXPECT_NE(at_desk.body.find("value=\"" + later + "\""), std::string::npos) << "the time as typed, local";
  EXPECT_EQ(get(port, "/api/v1/articles/rail-fares-must-fall").status, 404);
  EXPECT_NE(page(editor, "/desk?status=scheduled").body.find("Rail fares must fall"), std::string::npos);

  // Published now (the time cleared); then updated from the version loaded.
  auto now = editor.form("/desk/articles/rail-fares-must-fall",
                         fields("Rail fares must fall", "Cheaper *trains*.", "&version=2&action=update&published_at="));
  ASSERT_EQ(now.status, 303) << now.body;
  auto out = json::parse(get(port, "/api/v1/articles/rail-fares-must-fall").body).as_object();
  EXPECT_EQ(out.at("status"), "published");
  EXPECT_EQ(out.at("tags").as_array().size(), 2u);
  EXPECT_EQ(out.at("authors").at(0).at("bio"), "Ruth Keller writes on transport.");
  std::string url(out.at("url").as_string());
  EXPECT_NE(get(port, url).body.find("Cheaper <em>trains</em>."), std::string::npos);

  // The form shows minutes: sending the time back unchanged keeps the stored seconds (no moved date).
  auto demo = server.app().articles().find_visible("in-praise-of-the-boring-bank");
  ASSERT_TRUE(demo);
  auto with_seconds =
      server.app().articles().publish(ArticleDraft{.slug = demo->slug,
                                                   .title = demo->title,
                                                   .authors = {"Eleanor Whitcombe"},
                                                   .section = "Opinion",
                                                   .published_at = demo->published_at + std::chrono::seconds(17),
                                                   .body_markdown = "Boring."},
                                      true);
  auto shown = page(editor, "/desk/articles/in-praise-of-the-boring-bank");
  auto minute = format_local_input(with_seconds.published_at, where);
  ASSERT_NE(shown.body.find("name=\"published_at\" type=\"datetime-local\" value=\"" + minute + "\""),
            std::string::npos);
  ASSERT_EQ(editor
                .form("/desk/articles/in-praise-of-the-boring-bank",
                      fields(demo->title, "Boring.",
                             "&action=update&published_at=" + percent_encode(minute) +
                                 "&version=" + std::to_string(with_seconds.version)))
                .status,
            303);
  EXPECT_EQ(server.app().articles().find_visible("in-praise-of-the-boring-bank")->published_at,
            with_seconds.published_at);

  // Two editors on version 3: the first update lands; the second is told, their text kept, nothing lost.
  auto first = editor.form("/desk/articles/rail-fares-must-fall",
                           fields("Rail fares must fall", "The first editor's text.", "&version=3&action=update"));
  EXPECT_EQ(first.status, 303);
  auto second = editor.form("/desk/articles/rail-fares-must-fall",
                            fields("Rail fares must fall", "The second editor's text.", "&version=3&action=update"));
  EXPECT_EQ(second.status, 409);
  EXPECT_NE(second.body.find("Someone else saved this article since you opened it."), std::string::npos);
  EXPECT_NE(second.body.find("The second editor&#39;s text."), std::string::npos);
  EXPECT_NE(second.body.find("name=\"version\" value=\"4\""), std::string::npos) << "saving again replaces theirs";
  EXPECT_NE(get(port, url).body.find("The first editor"), std::string::npos);
  EXPECT_EQ(get(port, url).body.find("The second editor"), std::string::npos);
}

TEST(Desk, ThePreviewIsTheArticlePageFramedByTheDeskOnly) {
  TestServer server(true);
  auto editor = staff_session(server, "desk-preview@example.org", "Desk Preview", "editor");
  auto preview =
      editor.form("/desk/preview", fields("A preview of fares", "Some **bold** words.\n\n<script>x</script>"));
  ASSERT_EQ(preview.status, 200) << preview.body;
  EXPECT_NE(preview.body.find("<h1 class=\"article__headline\">A preview of fares</h1>"), std::string::npos);
  EXPECT_NE(preview.body.find("Some <strong>bold</strong> words."), std::string::npos);
  EXPECT_EQ(preview.body.find("<script>x</script>"), std::string::npos);
  EXPECT_NE(preview.body.find("Ruth Keller writes on transport."), std::string::npos);
  EXPECT_EQ(preview.header("x-frame-options"), "SAMEORIGIN");
  EXPECT_NE(preview.header("content-security-policy").find("frame-ancestors 'self'"), std::string::npos);
  EXPECT_EQ(preview.header("x-robots-tag"), "noindex");
  EXPECT_EQ(server.app().articles().find_any("a-preview-of-fares"), std::nullopt) << "a preview saves nothing";
  // Every other page still refuses any frame.
  auto desk = page(editor, "/desk");
  EXPECT_EQ(desk.header("x-frame-options"), "DENY");
  EXPECT_NE(desk.header("content-security-policy").find("frame-ancestors 'none'"), std::string::npos);
  auto empty = editor.form("/desk/preview", fields("", ""));
  EXPECT_EQ(empty.status, 422);
  EXPECT_NE(empty.body.find("Nothing to preview yet"), std::string::npos);
}

TEST(Desk, UnpublishRetractAndDeleteAreConfirmedAndReachReaders) {
  TestServer server(true);
  auto port = server.port();
  auto editor = staff_session(server, "desk-acts@example.org", "Desk Acts", "editor");
  ASSERT_EQ(editor.form("/desk/articles", fields("The bridge", "Text.", "&action=publish")).status, 303);
  auto url = std::string(json::parse(get(port, "/api/v1/articles/the-bridge").body).at("url").as_string());
  auto form = page(editor, "/desk/articles/the-bridge");
  EXPECT_NE(form.body.find("action=\"/desk/articles/the-bridge/unpublish\""), std::string::npos);
  EXPECT_NE(form.body.find("href=\"/desk/articles/the-bridge/retract\""), std::string::npos);
  EXPECT_NE(form.body.find("href=\"" + url + "\">View on the site</a>"), std::string::npos);

  auto unpublished = editor.form("/desk/articles/the-bridge/unpublish", "");
  EXPECT_EQ(unpublished.header("location"), "/desk/articles/the-bridge?saved=unpublished");
  EXPECT_EQ(get(port, url).status, 404);
  auto back = page(editor, unpublished.header("location"));
  EXPECT_NE(back.body.find("Unpublished: the article is a draft again"), std::string::npos);
  EXPECT_EQ(back.body.find("/desk/articles/the-bridge/retract"), std::string::npos) << "a draft cannot be retracted";
  ASSERT_EQ(editor.form("/desk/articles/the-bridge", fields("The bridge", "Text.", "&version=2&action=publish")).status,
            303);

  auto confirm = page(editor, "/desk/articles/the-bridge/retract");
  ASSERT_EQ(confirm.status, 200);
  EXPECT_NE(confirm.body.find("Retract “The bridge”?"), std::string::npos);
  auto no_note = editor.form("/desk/articles/the-bridge/retract", "note=");
  EXPECT_EQ(no_note.status, 422);
  EXPECT_NE(no_note.body.find("Say why the article is retracted"), std::string::npos);
  auto retracted = editor.form("/desk/articles/the-bridge/retract", "note=" + percent_encode("The plans were forged."));
  EXPECT_EQ(retracted.status, 303);
  auto readers_view = get(port, url);
  EXPECT_EQ(readers_view.status, 200);
  EXPECT_NE(readers_view.body.find("The plans were forged."), std::string::npos);

  EXPECT_NE(page(editor, "/desk/articles/the-bridge/delete").body.find("Delete “The bridge”?"), std::string::npos);
  auto deleted = editor.form("/desk/articles/the-bridge/delete", "");
  EXPECT_EQ(deleted.header("location"), "/desk?deleted=the-bridge");
  EXPECT_NE(page(editor, "/desk?deleted=the-bridge").body.find("Deleted: “the-bridge”"), std::string::npos);
  EXPECT_EQ(get(port, url).status, 410);
  EXPECT_NE(page(editor, "/desk?status=deleted").body.find("The bridge"), std::string::npos);
  EXPECT_EQ(page(editor, "/desk").body.find(">The bridge<"), std::string::npos);
  // Brought back as a draft from the editor.
  auto restored = editor.form("/desk/articles/the-bridge", fields("The bridge", "Text.", "&action=draft"));
  EXPECT_EQ(restored.status, 303);
  EXPECT_EQ(get(port, url).status, 404);

  // Each act is in the audit log, newest first, with who did it; a token's acts name the token.
  auto token = server.app().tokens().create("night desk", "editor").token;
  ASSERT_EQ(request(port, {"POST",
                           "/api/v1/articles",
                           R"({"title":"By token","authors":["A"],"section":"Opinion","body":"x"})",
                           {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}}})
                .status,
            201);
  json::array log;  // the articles' acts, newest first (the demo's own publications last)
  auto entries = json::parse(page(editor, "/api/v1/moderation/log?limit=8").body);
  for (const auto& e : entries.at("entries").as_array())
    if (e.at("action") != "create_token") log.push_back(e);
  std::vector<std::string> acts;
  for (const auto& e : log) acts.emplace_back(e.at("action").as_string());
  acts.resize(6);
  EXPECT_EQ(acts, (std::vector<std::string>{"publish_article", "delete_article", "retract_article", "publish_article",
                                            "unpublish_article", "publish_article"}));
  EXPECT_EQ(log.at(0).at("reason"), "“By token” (by-token) (by night desk)");
  EXPECT_EQ(log.at(1).at("actor"), "Desk Acts");
  EXPECT_EQ(log.at(2).at("reason"), "“The bridge” (the-bridge): The plans were forged.");
  auto log_page = page(editor, "/moderation/log");
  EXPECT_NE(log_page.body.find("Retracted an article"), std::string::npos);
}

TEST(Desk, AutosaveAnswersTheEditorsScriptInJson) {
  TestServer server(true);
  auto editor = staff_session(server, "desk-auto@example.org", "Desk Auto", "editor");
  ASSERT_EQ(editor.form("/desk/articles", fields("Saved by itself", "One.", "&action=draft")).status, 303);
  auto autosaved = editor.form("/desk/articles/saved-by-itself",
                               fields("Saved by itself", "Two.", "&version=1&action=draft&autosave=1"));
  ASSERT_EQ(autosaved.status, 200) << autosaved.body;
  auto v = json::parse(autosaved.body).as_object();
  EXPECT_EQ(v.at("version").as_int64(), 2);
  EXPECT_EQ(v.at("status"), "draft");
  EXPECT_EQ(server.app().articles().find_any("saved-by-itself")->body_markdown, "Two.");
  auto stale = editor.form("/desk/articles/saved-by-itself",
                           fields("Saved by itself", "Three.", "&version=1&action=draft&autosave=1"));
  EXPECT_EQ(stale.status, 409);
  EXPECT_EQ(error_code(stale), "edit_conflict");
  auto invalid =
      editor.form("/desk/articles/saved-by-itself", fields("", "Four.", "&version=2&action=draft&autosave=1"));
  EXPECT_EQ(invalid.status, 422);
  EXPECT_EQ(error_code(invalid), "missing_field");
  EXPECT_EQ(server.app().articles().find_any("saved-by-itself")->body_markdown, "Two.");
}

TEST(Desk, RevisionsAreListedComparedAndRestoredFromTheBrowser) {
  TestServer server(true);
  auto port = server.port();
  auto editor = staff_session(server, "desk-rev@example.org", "Desk Reviser", "editor");
  ASSERT_EQ(editor.form("/desk/articles", fields("Tides", "Line one.\nLine two.", "&action=publish")).status, 303);
  ASSERT_EQ(
      editor.form("/desk/articles/tides", fields("Tides", "Line one.\nLine 2.", "&version=1&action=update")).status,
      303);
  auto form = page(editor, "/desk/articles/tides");
  EXPECT_NE(form.body.find("<a href=\"/desk/articles/tides/revisions\">Revisions</a>"), std::string::npos);
  auto list = page(editor, "/desk/articles/tides/revisions");
  ASSERT_EQ(list.status, 200);
  EXPECT_NE(list.body.find("Version 2</a> (the current text)"), std::string::npos);
  EXPECT_NE(list.body.find("Desk Reviser"), std::string::npos);
  auto at = list.body.find("/desk/articles/tides/revisions/");
  ASSERT_NE(at, std::string::npos);
  // The list is newest first: the second link is version 1.
  auto second_link = list.body.find("/desk/articles/tides/revisions/", at + 1);
  ASSERT_NE(second_link, std::string::npos);
  auto v1 = list.body.substr(second_link, list.body.find('"', second_link) - second_link);
  auto one = page(editor, v1);
  ASSERT_EQ(one.status, 200);
  EXPECT_NE(one.body.find("<del><span class=\"desk-diff__sign\" aria-hidden=\"true\">−</span><span "
                          "class=\"visually-hidden\">Removed: </span>Line two.</del>"),
            std::string::npos)
      << one.body;
  EXPECT_NE(one.body.find("<span class=\"visually-hidden\">Added: </span>Line 2.</ins>"), std::string::npos);
  EXPECT_NE(one.body.find("Restore version 1"), std::string::npos);
  auto restored = editor.form(v1 + "/restore", "version=2");
  EXPECT_EQ(restored.status, 303);
  EXPECT_EQ(restored.header("location"), "/desk/articles/tides?saved=restored");
  auto url = std::string(json::parse(get(port, "/api/v1/articles/tides").body).at("url").as_string());
  EXPECT_NE(get(port, url).body.find("Line two."), std::string::npos);
  // A second restore from the same (now stale) page is refused, nothing restored twice.
  auto stale = editor.form(v1 + "/restore", "version=2");
  EXPECT_EQ(stale.status, 409);
  EXPECT_NE(stale.body.find("nothing was restored"), std::string::npos);
}

TEST(Desk, ADraftsAddressChangesUntilItGoesOutThenStaysFixed) {
  TestServer server(true);
  auto port = server.port();
  auto editor = staff_session(server, "desk-slug@example.org", "Desk Slug", "editor");
  auto token = server.app().tokens().create("slugs", "editor").token;
  auto put = [&](const std::string& slug, const std::string& body) {
    return request(port, {"PUT",
                          "/api/v1/articles/" + slug,
                          body,
                          {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}}});
  };
  const std::string rest = R"("authors":["Ruth Keller"],"section":"Opinion","body":"x","status":"draft"})";

  // The desk: a draft's form offers its address; a new one moves it (the old address is nobody's then).
  ASSERT_EQ(editor.form("/desk/articles", fields("Working title", "Text.", "&action=draft")).status, 303);
  auto form = page(editor, "/desk/articles/working-title");
  EXPECT_NE(form.body.find("id=\"ed-slug\" name=\"slug\""), std::string::npos);
  auto moved = editor.form("/desk/articles/working-title",
                           fields("Night trains return", "Text.", "&action=draft&version=1&slug=night-trains-return"));
  ASSERT_EQ(moved.status, 303) << moved.body;
  EXPECT_EQ(moved.header("location"), "/desk/articles/night-trains-return?saved=draft");
  EXPECT_EQ(page(editor, "/desk/articles/working-title").status, 404);
  // An autosave never moves it, and leaves every cached page in place (readers see nothing of a draft).
  auto misses = [&] {
    auto text = get(port, "/metrics").body;
    auto at = text.find("\ntribune_page_cache_misses_total ");
    return text.substr(at + 33, text.find('\n', at + 1) - at - 33);
  };
  get(port, "/");
  auto before = misses();
  auto autosaved = editor.form("/desk/articles/night-trains-return",
                               fields("Night trains return", "More.", "&action=draft&version=2&autosave=1&slug=other"));
  EXPECT_EQ(json::parse(autosaved.body).at("slug"), "night-trains-return");
  EXPECT_EQ(get(port, "/").status, 200);
  EXPECT_EQ(misses(), before) << "the front page still came from the cache";
  // Onto another article's address: refused beside the slug, nothing moved.
  auto taken =
      editor.form("/desk/articles/night-trains-return",
                  fields("Night trains return", "Text.", "&action=draft&version=3&slug=in-praise-of-the-boring-bank"));
  EXPECT_EQ(taken.status, 409);
  EXPECT_NE(taken.body.find("Another article already has the address"), std::string::npos);
  EXPECT_EQ(page(editor, "/desk/articles/night-trains-return").status, 200);

  // The API: a slug in the body other than the path's moves the draft; once published, it is fixed.
  auto api_moved = put("night-trains-return", R"({"title":"Night trains","slug":"night-trains",)" + rest);
  ASSERT_EQ(api_moved.status, 200) << api_moved.body;
  EXPECT_EQ(json::parse(api_moved.body).at("slug"), "night-trains");
  EXPECT_EQ(put("night-trains", R"({"title":"N","slug":"in-praise-of-the-boring-bank",)" + rest).status, 409);
  auto out = editor.form("/desk/articles/night-trains", fields("Night trains", "Text.", "&action=publish&version=4"));
  ASSERT_EQ(out.status, 303) << out.body;
  EXPECT_EQ(page(editor, "/desk/articles/night-trains").body.find("id=\"ed-slug\""), std::string::npos)
      << "a published piece shows its address, not a field";
  auto fixed = put("night-trains", R"({"title":"Night trains","slug":"night-trains-2",)"
                                   R"("authors":["Ruth Keller"],"section":"Opinion","body":"x"})");
  EXPECT_EQ(fixed.status, 422);
  EXPECT_NE(fixed.body.find("\"code\":\"slug_fixed\""), std::string::npos);
  EXPECT_EQ(get(port, "/api/v1/articles/night-trains").status, 200);
  EXPECT_EQ(get(port, "/api/v1/articles/night-trains-2").status, 404);
  // Taken back to a draft, it keeps the address it had in public (links and search engines know it).
  ASSERT_EQ(editor.form("/desk/articles/night-trains/unpublish", "").status, 303);
  EXPECT_EQ(page(editor, "/desk/articles/night-trains").body.find("id=\"ed-slug\""), std::string::npos);
  auto unpublished = put("night-trains", R"({"title":"Night trains","slug":"night-trains-2",)" + rest);
  EXPECT_EQ(unpublished.status, 422);
  EXPECT_NE(unpublished.body.find("\"code\":\"slug_fixed\""), std::string::npos);
  EXPECT_EQ(put("no-such-draft", R"({"title":"N","slug":"elsewhere",)" + rest).status, 404);
}

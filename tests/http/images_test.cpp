// Images (issue 15): uploaded by the API, the desk's forms and the command line; checked and refused with a
// clear error that stores nothing; served at addresses that never change; shown on the article (lead and
// inline, responsive, with width, height and alt text), on the cards, in the feed and in sharing cards.
#include "support/images.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "test_support.h"
#include "util/text.h"

using namespace tribune;
using namespace tribune::testing;
namespace json = boost::json;

namespace {

HttpResult with_token(uint16_t port, const std::string& method, const std::string& target, const std::string& token,
                      const std::string& body = {}, const std::string& type = {}) {
  RequestSpec spec{method, target, body, {{"Authorization", "Bearer " + token}}};
  if (!type.empty()) spec.headers["Content-Type"] = type;
  return request(port, spec);
}

size_t image_count(TestServer& server) {
  return server.app().images().recent(1000).size();
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST(Images, EditorsUploadThemOverTheApiAndEveryRenditionIsServedForAYear) {
  TestServer server(false);
  auto port = server.port();
  auto token = server.app().tokens().create("picture desk", "editor").token;
  auto photo = phone_jpeg(1600, 1200, 6);

  auto up = with_token(port, "POST",
                       "/api/v1/images?alt=" + percent_encode("Commuters on a platform at dawn") + "&caption=" +
                           percent_encode("Leeds station, 7am") + "&credit=" + percent_encode("Photograph: Ana Ruiz"),
                       token, photo, "image/jpeg");
  ASSERT_EQ(up.status, 201) << up.body;
  auto parsed = json::parse(up.body);
  const auto& image = parsed.at("image").as_object();
  std::string id(image.at("id").as_string());
  EXPECT_EQ(id.size(), 32u);
  EXPECT_EQ(image.at("width").as_int64(), 1200) << "upright: the EXIF orientation is applied";
  EXPECT_EQ(image.at("height").as_int64(), 1600);
  EXPECT_EQ(image.at("markdown").as_string(), "![Commuters on a platform at dawn](/media/" + id + ")");
  EXPECT_EQ(image.at("url").as_string(), "/media/" + id + "/1200.jpg");
  EXPECT_EQ(image.at("caption").as_string(), "Leeds station, 7am");
  EXPECT_EQ(image.at("created_by").as_string(), "picture desk");

  for (const auto& r : image.at("renditions").as_array()) {
    std::string url(r.at("url").as_string());
    SCOPED_TRACE(url);
    auto got = get(port, url);
    ASSERT_EQ(got.status, 200);
    std::string format(r.at("format").as_string());
    EXPECT_EQ(got.header("content-type"), "image/" + format);
    EXPECT_EQ(got.header("cache-control"), "public, max-age=31536000, immutable");
    EXPECT_EQ(static_cast<int64_t>(got.body.size()), r.at("bytes").as_int64());
    EXPECT_FALSE(has_personal_metadata(got.body)) << "the GPS position and the camera are gone";
  }
  EXPECT_EQ(get(port, "/media/" + id + "/1199.jpg").status, 404);
  EXPECT_EQ(get(port, "/media/" + id + "/1200.tiff").status, 404);
  EXPECT_EQ(get(port, "/media/not-an-id/1200.jpg").status, 404);

  // The same bytes again are the same image (200, not a second copy).
  auto again = with_token(port, "POST", "/api/v1/images?alt=Another", token, photo, "image/jpeg");
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(json::parse(again.body).at("image").at("id").as_string(), id);
  EXPECT_EQ(image_count(server), 1u);

  // A multipart form does the same (what the editor's script sends).
  auto reader = register_reader(port, "images-reader@example.org", "Images Reader");
  auto editor = staff_session(server, "images-ed@example.org", "Images Ed", "editor");
  auto png = save(gradient(500, 400, true), "pngsave_buffer");
  auto form = editor.multipart("/api/v1/images", {{"alt", "A translucent square"}},
                               {{"image", "square.png", "image/png", png}});
  ASSERT_EQ(form.status, 201) << form.body;
  EXPECT_EQ(json::parse(form.body).at("image").at("url").as_string().subview().substr(0, 7), "/media/");

  // Readers and nobody are refused; the list is the staff's.
  EXPECT_EQ(reader.multipart("/api/v1/images", {{"alt", "x"}}, {{"image", "x.png", "image/png", png}}).status, 403);
  EXPECT_EQ(request(port, {"POST", "/api/v1/images?alt=x", png, {{"Content-Type", "image/png"}}}).status, 401);
  auto list = with_token(port, "GET", "/api/v1/images", token);
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(json::parse(list.body).at("images").as_array().size(), 2u);
  EXPECT_EQ(with_token(port, "GET", "/api/v1/images/" + id, token).status, 200);
  EXPECT_EQ(with_token(port, "GET", "/api/v1/images/00000000000000000000000000000000", token).status, 404);
}

TEST(Images, WhatIsNotAUsablePictureIsRefusedClearlyAndNothingIsStored) {
  TestServer server(false);
  auto port = server.port();
  auto token = server.app().tokens().create("picture desk", "editor").token;
  auto jpeg = save(gradient(900, 600), "jpegsave_buffer");
  struct Case {
    std::string what, bytes, alt, code, field;
  };
  std::vector<Case> cases = {
      {"a text file named .jpg", "Not a photograph, just words.\n", "x", "image_type", "image"},
      {"a 50,000 x 50,000 PNG bomb", png_claiming(50000, 50000), "x", "image_too_large", "image"},
      {"a truncated JPEG", jpeg.substr(0, jpeg.size() / 2), "x", "image_unreadable", "image"},
      {"an empty body", "", "x", "image_empty", "image"},
      {"no alt text", jpeg, "", "required", "alt"},
      {"alt text over 500 bytes", jpeg, std::string(501, 'a'), "too_long", "alt"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    auto r = with_token(port, "POST", "/api/v1/images?alt=" + percent_encode(c.alt), token, c.bytes, "image/jpeg");
    EXPECT_EQ(r.status, 422) << r.body;
    EXPECT_EQ(error_code(r), c.code);
    EXPECT_EQ(json::parse(r.body).at("error").at("field").as_string(), c.field);
    EXPECT_FALSE(json::parse(r.body).at("error").at("message").as_string().empty());
  }
  EXPECT_EQ(image_count(server), 0u) << "nothing stored";

  // Uploads may be larger than other requests (which stay capped at 1 MB): a 3 MB picture goes in, a 3 MB
  // comment is 413.
  auto noisy = (gradient(2400, 1800) + vips::VImage::gaussnoise(2400, 1800, vips::VImage::option()->set("sigma", 30.0)))
                   .cast(VIPS_FORMAT_UCHAR);
  auto big = save(noisy, "jpegsave_buffer", vips::VImage::option()->set("Q", 95));
  ASSERT_GT(big.size(), size_t{2} * 1024 * 1024);
  auto large = with_token(port, "POST", "/api/v1/images?alt=Static", token, big, "image/jpeg");
  EXPECT_EQ(large.status, 201) << large.body.substr(0, 300);
  auto editor = staff_session(server, "images-big@example.org", "Big Ed", "editor");
  EXPECT_EQ(editor.call("POST", "/api/v1/articles", std::string(3 * 1024 * 1024, 'x')).status, 413);
}

TEST(Images, ALeadAndAnInlineImageReachThePageTheCardsTheFeedAndSharingCards) {
  TestServer server(false);
  auto port = server.port();
  auto token = server.app().tokens().create("desk script", "editor").token;
  auto& images = server.app().images();
  auto lead = images
                  .upload(phone_jpeg(2400, 1600),
                          ImageText{"A night train at Vienna's main station", "The Nightjet to Hamburg",
                                    "Photograph: Ruth Keller"},
                          "test")
                  .image;
  auto inline_image = images
                          .upload(save(gradient(800, 600), "pngsave_buffer"),
                                  ImageText{"A map of Europe's night trains", "", ""}, "test")
                          .image;

  // Refused: an image that does not exist, and something that is not an image id.
  std::string base = R"({"title":"Night trains deserve a timetable","section":"Opinion","authors":["Ruth Keller"],)";
  auto missing = with_token(port, "POST", "/api/v1/articles", token,
                            base + R"("body":"Text.","image":"00000000000000000000000000000000"})", "application/json");
  EXPECT_EQ(missing.status, 422);
  EXPECT_EQ(error_code(missing), "no_such_image");
  auto malformed = with_token(port, "POST", "/api/v1/articles", token, base + R"("body":"Text.","image":"../etc"})",
                              "application/json");
  EXPECT_EQ(error_code(malformed), "invalid_image");

  std::string body = "Sleeper trains are back.\\n\\n![The night-train map](/media/" + inline_image.id +
                     " \\\"Where the night trains run\\\")\\n\\nIn the text, a small one: ![map](/media/" +
                     inline_image.id + "/320.webp) too.";
  auto made =
      with_token(port, "POST", "/api/v1/articles", token,
                 base + R"("standfirst":"They are cheap to run.","body":")" + body + R"(","image":")" + lead.id + "\"}",
                 "application/json");
  ASSERT_EQ(made.status, 201) << made.body;
  auto article = json::parse(made.body);
  EXPECT_EQ(article.at("image").at("id").as_string(), lead.id);
  EXPECT_EQ(article.at("image").at("alt").as_string(), "A night train at Vienna's main station");
  std::string url(article.at("url").as_string());

  auto page = get(port, url);
  ASSERT_EQ(page.status, 200);
  const auto& html = page.body;
  // The lead image: every format's srcset, the fallback's width and height (its shape before it loads), the
  // alt text, the caption and the credit; not lazy (it is at the top).
  EXPECT_TRUE(contains(html, "<figure class=\"article__lead-image\"><picture><source type=\"image/"))
      << html.substr(html.find("article__lead-image"), 600);
  if (media::avif_supported()) {  // Debian's libvips encodes AVIF through libheif; a build without it has none
    EXPECT_TRUE(contains(html, "<picture><source type=\"image/avif\" srcset=\"/media/" + lead.id +
                                   "/2048.avif 2048w, /media/" + lead.id + "/1600.avif 1600w"));
  }
  EXPECT_TRUE(contains(html, "<source type=\"image/webp\" srcset=\"/media/" + lead.id + "/2048.webp 2048w"));
  EXPECT_TRUE(
      contains(html, "<img src=\"/media/" + lead.id + "/2048.jpg\" srcset=\"/media/" + lead.id +
                         "/2048.jpg 2048w, /media/" + lead.id + "/1600.jpg 1600w, /media/" + lead.id +
                         "/1024.jpg 1024w, /media/" + lead.id + "/640.jpg 640w, /media/" + lead.id +
                         "/320.jpg 320w\" sizes=\"(min-width: 48rem) 46rem, 100vw\" width=\"2048\" "
                         "height=\"1365\" alt=\"A night train at Vienna&#39;s main station\" decoding=\"async\">"))
      << html.substr(html.find("<img src=\"/media/" + lead.id), 700);
  EXPECT_TRUE(contains(
      html, "<figcaption>The Nightjet to Hamburg <span class=\"credit\">Photograph: Ruth Keller</span></figcaption>"));
  // The body's picture alone in its paragraph: a figure with the text's alt and title as caption, lazy; the
  // one inside a sentence: a picture, no figure.
  EXPECT_TRUE(contains(html, "<figure class=\"body-image\"><picture>"));
  EXPECT_TRUE(contains(html, "alt=\"The night-train map\" loading=\"lazy\""));
  EXPECT_TRUE(contains(html, "<figcaption>Where the night trains run</figcaption>"));
  EXPECT_TRUE(contains(html, "a small one: <picture>"));
  EXPECT_FALSE(contains(html, "<p><figure")) << "a figure is never inside a paragraph";
  // Sharing cards and structured data name the 1600-pixel JPEG, absolutely.
  std::string card = "/media/" + lead.id + "/1600.jpg";
  EXPECT_TRUE(contains(html, "<meta property=\"og:image\" content=\"http://"));
  EXPECT_TRUE(contains(html, card + "\">\n<meta property=\"og:image:width\" content=\"1600\">"));
  EXPECT_TRUE(
      contains(html, "<meta property=\"og:image:alt\" content=\"A night train at Vienna&#39;s main station\">"));
  EXPECT_TRUE(contains(html, "<meta name=\"twitter:card\" content=\"summary_large_image\">"));
  EXPECT_TRUE(contains(html, "\"image\":[{\"@type\":\"ImageObject\",\"url\":\"http://"));

  auto front = get(port, "/");
  EXPECT_TRUE(contains(front.body,
                       "<a class=\"card__image\" href=\"" + url + "\" tabindex=\"-1\" aria-hidden=\"true\"><picture>"));
  EXPECT_TRUE(contains(front.body, "sizes=\"(min-width: 80rem) 76rem, 100vw\""))
      << "the lead story's picture runs wide";
  auto feed = get(port, "/feed.xml");
  EXPECT_TRUE(contains(feed.body, card + "\" length=\"")) << feed.body;
  EXPECT_TRUE(contains(feed.body, "type=\"image/jpeg\"/>"));

  // A PUT that does not mention the image keeps it; one that sends back the image object a GET gave keeps it.
  std::string slug(article.at("slug").as_string());
  auto without = with_token(port, "PUT", "/api/v1/articles/" + slug, token,
                            base + R"("body":"Sleeper trains are back."})", "application/json");
  ASSERT_EQ(without.status, 200) << without.body;
  EXPECT_EQ(json::parse(without.body).at("image").at("id").as_string(), lead.id);
  auto round_trip = json::parse(without.body).as_object();
  json::object again{{"title", round_trip.at("title")},
                     {"section", "Opinion"},
                     {"authors", json::array{"Ruth Keller"}},
                     {"body", "Sleeper trains are back."},
                     {"image", round_trip.at("image")}};
  auto back = with_token(port, "PUT", "/api/v1/articles/" + slug, token, json::serialize(again), "application/json");
  ASSERT_EQ(back.status, 200) << back.body;
  EXPECT_EQ(json::parse(back.body).at("image").at("id").as_string(), lead.id);
  // /media/{id} (a Markdown link without a size) leads to the sharing rendition, for good.
  auto bare = get(port, "/media/" + lead.id);
  EXPECT_EQ(bare.status, 301);
  EXPECT_EQ(bare.header("location"), card);
  EXPECT_EQ(get(port, "/media/00000000000000000000000000000000").status, 404);
  // The library's Markdown keeps an alt text's punctuation as written.
  auto odd = images
                 .upload(save(gradient(300, 200), "pngsave_buffer"),
                         ImageText{"A *bold* [claim] -- \"quoted\"", "", ""}, "test")
                 .image;
  EXPECT_EQ(image_markdown(odd), "![A \\*bold\\* \\[claim\\] \\-- \\\"quoted\\\"](/media/" + odd.id + ")");
  auto page_with_odd = with_token(
      port, "PUT", "/api/v1/articles/" + slug, token,
      base + R"("body":")" + json::serialize(json::string(image_markdown(odd))).substr(1) + R"(})", "application/json");
  ASSERT_EQ(page_with_odd.status, 200) << page_with_odd.body;
  EXPECT_TRUE(contains(get(port, url).body, "alt=\"A *bold* [claim] -- &quot;quoted&quot;\""));

  // Taking the lead image away takes it off the page.
  auto cleared = with_token(port, "PUT", "/api/v1/articles/" + std::string(article.at("slug").as_string()), token,
                            base + R"("body":"Sleeper trains are back.","image":null})", "application/json");
  ASSERT_EQ(cleared.status, 200) << cleared.body;
  EXPECT_TRUE(json::parse(cleared.body).at("image").is_null());
  EXPECT_FALSE(contains(get(port, url).body, "article__lead-image"));
}

TEST(Images, TheDeskTakesALeadImageAndUploadsToTheLibraryWithoutJavaScript) {
  TestServer server(false);
  auto port = server.port();
  auto editor = staff_session(server, "images-desk@example.org", "Picture Editor", "editor");
  auto jpeg = phone_jpeg(1200, 800);
  std::vector<std::pair<std::string, std::string>> fields = {{"title", "Cities need more benches"},
                                                             {"authors", "Ana Ruiz"},
                                                             {"section", "Opinion"},
                                                             {"body", "Sit down."},
                                                             {"comments", "default"},
                                                             {"action", "draft"}};

  // A picture without alt text: refused beside the form, the field marked, the typed text kept, nothing stored.
  auto no_alt = editor.multipart("/desk/articles", fields, {{"image_file", "bench.jpg", "image/jpeg", jpeg}});
  EXPECT_EQ(no_alt.status, 422);
  EXPECT_TRUE(contains(no_alt.body, "alt text is required")) << no_alt.body.substr(0, 2000);
  EXPECT_TRUE(contains(no_alt.body,
                       "id=\"ed-image-alt\" name=\"image_alt\" maxlength=\"500\" value=\"\" aria-invalid=\"true\""));
  EXPECT_TRUE(contains(no_alt.body, "value=\"Cities need more benches\""));
  // Not a picture: the same, on the file input.
  auto words = fields;
  words.emplace_back("image_alt", "A bench");
  auto not_image = editor.multipart("/desk/articles", words, {{"image_file", "bench.jpg", "image/jpeg", "words"}});
  EXPECT_EQ(not_image.status, 422);
  EXPECT_TRUE(contains(not_image.body, "That file is not a picture Tribune can use"));
  EXPECT_TRUE(contains(not_image.body, "name=\"image_file\" type=\"file\""));
  EXPECT_TRUE(contains(not_image.body, "aria-invalid=\"true\"><small id=\"ed-image-hint\"") ||
              contains(not_image.body, "editor-error\" aria-invalid=\"true\""));
  EXPECT_EQ(image_count(server), 0u);
  EXPECT_FALSE(server.app().articles().find_any("cities-need-more-benches"));

  // With alt text: the picture is stored and is the draft's lead image.
  auto with_alt = fields;
  with_alt.emplace_back("image_alt", "An empty bench in a square");
  with_alt.emplace_back("image_credit", "Photograph: Ana Ruiz");
  auto saved = editor.multipart("/desk/articles", with_alt, {{"image_file", "bench.jpg", "image/jpeg", jpeg}});
  ASSERT_EQ(saved.status, 303) << saved.body.substr(0, 2000);
  auto a = server.app().articles().find_any("cities-need-more-benches");
  ASSERT_TRUE(a);
  ASSERT_FALSE(a->lead_image.empty());
  auto form = request(port, {"GET", "/desk/articles/cities-need-more-benches", {}, {{"Cookie", editor.cookie}}});
  EXPECT_TRUE(contains(form.body, "<input type=\"hidden\" name=\"image\" value=\"" + a->lead_image + "\">"));
  EXPECT_TRUE(contains(form.body, "<p>An empty bench in a square</p>"));
  EXPECT_TRUE(contains(form.body, "Remove the lead image"));

  // Saving again without a new file keeps it; ticking Remove drops it.
  auto keep = fields;
  keep.emplace_back("image", a->lead_image);
  keep.emplace_back("version", std::to_string(a->version));
  ASSERT_EQ(editor.multipart("/desk/articles/cities-need-more-benches", keep).status, 303);
  EXPECT_EQ(server.app().articles().find_any("cities-need-more-benches")->lead_image, a->lead_image);
  auto remove = fields;
  remove.emplace_back("image", a->lead_image);
  remove.emplace_back("image_remove", "1");
  ASSERT_EQ(editor.multipart("/desk/articles/cities-need-more-benches", remove).status, 303);
  EXPECT_TRUE(server.app().articles().find_any("cities-need-more-benches")->lead_image.empty());

  // The library: an upload lands on the list, with the Markdown that puts it in a text.
  auto png = save(gradient(640, 480), "pngsave_buffer");
  auto lib_no_alt = editor.multipart("/desk/images", {{"caption", "Kept"}}, {{"image", "map.png", "image/png", png}});
  EXPECT_EQ(lib_no_alt.status, 422);
  EXPECT_TRUE(contains(lib_no_alt.body, "role=\"alert\" id=\"upload-error\">Describe the picture"));
  EXPECT_TRUE(contains(lib_no_alt.body, "name=\"caption\" maxlength=\"1000\" value=\"Kept\""));
  auto lib =
      editor.multipart("/desk/images", {{"alt", "A map of the square"}}, {{"image", "map.png", "image/png", png}});
  ASSERT_EQ(lib.status, 303);
  auto where = lib.header("location");
  EXPECT_TRUE(where.starts_with("/desk/images?uploaded=")) << where;
  auto listed = request(port, {"GET", where.substr(0, where.find('#')), {}, {{"Cookie", editor.cookie}}});
  EXPECT_TRUE(contains(listed.body, "Uploaded. Copy its Markdown"));
  EXPECT_TRUE(contains(listed.body, "value=\"![A map of the square](/media/"));
  EXPECT_EQ(image_count(server), 2u);

  // A multipart post is CSRF-checked like any form: without the token it is refused and stores nothing.
  Reader forger = editor;
  forger.csrf = "not-the-token";
  EXPECT_EQ(forger
                .multipart("/desk/images", {{"alt", "Forged"}},
                           {{"image", "x.png", "image/png", save(gradient(100, 80), "pngsave_buffer")}})
                .status,
            403);
  EXPECT_EQ(image_count(server), 2u);
}

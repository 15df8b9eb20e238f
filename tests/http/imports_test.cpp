// `tribune import disqus|wordpress|remark42`: real-shaped sample files (tests/data/imports/) brought in on
// the engine the suite runs on (SQLite, or PostgreSQL with TRIBUNE_TEST_STORE_PG): threads become articles
// or join the article with their slug, authors become readers without passwords who can claim their accounts
// by a password reset, threading, dates, likes and moderation state survive; a second run brings nothing in
// twice; a run stopped midway resumes; a malformed file is refused with its line and writes nothing.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>

#include "domain/articles.h"
#include "imports/html_text.h"
#include "imports/importer.h"
#include "smtp_sink.h"
#include "support/faulty_store.h"
#include "test_support.h"

using namespace tribune;
using namespace tribune::testing;
using namespace tribune::imports;
namespace json = boost::json;

namespace {

std::string sample(const std::string& name) {
  return tribune::testing::source_dir() + "/tests/data/imports/" + name;
}

ImportSummary import_file(TestServer& server, Format format, const std::string& path, size_t batch = 1000) {
  ImportOptions o;
  o.format = format;
  o.batch = batch;
  return Importer(server.app().articles(), server.app().store(), server.app().store()).run(path, o);
}

// The stored comment a source's comment became.
Comment imported(TestServer& server, const std::string& source, const std::string& key) {
  auto id = server.app().store().imported_id(source, "comment", key);
  EXPECT_TRUE(id) << source << " comment " << key << " was not imported";
  if (!id) return {};
  auto c = server.app().store().find_comment(*id);
  EXPECT_TRUE(c);
  return c ? *c : Comment{};
}

std::string write_file(const TempDir& dir, const std::string& name, const std::string& text) {
  std::string path = dir.path() + "/" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// Every comment in the store, whatever its state (each written by an account: the samples have no comment
// without an author).
int64_t comment_total(TestServer& server) {
  int64_t n = 0;
  for (const auto& a : server.app().store().list_accounts(0, 1000))
    n += static_cast<int64_t>(server.app().store().comments_by_author(a.id, 1000).size());
  return n;
}

}  // namespace

TEST(HtmlToMarkdown, KeepsWhatTheWriterWroteAndNoMarkup) {
  EXPECT_EQ(html_to_markdown("<p>One <b>bold</b> and <i>em</i>.</p><p>Two</p>"), "One **bold** and *em*.\n\nTwo");
  EXPECT_EQ(html_to_markdown(R"html(<a href="https://ex.org/a b(1)" rel="nofollow">the figures</a>)html"),
            "[the figures](https://ex.org/a%20b%281%29)");
  EXPECT_EQ(html_to_markdown("line one<br>line two"), "line one  \nline two");
  EXPECT_EQ(html_to_markdown("Fares up &#8212; again &amp; caf&eacute; &#x263A; &bogus;"),
            "Fares up \xE2\x80\x94 again \\& caf\xC3\xA9 \xE2\x98\xBA \\&bogus;")
      << "numeric, Latin-1 and common entities decode; an unknown one stays as written";
  EXPECT_EQ(html_to_markdown("<script>alert(1)</script>after<style>p{}</style>"), "after");
  EXPECT_EQ(html_to_markdown("2 * 3 = 6 and <not a tag"), "2 \\* 3 = 6 and \\<not a tag");
  EXPECT_EQ(html_to_markdown("<blockquote>quoted</blockquote>reply"), "> quoted\n\nreply");
  EXPECT_EQ(html_to_markdown("<ul><li>a</li><li>b</li></ul>"), "- a\n- b");
  EXPECT_EQ(html_to_markdown("# not a heading"), "\\# not a heading");
  EXPECT_EQ(html_to_markdown(R"html(<a href="javascript:alert(1)">click</a> <a href="/relative">here</a>)html"),
            "click here")
      << "only http, https and mailto links survive; their words always do";
  EXPECT_EQ(html_to_markdown(R"html(<img src="https://img.example/a.png" alt="A chart">)html"),
            "[A chart](https://img.example/a.png)");
  EXPECT_EQ(html_to_markdown(""), "");
}

TEST(ImportDisqus, ThreadsCommentsAndReadersComeInOnceWithTheirShape) {
  TestServer server(false);
  auto s = import_file(server, Format::disqus, sample("disqus.xml"));
  EXPECT_EQ(s.threads, 3);
  EXPECT_EQ(s.comments, 9);
  EXPECT_EQ(s.articles_created, 2);
  EXPECT_EQ(s.comments_created, 7);
  EXPECT_EQ(s.readers_created, 5) << "Ann, Bob and Carol by address; the anonymous Guest Walker and Spammer by name";
  EXPECT_EQ(s.unresolved_parents, 1);
  EXPECT_EQ(s.skipped["thread deleted at the source"], 1);
  EXPECT_EQ(s.skipped["its thread is not imported"], 1);
  EXPECT_EQ(s.skipped["no text"], 1);

  auto bus = server.app().articles().find_visible("the-bus-lanes-debate");
  ASSERT_TRUE(bus) << "the thread's address names the article";
  EXPECT_EQ(bus->title, "The bus lanes debate");
  EXPECT_EQ(format_rfc3339(bus->published_at), "2019-05-01T08:00:00Z");
  EXPECT_EQ(bus->source_url, "https://oldpaper.example/2019/05/the-bus-lanes-debate/");
  EXPECT_EQ(bus->comment_count, 3) << "the spam and the deleted comment are not counted";
  auto rail = server.app().articles().find_visible("rail-fares-rise-again");
  ASSERT_TRUE(rail) << "query strings and endings leave the slug";
  EXPECT_EQ(rail->title, "Rail fares rise again & again");
  EXPECT_FALSE(server.app().articles().find_any("a-deleted-story"));

  auto first = imported(server, "disqus", "9001");
  EXPECT_EQ(first.body_markdown,
            "Bus lanes made my commute **ten minutes** shorter.\n\nSee [the "
            "figures](https://example.org/data).");
  EXPECT_EQ(format_rfc3339(first.created_at), "2019-05-01T09:00:00Z");
  EXPECT_EQ(first.reply_count, 1);
  auto second = imported(server, "disqus", "9002");
  auto early = imported(server, "disqus", "9003");
  EXPECT_EQ(second.parent_id, first.id);
  EXPECT_EQ(early.parent_id, second.id) << "a reply read before its parent waits for it";
  EXPECT_EQ(early.depth, 2);
  EXPECT_EQ(early.root_id, first.id);
  EXPECT_EQ(early.author_name, "Guest Walker");
  EXPECT_EQ(imported(server, "disqus", "9004").status, CommentStatus::rejected);
  EXPECT_EQ(imported(server, "disqus", "9005").status, CommentStatus::deleted);
  auto orphan = imported(server, "disqus", "9008");
  EXPECT_FALSE(orphan.parent_id) << "a reply to a comment the file lacks starts its own thread";
  EXPECT_EQ(orphan.article_id, rail->id);
  EXPECT_EQ(imported(server, "disqus", "9007").body_markdown, "Fares up \xE2\x80\x94 again. Caf\xC3\xA9 prices too.");

  // Readers see the conversation on the page; the removed comments are not there.
  auto url = server.app().articles().url_for(*bus);
  auto page = get(server.port(), url);
  ASSERT_EQ(page.status, 200) << url;
  EXPECT_NE(page.body.find("Not for cyclists, they did not."), std::string::npos);
  EXPECT_NE(page.body.find("Guest Walker"), std::string::npos);
  EXPECT_EQ(page.body.find("Cheap pills"), std::string::npos);
  EXPECT_EQ(page.body.find("Something the moderators removed"), std::string::npos);

  // The same file again: nothing doubled.
  auto total = comment_total(server);
  auto again = import_file(server, Format::disqus, sample("disqus.xml"));
  EXPECT_EQ(again.comments_created, 0);
  EXPECT_EQ(again.comments_existing, 7);
  EXPECT_EQ(again.articles_created, 0);
  EXPECT_EQ(again.threads_existing, 2);
  EXPECT_EQ(again.readers_created, 0);
  EXPECT_EQ(comment_total(server), total);
  EXPECT_EQ(server.app().articles().find_visible("the-bus-lanes-debate")->comment_count, 3);
}

// Imported readers have no password: nobody signs in as them until the address's owner resets one by mail,
// which also verifies the address.
TEST(ImportDisqus, AnImportedReaderClaimsTheAccountByAPasswordReset) {
  SmtpSink sink;
  TestServer server(false, {}, [&](Config& c) { c.smtp.url = sink.url(); });
  import_file(server, Format::disqus, sample("disqus.xml"));
  auto sign_in = [&](const std::string& password) {
    return request(server.port(),
                   {"POST",
                    "/api/v1/sessions",
                    json::serialize(json::object{{"email", "ann@readers.example"}, {"password", password}}),
                    {{"Content-Type", "application/json"}}});
  };
  EXPECT_EQ(sign_in("").status, 401) << "an empty password does not open an account without one";
  EXPECT_EQ(sign_in("any password at all").status, 401);
  EXPECT_TRUE(sink.messages().empty()) << "the import mails nobody";
  ASSERT_EQ(request(server.port(), {"POST",
                                    "/api/v1/password-resets",
                                    R"({"email":"ann@readers.example"})",
                                    {{"Content-Type", "application/json"}}})
                .status,
            202);
  auto mail = sink.wait_for("ann@readers.example");
  ASSERT_TRUE(mail);
  auto link = first_link(mail->body());
  ASSERT_EQ(request(server.port(), {"POST",
                                    "/api/v1/password-resets/confirm",
                                    json::serialize(json::object{{"token", link.substr(link.find("token=") + 6)},
                                                                 {"password", "Ann's own new password"}}),
                                    {{"Content-Type", "application/json"}}})
                .status,
            204);
  auto in = sign_in("Ann's own new password");
  ASSERT_EQ(in.status, 200) << in.body;
  auto ann = server.app().store().find_account(
      *server.app().store().imported_id("disqus", "reader", "email:ann@readers.example"));
  ASSERT_TRUE(ann);
  EXPECT_TRUE(ann->email_verified_at) << "the reset link reached the address";
  EXPECT_EQ(imported(server, "disqus", "9001").author_id, ann->id) << "her comments are hers";
}

TEST(ImportWordPress, PostsBecomeArticlesAndCommentsKeepTheirState) {
  TestServer server(false);
  // A piece already moved over: its comments join it; a reader already registered keeps their account.
  ArticleDraft d;
  d.slug = "parking-again";
  d.title = "Parking, again";
  d.authors = {"Jane Editor"};
  d.section = "Letters";
  d.body_markdown = "Moved over by hand.";
  auto moved = server.app().articles().publish(d, false);
  auto existing = server.app().accounts().create_account("existing@readers.example", "Existing Reader",
                                                         "a long enough password", "reader");
  // The editor's address typed into the old blog's comment form proves nothing: it is not her account.
  auto editor = server.app().accounts().create_account("editor@gazette.example", "Jane Editor",
                                                       "the editor's long password", "editor");
  auto s = import_file(server, Format::wordpress, sample("wordpress.xml"));
  EXPECT_EQ(s.threads, 4);
  EXPECT_EQ(s.articles_created, 1);
  EXPECT_EQ(s.articles_matched, 1);
  EXPECT_EQ(s.comments_created, 6);
  EXPECT_EQ(s.readers_created, 4);
  EXPECT_EQ(s.readers_matched, 1) << "the reader's address; not the editor's";
  EXPECT_EQ(s.skipped["pingback"], 1);
  EXPECT_EQ(s.skipped["not published (draft)"], 1);
  EXPECT_EQ(s.skipped["not a post or page (attachment)"], 1);

  auto library = server.app().articles().find_visible("why-the-library-must-stay-open");
  ASSERT_TRUE(library);
  EXPECT_EQ(library->section.name, "Opinion");
  EXPECT_EQ(library->tags, (std::vector<std::string>{"Council", "Libraries"}));
  EXPECT_EQ(library->authors.front().name, "Jane Editor");
  EXPECT_EQ(format_rfc3339(library->published_at), "2009-07-06T00:00:00Z") << "the GMT date, not the local one";
  EXPECT_EQ(library->comment_count, 2);
  auto body = server.app().articles().find_any("why-the-library-must-stay-open")->body_html;
  EXPECT_NE(body.find("<em>living room</em>"), std::string::npos) << body;

  auto dora = imported(server, "wordpress", "101");
  EXPECT_EQ(dora.body_markdown, "I have borrowed a book a week for forty years.  \nKeep it open.")
      << "WordPress's line break is kept (it adds the markup only when it shows a comment)";
  auto reply = imported(server, "wordpress", "102");
  EXPECT_EQ(reply.parent_id, dora.id);
  ASSERT_TRUE(reply.author_id);
  EXPECT_NE(*reply.author_id, editor.id) << "an imported comment never speaks for a staff account";
  auto stand_in = server.app().store().find_account(*reply.author_id);
  ASSERT_TRUE(stand_in);
  EXPECT_EQ(stand_in->role, Role::reader);
  EXPECT_EQ(stand_in->email, "") << "nobody can claim it by the editor's address";
  EXPECT_EQ(stand_in->display_name, "Jane Editor (imported)") << "a staff member's name is not taken over";
  EXPECT_EQ(imported(server, "wordpress", "103").status, CommentStatus::pending);
  EXPECT_EQ(imported(server, "wordpress", "104").status, CommentStatus::rejected);
  EXPECT_EQ(imported(server, "wordpress", "106").status, CommentStatus::deleted);
  auto parking = imported(server, "wordpress", "201");
  EXPECT_EQ(parking.article_id, moved.id);
  EXPECT_EQ(parking.author_id, existing.id) << "the address, in any case, names the registered reader";
  EXPECT_EQ(server.app().articles().find_visible("parking-again")->body_markdown, "Moved over by hand.")
      << "a matched article keeps its text";

  bool held = false;
  for (const auto& item : server.app().moderation().queue({}))
    held |= item.comment.body_markdown == "Awaiting moderation.";
  EXPECT_TRUE(held) << "a comment held at the source waits in the moderation queue";

  auto again = import_file(server, Format::wordpress, sample("wordpress.xml"));
  EXPECT_EQ(again.comments_created, 0);
  EXPECT_EQ(again.comments_existing, 6);
}

TEST(ImportRemark42, VotesBecomeLikesAndRepliesUnderRemovedCommentsStay) {
  TestServer server(false);
  auto s = import_file(server, Format::remark42, sample("remark42.jsonl"));
  EXPECT_EQ(s.threads, 2);
  EXPECT_EQ(s.comments_created, 5);
  EXPECT_EQ(s.readers_created, 2);
  auto trains = server.app().articles().find_visible("fast-trains");
  ASSERT_TRUE(trains);
  EXPECT_EQ(trains->title, "Fast trains");
  auto roads = server.app().articles().find_visible("slow-roads");
  ASSERT_TRUE(roads);
  EXPECT_EQ(roads->title, "Slow roads") << "a thread without a title is named from its address";
  auto first = imported(server, "remark42", "c-1");
  EXPECT_EQ(first.recommend_count, 2) << "two up-votes, one down";
  EXPECT_EQ(format_rfc3339(first.created_at), "2021-03-01T09:00:00Z");
  EXPECT_EQ(imported(server, "remark42", "c-3").status, CommentStatus::deleted);
  auto under = imported(server, "remark42", "c-4");
  EXPECT_EQ(under.depth, 3);
  EXPECT_EQ(under.recommend_count, 1);
  EXPECT_EQ(trains->comment_count, 3);
  auto page = get(server.port(), server.app().articles().url_for(*trains));
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("A reply under a removed comment stays."), std::string::npos);
  EXPECT_EQ(page.body.find("This was removed."), std::string::npos);
}

// A run that stops midway (the store goes away after two batches) leaves what it committed; the next run
// brings in the rest, and every comment is there once.
TEST(ImportDisqus, AnInterruptedImportResumesWithoutDoubles) {
  FaultyStore* faults = nullptr;
  TempDir dir;
  int64_t before = 0;
  {
    TestServer server(false, dir.path(), {}, [&](std::unique_ptr<Store> engine) {
      auto wrapped = std::make_unique<FaultyStore>(std::move(engine));
      faults = wrapped.get();
      return wrapped;
    });
    faults->inject({StoreRole::imports, "import_batch", 3, true});
    EXPECT_THROW(import_file(server, Format::disqus, sample("disqus.xml"), 2), Error);
    before = comment_total(server);
    EXPECT_GT(before, 0) << "the first two batches were committed";
    EXPECT_LT(before, 7);
  }
  TestServer server(false, dir.path());
  auto s = import_file(server, Format::disqus, sample("disqus.xml"), 2);
  EXPECT_EQ(s.comments_existing, before);
  EXPECT_EQ(s.comments_created, 7 - before);
  EXPECT_EQ(comment_total(server), 7);
  EXPECT_EQ(imported(server, "disqus", "9003").parent_id, imported(server, "disqus", "9002").id);
  EXPECT_EQ(server.app().articles().find_visible("the-bus-lanes-debate")->comment_count, 3);
}

// Threads whose addresses give one slug are two articles; replies to a missing comment start a thread and
// their own replies stay under them; an imported reader deleted since is made again on the next run.
TEST(ImportDisqus, SlugsRepliesToMissingCommentsAndDeletedReaders) {
  TestServer server(false);
  TempDir dir;
  auto path = write_file(dir, "d.xml", R"xml(<?xml version="1.0"?>
<disqus xmlns:dsq="http://disqus.com/disqus-internals">
<thread dsq:id="1"><link>https://p.example/2019/update/</link><title>Update</title><createdAt>2019-01-01T00:00:00Z</createdAt></thread>
<thread dsq:id="2"><link>https://p.example/2020/update/</link><title>Update again</title><createdAt>2020-01-01T00:00:00Z</createdAt></thread>
<thread dsq:id="3"><link>https://p.example/?p=123</link><title>A post by number</title><createdAt>2020-02-01T00:00:00Z</createdAt></thread>
<post dsq:id="10"><message>First update</message><createdAt>2019-01-02T00:00:00Z</createdAt><author><email>a@r.example</email><name>A</name></author><thread dsq:id="1"/></post>
<post dsq:id="20"><message>Second update</message><createdAt>2020-01-02T00:00:00Z</createdAt><author><email>b@r.example</email><name>B</name></author><thread dsq:id="2"/></post>
<post dsq:id="31"><message>Replying to a lost comment</message><createdAt>2020-02-02T00:00:00Z</createdAt><author><email>a@r.example</email><name>A</name></author><thread dsq:id="3"/><parent dsq:id="30"/></post>
<post dsq:id="32"><message>Replying to the reply</message><createdAt>2020-02-03T00:00:00Z</createdAt><author><email>b@r.example</email><name>B</name></author><thread dsq:id="3"/><parent dsq:id="31"/></post>
<post dsq:id="33"><message>Replying across threads</message><createdAt>2020-02-04T00:00:00Z</createdAt><author><email>b@r.example</email><name>B</name></author><thread dsq:id="3"/><parent dsq:id="10"/></post>
</disqus>
)xml");
  auto s = import_file(server, Format::disqus, path);
  EXPECT_EQ(s.articles_created, 3);
  EXPECT_EQ(s.articles_matched, 0) << "a thread never joins an article this run made";
  auto first = imported(server, "disqus", "10"), second = imported(server, "disqus", "20");
  EXPECT_NE(first.article_id, second.article_id);
  EXPECT_TRUE(server.app().articles().find_visible("update"));
  EXPECT_TRUE(server.app().articles().find_visible("update-2"));
  EXPECT_TRUE(server.app().articles().find_visible("a-post-by-number")) << "an address without a path: the title";
  auto lost = imported(server, "disqus", "31"), under = imported(server, "disqus", "32");
  EXPECT_FALSE(lost.parent_id);
  EXPECT_EQ(under.parent_id, lost.id) << "a reply to an unresolved reply keeps its parent";
  auto across = imported(server, "disqus", "33");
  EXPECT_FALSE(across.parent_id) << "a parent on another article is no parent";
  EXPECT_EQ(across.article_id, lost.article_id);
  EXPECT_EQ(s.unresolved_parents, 2);
  EXPECT_EQ(server.app().articles().find_visible("a-post-by-number")->comment_count, 3);
  EXPECT_EQ(lost.reply_count, 1);

  // Reader B deletes their account; the next run makes B again rather than failing on the old key.
  server.app().store().delete_account(*second.author_id);
  auto again = import_file(server, Format::disqus, path);
  EXPECT_EQ(again.comments_created, 0);
  EXPECT_EQ(again.comments_existing, 5);
  EXPECT_EQ(again.readers_created, 1);
}

TEST(ImportFiles, AMalformedFileIsRefusedWithItsLineAndWritesNothing) {
  TestServer server(false);
  TempDir dir;
  auto refused = [&](Format f, const std::string& text, const std::string& line) {
    auto path = write_file(dir, "bad", text);
    try {
      import_file(server, f, path);
      ADD_FAILURE() << "accepted: " << text;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), "invalid_import");
      EXPECT_NE(e.message().find(line), std::string::npos) << e.message();
    }
    EXPECT_EQ(server.app().store().count_articles(), 0);
    EXPECT_EQ(comment_total(server), 0);
  };
  // Well-formed up to a broken post at the end: the threads before it are not written either.
  std::string disqus;
  {
    std::ifstream in(sample("disqus.xml"));
    disqus.assign(std::istreambuf_iterator<char>(in), {});
  }
  auto head = disqus.substr(0, disqus.rfind("</disqus>"));
  auto last_line = std::to_string(std::count(head.begin(), head.end(), '\n') + 1);
  refused(Format::disqus, head + "<post><message>unclosed</post>\n</disqus>", "line " + last_line + ", column");
  refused(Format::disqus, disqus.substr(0, disqus.size() / 2), "line ");
  refused(Format::disqus, "<?xml version=\"1.0\"?>\n<rss><channel/></rss>\n", "not a Disqus export");
  refused(Format::wordpress, "<?xml version=\"1.0\"?>\n<disqus/>\n", "line 2");
  refused(Format::disqus,
          "<disqus xmlns:dsq=\"x\">\n<thread dsq:id=\"1\"><createdAt>yesterday</createdAt></thread>\n</disqus>",
          "line 2: createdAt \"yesterday\" is not a date and time");
  refused(Format::remark42,
          "{\"version\":1}\n{\"id\":\"a\",\"locator\":{\"url\":\"https://x.example/a\"},"
          "\"time\":\"2021-01-01T00:00:00Z\",\"text\":\"ok\"}\n{not json\n",
          "line 3");
  refused(Format::remark42, "{\"id\":\"a\"}\n", "not a Remark42 backup");
  refused(Format::wordpress, "", "line 1");
}

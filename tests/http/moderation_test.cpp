// Trust and safety over HTTP: the queues and their filters, bulk decisions, sanctions as readers meet them,
// a reader's history, the audit log and its export, the classifier learning from decisions, the external
// rule against a real local HTTP service, and floods from one address across accounts.
#include "domain/moderation.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sodium.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <fstream>
#include <mutex>
#include <thread>

#include "payments/stripe.h"
#include "support/http_receiver.h"
#include "test_support.h"

using namespace tribune;
using namespace tribune::testing;
namespace json = boost::json;

namespace {

HttpResult post(Reader& r, const std::string& slug, const std::string& body, bool acknowledge = false) {
  json::object o{{"body", body}};
  if (acknowledge) o["acknowledge_nudge"] = true;
  return r.call("POST", "/api/v1/articles/" + slug + "/comments", json::serialize(o));
}

int64_t comment_id(const HttpResult& r) {
  return json::parse(r.body).at("comment").at("id").as_int64();
}
std::string status_of(const HttpResult& r) {
  return std::string(json::parse(r.body).at("comment").at("status").as_string());
}

class ModerationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new TestServer(true, {}, [](Config& c) {
      c.account_limits.register_per_ip = {100000, std::chrono::hours(1)};
      c.comment_limits.per_account = {100000, std::chrono::minutes(1)};
      c.moderation.suspect_words = {"hold ?me"};
      c.moderation.nudge_words = false;
      c.moderation.rejection_min_decisions = 3;
      c.classifier.min_examples = 5;
      c.digest_interval = std::chrono::hours(24);
    });
    slug_ = open_article_slug(server_->port());
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  uint16_t port() { return server_->port(); }
  Reader reader(const std::string& name) {
    return register_reader(port(), "mod" + std::to_string(++counter_) + "@example.org", name);
  }
  Reader moderator() {
    ++counter_;
    return staff_session(*server_, "moderator" + std::to_string(counter_) + "@example.org",
                         "Moderator " + std::to_string(counter_), "moderator");
  }
  json::array queue(Reader& mod, const std::string& query) {
    auto r = mod.call("GET", "/api/v1/moderation/queue?" + query);
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body).at("items").as_array();
  }
  static TestServer* server_;
  static std::string slug_;
  static inline int counter_ = 0;
};
TestServer* ModerationTest::server_ = nullptr;
std::string ModerationTest::slug_;

}  // namespace

TEST_F(ModerationTest, QueuesFilterAndBulkDecisionsReachAuthors) {
  auto mod = moderator();
  auto ana = reader("Ana Queue"), bo = reader("Bo Queue");
  auto a1 = post(ana, slug_, "Please hold me for review.");
  auto b1 = post(bo, slug_, "Hold me too, please.");
  auto fine = post(bo, slug_, "A perfectly ordinary comment.");
  ASSERT_EQ(status_of(a1), "pending");
  ASSERT_EQ(status_of(fine), "published");
  // Only the author is shown their held comment (in their own part of the page), no one else.
  auto mine = json::parse(ana.call("GET", "/api/v1/articles/" + slug_ + "/comments/mine").body).at("held").as_array();
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0].at("id").as_int64(), comment_id(a1));
  EXPECT_TRUE(
      json::parse(bo.call("GET", "/api/v1/articles/" + slug_ + "/comments/mine").body).at("held").as_array().size() ==
      1u)
      << "Bo sees only his own";
  EXPECT_EQ(get(port(), "/api/v1/articles/" + slug_ + "/comments?limit=200").body.find("Please hold me"),
            std::string::npos);
  ASSERT_EQ(
      ana.call("POST", "/api/v1/comments/" + std::to_string(comment_id(fine)) + "/reports", R"({"reason":"abuse"})")
          .status,
      201);

  auto held = queue(mod, "view=held&rule=suspect_words");
  EXPECT_GE(held.size(), 2u);
  auto ana_only = queue(mod, "view=held&reader=" + std::to_string(ana.id));
  ASSERT_EQ(ana_only.size(), 1u);
  EXPECT_EQ(ana_only[0].at("comment").at("id").as_int64(), comment_id(a1));
  auto reported = queue(mod, "view=reported&article=" + slug_);
  ASSERT_EQ(reported.size(), 1u);
  EXPECT_EQ(reported[0].at("open_reports").as_int64(), 1);
  EXPECT_EQ(mod.call("GET", "/api/v1/moderation/queue?view=everything").status, 422);
  EXPECT_EQ(mod.call("GET", "/api/v1/moderation/queue?article=no-such-article").status, 404);
  EXPECT_EQ(ana.call("GET", "/api/v1/moderation/queue").status, 403) << "readers do not see the queue";

  // One bulk approval for both held comments; ids that do not exist are skipped.
  auto bulk = mod.call("POST", "/api/v1/moderation/decisions",
                       "{\"ids\":[" + std::to_string(comment_id(a1)) + "," + std::to_string(comment_id(b1)) +
                           ",999999],\"decision\":\"approve\",\"reason\":\"fine on reflection\"}");
  ASSERT_EQ(bulk.status, 200) << bulk.body;
  EXPECT_EQ(json::parse(bulk.body).at("decided").as_int64(), 2);
  EXPECT_EQ(mod.call("POST", "/api/v1/moderation/decisions", R"({"ids":[],"decision":"approve"})").status, 422);
  EXPECT_EQ(mod.call("POST", "/api/v1/moderation/decisions", R"({"ids":["1"],"decision":"approve"})").status, 422);

  auto decided = queue(mod, "view=decided&reader=" + std::to_string(ana.id));
  ASSERT_FALSE(decided.empty());
  EXPECT_EQ(decided[0].at("decision").at("decision").as_string(), "approve");
  EXPECT_EQ(decided[0].at("decision").at("reason").as_string(), "fine on reflection");
  // The author hears about it.
  auto notes = json::parse(ana.call("GET", "/api/v1/me/notifications").body).at("notifications").as_array();
  bool told = false;
  for (auto& n : notes)
    told = told || (n.at("kind").as_string() == "moderation" && n.at("detail").as_string() == "approved");
  EXPECT_TRUE(told);

  // The queue page without JavaScript: filters, bulk form, keyboard hints; a bulk form post works.
  auto c2 = post(ana, slug_, "Hold me once more.");
  auto page = request(port(), {"GET", "/moderation?view=held", {}, {{"Cookie", mod.cookie}}});
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("form=\"bulk\""), std::string::npos);
  EXPECT_NE(page.body.find("data-queue-item=\"" + std::to_string(comment_id(c2)) + "\""), std::string::npos);
  auto submitted =
      mod.form("/moderation/decisions", "ids=" + std::to_string(comment_id(c2)) +
                                            "&decision=reject&reason=no&return_to=%2Fmoderation%3Fview%3Dheld");
  EXPECT_EQ(submitted.status, 303);
  EXPECT_EQ(submitted.header("location"), "/moderation?view=held&done=bulk&n=1");
  auto log = request(port(), {"GET", "/moderation?view=decided", {}, {{"Cookie", mod.cookie}}});
  EXPECT_NE(log.body.find("Rejected by"), std::string::npos);
}

TEST_F(ModerationTest, SanctionsAsTheReaderMeetsThem) {
  auto mod = moderator();
  auto cy = reader("Cy Sanctioned");
  std::string base = "/api/v1/moderation/accounts/" + std::to_string(cy.id);
  ASSERT_EQ(status_of(post(cy, slug_, "Before any sanction.")), "published");

  // Warn: posting stops until the reader acknowledges the warning, which they read on their account page.
  EXPECT_EQ(mod.call("POST", base + "/sanctions", R"({"action":"warn"})").status, 422) << "a warning needs words";
  ASSERT_EQ(
      mod.call("POST", base + "/sanctions", R"({"action":"warn","reason":"Attack arguments, not people."})").status,
      204);
  auto blocked = post(cy, slug_, "Carrying on regardless.");
  EXPECT_EQ(blocked.status, 403);
  EXPECT_EQ(error_code(blocked), "warning_unacknowledged");
  EXPECT_NE(blocked.body.find("Attack arguments, not people."), std::string::npos);
  auto account = request(port(), {"GET", "/account", {}, {{"Cookie", cy.cookie}}});
  EXPECT_NE(account.body.find("Attack arguments, not people."), std::string::npos);
  EXPECT_EQ(cy.form("/account/warning", "").status, 303);
  EXPECT_EQ(cy.call("POST", "/api/v1/me/warning/acknowledge").status, 404) << "nothing left to acknowledge";
  ASSERT_EQ(status_of(post(cy, slug_, "Point taken.")), "published");

  // Pre-moderation of one reader: their comments wait, with the reason; release ends it.
  ASSERT_EQ(mod.call("POST", base + "/sanctions", R"({"action":"premoderate","reason":"Repeated trouble"})").status,
            204);
  auto held = post(cy, slug_, "Will this appear?");
  EXPECT_EQ(status_of(held), "pending");
  EXPECT_NE(
      request(port(), {"GET", "/account", {}, {{"Cookie", cy.cookie}}}).body.find("A moderator reads your comments"),
      std::string::npos);
  ASSERT_EQ(mod.call("POST", base + "/sanctions", R"({"action":"release"})").status, 204);
  EXPECT_EQ(status_of(post(cy, slug_, "Free again.")), "published");

  // Suspension with a reason shown to the reader; a note only moderators see.
  ASSERT_EQ(mod.call("POST", base + "/suspension", R"({"until":"2030-01-01T00:00:00Z","reason":"Cooling off"})").status,
            204);
  auto suspended = post(cy, slug_, "Still here?");
  EXPECT_EQ(error_code(suspended), "suspended");
  EXPECT_NE(suspended.body.find("Cooling off"), std::string::npos);
  ASSERT_EQ(mod.call("POST", base + "/sanctions", R"({"action":"note","reason":"Means well; short fuse."})").status,
            204);
  EXPECT_EQ(mod.call("POST", base + "/sanctions", R"({"action":"exile","reason":"x"})").status, 422);
  EXPECT_EQ(
      mod.call("POST", "/api/v1/moderation/accounts/999999/sanctions", R"({"action":"note","reason":"x"})").status,
      404);
  EXPECT_EQ(cy.call("POST", base + "/sanctions", R"({"action":"note","reason":"I am innocent"})").status, 403);

  // The history: every comment (held ones too), every act, newest first.
  auto history = json::parse(mod.call("GET", base + "/history").body);
  EXPECT_EQ(history.at("account").at("premoderated").as_bool(), false);
  EXPECT_EQ(history.at("comments").as_array().size(), 4u) << "refused posts are not stored";
  std::vector<std::string> acts;
  for (auto& e : history.at("log").as_array()) acts.emplace_back(e.at("action").as_string());
  EXPECT_EQ(acts, (std::vector<std::string>{"note", "ban", "release", "premoderate", "acknowledge_warning", "warn"}));
  auto page = request(port(), {"GET", "/moderation/readers/" + std::to_string(cy.id), {}, {{"Cookie", mod.cookie}}});
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("Means well; short fuse."), std::string::npos);
  EXPECT_NE(page.body.find("Suspended until"), std::string::npos);
  EXPECT_NE(page.body.find(">Acknowledged a warning</span>"), std::string::npos);
  EXPECT_NE(page.body.find(">Banned or suspended the reader</span>"), std::string::npos);
  EXPECT_EQ(page.body.find(">acknowledge_warning<"), std::string::npos);
  EXPECT_EQ(
      request(port(), {"GET", "/moderation/readers/" + std::to_string(cy.id), {}, {{"Cookie", cy.cookie}}}).status,
      403);
  // A suspension from the history page's form (datetime-local, UTC) and lifting it.
  EXPECT_EQ(mod.form("/moderation/accounts/" + std::to_string(cy.id) + "/ban", "lift=1").status, 303);
  EXPECT_EQ(status_of(post(cy, slug_, "Back.")), "published");
}

TEST_F(ModerationTest, TheAuditLogRecordsEveryActAndExports) {
  auto mod = moderator();
  auto admin = staff_session(*server_, "auditadmin@example.org", "Audit Admin", "admin");
  auto dee = reader("Dee Audited");
  ASSERT_EQ(
      admin.call("PUT", "/api/v1/admin/accounts/" + std::to_string(dee.id) + "/role", R"({"role":"moderator"})").status,
      204);
  ASSERT_EQ(
      admin.call("PUT", "/api/v1/admin/accounts/" + std::to_string(dee.id) + "/role", R"({"role":"reader"})").status,
      204);
  ASSERT_EQ(mod.call("POST", "/api/v1/moderation/accounts/" + std::to_string(dee.id) + "/sanctions",
                     R"j({"action":"note","reason":"=HYPERLINK(\"http://evil\")"})j")
                .status,
            204);
  auto log = json::parse(mod.call("GET", "/api/v1/moderation/log?reader=" + std::to_string(dee.id)).body)
                 .at("entries")
                 .as_array();
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0].at("action").as_string(), "note");
  EXPECT_EQ(log[1].at("action").as_string(), "set_role");
  EXPECT_EQ(log[1].at("actor").as_string(), "Audit Admin");
  EXPECT_EQ(log[1].at("reason").as_string(), "reader");
  auto roles = json::parse(mod.call("GET", "/api/v1/moderation/log?action=set_role&limit=1").body);
  EXPECT_EQ(roles.at("entries").as_array().size(), 1u);
  EXPECT_FALSE(roles.at("next_before").is_null());
  EXPECT_EQ(mod.call("GET", "/api/v1/moderation/log?action=DROP%20TABLE").status, 422);
  EXPECT_EQ(dee.call("GET", "/api/v1/moderation/log").status, 403);

  auto csv = request(port(), {"GET", "/moderation/log.csv", {}, {{"Cookie", mod.cookie}}});
  EXPECT_EQ(csv.status, 200);
  EXPECT_EQ(csv.header("content-type"), "text/csv; charset=utf-8");
  EXPECT_EQ(csv.body.rfind("id,at,actor_id,actor,action,comment_id,account_id,reason\r\n", 0), 0u);
  EXPECT_NE(csv.body.find(",set_role,"), std::string::npos);
  EXPECT_NE(csv.body.find("\"'=HYPERLINK(\"\"http://evil\"\")\""), std::string::npos) << "formula-safe";
  auto html =
      request(port(), {"GET", "/moderation/log?reader=" + std::to_string(dee.id), {}, {{"Cookie", mod.cookie}}});
  EXPECT_NE(html.body.find("set_role"), std::string::npos);
  EXPECT_EQ(html.body.find("=HYPERLINK(\"http"), std::string::npos) << "escaped in HTML";
  // People read the acts in words; the codes stay the contract of the API and the export.
  EXPECT_NE(html.body.find("<span title=\"set_role\">Changed the role</span>"), std::string::npos);
  EXPECT_NE(html.body.find(">Added a note for moderators</span>"), std::string::npos);
  EXPECT_EQ(html.body.find(">set_role<"), std::string::npos) << "no raw code in the table";
  EXPECT_NE(html.body.find("<option value=\"acknowledge_warning\">Acknowledged a warning</option>"), std::string::npos);
  EXPECT_EQ(log[1].at("action_label").as_string(), "Changed the role");
  auto filtered = request(port(), {"GET", "/moderation/log?action=set_role", {}, {{"Cookie", mod.cookie}}});
  EXPECT_NE(filtered.body.find("<option value=\"set_role\" selected>"), std::string::npos);
  EXPECT_EQ(audit_action_label("acknowledge_warning"), "Acknowledged a warning");
  EXPECT_EQ(audit_action_label("a_future_act"), "a_future_act") << "unknown codes show as they are";
}

// Regression: the queue offered "Ban the author" on staff comments, and the ban was then refused.
TEST_F(ModerationTest, TheQueueOffersNoBanForStaffAuthors) {
  auto mod = moderator();
  auto editor = staff_session(*server_, "queue-editor@example.org", "Ed Staff", "editor");
  auto gus = reader("Gus Reporter");
  auto by_editor = post(editor, slug_, "An editor's aside.");
  ASSERT_EQ(status_of(by_editor), "published");
  ASSERT_EQ(gus.call("POST", "/api/v1/comments/" + std::to_string(comment_id(by_editor)) + "/reports",
                     R"({"reason":"abuse"})")
                .status,
            201);
  auto by_gus = post(gus, slug_, "Hold me, I am Gus.");
  ASSERT_EQ(status_of(by_gus), "pending");

  auto staff_items = queue(mod, "view=reported&reader=" + std::to_string(editor.id));
  ASSERT_EQ(staff_items.size(), 1u);
  EXPECT_EQ(staff_items[0].at("author_role").as_string(), "editor");
  EXPECT_TRUE(staff_items[0].at("author_is_staff").as_bool());
  EXPECT_EQ(staff_items[0].at("open_reports").as_int64(), 1) << "the existing fields stay";
  auto reader_items = queue(mod, "view=held&reader=" + std::to_string(gus.id));
  ASSERT_EQ(reader_items.size(), 1u);
  EXPECT_EQ(reader_items[0].at("author_role").as_string(), "reader");
  EXPECT_FALSE(reader_items[0].at("author_is_staff").as_bool());

  auto staff_page = request(
      port(), {"GET", "/moderation?view=reported&reader=" + std::to_string(editor.id), {}, {{"Cookie", mod.cookie}}});
  ASSERT_EQ(staff_page.status, 200);
  EXPECT_NE(staff_page.body.find("data-queue-item=\"" + std::to_string(comment_id(by_editor)) + "\""),
            std::string::npos);
  EXPECT_EQ(staff_page.body.find("Ban the author"), std::string::npos);
  EXPECT_NE(staff_page.body.find("The author is an editor: staff cannot be banned."), std::string::npos);
  auto reader_page =
      request(port(), {"GET", "/moderation?view=held&reader=" + std::to_string(gus.id), {}, {{"Cookie", mod.cookie}}});
  EXPECT_NE(reader_page.body.find("/moderation/accounts/" + std::to_string(gus.id) + "/ban"), std::string::npos);
  EXPECT_NE(reader_page.body.find("Ban the author"), std::string::npos);

  // A ban posted anyway (an old page) is refused on the queue itself, not on the error page.
  auto refused = mod.form("/moderation/accounts/" + std::to_string(editor.id) + "/ban",
                          "reason=x&return_to=%2Fmoderation%3Fview%3Dreported");
  EXPECT_EQ(refused.status, 403);
  EXPECT_NE(refused.body.find("<p class=\"form__error\" role=\"alert\">Staff accounts cannot be banned.</p>"),
            std::string::npos);
  EXPECT_NE(refused.body.find("queue__views"), std::string::npos) << "the queue page";
  EXPECT_EQ(refused.body.find("error-page"), std::string::npos);
  // From the queue, a ban goes back to the same view, which says so.
  auto banned = mod.form("/moderation/accounts/" + std::to_string(gus.id) + "/ban",
                         "reason=Spam&return_to=%2Fmoderation%3Fview%3Dheld");
  EXPECT_EQ(banned.status, 303);
  EXPECT_EQ(banned.header("location"), "/moderation?view=held&done=ban");
}

// Regression: a refused moderation form (a bad time, a missing or too long reason, nothing selected) went
// to the generic error page. It is shown on the page it came from, next to its form, with what was typed.
TEST_F(ModerationTest, RefusedModerationFormsShowOnTheirPage) {
  auto mod = moderator();
  auto hal = reader("Hal Refused");
  std::string sid = std::to_string(hal.id);
  std::string account = "/moderation/accounts/" + sid;
  auto alert = [](const std::string& message) { return "<p class=\"form__error\" role=\"alert\">" + message + "</p>"; };
  auto on_history_page = [&](const HttpResult& r) {
    EXPECT_EQ(r.status, 422) << r.body.substr(0, 300);
    EXPECT_EQ(r.header("content-type").rfind("text/html", 0), 0u);
    EXPECT_NE(r.body.find("Reader history: Hal Refused"), std::string::npos);
    EXPECT_EQ(r.body.find("error-page"), std::string::npos) << "not the generic error page";
  };

  auto warn = mod.form(account + "/sanctions", "action=warn&reason=");
  on_history_page(warn);
  EXPECT_NE(warn.body.find(alert("Give a reason: the reader sees it.")), std::string::npos);
  EXPECT_LT(warn.body.find("form__error"), warn.body.find("name=\"action\" value=\"warn\"")) << "inside the warn form";

  std::string long_note(501, 'n');
  auto note = mod.form(account + "/sanctions", "action=note&reason=" + long_note);
  on_history_page(note);
  EXPECT_NE(note.body.find(alert("The reason must be at most 500 characters of text.")), std::string::npos);
  EXPECT_NE(note.body.find("value=\"" + long_note + "\""), std::string::npos) << "the note is kept";

  std::string back = "&return_to=%2Fmoderation%2Freaders%2F" + sid;
  auto garbled = mod.form(account + "/ban", "until=next+Tuesday&reason=Cooling+off" + back);
  on_history_page(garbled);
  EXPECT_NE(garbled.body.find(alert("Give the end of the suspension as a date and time.")), std::string::npos);
  EXPECT_NE(garbled.body.find("value=\"next Tuesday\""), std::string::npos);
  EXPECT_NE(garbled.body.find("value=\"Cooling off\""), std::string::npos);
  auto past = mod.form(account + "/ban", "until=2001-01-01T00%3A00&reason=" + back);
  on_history_page(past);
  EXPECT_NE(past.body.find(alert("A suspension must end in the future.")), std::string::npos);
  auto empty = mod.form(account + "/ban", "until=&reason=" + back);
  on_history_page(empty);
  EXPECT_FALSE(json::parse(mod.call("GET", "/api/v1/moderation/accounts/" + sid + "/history").body)
                   .at("account")
                   .at("banned_until")
                   .is_string())
      << "a suspension without an end is refused, not turned into a ban";

  // On the queue: a too long reason on one comment's decision, a bulk decision with nothing selected.
  auto held = post(hal, slug_, "Hold me for the refusal test.");
  ASSERT_EQ(status_of(held), "pending");
  std::string id = std::to_string(comment_id(held));
  std::string queue_back = "&return_to=%2Fmoderation%3Fview%3Dheld%26reader%3D" + sid;
  auto decision =
      mod.form("/moderation/comments/" + id + "/decision", "decision=reject&reason=" + long_note + queue_back);
  EXPECT_EQ(decision.status, 422);
  EXPECT_NE(decision.body.find(alert("The reason must be at most 500 characters of text.")), std::string::npos);
  EXPECT_NE(decision.body.find("data-queue-item=\"" + id + "\""), std::string::npos) << "the queue, with its filters";
  EXPECT_NE(decision.body.find("id=\"reason-" + id +
                               "\" name=\"reason\" maxlength=\"500\" placeholder=\"Reason (optional)\" value=\"" +
                               long_note + "\""),
            std::string::npos);
  EXPECT_EQ(decision.body.find("error-page"), std::string::npos);
  EXPECT_EQ(queue(mod, "view=held&reader=" + sid).size(), 1u) << "nothing was decided";

  auto none = mod.form("/moderation/decisions", "decision=approve&reason=later" + queue_back);
  EXPECT_EQ(none.status, 422);
  EXPECT_NE(none.body.find(alert("Choose between 1 and 100 comments.")), std::string::npos);
  EXPECT_LT(none.body.find("id=\"bulk\""), none.body.find("form__error")) << "next to the bulk form";
  EXPECT_NE(none.body.find("placeholder=\"optional\" value=\"later\""), std::string::npos);

  // Corrected, the same form goes through and the page says so.
  auto suspended = mod.form(account + "/ban", "until=2099-01-01T00%3A00&reason=Cooling+off" + back);
  EXPECT_EQ(suspended.status, 303);
  EXPECT_EQ(suspended.header("location"), "/moderation/readers/" + sid + "?done=suspend");
  auto saved = request(port(), {"GET", suspended.header("location"), {}, {{"Cookie", mod.cookie}}});
  EXPECT_NE(saved.body.find("The reader is suspended."), std::string::npos);
}

TEST_F(ModerationTest, RejectionRateAndEditsPassTheRules) {
  auto mod = moderator();
  auto eve = reader("Eve Rejected");
  for (int i = 0; i < 3; ++i) {
    auto c = post(eve, slug_, "Throwaway " + std::to_string(i));
    ASSERT_EQ(mod.call("POST", "/api/v1/moderation/comments/" + std::to_string(comment_id(c)) + "/decision",
                       R"({"decision":"hide"})")
                  .status,
              200);
  }
  auto next = post(eve, slug_, "An innocent remark.");
  EXPECT_EQ(status_of(next), "pending");
  EXPECT_NE(next.body.find("pending"), std::string::npos);
  auto items = queue(mod, "view=held&rule=rejection_rate");
  ASSERT_FALSE(items.empty());
  EXPECT_EQ(items.back().at("comment").at("id").as_int64(), comment_id(next));

  // An edit passes the word rules: text that would be held is refused, the comment stays as it was.
  auto fay = reader("Fay Editor");
  auto c = post(fay, slug_, "An early draft.");
  auto edit =
      fay.call("PATCH", "/api/v1/comments/" + std::to_string(comment_id(c)), R"({"body":"Now hold me please"})");
  EXPECT_EQ(edit.status, 422);
  EXPECT_EQ(error_code(edit), "needs_revision");
  auto fine = fay.call("PATCH", "/api/v1/comments/" + std::to_string(comment_id(c)), R"({"body":"A better draft."})");
  EXPECT_EQ(fine.status, 200) << fine.body;
}

TEST_F(ModerationTest, TheClassifierLearnsFromDecisionsAndHoldsLookalikes) {
  auto mod = moderator();
  auto spammer = reader("Promo Person"), regular = reader("Regular Reader");
  auto decide = [&](const HttpResult& c, const char* decision) {
    ASSERT_EQ(mod.call("POST", "/api/v1/moderation/comments/" + std::to_string(comment_id(c)) + "/decision",
                       std::string("{\"decision\":\"") + decision + "\"}")
                  .status,
              200);
  };
  const char* spam[] = {"Earn $500 a day from home with crypto signals, visit https://quick-cash.example now",
                        "Cheap pills online, best prices, click https://pills.example today",
                        "Make money fast with our bitcoin bot https://quick-cash.example limited offer",
                        "Win big at the online casino, bonus at https://casino.example",
                        "Work from home and earn $300 daily, click https://quick-cash.example"};
  const char* good[] = {"The council should publish the costs of the bypass before voting.",
                        "I disagree with the author about the rail timetable; the evening trains matter.",
                        "Good piece on school funding, though the rural picture is different.",
                        "My mother waited nine months for her operation; the figures are real.",
                        "The housing bill deserves a proper debate in parliament."};
  std::vector<int64_t> mine;
  for (auto* text : spam) decide(post(spammer, slug_, text), "reject");
  for (auto* text : good) decide(post(regular, slug_, text), "approve");
  auto examples = server_->app().classifier()->examples();
  EXPECT_GE(examples[0], 5);
  EXPECT_GE(examples[1], 5);
  auto newcomer = reader("New Promoter");
  auto lookalike = post(newcomer, slug_, "Earn $900 a day from home, click https://quick-cash.example now");
  EXPECT_EQ(status_of(lookalike), "pending");
  auto held = queue(mod, "view=held&rule=classifier");
  ASSERT_FALSE(held.empty());
  EXPECT_NE(std::string(held.back().at("rule_reason").as_string()).find("score"), std::string::npos);
  auto ordinary = post(newcomer, slug_, "The evening trains matter for the school run too.");
  EXPECT_EQ(status_of(ordinary), "published");
}

TEST(ModerationClassifier, AMissingOrCorruptModelNeverBlocksPosting) {
  TempDir dir;
  auto tweak = [](Config& c) { c.classifier.min_examples = 1; };
  {
    TestServer server(true, dir.path(), tweak);
    auto mod = staff_session(server, "m@example.org", "Mod", "moderator");
    auto r = register_reader(server.port(), "r@example.org", "Reader");
    std::string slug = open_article_slug(server.port());
    for (const char* text : {"buy pills http://p.example", "cheap pills http://p.example"})
      mod.call("POST", "/api/v1/moderation/comments/" + std::to_string(comment_id(post(r, slug, text))) + "/decision",
               R"({"decision":"reject"})");
    mod.call("POST",
             "/api/v1/moderation/comments/" + std::to_string(comment_id(post(r, slug, "a calm reply"))) + "/decision",
             R"({"decision":"approve"})");
    server.app().classifier()->save_if_changed();
    // Corrupt the saved model: the next start logs it, rebuilds from the decisions and keeps working.
    server.app().store().save_model("spam", "garbage that is not a model");
  }
  TestServer server(true, dir.path(), tweak);
  auto examples = server.app().classifier()->examples();
  EXPECT_EQ(examples[1], 2) << "rebuilt from the two rejections";
  EXPECT_EQ(examples[0], 1);
  auto r = register_reader(server.port(), "r2@example.org", "Second Reader");
  EXPECT_EQ(post(r, open_article_slug(server.port()), "Buy pills at http://p.example").status, 201);
}

TEST(ExternalRule, SignedRequestsStrictTimeoutAndFailureModes) {
  HttpReceiver service;
  auto answer = [&](std::string body, int delay_ms = 0) { service.answer(200, std::move(body), delay_ms); };
  const std::string secret = "a shared secret for the rule";
  auto start = [&](bool fail_open) {
    return std::make_unique<TestServer>(true, std::string(), [&, fail_open](Config& c) {
      c.moderation.order.push_back("external");
      c.external_rule.url = service.url("/check");
      c.external_rule.secret = secret;
      c.external_rule.timeout = std::chrono::milliseconds(200);
      c.external_rule.fail_open = fail_open;
    });
  };
  auto server = start(true);
  auto r = register_reader(server->port(), "ext@example.org", "External Tester");
  std::string slug = open_article_slug(server->port());

  answer(R"({"action":"reject","reason":"Off topic for this article."})");
  auto rejected = post(r, slug, "Something about football.");
  EXPECT_EQ(rejected.status, 422);
  EXPECT_EQ(error_code(rejected), "rejected");
  EXPECT_NE(rejected.body.find("Off topic for this article."), std::string::npos);
  // The request is signed: HMAC-SHA256 over "t.body" with the shared secret.
  auto req = service.received().back();
  auto line = req.header("tribune-signature");
  ASSERT_TRUE(line.starts_with("t="));
  line = line.substr(2);
  int64_t t = std::stoll(line.substr(0, line.find(',')));
  std::string body = req.body;
  EXPECT_EQ(line.substr(line.find("v1=") + 3), stripe_signature(secret, t, body));
  EXPECT_EQ(json::parse(body).at("text").as_string(), "Something about football.");
  EXPECT_EQ(json::parse(body).at("article").as_string(), slug);

  answer(R"({"action":"hold"})");
  EXPECT_EQ(status_of(post(r, slug, "Hold this one.")), "pending");
  answer(R"({"action":"none"})");
  EXPECT_EQ(status_of(post(r, slug, "Nothing to say.")), "published");
  // Too slow, or nonsense: fail open publishes, and within the timeout.
  answer(R"({"action":"reject"})", 1500);
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(status_of(post(r, slug, "Slow service.")), "published");
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(1200));
  answer("<html>oops</html>");
  EXPECT_EQ(status_of(post(r, slug, "Broken service.")), "published");
  // An answer past 64 KiB is not read to its end (it would be a reject): the transfer fails, fail open.
  answer(R"({"action":"reject","reason":")" + std::string(100000, 'x') + R"("})");
  EXPECT_EQ(status_of(post(r, slug, "Long-winded service.")), "published");
  server.reset();

  // Fail closed: the same failures hold the comment for a moderator instead; nothing is lost.
  auto closed = start(false);
  auto r2 = register_reader(closed->port(), "ext2@example.org", "Closed Tester");
  answer(R"({"action":"publish"})", 1500);
  EXPECT_EQ(status_of(post(r2, open_article_slug(closed->port()), "Slow again.")), "pending");
  answer(R"({"action":"maybe"})");
  EXPECT_EQ(status_of(post(r2, open_article_slug(closed->port()), "Unknown answer.")), "pending");
}

TEST(CommentFlood, OneAddressAcrossManyAccountsIsLimited) {
  TestServer server(true, {}, [](Config& c) {
    c.account_limits.register_per_ip = {1000, std::chrono::hours(1)};
    c.comment_limits.per_ip = {5, std::chrono::minutes(1)};
  });
  std::string slug = open_article_slug(server.port());
  int created = 0, limited = 0;
  for (int i = 0; i < 4; ++i) {
    auto r = register_reader(server.port(), "flood" + std::to_string(i) + "@example.org", "Flood " + std::to_string(i));
    for (int k = 0; k < 3; ++k) {
      auto res = post(r, slug, "Flood " + std::to_string(i) + "-" + std::to_string(k));
      if (res.status == 201)
        ++created;
      else if (res.status == 429 && error_code(res) == "rate_limited")
        ++limited;
    }
  }
  EXPECT_EQ(created, 5);
  EXPECT_EQ(limited, 7);
  // Staff are not held back by readers sharing their address.
  auto mod = staff_session(server, "floodmod@example.org", "Flood Mod", "moderator");
  EXPECT_EQ(post(mod, slug, "Moderator here.").status, 201);
}

// Only a comment that is kept counts toward a reader's posting limit: the rules' refusals are given back (the
// posting hit is counted ahead, with the attempt's, and returned), while every attempt still counts.
TEST(CommentFlood, CommentsTheRulesRefuseDoNotUseUpTheReadersLimit) {
  TestServer server(true, {}, [](Config& c) { c.comment_limits.per_account = {3, std::chrono::minutes(1)}; });
  std::string slug = open_article_slug(server.port());
  auto r = register_reader(server.port(), "refused@example.org", "Refused Often");
  ASSERT_EQ(post(r, slug, "Saying it again.").status, 201);
  ASSERT_EQ(post(r, slug, "Saying it again.").status, 201);
  for (int i = 0; i < 4; ++i) {
    auto refused = post(r, slug, "Saying it again.");
    EXPECT_EQ(refused.status, 422) << refused.body;
    EXPECT_EQ(error_code(refused), "rejected");
  }
  EXPECT_EQ(post(r, slug, "Something new at last.").status, 201) << "refusals used up the limit";
  auto over = post(r, slug, "And one more.");
  EXPECT_EQ(over.status, 429);
  EXPECT_EQ(error_code(over), "rate_limited");
  // Nine attempts a minute (three times the limit): the ninth is still answered, the tenth is not.
  EXPECT_EQ(error_code(post(r, slug, "Saying it again.")), "rejected");
  EXPECT_EQ(error_code(post(r, slug, "A tenth attempt.")), "rate_limited");
}

// Issue 12, item 2: every sanction and rule that guards posting guards editing and reacting too.
TEST_F(ModerationTest, SanctionsAndPreModerationApplyToEditsAndReactions) {
  auto mod = moderator();
  auto dee = reader("Dee Edits"), eve = reader("Eve Bystander");
  std::string base = "/api/v1/moderation/accounts/" + std::to_string(dee.id);
  auto mine = post(dee, slug_, "Published before any sanction.");
  auto theirs = post(eve, slug_, "Someone else's comment.");
  ASSERT_EQ(status_of(mine), "published");
  std::string edit = "/api/v1/comments/" + std::to_string(comment_id(mine));
  std::string react = "/api/v1/comments/" + std::to_string(comment_id(theirs)) + "/reactions/recommend";
  auto shown = [&](const std::string& text) {
    return get(port(), "/api/v1/articles/" + slug_ + "/comments?limit=200").body.find(text) != std::string::npos;
  };

  ASSERT_EQ(mod.call("POST", base + "/ban", R"({"reason":"abuse"})").status, 204);
  auto banned = dee.call("PATCH", edit, R"({"body":"Rewritten after the ban."})");
  EXPECT_EQ(banned.status, 403);
  EXPECT_EQ(error_code(banned), "banned");
  EXPECT_EQ(error_code(dee.call("PUT", react)), "banned");
  EXPECT_FALSE(shown("Rewritten after the ban.")) << "the banned reader's edit is not public";
  EXPECT_TRUE(shown("Published before any sanction."));
  ASSERT_EQ(mod.call("DELETE", base + "/ban").status, 204);

  auto until = format_rfc3339(now_seconds() + std::chrono::hours(24));
  ASSERT_EQ(mod.call("POST", base + "/suspension", "{\"until\":\"" + until + "\",\"reason\":\"cool off\"}").status,
            204);
  EXPECT_EQ(error_code(dee.call("PATCH", edit, R"({"body":"Rewritten while suspended."})")), "suspended");
  EXPECT_EQ(error_code(dee.call("PUT", react)), "suspended");
  ASSERT_EQ(mod.call("DELETE", base + "/ban").status, 204);

  ASSERT_EQ(mod.call("POST", base + "/sanctions", R"({"action":"warn","reason":"Mind the tone."})").status, 204);
  EXPECT_EQ(error_code(dee.call("PATCH", edit, R"({"body":"Rewritten while warned."})")), "warning_unacknowledged");
  EXPECT_EQ(error_code(dee.call("PUT", react)), "warning_unacknowledged");
  ASSERT_EQ(dee.call("POST", "/api/v1/me/warning/acknowledge").status, 204);
  EXPECT_EQ(dee.call("PUT", react).status, 200) << "acknowledged: reacting again";

  // Pre-moderated: the edit is not refused, but the new text waits for a moderator, off the page.
  ASSERT_EQ(mod.call("POST", base + "/sanctions", R"({"action":"premoderate","reason":"Edits too"})").status, 204);
  auto held = dee.call("PATCH", edit, R"({"body":"Rewritten under pre-moderation."})");
  ASSERT_EQ(held.status, 200) << held.body;
  EXPECT_EQ(status_of(held), "pending");
  EXPECT_FALSE(shown("Rewritten under pre-moderation."));
  EXPECT_FALSE(shown("Published before any sanction.")) << "the comment left the page with its edit";
  auto queued = queue(mod, "view=held&reader=" + std::to_string(dee.id));
  ASSERT_EQ(queued.size(), 1u);
  EXPECT_EQ(queued[0].at("comment").at("id").as_int64(), comment_id(mine));
  ASSERT_EQ(mod.call("POST", "/api/v1/moderation/comments/" + std::to_string(comment_id(mine)) + "/decision",
                     R"({"decision":"approve"})")
                .status,
            200);
  EXPECT_TRUE(shown("Rewritten under pre-moderation.")) << "approved: the edited text is public";
}

TEST_F(ModerationTest, ModeratorsSearchEveryCommentByTextAndByReaderOnThePageAndInTheApi) {
  auto mod = moderator();
  auto ana = reader("Ana Search"), bo = reader("Bo Search");
  auto published = post(ana, slug_, "The Zanzibar ferry timetable is 100% wrong.");
  auto held = post(bo, slug_, "Hold me: zanzibar again.");
  auto other = post(bo, slug_, "Nothing to find in this one.");
  auto gone = post(ana, slug_, "Zanzibar, deleted by its author.");
  ASSERT_EQ(ana.call("DELETE", "/api/v1/comments/" + std::to_string(comment_id(gone))).status, 204);

  // Every comment but the deleted one, in any state, newest first; letters in any case.
  auto found = queue(mod, "view=all&q=ZANZIBAR");
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].at("comment").at("id").as_int64(), comment_id(held));
  EXPECT_EQ(found[1].at("comment").at("id").as_int64(), comment_id(published));
  // With the reader; LIKE's wildcards are the characters themselves.
  auto anas = queue(mod, "view=all&q=zanzibar&reader=" + std::to_string(ana.id));
  ASSERT_EQ(anas.size(), 1u);
  EXPECT_EQ(queue(mod, "view=all&q=100%25").size(), 1u);
  EXPECT_TRUE(queue(mod, "view=all&q=%25%25%25zz").empty());
  EXPECT_TRUE(queue(mod, "view=all&q=_anzibar_").empty());
  // Newest first, paged with after.
  auto first = queue(mod, "view=all&q=zanzibar&limit=1");
  ASSERT_EQ(first.size(), 1u);
  auto next =
      queue(mod, "view=all&q=zanzibar&limit=1&after=" + std::to_string(first[0].at("comment").at("id").as_int64()));
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].at("comment").at("id").as_int64(), comment_id(published));
  // The text filter narrows the other views too.
  auto held_found = queue(mod, "view=held&q=zanzibar");
  ASSERT_EQ(held_found.size(), 1u);
  EXPECT_EQ(error_code(mod.call("GET", "/api/v1/moderation/queue?view=all&q=" + std::string(201, 'a'))),
            "invalid_text");
  EXPECT_EQ(error_code(mod.call("GET", "/api/v1/moderation/queue?view=everything")), "invalid_view");
  (void)other;

  // The page: the view, the text box keeping what was typed, the results, escaped.
  auto page = mod.call("GET", "/moderation?view=all&q=%3Cb%3Ezanzibar");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find(">All comments</a>"), std::string::npos);
  EXPECT_NE(page.body.find("name=\"q\" value=\"&lt;b&gt;zanzibar\""), std::string::npos) << "the box keeps the text";
  EXPECT_NE(page.body.find("No comment matches."), std::string::npos);
  auto results = mod.call("GET", "/moderation?view=all&q=zanzibar");
  EXPECT_NE(results.body.find("The Zanzibar ferry timetable"), std::string::npos);
  EXPECT_NE(results.body.find("Hold me: zanzibar again."), std::string::npos);
  EXPECT_EQ(results.body.find("Nothing to find in this one."), std::string::npos);
  EXPECT_EQ(results.body.find("deleted by its author"), std::string::npos);
  // Readers cannot search.
  EXPECT_EQ(ana.call("GET", "/api/v1/moderation/queue?view=all&q=zanzibar").status, 403);
}

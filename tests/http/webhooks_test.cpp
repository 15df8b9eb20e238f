// Outgoing webhooks end to end: an admin registers an endpoint (API and pages), readers act, and a real
// receiver on 127.0.0.1 gets each event signed as Standard Webhooks says; a receiver that is down gets every
// event once, in order per resource, when it is back; a dead endpoint is disabled and the admins told; two
// nodes never send one delivery twice.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <set>

#include "support/http_receiver.h"
#include "test_support.h"
#include "util/standard_webhooks.h"

using namespace tribune;
using namespace tribune::testing;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

void allow_local(Config& c) {
  c.webhooks.allow_insecure = true;
  c.webhooks.retry_base = std::chrono::milliseconds(0);
  c.comment_limits.per_account.count = 1000;
  c.comment_limits.per_ip.count = 1000;
  c.account_limits.register_per_ip.count = 1000;
}

int64_t post_comment(Reader& r, const std::string& slug, const std::string& text) {
  auto res = r.call("POST", "/api/v1/articles/" + slug + "/comments", json::serialize(json::object{{"body", text}}));
  EXPECT_EQ(res.status, 201) << res.body;
  return json::parse(res.body).at("comment").at("id").as_int64();
}

struct Hook {
  int64_t id = 0;
  std::string secret;
};

Hook add_hook(Reader& admin, const std::string& url, std::vector<std::string> events) {
  json::array list;
  for (auto& e : events) list.emplace_back(e);
  auto res = admin.call("POST", "/api/v1/webhooks",
                        json::serialize(json::object{{"url", url}, {"description", "CRM"}, {"events", list}}));
  EXPECT_EQ(res.status, 201) << res.body;
  auto v = json::parse(res.body);
  return {v.at("id").as_int64(), std::string(v.at("secret").as_string())};
}

// The requests the receiver answered 2xx, with their parsed bodies.
std::vector<HttpReceiver::Received> accepted(HttpReceiver& r) {
  std::vector<HttpReceiver::Received> out;
  for (auto& x : r.received())
    if (x.answered >= 200 && x.answered < 300) out.push_back(x);
  return out;
}

std::string type_of(const HttpReceiver::Received& r) {
  return std::string(json::parse(r.body).at("type").as_string());
}

}  // namespace

TEST(Webhooks, EventsReachTheReceiverSignedAsStandardWebhooksSays) {
  HttpReceiver receiver;
  TestServer server(true, {}, allow_local);
  auto admin = staff_session(server, "admin@example.org", "Ada Admin", "admin");
  auto hook = add_hook(admin, receiver.url(), {"comment.created", "reader.registered"});
  EXPECT_TRUE(hook.secret.starts_with("whsec_"));
  auto listed = json::parse(admin.call("GET", "/api/v1/webhooks").body);
  EXPECT_EQ(listed.at("endpoints").as_array().size(), 1u);
  EXPECT_EQ(listed.at("endpoints").at(0).as_object().count("secret"), 0u) << "the secret is shown once";

  auto reader = register_reader(server.port(), "ana@example.org", "Ana Ruiz");
  auto slug = open_article_slug(server.port());
  auto id = post_comment(reader, slug, "Webhooks should say so.");
  ASSERT_TRUE(receiver.wait_until([](const auto& got) { return got.size() >= 2; }));
  auto got = receiver.received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(type_of(got[0]), "reader.registered");
  auto& c = got[1];
  EXPECT_EQ(c.method, "POST");
  EXPECT_EQ(c.header("content-type"), "application/json");
  auto body = json::parse(c.body).as_object();
  EXPECT_EQ(body.at("type").as_string(), "comment.created");
  EXPECT_EQ(body.at("data").at("id").as_int64(), id);
  EXPECT_EQ(body.at("data").at("body").as_string(), "Webhooks should say so.");
  EXPECT_EQ(body.at("data").at("author_name").as_string(), "Ana Ruiz");
  EXPECT_EQ(body.at("data").at("article").as_string(), slug);
  EXPECT_EQ(body.at("data").at("created_at").as_string().size(), 20u) << "RFC 3339, not Unix seconds";
  // What a receiver's Standard Webhooks library checks.
  EXPECT_TRUE(c.header("webhook-id").starts_with("msg_"));
  int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_TRUE(standard_webhooks::verify(hook.secret, c.header("webhook-id"), c.header("webhook-timestamp"),
                                        c.header("webhook-signature"), c.body, now));
  EXPECT_FALSE(standard_webhooks::verify(standard_webhooks::new_secret(), c.header("webhook-id"),
                                         c.header("webhook-timestamp"), c.header("webhook-signature"), c.body, now));
  EXPECT_FALSE(standard_webhooks::verify(hook.secret, c.header("webhook-id"), c.header("webhook-timestamp"),
                                         c.header("webhook-signature"), c.body + " ", now));

  // The log says what happened, with the receiver's answer.
  auto log = json::parse(admin.call("GET", "/api/v1/webhooks/" + std::to_string(hook.id) + "/deliveries").body);
  auto& newest = log.at("deliveries").at(0);
  EXPECT_EQ(newest.at("type").as_string(), "comment.created");
  EXPECT_EQ(newest.at("state").as_string(), "delivered");
  EXPECT_EQ(newest.at("last_status").as_int64(), 200);
  EXPECT_EQ(newest.at("message_id").as_string(), c.header("webhook-id"));
  EXPECT_EQ(newest.at("endpoint_id").as_int64(), hook.id);

  // Send again: the same message (same id, same body), freshly signed.
  auto again = admin.call("POST", "/api/v1/webhooks/" + std::to_string(hook.id) + "/deliveries/" +
                                      std::to_string(newest.at("id").as_int64()) + "/redeliver");
  EXPECT_EQ(again.status, 202) << again.body;
  ASSERT_TRUE(receiver.wait_until([](const auto& all) { return all.size() >= 3; }));
  EXPECT_EQ(receiver.received()[2].header("webhook-id"), c.header("webhook-id"));
  EXPECT_EQ(receiver.received()[2].body, c.body);
}

TEST(Webhooks, AReceiverThatWasDownGetsEveryEventOnceInOrderPerResource) {
  HttpReceiver receiver;
  receiver.answer(503);
  TestServer server(true, {}, [](Config& c) {
    allow_local(c);
    c.webhooks.max_attempts = 50;
  });
  auto admin = staff_session(server, "admin@example.org", "Ada Admin", "admin");
  add_hook(admin, receiver.url(), {"comment.created", "comment.edited", "comment.removed"});
  auto reader = register_reader(server.port(), "ana@example.org", "Ana Ruiz");
  auto slug = open_article_slug(server.port());
  std::vector<int64_t> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(post_comment(reader, slug, "Comment number " + std::to_string(i) + "."));
  for (int round = 0; round < 2; ++round)
    for (auto id : ids) {
      auto r = reader.call("PATCH", "/api/v1/comments/" + std::to_string(id),
                           json::serialize(json::object{{"body", "Edited, round " + std::to_string(round) + "."}}));
      ASSERT_EQ(r.status, 200) << r.body;
    }
  ASSERT_EQ(reader.call("DELETE", "/api/v1/comments/" + std::to_string(ids[0])).status, 204);
  // While it is down, only the first event of each comment is tried: the later ones wait behind it.
  ASSERT_TRUE(receiver.wait_until([](const auto& got) { return got.size() >= 6; }));
  for (const auto& r : receiver.received()) EXPECT_EQ(type_of(r), "comment.created");

  receiver.answer(200);
  ASSERT_TRUE(receiver.wait_until([](const auto&) { return false; }, 0ms) ||
              receiver.wait_until([&](const auto&) { return accepted(receiver).size() >= 10; }, 20s));
  std::this_thread::sleep_for(1500ms);  // nothing more is coming
  auto got = accepted(receiver);
  ASSERT_EQ(got.size(), 10u) << "3 created, 6 edited, 1 removed";
  std::set<std::string> message_ids;
  std::map<int64_t, std::vector<std::string>> per_comment;
  for (const auto& r : got) {
    EXPECT_TRUE(message_ids.insert(r.header("webhook-id")).second) << "delivered twice: " << r.header("webhook-id");
    auto v = json::parse(r.body);
    per_comment[v.at("data").at("id").as_int64()].push_back(std::string(v.at("type").as_string()));
  }
  EXPECT_EQ(per_comment[ids[0]],
            (std::vector<std::string>{"comment.created", "comment.edited", "comment.edited", "comment.removed"}));
  EXPECT_EQ(per_comment[ids[1]], (std::vector<std::string>{"comment.created", "comment.edited", "comment.edited"}));
  // The edits arrive with their own text, in order.
  std::vector<std::string> texts;
  for (const auto& r : got) {
    auto v = json::parse(r.body);
    if (v.at("data").at("id").as_int64() == ids[2] && v.at("type").as_string() == "comment.edited")
      texts.emplace_back(v.at("data").at("body").as_string());
  }
  EXPECT_EQ(texts, (std::vector<std::string>{"Edited, round 0.", "Edited, round 1."}));
}

TEST(Webhooks, ADeadEndpointIsDisabledTheAdminsToldAndWhatWaitedGoesOutOnceEnabled) {
  HttpReceiver receiver;
  std::string dead;
  {
    HttpReceiver gone;  // a port nobody listens on once it closes
    dead = gone.url();
  }
  TestServer server(true, {}, [](Config& c) {
    allow_local(c);
    c.webhooks.max_attempts = 2;
  });
  auto admin = staff_session(server, "admin@example.org", "Ada Admin", "admin");
  auto hook = add_hook(admin, dead, {"reader.registered"});
  auto mail_before = server.app().store().outbox_stats().pending;
  register_reader(server.port(), "ana@example.org", "Ana Ruiz");
  auto path = "/api/v1/webhooks/" + std::to_string(hook.id);
  bool disabled = false;
  for (int i = 0; i < 100 && !disabled; ++i) {
    std::this_thread::sleep_for(100ms);
    disabled = !json::parse(admin.call("GET", path).body).at("enabled").as_bool();
  }
  ASSERT_TRUE(disabled);
  auto e = json::parse(admin.call("GET", path).body);
  EXPECT_NE(std::string(e.at("disabled_reason").as_string()).find("failed"), std::string::npos);
  EXPECT_GE(server.app().store().outbox_stats().pending, mail_before + 2) << "the welcome mail and the notice";
  auto log = json::parse(admin.call("GET", path + "/deliveries").body).at("deliveries");
  EXPECT_EQ(log.at(0).at("state").as_string(), "failed");
  EXPECT_EQ(log.at(0).at("attempts").as_int64(), 2);
  EXPECT_FALSE(std::string(log.at(0).at("last_error").as_string()).empty());

  // While disabled, nothing is queued for it and "send again" says why not.
  register_reader(server.port(), "ben@example.org", "Ben");
  auto refused =
      admin.call("POST", path + "/deliveries/" + std::to_string(log.at(0).at("id").as_int64()) + "/redeliver");
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(error_code(refused), "endpoint_disabled");
  // Pointed at a working receiver and enabled: the failed delivery can be sent again and arrives.
  auto fixed = admin.call("PATCH", path, json::serialize(json::object{{"url", receiver.url()}, {"enabled", true}}));
  ASSERT_EQ(fixed.status, 200) << fixed.body;
  EXPECT_EQ(
      admin.call("POST", path + "/deliveries/" + std::to_string(log.at(0).at("id").as_int64()) + "/redeliver").status,
      202);
  ASSERT_TRUE(receiver.wait_until([](const auto& got) { return got.size() >= 1; }));
  auto v = json::parse(receiver.received()[0].body);
  EXPECT_EQ(v.at("data").at("email").as_string(), "ana@example.org");
  std::this_thread::sleep_for(1200ms);
  EXPECT_EQ(receiver.received().size(), 1u) << "Ben registered while it was disabled: not queued";
}

TEST(Webhooks, TwoNodesNeverSendOneDeliveryTwice) {
  HttpReceiver receiver;
  receiver.answer(200, "{}", 5);
  TestServer a(true, {}, allow_local);
  TestServer b(false, a.data_dir(), allow_local);
  auto admin = staff_session(a, "admin@example.org", "Ada Admin", "admin");
  add_hook(admin, receiver.url(), {"comment.created"});
  auto reader = register_reader(a.port(), "ana@example.org", "Ana Ruiz");
  auto reader_b = register_reader(b.port(), "ben@example.org", "Ben");
  auto slug = open_article_slug(a.port());
  for (int i = 0; i < 20; ++i) {
    post_comment(reader, slug, "From A, number " + std::to_string(i) + ".");
    post_comment(reader_b, slug, "From B, number " + std::to_string(i) + ".");
  }
  ASSERT_TRUE(receiver.wait_until([](const auto& got) { return got.size() >= 40; }, 30s));
  std::this_thread::sleep_for(1500ms);
  auto got = receiver.received();
  EXPECT_EQ(got.size(), 40u);
  std::set<std::string> ids;
  for (const auto& r : got) ids.insert(r.header("webhook-id"));
  EXPECT_EQ(ids.size(), 40u) << "each message once";
}

TEST(Webhooks, EndpointsAreValidatedAndOnlyAdminsManageThem) {
  TestServer server(true);
  auto admin = staff_session(server, "admin@example.org", "Ada Admin", "admin");
  auto editor = staff_session(server, "ed@example.org", "Ed Editor", "editor");
  auto make = [&](Reader& who, const std::string& url, const std::string& events) {
    return who.call("POST", "/api/v1/webhooks", R"({"url":")" + url + R"(","events":)" + events + "}");
  };
  EXPECT_EQ(make(editor, "https://hooks.example/in", R"(["comment.created"])").status, 403);
  auto local = make(admin, "http://127.0.0.1:9/in", R"(["comment.created"])");
  EXPECT_EQ(local.status, 422);
  EXPECT_EQ(error_code(local), "insecure_url");
  EXPECT_EQ(error_code(make(admin, "https://10.1.2.3/in", R"(["comment.created"])")), "insecure_url");
  EXPECT_EQ(error_code(make(admin, "https://localhost/in", R"(["comment.created"])")), "insecure_url");
  EXPECT_EQ(error_code(make(admin, "https://[::1]/in", R"(["comment.created"])")), "insecure_url");
  EXPECT_EQ(error_code(make(admin, "ftp://hooks.example/in", R"(["comment.created"])")), "invalid_url");
  EXPECT_EQ(error_code(make(admin, "https://user:pw@hooks.example/in", R"(["comment.created"])")), "invalid_url");
  EXPECT_EQ(error_code(make(admin, "https://hooks.example/in", R"([])")), "invalid_events");
  EXPECT_EQ(error_code(make(admin, "https://hooks.example/in", R"(["comment.exploded"])")), "unknown_event");
  auto ok = make(admin, "https://hooks.example/in", R"(["article.published","comment.created","comment.created"])");
  ASSERT_EQ(ok.status, 201) << ok.body;
  auto v = json::parse(ok.body);
  EXPECT_EQ(v.at("events").as_array().size(), 2u);
  EXPECT_EQ(v.at("events").at(0).as_string(), "comment.created") << "in the documented order";
  auto path = "/api/v1/webhooks/" + std::to_string(v.at("id").as_int64());
  EXPECT_EQ(admin.call("PATCH", path, R"({"enabled":"yes"})").status, 400);
  EXPECT_EQ(admin.call("PATCH", path, R"({"colour":"red"})").status, 400);

  // Rotation: a new secret, and for a day every message carries both signatures.
  auto rotated = admin.call("POST", path + "/rotate-secret");
  ASSERT_EQ(rotated.status, 200);
  EXPECT_NE(json::parse(rotated.body).at("secret").as_string(), v.at("secret").as_string());
  EXPECT_EQ(admin.call("DELETE", path).status, 204);
  EXPECT_EQ(admin.call("GET", path).status, 404);
  // The audit log has the admin's acts.
  auto audit = admin.call("GET", "/api/v1/moderation/log?limit=20");
  for (auto act : {"create_webhook", "rotate_webhook_secret", "delete_webhook"})
    EXPECT_NE(audit.body.find(act), std::string::npos) << act;
}

// The address and shape ../shared/API.md gives integrations: POST /api/v1/admin/webhooks {url, events} answers
// 201 {webhook: {id, url, events, secret}}; the rest of the endpoint's routes live under it too, for admins only.
TEST(Webhooks, TheContractsAddressCreatesAndManagesEndpointsForAdminsOnly) {
  TestServer server(true);
  auto admin = staff_session(server, "admin@example.org", "Ada Admin", "admin");
  auto editor = staff_session(server, "ed@example.org", "Ed Editor", "editor");
  std::string body = R"({"url":"https://hooks.example/in","events":["comment.created"]})";
  EXPECT_EQ(editor.call("POST", "/api/v1/admin/webhooks", body).status, 403);
  auto made = admin.call("POST", "/api/v1/admin/webhooks", body);
  ASSERT_EQ(made.status, 201) << made.body;
  auto hook = json::parse(made.body).at("webhook").as_object();
  EXPECT_EQ(hook.at("url"), "https://hooks.example/in");
  EXPECT_EQ(hook.at("events").as_array().size(), 1u);
  EXPECT_TRUE(std::string(hook.at("secret").as_string()).starts_with("whsec_"));
  auto path = "/api/v1/admin/webhooks/" + std::to_string(hook.at("id").as_int64());
  EXPECT_EQ(admin.call("GET", path).status, 200);
  EXPECT_EQ(json::parse(admin.call("GET", "/api/v1/admin/webhooks").body).at("endpoints").as_array().size(), 1u);
  EXPECT_EQ(error_code(admin.call("POST", "/api/v1/admin/webhooks",
                                  R"({"url":"http://127.0.0.1:9/in","events":["comment.created"]})")),
            "insecure_url");
  EXPECT_EQ(admin.call("DELETE", path).status, 204);
}

TEST(Webhooks, ARotatedSecretSignsBesideTheOldOneSoReceiversSwitchWithoutLoss) {
  HttpReceiver receiver;
  TestServer server(true, {}, allow_local);
  auto admin = staff_session(server, "admin@example.org", "Ada Admin", "admin");
  auto hook = add_hook(admin, receiver.url(), {"reader.registered"});
  auto rotated = json::parse(admin.call("POST", "/api/v1/webhooks/" + std::to_string(hook.id) + "/rotate-secret").body);
  std::string fresh(rotated.at("secret").as_string());
  register_reader(server.port(), "ana@example.org", "Ana Ruiz");
  ASSERT_TRUE(receiver.wait_until([](const auto& got) { return !got.empty(); }));
  auto r = receiver.received()[0];
  int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_NE(r.header("webhook-signature").find(' '), std::string::npos) << "two signatures";
  for (const auto& secret : {hook.secret, fresh})
    EXPECT_TRUE(standard_webhooks::verify(secret, r.header("webhook-id"), r.header("webhook-timestamp"),
                                          r.header("webhook-signature"), r.body, now));
}

TEST(Webhooks, TheAdminPagesManageEndpointsWithoutJavaScript) {
  HttpReceiver receiver;
  TestServer server(true, {}, allow_local);
  auto admin = staff_session(server, "admin@example.org", "Ada Admin", "admin");
  auto list = admin.call("GET", "/admin/webhooks");
  EXPECT_EQ(list.status, 200);
  EXPECT_NE(list.body.find("comment.created"), std::string::npos) << "the events to choose from";
  // A form with no event ticked: the error where the admin is looking, what was typed kept.
  auto bad = admin.form("/admin/webhooks", "url=" + receiver.url() + "&description=CRM");
  EXPECT_EQ(bad.status, 422);
  EXPECT_NE(bad.body.find("Choose at least one event."), std::string::npos);
  EXPECT_NE(bad.body.find(receiver.url()), std::string::npos);
  auto made = admin.form("/admin/webhooks", "url=" + receiver.url() + "&description=CRM&event%3Areader.registered=1");
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_NE(made.body.find("whsec_"), std::string::npos) << "the secret, shown once";
  auto endpoints = json::parse(admin.call("GET", "/api/v1/webhooks").body).at("endpoints");
  auto id = std::to_string(endpoints.at(0).at("id").as_int64());
  EXPECT_EQ(admin.call("GET", "/admin/webhooks/" + id).body.find("whsec_"), std::string::npos);

  register_reader(server.port(), "ana@example.org", "Ana Ruiz");
  ASSERT_TRUE(receiver.wait_until([](const auto& got) { return !got.empty(); }));
  std::this_thread::sleep_for(300ms);
  auto page = admin.call("GET", "/admin/webhooks/" + id);
  EXPECT_NE(page.body.find("reader.registered"), std::string::npos);
  EXPECT_NE(page.body.find("Delivered"), std::string::npos);
  auto deliveries = json::parse(admin.call("GET", "/api/v1/webhooks/" + id + "/deliveries").body).at("deliveries");
  auto delivery = std::to_string(deliveries.at(0).at("id").as_int64());
  auto again = admin.form("/admin/webhooks/" + id + "/deliveries/" + delivery + "/redeliver", "");
  EXPECT_EQ(again.status, 303);
  ASSERT_TRUE(receiver.wait_until([](const auto& got) { return got.size() >= 2; }));

  auto edited = admin.form("/admin/webhooks/" + id,
                           "url=" + receiver.url() + "&description=Newsletter&event%3Acomment.created=1");
  EXPECT_EQ(edited.status, 303);
  auto now = json::parse(admin.call("GET", "/api/v1/webhooks/" + id).body);
  EXPECT_EQ(now.at("description").as_string(), "Newsletter");
  EXPECT_EQ(now.at("events").at(0).as_string(), "comment.created");
  EXPECT_EQ(admin.form("/admin/webhooks/" + id + "/disable", "").status, 303);
  EXPECT_FALSE(json::parse(admin.call("GET", "/api/v1/webhooks/" + id).body).at("enabled").as_bool());
  auto disabled_page = admin.call("GET", "/admin/webhooks/" + id);
  EXPECT_NE(disabled_page.body.find("An admin disabled it."), std::string::npos);
  EXPECT_EQ(admin.form("/admin/webhooks/" + id + "/enable", "").status, 303);
  auto rotated = admin.form("/admin/webhooks/" + id + "/rotate", "");
  EXPECT_NE(rotated.body.find("whsec_"), std::string::npos);
  EXPECT_EQ(admin.form("/admin/webhooks/" + id + "/delete", "").status, 303);
  EXPECT_EQ(admin.call("GET", "/admin/webhooks/" + id).status, 404);
  auto reader = register_reader(server.port(), "ben@example.org", "Ben");
  EXPECT_EQ(reader.call("GET", "/admin/webhooks").status, 403);
}

TEST(Webhooks, AnArticleIsAnnouncedWhenItGoesPublicNotWhenItIsScheduled) {
  HttpReceiver receiver;
  TestServer server(true, {}, allow_local);
  auto admin = staff_session(server, "admin@example.org", "Ada Admin", "admin");
  add_hook(admin, receiver.url(), {"article.published", "article.unpublished"});
  auto token = server.app().tokens().create("desk", "editor").token;
  auto publish = [&](const std::string& title, const std::string& when) {
    json::object body{{"title", title},
                      {"authors", json::array{"Ana Ruiz"}},
                      {"section", "Opinion"},
                      {"body", "Words for the " + title + "."}};
    if (!when.empty()) body["published_at"] = when;
    auto r = request(server.port(), {"POST",
                                     "/api/v1/articles",
                                     json::serialize(body),
                                     {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}}});
    EXPECT_EQ(r.status, 201) << r.body;
    return std::string(json::parse(r.body).at("slug").as_string());
  };
  auto now = std::chrono::system_clock::now();
  auto soon = format_rfc3339(std::chrono::time_point_cast<std::chrono::seconds>(now + 3s));
  auto later = publish("Embargoed piece", soon);
  auto at_once = publish("Piece for now", "");
  ASSERT_TRUE(receiver.wait_until([](const auto& got) { return !got.empty(); }));
  auto first = json::parse(receiver.received()[0].body);
  EXPECT_EQ(first.at("type").as_string(), "article.published");
  EXPECT_EQ(first.at("data").at("slug").as_string(), at_once);
  EXPECT_EQ(receiver.received().size(), 1u) << "the embargoed piece is not told of before its time";
  ASSERT_TRUE(receiver.wait_until([](const auto& got) { return got.size() >= 2; }, 10s));
  EXPECT_EQ(json::parse(receiver.received()[1].body).at("data").at("slug").as_string(), later);
  auto pulled =
      request(server.port(),
              {"POST", "/api/v1/articles/" + at_once + "/unpublish", "", {{"Authorization", "Bearer " + token}}});
  EXPECT_EQ(pulled.status, 200) << pulled.body;
  ASSERT_TRUE(receiver.wait_until([](const auto& got) { return got.size() >= 3; }));
  auto gone = json::parse(receiver.received()[2].body);
  EXPECT_EQ(gone.at("type").as_string(), "article.unpublished");
  EXPECT_EQ(gone.at("data").at("state").as_string(), "draft");
}

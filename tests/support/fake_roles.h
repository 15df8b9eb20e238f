// Hand-written fakes of the store roles the comment and moderation services use, in memory, for unit tests
// without a database. Each records its writes, so a test can say that nothing was written; `down` makes
// every write fail as an engine whose database is gone. Methods a fake does not override throw
// (support/unfaked_roles.h): a service that starts using one shows up at once.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "domain/comments.h"
#include "model/error.h"
#include "support/unfaked_roles.h"

namespace tribune::testing {

// How a test's listener writes down a comment change: "<id> created|updated|removed".
inline std::string change_heard(const Comment& c, CommentService::Change change) {
  return std::to_string(c.id) + (change == CommentService::Change::created   ? " created"
                                 : change == CommentService::Change::removed ? " removed"
                                                                             : " updated");
}

struct FakeArticles final : UnfakedArticleStore {
  std::map<std::string, Article, std::less<>> by_slug;
  bool down = false;  // every read throws unavailable
  void check_up() const {
    if (down) throw Error(ErrorKind::unavailable, "store_unavailable", "The store is unavailable; try again shortly.");
  }
  std::optional<Article> find_article(std::string_view slug) override {
    check_up();
    auto it = by_slug.find(slug);
    return it == by_slug.end() ? std::nullopt : std::optional<Article>(it->second);
  }
  std::optional<Article> find_article_by_id(int64_t id) override {
    check_up();
    for (const auto& [slug, a] : by_slug)
      if (a.id == id) return a;
    return std::nullopt;
  }
};

struct FakeAccounts final : UnfakedAccountStore {
  std::map<int64_t, Account> accounts;
  std::optional<Account> find_account(int64_t id) override {
    auto it = accounts.find(id);
    return it == accounts.end() ? std::nullopt : std::optional<Account>(it->second);
  }
};

// Comments in a map; every write is recorded, so a test can say that nothing was written.
struct FakeComments final : UnfakedCommentStore {
  std::map<int64_t, Comment> comments;
  std::vector<std::string> writes;
  bool down = false;                 // every write throws unavailable, as an engine whose database is gone
  std::function<void()> on_failure;  // runs as a write fails (e.g. the whole database goes with it)

  void check_up() {
    if (!down) return;
    if (on_failure) on_failure();
    throw Error(ErrorKind::unavailable, "store_unavailable", "The store is unavailable; try again shortly.");
  }
  SavedComment add_comment(const NewComment& n) override {
    check_up();
    writes.push_back("add_comment");
    Comment c;
    c.id = static_cast<int64_t>(comments.size()) + 1;
    c.article_id = n.article_id;
    c.author_id = n.author_id;
    c.body_markdown = n.body_markdown;
    c.body_html = n.body_html;
    c.status = n.status;
    c.created_at = n.created_at;
    comments[c.id] = c;
    return SavedComment{c, {}};
  }
  std::optional<Comment> find_comment(int64_t id) override {
    auto it = comments.find(id);
    return it == comments.end() ? std::nullopt : std::optional<Comment>(it->second);
  }
  AuthorActivity activity;         // what author_activity answers
  RateCounters* counts = nullptr;  // counts the hits asked for along with the read, as a store shared by nodes
  int activity_reads = 0;
  AuthorActivity author_activity(const ActivityQuery&) override {
    ++activity_reads;
    return activity;
  }
  CountedActivity author_activity(const ActivityQuery&, const std::vector<RateKey>& keys) override {
    ++activity_reads;
    return {activity, counts ? counts->rate_hits(keys) : std::nullopt};
  }
  bool edit_comment(int64_t id, const std::string& markdown, const std::string& html, TimePoint edited_at,
                    bool hold) override {
    check_up();
    writes.push_back(hold ? "edit_comment(hold)" : "edit_comment");
    auto& c = comments.at(id);
    c.body_markdown = markdown;
    c.body_html = html;
    c.edited_at = edited_at;
    if (hold) c.status = CommentStatus::pending;
    return true;
  }
  bool delete_comment(int64_t id) override {
    check_up();
    writes.push_back("delete_comment");
    comments.at(id).status = CommentStatus::deleted;
    return true;
  }
  bool set_pick(int64_t id, bool on) override {
    check_up();
    writes.push_back("set_pick");
    comments.at(id).picked = on;
    return true;
  }
  int64_t set_reaction(int64_t id, int64_t, const std::string&, bool on) override {
    check_up();
    writes.push_back("set_reaction");
    return comments.at(id).recommend_count += on ? 1 : -1;
  }
};

}  // namespace tribune::testing

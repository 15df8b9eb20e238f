#include "live/fanout.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include "live/frames.h"
#include "util/text.h"

namespace tribune {

namespace json = boost::json;

namespace {

std::string_view change_name(CommentService::Change change) {
  switch (change) {
    case CommentService::Change::created:
      return "created";
    case CommentService::Change::updated:
    case CommentService::Change::reacted:
      return "updated";
    case CommentService::Change::removed:
      break;
  }
  return "removed";
}

std::string random_node_id() {
  unsigned char bytes[8];
  randombytes_buf(bytes, sizeof bytes);
  return to_hex(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

}  // namespace

CommentFanout::CommentFanout(ArticleService& articles, ArticleStore& article_store, CommentStore& comment_store,
                             NodeBus& bus, PageCache& cache, LiveHub& live)
    : articles_(articles),
      article_store_(article_store),
      comment_store_(comment_store),
      bus_(bus),
      cache_(cache),
      live_(live),
      node_id_(random_node_id()) {}

void CommentFanout::attach(CommentService& comments) {
  comments.on_comment([this](const Article& a, const Comment& c, CommentService::Change change) {
    std::string url = articles_.url_for(a);
    bool created = change == CommentService::Change::created;
    // A frame is written only for someone to receive it: this node's readers of the article, or the other
    // nodes. A reader who subscribes after this check replays from the store, which already holds the change.
    bool peers = peers_listening_;
    std::string frame;
    if (peers || live_.has_subscribers(article_topic(a.id))) frame = comment_frame(c, change);
    json::object m;
    if (peers) {
      m = {{"kind", "comment"}, {"comment", c.id}, {"change", change_name(change)},
           {"article", a.id},   {"url", url},      {"slug", a.slug}};
      if (frame.size() < NodeBus::kMaxMessageBytes - 1000) m["frame"] = frame;
    }
    auto deliver = [this, article_id = a.id, url = std::move(url), slug = a.slug, frame = std::move(frame),
                    m = std::move(m), created]() mutable {
      changed(article_id, url, slug, frame, created);
      if (!m.empty()) tell_peers(std::move(m));
    };
    if (change == CommentService::Change::reacted) {
      reactions_.offer(c.id, std::move(deliver));
      return;
    }
    if (!created) reactions_.cancel(c.id);
    deliver();
  });
  // A held comment reaches no reader, but the newsroom counts it (and its moderators' queue grows).
  comments.on_held([this](const Article&, const Comment&, CommentService::Change) { tell_newsroom("comment"); });
  comments.on_doubt([this](const Article& a) {
    std::string url = articles_.url_for(a);
    changed(a.id, url, a.slug, {}, false);
    tell_peers(json::object{{"kind", "article"}, {"article", a.id}, {"url", url}, {"slug", a.slug}});
  });
  comments.on_notify([this](const Comment& c, const std::vector<Recipient>& recipients) {
    notify(c, recipients);
    for (size_t start = 0; start < recipients.size(); start += 200) {
      json::array to;
      for (size_t i = start; i < std::min(recipients.size(), start + 200); ++i)
        to.push_back(json::array{recipients[i].account_id, json::string(recipients[i].kind)});
      tell_peers(json::object{{"kind", "notify"}, {"comment", c.id}, {"to", std::move(to)}});
    }
  });
}

void CommentFanout::changed(int64_t article_id, const std::string& url, const std::string& slug,
                            const std::string& frame, bool created) {
  cache_.mark_stale({url, "api:" + slug}, conversation_group(slug));
  if (!frame.empty()) live_.publish(article_topic(article_id), frame);
  // The staff dashboard counts new comments: open dashboards read their figures again.
  if (created) newsroom("comment");
}

void CommentFanout::tell_newsroom(std::string_view what) {
  newsroom(what);
  tell_peers(json::object{{"kind", "newsroom"}, {"what", what}});
}

void CommentFanout::newsroom(std::string_view what) {
  int64_t topic = what == "contribution" ? kMoneyTopic : kNewsroomTopic;
  if (live_.has_subscribers(topic)) live_.publish(topic, newsroom_frame(what));
}

void CommentFanout::notify(const Comment& c, const std::vector<Recipient>& recipients) {
  std::optional<std::string> url;
  for (const auto& r : recipients) {
    if (notified_) notified_(r.account_id);
    if (!live_.has_subscribers(reader_topic(r.account_id))) continue;
    if (!url) {
      auto a = articles_.find_by_id(c.article_id);
      url = a ? articles_.url_for(*a) + "#comment-" + std::to_string(c.id) : std::string();
    }
    live_.publish(reader_topic(r.account_id), notification_frame(c, r.kind, *url));
  }
}

void CommentFanout::tell_peers(json::object message) {
  if (!peers_listening_) return;
  message["node"] = node_id_;
  if (ReadPositions::last_write) message["pos"] = ReadPositions::last_write;
  try {
    bus_.publish(json::serialize(message));
  } catch (const std::exception& e) {
    // The change itself is committed; other nodes' pages catch up on their next cache refresh.
    spdlog::warn("could not tell the other nodes about a change: {}", e.what());
  }
}

void CommentFanout::peer_message(std::string_view text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return;
  const auto& m = v.as_object();
  auto* node = m.if_contains("node");
  if (!node || !node->is_string() || node->as_string() == node_id_) return;  // our own, already applied
  // Before any cache drop: pages filled from here on must include the change.
  if (auto* pos = m.if_contains("pos"); pos && pos->is_number()) {
    boost::system::error_code bad;
    if (auto p = pos->to_number<uint64_t>(bad); !bad) bus_.heard_position(p);
  }
  auto text_of = [&](std::string_view key) {
    auto* field = m.if_contains(key);
    return field && field->is_string() ? std::string(field->as_string()) : std::string();
  };
  auto* kind = m.if_contains("kind");
  if (!kind || !kind->is_string()) return;
  auto* article = m.if_contains("article");
  if (kind->as_string() == "newsroom") {
    auto what = text_of("what");
    if (what == "comment" || what == "contribution") newsroom(what);
    return;
  }
  if (kind->as_string() == "article") {
    std::string url = text_of("url"), slug = text_of("slug");
    if (article && article->is_int64() && !url.empty() && !slug.empty())
      changed(article->as_int64(), url, slug, {}, false);
    return;
  }
  auto* id = m.if_contains("comment");
  if (!id || !id->is_int64()) return;
  if (kind->as_string() == "comment") {
    std::string frame = text_of("frame"), url = text_of("url"), slug = text_of("slug"), change = text_of("change");
    if (!frame.empty() && article && article->is_int64() && !url.empty() && !slug.empty()) {
      changed(article->as_int64(), url, slug, frame, change == "created");
      return;
    }
    // Too large to travel: the comment's state comes from the store.
    auto c = comment_store_.find_comment(id->as_int64());
    auto a = c ? article_store_.find_article_by_id(c->article_id) : std::nullopt;
    if (!a) return;
    changed(a->id, articles_.url_for(*a), a->slug,
            comment_frame(*c, change == "created"   ? CommentService::Change::created
                              : change == "removed" ? CommentService::Change::removed
                                                    : CommentService::Change::updated),
            change == "created");
  } else if (kind->as_string() == "notify") {
    auto c = comment_store_.find_comment(id->as_int64());
    if (!c) return;
    std::vector<Recipient> recipients;
    if (auto* to = m.if_contains("to"); to && to->is_array())
      for (const auto& r : to->as_array())
        if (r.is_array() && r.as_array().size() == 2 && r.as_array()[0].is_int64() && r.as_array()[1].is_string())
          recipients.push_back({r.as_array()[0].as_int64(), std::string(r.as_array()[1].as_string())});
    notify(*c, recipients);
  }
}

}  // namespace tribune

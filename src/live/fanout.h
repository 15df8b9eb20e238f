// What happens after a comment commits: the one owner of its fan-out, on this node and on the others.
//
// On this node: the article's cached pages and JSON go stale (http/page_cache.h: served only while their
// replacement renders, and not past half a second), the change's frame goes
// to the article's live readers, and readers the comment notified hear at once on their own topic. Reaction
// counts change in bursts: at most one delivery per comment a second (live/coalescer.h); any other change
// carries the current count too and cancels a reaction frame kept for later, which must not arrive after it.
//
// Other nodes are told over the NodeBus (PostgreSQL's NOTIFY; SQLite has one node and no bus) and do the same
// for their own caches and readers. The peer messages are JSON objects, each with "node" (the sender, whose
// own messages it skips) and "pos" (its WAL position after the change, so that a node reading from a replica
// waits until the replica has it; store/roles/node_bus.h, ReadPositions):
//
//   {"kind":"comment","comment":ID,"change":"created|updated|removed","article":ID,"url":U,"slug":S,"frame":F?}
//       a comment changed: drop the article's pages, publish the frame. The frame travels when it fits in a
//       message (kMaxMessageBytes); otherwise the receiver reads the comment from the store and builds it.
//   {"kind":"notify","comment":ID,"to":[[ACCOUNT,KIND],...]}
//       readers the comment notified (at most 200 a message: a popular author's comment notifies thousands).
//   {"kind":"newsroom","what":"comment|contribution"}
//       something the staff dashboard counts that no article stream carries (a held comment, a payment).
//   {"kind":"article","article":ID,"url":U,"slug":S}
//       a write that may or may not have committed (the store failed mid-way): drop the article's pages.
//
// Messages are best effort: a node that missed some (a lost listening connection) drops every cached page
// (App's background loop), and pages read the store.
#pragma once

#include <atomic>
#include <boost/json.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/articles.h"
#include "domain/comments.h"
#include "http/page_cache.h"
#include "live/coalescer.h"
#include "live/hub.h"
#include "store/roles/articles.h"
#include "store/roles/comments.h"
#include "store/roles/node_bus.h"

namespace tribune {

class CommentFanout {
 public:
  CommentFanout(ArticleService& articles, ArticleStore& article_store, CommentStore& comment_store, NodeBus& bus,
                PageCache& cache, LiveHub& live);

  // Subscribes to the service's committed changes, notifications and doubts.
  void attach(CommentService& comments);
  // Told of each reader a comment notified, this node's comments and the other nodes' alike (their unread
  // count changed). Set before attach(); called on the thread that committed or heard of the comment.
  void on_notified(std::function<void(int64_t account_id)> listener) { notified_ = std::move(listener); }

  // From now on this node's changes are told to the others (once it listens to the bus itself).
  void start_telling_peers() { peers_listening_ = true; }
  // A message from the bus (any node's, this one's included).
  void peer_message(std::string_view text);
  // Something the staff dashboard counts happened ("comment", "contribution"): every node's open dashboards
  // hear of it.
  void tell_newsroom(std::string_view what);

 private:
  // Marks the article's cached pages stale and sends frame (if any) to its readers on this node; a created
  // comment also reaches the open dashboards.
  void changed(int64_t article_id, const std::string& url, const std::string& slug, const std::string& frame,
               bool created);
  void notify(const Comment& c, const std::vector<Recipient>& recipients);
  void tell_peers(boost::json::object message);
  void newsroom(std::string_view what);  // tells this node's open dashboards (live/frames.h)

  ArticleService& articles_;
  ArticleStore& article_store_;
  CommentStore& comment_store_;
  NodeBus& bus_;
  PageCache& cache_;
  LiveHub& live_;
  std::string node_id_;  // tells this node's messages from the others'
  std::atomic<bool> peers_listening_{false};
  std::function<void(int64_t account_id)> notified_;
  // Last: its thread runs deliveries that use the members above, so it stops first.
  Coalescer reactions_{std::chrono::seconds(1)};
};

}  // namespace tribune

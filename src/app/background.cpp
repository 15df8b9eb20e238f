// The node's background work, on one thread: keeping page caches correct when another process or node
// changes content, waking for scheduled articles, training the classifier on new decisions, and queueing
// notification mail. Each task catches every exception and logs it: one failure (a store outage, a bug) must
// never end the thread and silently stop the others.
#include <spdlog/spdlog.h>

#include "app/app.h"
#include "store/postgres/postgres_store.h"

namespace tribune {

void App::start_background() {
  outbox_->start();
  if (webhook_sender_) webhook_sender_->start();
  if (config_.backup.every.count() > 0 && !config_.backup.dir.empty())
    backup_thread_ = std::thread([this] {
      TransferTarget from = is_postgres_url(config_.store.url) ? TransferTarget{{}, config_.store.url}
                                                               : TransferTarget{config_.database_path(), {}};
      std::unique_lock lock(bg_mu_);
      while (!bg_cv_.wait_for(lock, config_.backup.every, [this] { return bg_stop_; })) {
        lock.unlock();
        try {
          auto path = scheduled_backup(from, config_.backup);
          spdlog::info("backup written: {}", path);
        } catch (const std::exception& e) {
          spdlog::error("scheduled backup failed: {}", e.what());
        }
        lock.lock();
      }
    });
  // Other nodes' comment changes: their live updates and cache drops reach this node's readers. After a lost
  // connection every cached page goes, since changes made meanwhile were not heard of.
  store_->listen([this](std::string_view m) { fanout_->peer_message(m); },
                 [this] {
                   try {
                     store_->sync_position();  // what was missed is at most what the primary has now
                   } catch (const std::exception& e) {
                     spdlog::warn("could not read the primary's position after a gap in messages: {}", e.what());
                   }
                   cache_.invalidate_all();
                 });
  if (store_->has_peers()) fanout_->start_telling_peers();
  // The version this node's caches start from, read before it serves: a change made while the thread starts
  // is then seen as one. Unknown (-1) when the store is out: its first answer drops every cache.
  int64_t start_version = -1;
  try {
    start_version = articles_->content_version();
  } catch (const std::exception& e) {
    spdlog::warn("content poll failed: {}", e.what());
  }
  bg_thread_ = std::thread([this, start_version] {
    int64_t seen_version = start_version;
    std::optional<TimePoint> next_due;
    auto next_digest = std::chrono::steady_clock::now() + config_.digest_interval;
    auto next_training = std::chrono::steady_clock::now();
    auto next_sweep = std::chrono::steady_clock::now();
    auto next_flush = std::chrono::steady_clock::now() + config_.analytics.flush_every;
    auto next_popular = std::chrono::steady_clock::now();
    std::unique_lock lock(bg_mu_);
    while (!bg_stop_) {
      lock.unlock();
      try {
        int64_t v = articles_->content_version();
        bool due = next_due && *next_due <= articles_->now();
        if (v != seen_version || due) {
          store_->sync_position();  // the change (made elsewhere) is at most where the primary is now
          articles_->forget_remembered();
          cache_.invalidate_all();
          if (due) spdlog::info("scheduled article due: page caches refreshed");
        }
        seen_version = v;
        next_due = articles_->next_scheduled();
      } catch (const std::exception& e) {
        spdlog::warn("content poll failed: {}", e.what());
      } catch (...) {
        spdlog::error("content poll failed: unknown exception");
      }
      if (classifier_ && std::chrono::steady_clock::now() >= next_training) {
        // Decisions made on other nodes (or by the command line) reach this node's model here.
        next_training = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        try {
          classifier_->learn_new();
          classifier_->save_if_changed();
        } catch (const std::exception& e) {
          spdlog::warn("classifier: training failed: {}", e.what());
        } catch (...) {
          spdlog::error("classifier: training failed: unknown exception");
        }
      }
      if (digests_ && std::chrono::steady_clock::now() >= next_digest) {
        next_digest = std::chrono::steady_clock::now() + config_.digest_interval;
        try {
          if (int n = digests_->run_once()) spdlog::info("notification mail: {} digests queued", n);
        } catch (const std::exception& e) {
          spdlog::warn("notification mail failed: {}", e.what());
        } catch (...) {
          spdlog::error("notification mail failed: unknown exception");
        }
      }
      if (analytics_ && std::chrono::steady_clock::now() >= next_flush) {
        next_flush = std::chrono::steady_clock::now() + config_.analytics.flush_every;
        try {
          flush_views();
        } catch (const std::exception& e) {
          spdlog::warn("page views: flush failed, kept for the next one: {}", e.what());
        } catch (...) {
          spdlog::error("page views: flush failed: unknown exception");
        }
      }
      if (analytics_ && std::chrono::steady_clock::now() >= next_popular) {
        next_popular = std::chrono::steady_clock::now() + std::chrono::minutes(5);
        try {
          refresh_popular();
        } catch (const std::exception& e) {
          spdlog::warn("most read: reading the lists failed: {}", e.what());
        } catch (...) {
          spdlog::error("most read: reading the lists failed: unknown exception");
        }
      }
      if (std::chrono::steady_clock::now() >= next_sweep) {
        next_sweep = std::chrono::steady_clock::now() + std::chrono::hours(1);
        try {
          limiter_.sweep();
        } catch (const std::exception& e) {
          spdlog::warn("rate limits: sweeping old windows failed: {}", e.what());
        } catch (...) {
          spdlog::error("rate limits: sweeping old windows failed: unknown exception");
        }
      }
      lock.lock();
      bg_cv_.wait_for(lock, std::chrono::seconds(1), [this] { return bg_stop_; });
    }
  });
}

void App::stop_background() {
  if (store_) store_->stop_listening();
  if (outbox_) outbox_->stop();
  if (webhook_sender_) webhook_sender_->stop();
  {
    std::lock_guard lock(bg_mu_);
    bg_stop_ = true;
  }
  bg_cv_.notify_all();
  if (bg_thread_.joinable()) bg_thread_.join();
  if (backup_thread_.joinable()) backup_thread_.join();
  // The views counted since the last flush: a node stopped in order loses none.
  try {
    flush_views();
  } catch (const std::exception& e) {
    spdlog::error("page views: the last flush failed, {} views lost: {}", views_.pending_views(), e.what());
  } catch (...) {
    spdlog::error("page views: the last flush failed, {} views lost", views_.pending_views());
  }
}

void App::flush_views() {
  if (analytics_) analytics_->flush(views_);
}

bool App::refresh_popular() {
  if (!analytics_) return false;
  auto now = articles_->now();
  auto lists = std::make_shared<PageRenderer::Popular>();
  for (int64_t id : analytics_->most_read(now, 48, 5))
    if (auto a = articles_->find_by_id(id)) lists->most_read.push_back(std::move(*a));
  for (int64_t id : analytics_->most_discussed(now, 48, 5))
    if (auto a = articles_->find_by_id(id)) lists->most_discussed.push_back(std::move(*a));
  auto ids = [](const std::vector<Article>& v) {
    std::vector<std::pair<int64_t, int64_t>> out;  // with the count shown beside a discussed piece
    out.reserve(v.size());
    for (const auto& a : v) out.emplace_back(a.id, a.comment_count);
    return out;
  };
  {
    std::lock_guard lock(popular_mu_);
    if (popular_ && ids(popular_->most_read) == ids(lists->most_read) &&
        ids(popular_->most_discussed) == ids(lists->most_discussed))
      return false;
    popular_ = std::move(lists);
  }
  cache_.invalidate_all();
  return true;
}

}  // namespace tribune

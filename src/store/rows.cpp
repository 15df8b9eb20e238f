#include "store/rows.h"

#include <sodium.h>

#include <algorithm>

#include "model/error.h"

namespace tribune::store_rows {

int64_t text_hash(std::string_view text) {
  unsigned char digest[8];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(text.data()), text.size(), nullptr,
                     0);
  uint64_t v = 0;
  for (unsigned char b : digest) v = (v << 8) | b;
  return static_cast<int64_t>(v >> 1);
}

void sort_renditions(std::vector<ImageRendition>& renditions) {
  std::sort(renditions.begin(), renditions.end(), [](const ImageRendition& a, const ImageRendition& b) {
    return a.format != b.format ? a.format < b.format : a.width > b.width;
  });
}

Error article_edit_conflict() {
  return Error(ErrorKind::conflict, "edit_conflict", "Someone else saved this article since you opened it.");
}

std::string article_condition(const ArticleQuery& q, const std::function<std::string()>& time,
                              const std::function<std::string()>& title) {
  std::string c;
  if (q.corrections) {
    c = "a.state IN ('published', 'retracted') AND a.published_at <= " + time() + " AND a.corrected_at IS NOT NULL";
  } else if (!q.desk) {
    c = "a.state = 'published' AND a.published_at <= " + time();
  } else {
    switch (q.status) {
      case DeskStatus::any:
        c = "a.state <> 'deleted'";  // deleted pieces only when asked for
        break;
      case DeskStatus::scheduled:
        c = "a.state = 'published' AND a.published_at > " + time();
        break;
      case DeskStatus::published:
        c = "a.state = 'published' AND a.published_at <= " + time();
        break;
      case DeskStatus::draft:
        c = "a.state = 'draft'";
        break;
      case DeskStatus::retracted:
        c = "a.state = 'retracted'";
        break;
      case DeskStatus::deleted:
        c = "a.state = 'deleted'";
        break;
    }
  }
  c += " AND a.embed_url IS NULL";  // stories belong to the pages that embed them
  if (!q.title_contains.empty()) c += " AND lower(a.title) LIKE " + title() + " ESCAPE '\\'";
  return c;
}

std::string_view article_order(const ArticleQuery& q) {
  return q.corrections ? " ORDER BY a.corrected_at DESC, a.id DESC" : " ORDER BY a.published_at DESC, a.id DESC";
}

std::string like_pattern(std::string_view text) {
  std::string p = "%";
  for (char ch : text) {
    if (ch == '%' || ch == '_' || ch == '\\') p += '\\';
    p += (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch;
  }
  return p + "%";
}

std::string webhook_endpoint_select() {
  return "SELECT " + std::string(kWebhookEndpointColumns) + " FROM webhook_endpoints e";
}

std::string webhook_delivery_select() {
  return "SELECT " + std::string(kWebhookDeliveryColumns) +
         " FROM webhook_deliveries d JOIN webhook_events v ON v.id = d.event_id";
}

std::vector<std::string> ordered_event_types(std::vector<std::string> types) {
  auto rank = [](const std::string& t) {
    return std::find(kWebhookEventTypes.begin(), kWebhookEventTypes.end(), t) - kWebhookEventTypes.begin();
  };
  std::sort(types.begin(), types.end(), [&](const auto& a, const auto& b) { return rank(a) < rank(b); });
  return types;
}

}  // namespace tribune::store_rows

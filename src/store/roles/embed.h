// Conversations embedded in other sites' pages (docs/embed.md): the origins allowed to embed, and the stories,
// one per host page, that their conversations hang on. A story is an article row with embed_url set: it takes
// comments, reactions, follows and live updates as any article does, and is in no listing, feed or sitemap.
// One role of the Store (store/store.h); the Store's contract holds for every method.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/article.h"

namespace tribune {

// A site allowed to embed conversations: "https://host.example" (scheme, host and a port other than the
// scheme's own), and whether the contribution appeal shows in its embeds.
struct EmbedOrigin {
  std::string origin;
  bool appeal = false;
  TimePoint created_at{};
};

// A host page's story, as the embed names it.
struct StoryRecord {
  std::string key;  // what makes it one story: the origin and the identifier, or the page's address
  std::string url;  // the host page's address (its canonical home): where its comments' links lead
  std::string slug;
  std::string title;
  TimePoint at{};
};

class EmbedStore {
 public:
  virtual ~EmbedStore() = default;

  virtual std::vector<EmbedOrigin> embed_origins() = 0;  // by origin
  // Adds the origin or changes its appeal choice.
  virtual void save_embed_origin(const EmbedOrigin& o) = 0;
  virtual bool remove_embed_origin(const std::string& origin) = 0;

  virtual std::optional<Article> find_story(const std::string& key) = 0;
  // The story of record.key, made (published at record.at, in the section "embedded", with no author) unless
  // it exists: a story keeps its first title and address. Changes no listing, so content_version stays.
  virtual Article make_story(const StoryRecord& record) = 0;
  // The comment count of each key that names a story (pairs of key and count; unknown keys left out).
  virtual std::vector<std::pair<std::string, int64_t>> story_counts(const std::vector<std::string>& keys) = 0;
};

}  // namespace tribune

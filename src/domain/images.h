// Images an editor uploads: checked, turned into renditions (media/image_codec.h), kept in the store, served
// at addresses that never change, and written into pages as responsive <picture> elements.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <semaphore>
#include <string>
#include <string_view>
#include <vector>

#include "model/image.h"
#include "store/roles/images.h"
#include "util/text.h"

namespace tribune {

class ImageService {
 public:
  using Now = std::function<TimePoint()>;
  explicit ImageService(ImageStore& store, Now now = now_seconds);

  // Checks the text (alt text required, one line; caption and credit optional), decodes the bytes and makes
  // the renditions (Error(invalid, field "image") for anything that is not a usable picture), and stores
  // them. The same bytes uploaded again are the same image: the first upload's text is kept.
  struct Uploaded {
    Image image;
    bool created = false;  // false: these bytes were uploaded before
  };
  Uploaded upload(std::string_view bytes, ImageText text, const std::string& uploaded_by);

  // The image's metadata, from memory after the first read (an image never changes once stored).
  std::optional<Image> find(std::string_view id) const;
  // Error(invalid, field) naming `field` when id is set but no image has it; empty is fine (no image).
  void check_exists(std::string_view id, const std::string& field) const;
  // One rendition's bytes, from a bounded in-memory cache in front of the store.
  std::shared_ptr<const std::string> rendition(std::string_view id, int width, ImageFormat format) const;
  // The same from the cache only (never blocks on the store): null when it is not in memory.
  std::shared_ptr<const std::string> cached_rendition(std::string_view id, int width, ImageFormat format) const;
  std::vector<Image> recent(int limit) const;

 private:
  ImageStore& store_;
  Now now_;
  std::counting_semaphore<> decoding_{2};  // decodes at once (each may take a few hundred MB)
  mutable std::mutex mu_;
  mutable std::map<std::string, Image, std::less<>> meta_;
  mutable std::map<std::string, std::shared_ptr<const std::string>, std::less<>> bytes_;
  mutable std::deque<std::string> bytes_order_;  // oldest first, for eviction
  mutable size_t bytes_total_ = 0;
};

// Checks and trims an image's text: alt required; Error(invalid) on field alt, caption or credit.
ImageText validate_image_text(ImageText text);

// The Markdown that shows the image in an article's text: "![alt](/media/{id})", the alt text's Markdown
// punctuation escaped so that it reads back as written.
std::string image_markdown(const Image& image);

// "/media/{id}/{width}.{ext}": the rendition's address, which never changes.
std::string rendition_url(const Image& image, const ImageRendition& r);

// The rendition pages link for sharing cards (og:image, JSON-LD, feeds): the fallback format (JPEG, or PNG),
// the widest up to 1600 pixels. nullptr when the image has none.
const ImageRendition* sharing_rendition(const Image& image);

// A responsive picture: a <source> per modern format with its srcset, and an <img> of the fallback format
// with src, srcset, sizes, width and height (its aspect ratio, so the page does not shift while it loads) and
// the alt text. Escaped throughout. lazy: loading="lazy" (below the fold).
std::string picture_html(const Image& image, std::string_view sizes, bool lazy);
// The picture in a <figure> with its caption and credit under it.
std::string figure_html(const Image& image, std::string_view sizes, bool lazy, std::string_view figure_class);

}  // namespace tribune

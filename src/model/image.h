// Images: what an editor uploads (a photo with its alt text, caption and credit) and the renditions Tribune
// makes of it, served at content-addressed URLs that never change (/media/{id}/{width}.{ext}).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/text.h"

namespace tribune {

enum class ImageFormat { jpeg, png, webp, avif, gif };
std::string_view to_string(ImageFormat f);                                    // "jpeg", ...
std::string_view extension(ImageFormat f);                                    // "jpg", "png", "webp", "avif", "gif"
std::string_view content_type(ImageFormat f);                                 // "image/jpeg", ...
std::optional<ImageFormat> parse_image_format(std::string_view name);         // "jpeg", ...
std::optional<ImageFormat> image_format_for_extension(std::string_view ext);  // "jpg", ...

// One encoded size of an image.
struct ImageRendition {
  int width = 0;
  int height = 0;
  ImageFormat format = ImageFormat::jpeg;
  int64_t size = 0;   // bytes
  std::string bytes;  // empty in metadata read without the bytes
};

// What an editor says about a picture: alt text for those who cannot see it (required), and the caption and
// credit shown under it.
struct ImageText {
  std::string alt;
  std::string caption;
  std::string credit;
};

struct Image {
  std::string id;  // 32 hex digits of the SHA-256 of the uploaded bytes: the same file is one image
  int width = 0;   // of the picture upright (orientation applied), before any resizing
  int height = 0;
  ImageFormat source = ImageFormat::jpeg;  // what was uploaded
  ImageText text;
  TimePoint created_at{};
  std::string created_by;
  std::vector<ImageRendition> renditions;  // without bytes; widest first within each format
};

// Limits on uploads; also documented in docs/publishing.md and docs/api.md.
inline constexpr size_t kMaxImageBytes = size_t{25} * 1024 * 1024;
inline constexpr int64_t kMaxImagePixels = int64_t{60} * 1000 * 1000;  // a 60-megapixel camera; bombs stop here
inline constexpr int kMaxImageSide = 16384;
inline constexpr size_t kMaxAlt = 500;
inline constexpr size_t kMaxCaption = 1000;
inline constexpr size_t kMaxCredit = 200;

// The widths renditions are made at (those not wider than the picture; a narrower picture has its own width).
inline constexpr int kImageWidths[] = {320, 640, 1024, 1600, 2048};

// True for 32 lowercase hex digits.
bool is_valid_image_id(std::string_view id);

}  // namespace tribune

// The one place Tribune decodes and encodes pictures, through libvips. Everything an upload carries is
// untrusted: the real type is sniffed from the bytes (the name and the declared type are ignored), only
// JPEG, PNG, WebP, AVIF and GIF (first frame) are decoded, each by its own loader (libvips' untrusted
// loaders, ImageMagick and PDF among them, are blocked), the size is checked from the header before any
// pixel is decoded (decompression bombs), and a truncated or corrupt file is an error, not a grey picture.
// Every rendition is upright (EXIF orientation applied), in sRGB, and carries no metadata (EXIF, GPS, XMP,
// IPTC, ICC are stripped). Thread-safe.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "model/image.h"

namespace tribune::media {

// Once per process, before any other call (idempotent): starts libvips, blocks its untrusted loaders, turns
// off its operation cache. Throws Error(internal) when libvips cannot start.
void init_image_codec();

// The format the bytes are in, from their first bytes; nullopt for anything else.
std::optional<ImageFormat> sniff_image(std::string_view bytes);

// True when this build of libvips can encode AVIF (Debian's does, through libheif).
bool avif_supported();

struct Renditions {
  int width = 0;  // of the picture upright, before resizing
  int height = 0;
  ImageFormat source = ImageFormat::jpeg;
  // For each width of kImageWidths below the picture's (or its own width, when narrower than the largest):
  // WebP, AVIF where supported, and a fallback every browser shows (JPEG, or PNG for pictures with
  // transparency). Widest first within each format.
  std::vector<ImageRendition> renditions;
};

// Decodes the upload and makes its renditions. Throws Error(invalid, field "image") with code
// image_empty, image_type (not one of the five formats), image_too_large (bytes, pixels or a side over the
// limits in model/image.h) or image_unreadable (corrupt or truncated).
Renditions make_renditions(std::string_view bytes);

}  // namespace tribune::media

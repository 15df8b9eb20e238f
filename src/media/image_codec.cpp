#include "media/image_codec.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <mutex>
#include <vips/vips8>

#include "model/error.h"

namespace tribune::media {
namespace {

Error image_error(std::string code, const std::string& message) {
  return invalid_field("image", std::move(code), message);
}

bool starts_with(std::string_view bytes, std::string_view magic, size_t at = 0) {
  return bytes.size() >= at + magic.size() && bytes.substr(at, magic.size()) == magic;
}

// ISO BMFF: a leading ftyp box whose major or compatible brands name AVIF.
bool is_avif(std::string_view bytes) {
  if (!starts_with(bytes, "ftyp", 4) || bytes.size() < 16) return false;
  auto be32 = [&](size_t at) {
    return (static_cast<uint32_t>(static_cast<unsigned char>(bytes[at])) << 24) |
           (static_cast<uint32_t>(static_cast<unsigned char>(bytes[at + 1])) << 16) |
           (static_cast<uint32_t>(static_cast<unsigned char>(bytes[at + 2])) << 8) |
           static_cast<uint32_t>(static_cast<unsigned char>(bytes[at + 3]));
  };
  size_t box = std::min<size_t>(be32(0), bytes.size());
  for (size_t at = 8; at + 4 <= box; at += 4) {
    if (at == 12) continue;  // the minor version
    auto brand = bytes.substr(at, 4);
    if (brand == "avif" || brand == "avis") return true;
  }
  return false;
}

// The loader for one sniffed format, by name: never libvips' generic loader, which would also try its
// untrusted ones.
const char* loader_for(ImageFormat f) {
  switch (f) {
    case ImageFormat::jpeg:
      return "jpegload_buffer";
    case ImageFormat::png:
      return "pngload_buffer";
    case ImageFormat::webp:
      return "webpload_buffer";
    case ImageFormat::avif:
      return "heifload_buffer";
    case ImageFormat::gif:
      return "gifload_buffer";
  }
  return "";
}

// A blob over the caller's bytes, not copied: every image made from it is finished before the bytes go.
struct Blob {
  VipsBlob* blob;
  explicit Blob(std::string_view bytes) : blob(vips_blob_new(nullptr, bytes.data(), bytes.size())) {}
  ~Blob() { vips_area_unref(VIPS_AREA(blob)); }
  Blob(const Blob&) = delete;
  Blob& operator=(const Blob&) = delete;
};

vips::VImage load(ImageFormat f, const Blob& blob) {
  vips::VImage out;
  auto* options = vips::VImage::option();
  options->set("buffer", blob.blob)
      ->set("out", &out)
      // A truncated or corrupt file fails the decode instead of coming out partly grey.
      ->set("fail_on", VIPS_FAIL_ON_TRUNCATED);
  vips::VImage::call(loader_for(f), options);
  return out;
}

std::string encode(const vips::VImage& image, ImageFormat f) {
  auto* options = vips::VImage::option()->set("in", image)->set("strip", true);
  const char* saver = "";
  switch (f) {
    case ImageFormat::jpeg:
      saver = "jpegsave_buffer";
      options->set("Q", 82)->set("optimize_coding", true)->set("interlace", true);
      break;
    case ImageFormat::webp:
      saver = "webpsave_buffer";
      options->set("Q", 80)->set("effort", 4);
      break;
    case ImageFormat::avif:
      saver = "heifsave_buffer";
      options->set("Q", 55)->set("compression", VIPS_FOREIGN_HEIF_COMPRESSION_AV1)->set("effort", 2);
      break;
    case ImageFormat::png:
      saver = "pngsave_buffer";
      options->set("compression", 6);
      break;
    case ImageFormat::gif:
      saver = "gifsave_buffer";
      break;
  }
  VipsBlob* blob = nullptr;
  options->set("buffer", &blob);
  vips::VImage::call(saver, options);
  std::string out(static_cast<const char*>(VIPS_AREA(blob)->data), VIPS_AREA(blob)->length);
  vips_area_unref(VIPS_AREA(blob));
  return out;
}

}  // namespace

void init_image_codec() {
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [] {
    ok = VIPS_INIT("tribune") == 0;
    if (!ok) return;
    vips_block_untrusted_set(TRUE);
    // libvips reports what it tolerates (a damaged tile, an ignored colour profile) on stderr through GLib;
    // those go to the debug log, since the error the caller gets says what matters.
    g_log_set_handler(
        "VIPS", static_cast<GLogLevelFlags>(G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO),
        [](const gchar*, GLogLevelFlags, const gchar* message, gpointer) { spdlog::debug("libvips: {}", message); },
        nullptr);
    vips_cache_set_max(0);    // every upload is new: caching operations would only hold memory
    vips_concurrency_set(1);  // uploads run on the blocking pool, which is the concurrency
  });
  if (!ok) throw Error(ErrorKind::internal, "internal", "The image library could not start.");
}

std::optional<ImageFormat> sniff_image(std::string_view bytes) {
  if (starts_with(bytes, "\xFF\xD8\xFF")) return ImageFormat::jpeg;
  if (starts_with(bytes, "\x89PNG\r\n\x1A\n")) return ImageFormat::png;
  if (starts_with(bytes, "RIFF") && starts_with(bytes, "WEBP", 8)) return ImageFormat::webp;
  if (starts_with(bytes, "GIF87a") || starts_with(bytes, "GIF89a")) return ImageFormat::gif;
  if (is_avif(bytes)) return ImageFormat::avif;
  return std::nullopt;
}

bool avif_supported() {
  init_image_codec();
  static const bool supported = [] {
    try {
      vips::VImage probe = vips::VImage::black(16, 16, vips::VImage::option()->set("bands", 3));
      return !encode(probe, ImageFormat::avif).empty();
    } catch (const vips::VError&) {
      return false;
    }
  }();
  return supported;
}

Renditions make_renditions(std::string_view bytes) {
  init_image_codec();
  if (bytes.empty()) throw image_error("image_empty", "The upload is empty: choose a picture file.");
  if (bytes.size() > kMaxImageBytes)
    throw image_error("image_too_large", "The picture is larger than " + std::to_string(kMaxImageBytes >> 20) +
                                             " MB: export it smaller and upload it again.");
  auto format = sniff_image(bytes);
  if (!format)
    throw image_error("image_type",
                      "That file is not a picture Tribune can use: upload a JPEG, PNG, WebP, AVIF or GIF.");
  Renditions out;
  out.source = *format;
  try {
    Blob blob(bytes);
    // The header only: nothing is decoded until the size is known to be sane.
    vips::VImage header = load(*format, blob);
    int w = header.width(), h = header.height();
    if (w <= 0 || h <= 0 || w > kMaxImageSide || h > kMaxImageSide || static_cast<int64_t>(w) * h > kMaxImagePixels)
      throw image_error("image_too_large", "The picture is " + std::to_string(w) + " x " + std::to_string(h) +
                                               " pixels; Tribune takes at most " +
                                               std::to_string(kMaxImagePixels / 1000000) + " megapixels and " +
                                               std::to_string(kMaxImageSide) + " pixels a side.");
    int orientation = header.get_typeof("orientation") ? header.get_int("orientation") : 1;
    if (orientation >= 5 && orientation <= 8) std::swap(w, h);
    out.width = w;
    out.height = h;
    bool alpha = header.has_alpha();

    // Decoded once, upright and in sRGB, at the largest size a rendition needs; the smaller ones are made
    // from that. libvips shrinks JPEG, WebP and AVIF while decoding, so a 12-megapixel photo is never
    // decoded at full size.
    int largest = std::min(w, kImageWidths[std::size(kImageWidths) - 1]);
    std::string options = "fail_on=truncated";
    vips::VImage base = vips::VImage::thumbnail_buffer(blob.blob, largest,
                                                       vips::VImage::option()
                                                           ->set("height", kMaxImageSide)
                                                           ->set("size", VIPS_SIZE_DOWN)
                                                           ->set("option_string", options.c_str())
                                                           ->set("export_profile", "srgb"));
    if (base.format() != VIPS_FORMAT_UCHAR) base = base.cast(VIPS_FORMAT_UCHAR);
    base = base.copy_memory();  // decodes here: a corrupt or truncated file fails now
    // No metadata reaches a rendition: every field (EXIF with its GPS position, XMP, IPTC, ICC, orientation)
    // is dropped here, not left to the savers' strip option, which Debian's libvips 8.14 WebP saver ignores.
    base = base.copy();  // a header of its own, to change
    char** fields = vips_image_get_fields(base.get_image());
    for (char** field = fields; *field; ++field) vips_image_remove(base.get_image(), *field);
    g_strfreev(fields);

    std::vector<int> widths;
    for (int width : kImageWidths)
      if (width < largest) widths.push_back(width);
    widths.push_back(largest);
    std::sort(widths.rbegin(), widths.rend());

    std::vector<ImageFormat> formats = {ImageFormat::webp};
    if (avif_supported()) formats.push_back(ImageFormat::avif);
    formats.push_back(alpha ? ImageFormat::png : ImageFormat::jpeg);
    for (ImageFormat f : formats) {
      for (int width : widths) {
        vips::VImage sized = width == base.width()
                                 ? base
                                 : base.resize(static_cast<double>(width) / base.width(),
                                               vips::VImage::option()->set("kernel", VIPS_KERNEL_LANCZOS3));
        ImageRendition r;
        r.width = sized.width();
        r.height = sized.height();
        r.format = f;
        r.bytes = encode(sized, f);
        r.size = static_cast<int64_t>(r.bytes.size());
        out.renditions.push_back(std::move(r));
      }
    }
  } catch (const vips::VError& e) {
    vips_error_clear();
    throw image_error("image_unreadable",
                      "The picture could not be read: the file is damaged or incomplete. Export it again and "
                      "upload the new file.");
  }
  return out;
}

}  // namespace tribune::media

#include "domain/images.h"

#include <sodium.h>

#include "media/image_codec.h"
#include "model/error.h"

namespace tribune {
namespace {

constexpr size_t kMetaCacheEntries = 4096;
constexpr size_t kBytesCacheLimit = size_t{64} * 1024 * 1024;

void check_image_text(std::string& value, const std::string& field, size_t max, bool required) {
  if (!is_valid_utf8(value) || has_any_control_chars(value))
    throw invalid_field(field, "invalid_text", field + " must be one line of text.");
  value = trim(value);
  if (required && value.empty())
    throw invalid_field(field, "required", "Describe the picture for readers who cannot see it: alt text is required.");
  if (value.size() > max)
    throw invalid_field(field, "too_long", field + " must be at most " + std::to_string(max) + " bytes.");
}

std::string image_id_of(std::string_view bytes) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  return to_hex(std::string_view(reinterpret_cast<const char*>(digest), 16));
}

// The fallback every browser shows: the format the <img> itself carries.
bool is_fallback(ImageFormat f) {
  return f == ImageFormat::jpeg || f == ImageFormat::png || f == ImageFormat::gif;
}

std::string srcset(const Image& image, ImageFormat f) {
  std::string out;
  for (const auto& r : image.renditions) {
    if (r.format != f) continue;
    if (!out.empty()) out += ", ";
    out += rendition_url(image, r) + " " + std::to_string(r.width) + "w";
  }
  return out;
}

}  // namespace

ImageText validate_image_text(ImageText text) {
  check_image_text(text.alt, "alt", kMaxAlt, true);
  check_image_text(text.caption, "caption", kMaxCaption, false);
  check_image_text(text.credit, "credit", kMaxCredit, false);
  return text;
}

ImageService::ImageService(ImageStore& store, Now now) : store_(store), now_(std::move(now)) {}

ImageService::Uploaded ImageService::upload(std::string_view bytes, ImageText text, const std::string& uploaded_by) {
  text = validate_image_text(std::move(text));
  std::string id = image_id_of(bytes);
  if (auto existing = find(id)) return {*existing, false};
  // Two at a time: a 60-megapixel PNG decodes in full, and uploads run on the shared blocking pool.
  decoding_.acquire();
  struct Release {
    std::counting_semaphore<>& s;
    ~Release() { s.release(); }
  } release{decoding_};
  auto made = media::make_renditions(bytes);
  Image image;
  image.id = id;
  image.width = made.width;
  image.height = made.height;
  image.source = made.source;
  image.text = std::move(text);
  image.created_at = now_();
  image.created_by = uploaded_by;
  image.renditions = std::move(made.renditions);
  bool created = store_.insert_image(image);
  auto stored = store_.find_image(id);  // the first upload's, when two raced
  if (!stored) throw Error(ErrorKind::internal, "internal", "The image was not stored.");
  return {*stored, created};
}

std::optional<Image> ImageService::find(std::string_view id) const {
  if (!is_valid_image_id(id)) return std::nullopt;
  {
    std::lock_guard lock(mu_);
    if (auto it = meta_.find(id); it != meta_.end()) return it->second;
  }
  auto image = store_.find_image(std::string(id));
  if (!image) return std::nullopt;
  std::lock_guard lock(mu_);
  if (meta_.size() >= kMetaCacheEntries) meta_.clear();
  meta_.emplace(image->id, *image);
  return image;
}

void ImageService::check_exists(std::string_view id, const std::string& field) const {
  if (id.empty()) return;
  if (!find(id))
    throw invalid_field(field, "no_such_image", "There is no image " + std::string(id) + ": upload it first.");
}

namespace {
std::string rendition_key(std::string_view id, int width, ImageFormat format) {
  return std::string(id) + "/" + std::to_string(width) + "." + std::string(extension(format));
}
}  // namespace

std::shared_ptr<const std::string> ImageService::cached_rendition(std::string_view id, int width,
                                                                  ImageFormat format) const {
  std::lock_guard lock(mu_);
  auto it = bytes_.find(rendition_key(id, width, format));
  return it == bytes_.end() ? nullptr : it->second;
}

std::shared_ptr<const std::string> ImageService::rendition(std::string_view id, int width, ImageFormat format) const {
  if (!is_valid_image_id(id)) return nullptr;
  std::string key = rendition_key(id, width, format);
  if (auto hit = cached_rendition(id, width, format)) return hit;
  auto read = store_.image_rendition(std::string(id), width, format);
  if (!read) return nullptr;
  auto bytes = std::make_shared<const std::string>(std::move(*read));
  if (bytes->size() > kBytesCacheLimit / 8) return bytes;  // a rare giant: not worth evicting many for
  std::lock_guard lock(mu_);
  if (bytes_.emplace(key, bytes).second) {
    bytes_order_.push_back(key);
    bytes_total_ += bytes->size();
    while (bytes_total_ > kBytesCacheLimit && !bytes_order_.empty()) {
      auto old = bytes_.find(bytes_order_.front());
      bytes_total_ -= old->second->size();
      bytes_.erase(old);
      bytes_order_.pop_front();
    }
  }
  return bytes;
}

std::vector<Image> ImageService::recent(int limit) const {
  return store_.list_images(limit);
}

std::string image_markdown(const Image& image) {
  std::string alt;
  // What Markdown (with smart punctuation) would read as syntax inside the brackets: emphasis, code, links,
  // HTML and entities, curly quotes and dashes. A backslash keeps each as written.
  std::string_view text = image.text.alt;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    bool dash = c == '-' && i + 1 < text.size() && text[i + 1] == '-';
    if (dash || std::string_view("\\[]*_`<>!&\"'").find(c) != std::string_view::npos) alt += '\\';
    alt += c;
  }
  return "![" + alt + "](/media/" + image.id + ")";
}

std::string rendition_url(const Image& image, const ImageRendition& r) {
  return "/media/" + image.id + "/" + std::to_string(r.width) + "." + std::string(extension(r.format));
}

const ImageRendition* sharing_rendition(const Image& image) {
  const ImageRendition* best = nullptr;
  for (const auto& r : image.renditions)
    if (is_fallback(r.format) && r.width <= 1600 && (!best || r.width > best->width)) best = &r;
  return best;
}

std::string picture_html(const Image& image, std::string_view sizes, bool lazy) {
  const ImageRendition* fallback = nullptr;  // the widest of the fallback format
  for (const auto& r : image.renditions)
    if (is_fallback(r.format) && (!fallback || r.width > fallback->width)) fallback = &r;
  if (!fallback) return {};
  std::string out = "<picture>";
  for (ImageFormat f : {ImageFormat::avif, ImageFormat::webp}) {
    auto set = srcset(image, f);
    if (set.empty()) continue;
    out += "<source type=\"" + std::string(content_type(f)) + "\" srcset=\"" + html_escape(set) + "\" sizes=\"" +
           html_escape(sizes) + "\">";
  }
  out += "<img src=\"" + html_escape(rendition_url(image, *fallback)) + "\" srcset=\"" +
         html_escape(srcset(image, fallback->format)) + "\" sizes=\"" + html_escape(sizes) + "\" width=\"" +
         std::to_string(fallback->width) + "\" height=\"" + std::to_string(fallback->height) + "\" alt=\"" +
         html_escape(image.text.alt) + "\"" + (lazy ? " loading=\"lazy\"" : "") + " decoding=\"async\"></picture>";
  return out;
}

std::string figure_html(const Image& image, std::string_view sizes, bool lazy, std::string_view figure_class) {
  std::string out = "<figure class=\"" + html_escape(figure_class) + "\">" + picture_html(image, sizes, lazy);
  if (!image.text.caption.empty() || !image.text.credit.empty()) {
    out += "<figcaption>";
    if (!image.text.caption.empty()) out += html_escape(image.text.caption);
    if (!image.text.credit.empty())
      out += std::string(image.text.caption.empty() ? "" : " ") + "<span class=\"credit\">" +
             html_escape(image.text.credit) + "</span>";
    out += "</figcaption>";
  }
  return out + "</figure>";
}

}  // namespace tribune

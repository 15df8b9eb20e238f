#include "model/image.h"

#include <algorithm>

namespace tribune {
namespace {

struct FormatNames {
  ImageFormat format;
  std::string_view name, extension, content_type;
};
constexpr FormatNames kFormats[] = {{ImageFormat::jpeg, "jpeg", "jpg", "image/jpeg"},
                                    {ImageFormat::png, "png", "png", "image/png"},
                                    {ImageFormat::webp, "webp", "webp", "image/webp"},
                                    {ImageFormat::avif, "avif", "avif", "image/avif"},
                                    {ImageFormat::gif, "gif", "gif", "image/gif"}};

const FormatNames& names(ImageFormat f) {
  return *std::find_if(std::begin(kFormats), std::end(kFormats), [f](const auto& n) { return n.format == f; });
}

}  // namespace

std::string_view to_string(ImageFormat f) {
  return names(f).name;
}
std::string_view extension(ImageFormat f) {
  return names(f).extension;
}
std::string_view content_type(ImageFormat f) {
  return names(f).content_type;
}

std::optional<ImageFormat> parse_image_format(std::string_view name) {
  for (const auto& n : kFormats)
    if (n.name == name) return n.format;
  return std::nullopt;
}

std::optional<ImageFormat> image_format_for_extension(std::string_view ext) {
  for (const auto& n : kFormats)
    if (n.extension == ext) return n.format;
  return std::nullopt;
}

bool is_valid_image_id(std::string_view id) {
  return id.size() == 32 &&
         std::all_of(id.begin(), id.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace tribune

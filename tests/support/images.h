// Pictures for the image tests, made with libvips in memory: each format Tribune takes, with the metadata a
// phone writes (EXIF orientation, GPS position), and the broken and hostile files it must refuse.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <map>
#include <string>
#include <vips/vips8>

#include "media/image_codec.h"

namespace tribune::testing {

// A w x h picture of a diagonal gradient (so that a rotated rendition can be told from an unrotated one),
// with an alpha band when asked.
inline vips::VImage gradient(int w, int h, bool alpha = false) {
  media::init_image_codec();
  vips::VImage xy = vips::VImage::xyz(w, h);
  vips::VImage rgb = (xy[0] * (255.0 / w)).bandjoin(xy[1] * (255.0 / h)).bandjoin(xy[0] * 0 + 90);
  if (alpha) rgb = rgb.bandjoin(xy[0] * 0 + 128);
  return rgb.cast(VIPS_FORMAT_UCHAR).copy(vips::VImage::option()->set("interpretation", VIPS_INTERPRETATION_sRGB));
}

inline std::string save(const vips::VImage& image, const char* saver, vips::VOption* options = nullptr) {
  VipsBlob* blob = nullptr;
  vips::VOption* o = options ? options : vips::VImage::option();
  o->set("in", image)->set("buffer", &blob);
  vips::VImage::call(saver, o);
  std::string out(static_cast<const char*>(VIPS_AREA(blob)->data), VIPS_AREA(blob)->length);
  vips_area_unref(VIPS_AREA(blob));
  return out;
}

// A JPEG as a phone writes one: EXIF with a GPS position and an orientation tag (6: turn 90° clockwise to
// show it upright).
inline std::string phone_jpeg(int w, int h, int orientation = 1) {
  vips::VImage image = gradient(w, h).copy();
  image.set("exif-ifd3-GPSLatitude", "51/1 30/1 26/1");
  image.set("exif-ifd3-GPSLatitudeRef", "N");
  image.set("exif-ifd3-GPSLongitude", "0/1 7/1 39/1");
  image.set("exif-ifd3-GPSLongitudeRef", "W");
  image.set("exif-ifd0-Make", "Tribune Test Camera");
  image.set("orientation", orientation);
  return save(image, "jpegsave_buffer", vips::VImage::option()->set("Q", 90));
}

// The metadata fields libvips finds in an encoded picture ("exif-data", "exif-ifd3-GPSLatitude", "xmp-data"...),
// with their values where they are text.
inline std::map<std::string, std::string> metadata_of(const std::string& bytes) {
  vips::VImage image = vips::VImage::new_from_buffer(bytes.data(), bytes.size(), "");
  std::map<std::string, std::string> out;
  char** fields = vips_image_get_fields(image.get_image());
  for (char** f = fields; *f; ++f) {
    std::string name(*f);
    if (!name.starts_with("exif-") && !name.starts_with("xmp") && !name.starts_with("iptc") &&
        !name.starts_with("icc") && name != "orientation")
      continue;
    char* text = nullptr;
    out[name] = vips_image_get_as_string(image.get_image(), *f, &text) == 0 && text ? text : "";
    g_free(text);
  }
  g_strfreev(fields);
  return out;
}

// What a phone's photo tells about its taker: where (GPS) and with what (make, model, serial, owner).
inline bool has_personal_metadata(const std::string& bytes) {
  for (const auto& [name, value] : metadata_of(bytes))
    if (name.find("GPS") != std::string::npos || name.ends_with("-Make") || name.ends_with("-Model") ||
        name.find("Serial") != std::string::npos || name.find("Owner") != std::string::npos ||
        name.starts_with("xmp") || name.starts_with("iptc"))
      return true;
  return false;
}

// A PNG whose header claims width x height pixels of grey (a decompression bomb when large): a valid
// signature, IHDR and IEND, and an IDAT of a few compressed zero rows.
inline std::string png_claiming(uint32_t width, uint32_t height) {
  auto be32 = [](uint32_t v) {
    return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
                       static_cast<char>(v)};
  };
  auto chunk = [&](const std::string& type, const std::string& data) {
    std::string body = type + data;
    uint32_t crc =
        static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size())));
    return be32(static_cast<uint32_t>(data.size())) + body + be32(crc);
  };
  std::string ihdr = be32(width) + be32(height) + std::string{8, 0, 0, 0, 0};  // 8-bit grey, no interlace
  std::string raw(4096, '\0');
  std::string packed(compressBound(static_cast<uLong>(raw.size())), '\0');
  uLongf packed_size = static_cast<uLongf>(packed.size());
  compress(reinterpret_cast<Bytef*>(packed.data()), &packed_size, reinterpret_cast<const Bytef*>(raw.data()),
           static_cast<uLong>(raw.size()));
  packed.resize(packed_size);
  return std::string("\x89PNG\r\n\x1A\n", 8) + chunk("IHDR", ihdr) + chunk("IDAT", packed) + chunk("IEND", "");
}

}  // namespace tribune::testing

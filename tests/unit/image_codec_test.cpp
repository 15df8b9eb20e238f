// The image codec (media/image_codec.h): each format Tribune takes becomes upright, metadata-free renditions
// at the widths a page asks for; everything else is refused with a clear error before any pixel is decoded.
#include "media/image_codec.h"

#include <gtest/gtest.h>

#include <set>

#include "model/error.h"
#include "support/images.h"
#include "test_support.h"

using namespace tribune;
using namespace tribune::testing;

namespace {

std::set<int> widths_of(const media::Renditions& r, ImageFormat f) {
  std::set<int> out;
  for (const auto& x : r.renditions)
    if (x.format == f) out.insert(x.width);
  return out;
}

}  // namespace

TEST(ImageCodec, APhonePhotoComesOutUprightAtEveryWidthWithoutItsLocation) {
  // 1800 x 1200 as stored, tagged "turn 90° clockwise": upright it is 1200 wide and 1800 high.
  auto made = media::make_renditions(phone_jpeg(1800, 1200, 6));
  EXPECT_EQ(made.source, ImageFormat::jpeg);
  EXPECT_EQ(made.width, 1200);
  EXPECT_EQ(made.height, 1800);
  std::set<int> expected{320, 640, 1024, 1200};
  EXPECT_EQ(widths_of(made, ImageFormat::jpeg), expected);
  EXPECT_EQ(widths_of(made, ImageFormat::webp), expected);
  if (media::avif_supported()) {
    EXPECT_EQ(widths_of(made, ImageFormat::avif), expected);
  }
  EXPECT_TRUE(widths_of(made, ImageFormat::png).empty()) << "an opaque photo's fallback is JPEG";
  for (const auto& r : made.renditions) {
    SCOPED_TRACE(std::string(to_string(r.format)) + " " + std::to_string(r.width));
    EXPECT_EQ(r.height, r.width * 3 / 2) << "upright: taller than wide";
    EXPECT_EQ(r.size, static_cast<int64_t>(r.bytes.size()));
    EXPECT_FALSE(has_personal_metadata(r.bytes)) << "no GPS position, no camera in any rendition";
    auto meta = metadata_of(r.bytes);
    // libvips 8.14's WebP saver always writes a small EXIF block of its own (resolution, colour space);
    // every other rendition carries none at all.
    if (r.format != ImageFormat::webp) {
      EXPECT_EQ(meta.count("exif-data"), 0u);
    }
    if (meta.count("exif-ifd0-Orientation")) {
      EXPECT_TRUE(meta["exif-ifd0-Orientation"].starts_with("1")) << meta["exif-ifd0-Orientation"];
    }
    auto decoded = vips::VImage::new_from_buffer(r.bytes.data(), r.bytes.size(), "");
    EXPECT_EQ(decoded.width(), r.width);
    EXPECT_EQ(decoded.height(), r.height);
    EXPECT_FALSE(decoded.get_typeof("orientation") && decoded.get_int("orientation") != 1);
  }
  EXPECT_TRUE(has_personal_metadata(phone_jpeg(300, 200, 6))) << "the test's own photo does carry GPS";
}

TEST(ImageCodec, NoRenditionIsWiderThan2048Pixels) {
  auto made = media::make_renditions(save(gradient(2600, 300), "jpegsave_buffer"));
  EXPECT_EQ(made.width, 2600);
  EXPECT_EQ(widths_of(made, ImageFormat::jpeg), (std::set<int>{320, 640, 1024, 1600, 2048}));
}

TEST(ImageCodec, TakesEachFormatAndKeepsTransparency) {
  auto opaque = gradient(800, 500);
  struct Case {
    const char* name;
    std::string bytes;
    ImageFormat source;
  };
  std::vector<Case> cases = {
      {"jpeg", save(opaque, "jpegsave_buffer"), ImageFormat::jpeg},
      {"png", save(opaque, "pngsave_buffer"), ImageFormat::png},
      {"webp", save(opaque, "webpsave_buffer"), ImageFormat::webp},
      {"gif", save(opaque, "gifsave_buffer"), ImageFormat::gif},
  };
  if (media::avif_supported())
    cases.push_back(
        {"avif",
         save(opaque, "heifsave_buffer", vips::VImage::option()->set("compression", VIPS_FOREIGN_HEIF_COMPRESSION_AV1)),
         ImageFormat::avif});
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    ASSERT_EQ(media::sniff_image(c.bytes), c.source);
    auto made = media::make_renditions(c.bytes);
    EXPECT_EQ(made.source, c.source);
    EXPECT_EQ(made.width, 800);
    EXPECT_EQ(made.height, 500);
    EXPECT_EQ(widths_of(made, ImageFormat::jpeg), (std::set<int>{320, 640, 800}));
    EXPECT_EQ(widths_of(made, ImageFormat::webp), (std::set<int>{320, 640, 800}));
  }
  // A PNG with transparency falls back to PNG, not JPEG (which would paint it black).
  auto clear = media::make_renditions(save(gradient(400, 300, true), "pngsave_buffer"));
  EXPECT_EQ(widths_of(clear, ImageFormat::png), (std::set<int>{320, 400}));
  EXPECT_TRUE(widths_of(clear, ImageFormat::jpeg).empty());
  for (const auto& r : clear.renditions) {
    auto decoded = vips::VImage::new_from_buffer(r.bytes.data(), r.bytes.size(), "");
    EXPECT_TRUE(decoded.has_alpha()) << to_string(r.format);
  }
  // A picture narrower than the smallest width is kept at its own size, never enlarged.
  auto small = media::make_renditions(save(gradient(120, 90), "pngsave_buffer"));
  EXPECT_EQ(widths_of(small, ImageFormat::jpeg), (std::set<int>{120}));
}

TEST(ImageCodec, RefusesWhatIsNotAUsablePicture) {
  auto code = [](const std::string& bytes) { return thrown_code([&] { media::make_renditions(bytes); }); };
  EXPECT_EQ(code(""), "image_empty");
  // A text file named photo.jpg: the name and the declared type count for nothing, the bytes do.
  EXPECT_EQ(code("Dear editor, this is not a photograph.\n"), "image_type");
  EXPECT_EQ(code("<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"), "image_type");
  EXPECT_EQ(code("%PDF-1.7\n1 0 obj\n"), "image_type");
  // A 50,000 x 50,000 PNG (2.5 gigapixels) is refused from its header, before anything is decoded.
  auto bomb = png_claiming(50000, 50000);
  EXPECT_LT(bomb.size(), 1000u);
  EXPECT_EQ(code(bomb), "image_too_large");
  EXPECT_EQ(code(png_claiming(20000, 100)), "image_too_large") << "a side over 16,384 pixels";
  // A JPEG cut off halfway through its data.
  auto jpeg = save(gradient(1200, 800), "jpegsave_buffer");
  EXPECT_EQ(code(jpeg.substr(0, jpeg.size() / 2)), "image_unreadable");
  // The right magic, then garbage.
  EXPECT_EQ(code(std::string("\x89PNG\r\n\x1A\n", 8) + std::string(200, 'x')), "image_unreadable");
  try {
    media::make_renditions(bomb);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::invalid);
    EXPECT_EQ(e.field(), "image");
    EXPECT_NE(e.message().find("50000 x 50000"), std::string::npos) << e.message();
  }
}

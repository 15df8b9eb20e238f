// Time to make the renditions of a 12-megapixel JPEG (4000 x 3000, a synthetic photo: noise over gradients,
// which compresses like a real one), the work an editor's upload waits for. Prints per-run times and the
// renditions' sizes. Usage: tribune_bench_images [RUNS]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>
#include <vips/vips8>

#include "media/image_codec.h"

int main(int argc, char** argv) {
  int runs = argc > 1 ? std::atoi(argv[1]) : 3;
  tribune::media::init_image_codec();
  // Gradients and noise: a 12-megapixel frame with a photo's detail (noise is the worst case for encoders).
  vips::VImage x = vips::VImage::xyz(4000, 3000);
  vips::VImage gradient = (x[0] * (255.0 / 4000)).bandjoin(x[1] * (255.0 / 3000)).bandjoin(x[0] * 0 + 128);
  vips::VImage noise = vips::VImage::gaussnoise(4000, 3000, vips::VImage::option()->set("sigma", 24.0));
  vips::VImage photo = (gradient + noise).cast(VIPS_FORMAT_UCHAR);
  VipsBlob* blob = nullptr;
  vips::VImage::call("jpegsave_buffer", vips::VImage::option()->set("in", photo)->set("Q", 90)->set("buffer", &blob));
  std::string jpeg(static_cast<const char*>(VIPS_AREA(blob)->data), VIPS_AREA(blob)->length);
  vips_area_unref(VIPS_AREA(blob));
  std::printf("input: 4000 x 3000 JPEG, %.1f MB; AVIF renditions: %s\n", jpeg.size() / 1e6,
              tribune::media::avif_supported() ? "yes" : "no (not supported by this libvips)");

  std::vector<double> ms;
  tribune::media::Renditions last;
  for (int i = 0; i < runs; ++i) {
    auto start = std::chrono::steady_clock::now();
    last = tribune::media::make_renditions(jpeg);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    std::printf("run %d: %.0f ms\n", i + 1, ms.back());
  }
  std::sort(ms.begin(), ms.end());
  std::printf("renditions of a 12 MP JPEG: median %.0f ms over %d runs (one core)\n", ms[ms.size() / 2], runs);
  std::map<std::string, std::pair<int, int64_t>> by_format;
  for (const auto& r : last.renditions) {
    auto& [count, bytes] = by_format[std::string(tribune::to_string(r.format))];
    ++count;
    bytes += r.size;
    std::printf("  %-4s %4d x %-4d %7.1f kB\n", std::string(tribune::to_string(r.format)).c_str(), r.width, r.height,
                r.size / 1e3);
  }
  for (const auto& [format, v] : by_format)
    std::printf("%s: %d renditions, %.0f kB in all\n", format.c_str(), v.first, v.second / 1e3);
}

// Images and their renditions: kept in the store, so every node serves every image.
// One role of the Store (store/store.h); the Store's contract holds for every method.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/image.h"

namespace tribune {

class ImageStore {
 public:
  virtual ~ImageStore() = default;

  // Stores the image (metadata and renditions, with their bytes) in one transaction. An image with the same
  // id (the same uploaded bytes) is kept as it is: false, and nothing changes.
  virtual bool insert_image(const Image& image) = 0;
  // The image's metadata and its renditions' sizes (no bytes).
  virtual std::optional<Image> find_image(const std::string& id) = 0;
  // The bytes of one rendition.
  virtual std::optional<std::string> image_rendition(const std::string& id, int width, ImageFormat format) = 0;
  // Newest first, metadata only, at most limit.
  virtual std::vector<Image> list_images(int limit) = 0;
};

}  // namespace tribune

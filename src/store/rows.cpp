#include "store/rows.h"

#include <sodium.h>

namespace tribune::store_rows {

int64_t text_hash(std::string_view text) {
  unsigned char digest[8];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(text.data()), text.size(), nullptr,
                     0);
  uint64_t v = 0;
  for (unsigned char b : digest) v = (v << 8) | b;
  return static_cast<int64_t>(v >> 1);
}

}  // namespace tribune::store_rows

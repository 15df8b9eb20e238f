// A HyperLogLog sketch (Flajolet et al. 2007, with the small-range correction): estimates how many distinct
// 64-bit hashes were added, in 4,096 one-byte registers (standard error about 1.6%), whatever the count.
// Two sketches merge by taking each register's maximum, which is idempotent: merging the same sketch twice
// changes nothing, so a node may write its whole sketch at every flush.
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

namespace tribune {

class Sketch {
 public:
  static constexpr int kBits = 12;
  static constexpr size_t kRegisters = size_t{1} << kBits;

  Sketch() : registers_(kRegisters, '\0') {}
  // From stored registers; anything of the wrong size reads as empty.
  explicit Sketch(std::string_view registers) : Sketch() {
    if (registers.size() == kRegisters) registers_.assign(registers);
  }

  void add(uint64_t hash) {
    size_t index = hash >> (64 - kBits);
    uint64_t rest = hash << kBits;
    auto rank = static_cast<char>(rest == 0 ? 64 - kBits + 1 : std::countl_zero(rest) + 1);
    if (registers_[index] < rank) registers_[index] = rank;
  }
  void merge(std::string_view other) {
    if (other.size() != kRegisters) return;
    for (size_t i = 0; i < kRegisters; ++i) registers_[i] = std::max(registers_[i], other[i]);
  }
  double estimate() const {
    constexpr double m = kRegisters;
    const double alpha = 0.7213 / (1 + 1.079 / m);
    double sum = 0;
    int zeros = 0;
    for (char r : registers_) {
      sum += std::ldexp(1.0, -r);
      zeros += r == 0;
    }
    double raw = alpha * m * m / sum;
    if (raw <= 2.5 * m && zeros > 0) return m * std::log(m / zeros);  // linear counting for small counts
    return raw;
  }
  bool empty() const {
    return std::ranges::all_of(registers_, [](char r) { return r == 0; });
  }
  const std::string& registers() const { return registers_; }

 private:
  std::string registers_;
};

}  // namespace tribune

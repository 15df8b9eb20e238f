// Shared by the fuzz targets: a broken contract is a crash for libFuzzer, which then saves the input.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace tribune::fuzz {

// Prints s with non-printable bytes escaped, so the report shows what broke without a hex dump.
inline void print_escaped(const char* label, std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7F && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
    }
  }
  std::fprintf(stderr, "  %s: \"%s\"\n", label, out.c_str());
}

}  // namespace tribune::fuzz

// __builtin_trap, not assert: it fires under NDEBUG too, and libFuzzer reports it as a crash (deadly signal).
#define FUZZ_CHECK(cond)                                                                     \
  do {                                                                                       \
    if (!(cond)) {                                                                           \
      std::fprintf(stderr, "fuzz contract broken: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
      __builtin_trap();                                                                      \
    }                                                                                        \
  } while (0)

#include "model/account.h"

#include <unicode/uchar.h>
#include <unicode/unistr.h>

namespace tribune {

std::string mention_handle(std::string_view display_name) {
  auto folded = icu::UnicodeString::fromUTF8(icu::StringPiece(display_name.data(), static_cast<int32_t>(display_name.size())));
  folded.foldCase();
  icu::UnicodeString kept;
  for (int32_t i = 0; i < folded.length();) {
    UChar32 cp = folded.char32At(i);
    if (u_isalnum(cp)) kept.append(cp);
    i += U16_LENGTH(cp);
  }
  std::string out;
  kept.toUTF8String(out);
  return out;
}

}  // namespace tribune

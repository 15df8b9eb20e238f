#include "model/account.h"

#include <unicode/uchar.h>
#include <unicode/unistr.h>

namespace tribune {

std::string_view to_string(Role r) {
  switch (r) {
    case Role::moderator:
      return "moderator";
    case Role::editor:
      return "editor";
    case Role::admin:
      return "admin";
    case Role::reader:
      break;
  }
  return "reader";
}

std::optional<Role> parse_role(std::string_view s) {
  for (auto r : {Role::reader, Role::moderator, Role::editor, Role::admin})
    if (to_string(r) == s) return r;
  return std::nullopt;
}

std::string mention_handle(std::string_view display_name) {
  auto folded =
      icu::UnicodeString::fromUTF8(icu::StringPiece(display_name.data(), static_cast<int32_t>(display_name.size())));
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

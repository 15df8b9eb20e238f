#include "http/cursors.h"

#include <charconv>

#include "model/error.h"
#include "util/text.h"

namespace tribune {

std::string encode_cursor(const ArticleCursor& c) {
  return base64url_encode(std::to_string(c.published_at) + ":" + std::to_string(c.id));
}

ArticleCursor decode_cursor(std::string_view text) {
  Error bad(ErrorKind::bad_request, "invalid_cursor", "The cursor is not one this server issued.", "cursor");
  if (text.size() > 64) throw bad;
  auto raw = base64url_decode(text);
  if (!raw) throw bad;
  auto colon = raw->find(':');
  if (colon == std::string::npos) throw bad;
  ArticleCursor c;
  auto parse = [&](std::string_view s, int64_t& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec != std::errc() || p != s.data() + s.size()) throw bad;
  };
  parse(std::string_view(*raw).substr(0, colon), c.published_at);
  parse(std::string_view(*raw).substr(colon + 1), c.id);
  // Only the server's own spelling: "007" or "-0" parse to a position, but no cursor was ever issued so (found
  // by fuzz/cursor_fuzz, which checks encode(decode(t)) == t).
  if (encode_cursor(c) != text) throw bad;
  return c;
}

std::string encode_offset_cursor(int offset) {
  return base64url_encode("o:" + std::to_string(offset));
}

int decode_offset_cursor(std::string_view text) {
  Error bad(ErrorKind::bad_request, "invalid_cursor", "The cursor is not one this server issued.", "cursor");
  auto raw = text.size() <= 32 ? base64url_decode(text) : std::nullopt;
  if (!raw || !raw->starts_with("o:")) throw bad;
  int offset = 0;
  auto [p, ec] = std::from_chars(raw->data() + 2, raw->data() + raw->size(), offset);
  if (ec != std::errc() || p != raw->data() + raw->size() || encode_offset_cursor(offset) != text) throw bad;
  return offset;
}

std::string encode_comment_cursor(const CommentCursor& c) {
  return encode_cursor(ArticleCursor{c.key, c.id});
}

CommentCursor decode_comment_cursor(std::string_view text) {
  auto c = decode_cursor(text);
  return CommentCursor{c.published_at, c.id};
}

}  // namespace tribune

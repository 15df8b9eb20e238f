// Keyset cursors (src/http/cursors.h): ?cursor= on every listing, the API's and the pages'.
//
// Contract checked:
//   - decode_cursor and decode_comment_cursor accept exactly what the server issues: a text they accept is
//     the encoding of the position they return (encode(decode(t)) == t), anything else is
//     Error(bad_request, invalid_cursor, field "cursor");
//   - every position encodes to a cursor the decoders give back, within the 64 characters they take.
// Input: the cursor text as a client sends it; its first 16 bytes are also read as two positions to encode.
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "http/cursors.h"
#include "model/error.h"

namespace {

using namespace tribune;

void expect_cursor_error(const Error& e) {
  FUZZ_CHECK(e.kind() == ErrorKind::bad_request);
  FUZZ_CHECK(e.code() == "invalid_cursor");
  FUZZ_CHECK(e.field() == "cursor");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);

  bool article_ok = false;
  try {
    ArticleCursor c = decode_cursor(text);
    article_ok = true;
    std::string again = encode_cursor(c);
    if (again != text) {
      fuzz::print_escaped("cursor", text);
      fuzz::print_escaped("issued for its position", again);
    }
    FUZZ_CHECK(again == text);
  } catch (const Error& e) {
    expect_cursor_error(e);
  }
  try {
    CommentCursor c = decode_comment_cursor(text);
    FUZZ_CHECK(article_ok);  // one format for both
    FUZZ_CHECK(encode_comment_cursor(c) == text);
  } catch (const Error& e) {
    expect_cursor_error(e);
    FUZZ_CHECK(!article_ok);
  }

  if (size >= 16) {
    ArticleCursor c;
    std::memcpy(&c.published_at, data, 8);
    std::memcpy(&c.id, data + 8, 8);
    std::string issued = encode_cursor(c);
    FUZZ_CHECK(issued.size() <= 64);
    ArticleCursor back = decode_cursor(issued);  // throws (and so crashes) if the server refuses its own
    FUZZ_CHECK(back.published_at == c.published_at && back.id == c.id);
    CommentCursor cc{c.published_at, c.id};
    CommentCursor cback = decode_comment_cursor(encode_comment_cursor(cc));
    FUZZ_CHECK(cback.key == cc.key && cback.id == cc.id);
  }
  return 0;
}

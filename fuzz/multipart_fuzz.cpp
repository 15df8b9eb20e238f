// multipart/form-data bodies (src/http/forms.h): the desk's forms that carry a picture, the image API, and the
// CSRF token the pipeline reads from them.
//
// Input: the body, under the Content-Type "multipart/form-data; boundary=XyZ". Contract checked:
//   - parse_multipart either returns or throws Error(bad_request, invalid_form);
//   - at most 100 parts; each part's data lies inside the body; names, file names and text fields are UTF-8;
//   - writing the parts out again with the same boundary and parsing gives the same parts;
//   - multipart_fields holds the first value of each text field, and no file.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "http/forms.h"
#include "model/error.h"
#include "util/text.h"

namespace {

using namespace tribune;

constexpr std::string_view kType = "multipart/form-data; boundary=XyZ";

std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  std::vector<FormPart> parts;
  try {
    parts = parse_multipart(body, kType);
  } catch (const Error& e) {
    FUZZ_CHECK(e.kind() == ErrorKind::bad_request);
    FUZZ_CHECK(e.code() == "invalid_form");
    return 0;
  }
  FUZZ_CHECK(parts.size() <= 100);
  for (const auto& p : parts) {
    FUZZ_CHECK(p.data.data() >= body.data() && p.data.data() + p.data.size() <= body.data() + body.size());
    FUZZ_CHECK(is_valid_utf8(p.name));
    FUZZ_CHECK(!p.filename || is_valid_utf8(*p.filename));
    FUZZ_CHECK(p.filename || is_valid_utf8(p.data));
  }
  auto fields = multipart_fields(parts);
  for (const auto& p : parts) {
    if (p.filename) continue;
    auto it = fields.find(p.name);
    FUZZ_CHECK(it != fields.end());
  }

  // Names and file names with a line break or a quote cannot be written back the way a browser would; the
  // round trip is checked for the rest.
  std::string again = "--XyZ";
  for (const auto& p : parts) {
    if (p.name.find_first_of("\r\n") != std::string::npos ||
        (p.filename && p.filename->find_first_of("\r\n") != std::string::npos))
      return 0;
    again += "\r\nContent-Disposition: form-data; name=" + quoted(p.name);
    if (p.filename) again += "; filename=" + quoted(*p.filename);
    again += "\r\n\r\n";
    again += p.data;
    again += "\r\n--XyZ";
  }
  again += "--\r\n";
  auto reparsed = parse_multipart(again, kType);
  FUZZ_CHECK(reparsed.size() == parts.size());
  for (size_t i = 0; i < parts.size(); ++i) {
    FUZZ_CHECK(reparsed[i].name == parts[i].name);
    FUZZ_CHECK(reparsed[i].filename == parts[i].filename);
    FUZZ_CHECK(reparsed[i].data == parts[i].data);
  }
  return 0;
}

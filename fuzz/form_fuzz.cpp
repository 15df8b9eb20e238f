// application/x-www-form-urlencoded bodies (src/http/forms.h): every HTML form the site posts (sign in,
// comments, moderation decisions, the CSRF token field the pipeline reads).
//
// Input: the body. Contract checked:
//   - parse_form either returns or throws Error(bad_request, invalid_form); form_value and form_values
//     validate the whole body, so they throw exactly when parse_form does;
//   - decoded names and values are valid UTF-8;
//   - the first value of a repeated name wins: form_value(name) is parse_form's value, form_values(name)
//     lists every value in order and starts with it;
//   - encoding the decoded fields again (percent-escapes, '+' for space) and parsing gives the same fields.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "http/forms.h"
#include "model/error.h"
#include "util/text.h"

namespace {

using namespace tribune;

void expect_form_error(const Error& e) {
  FUZZ_CHECK(e.kind() == ErrorKind::bad_request);
  FUZZ_CHECK(e.code() == "invalid_form");
}

void append_encoded(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);

  std::map<std::string, std::string, std::less<>> fields;
  try {
    fields = parse_form(body);
  } catch (const Error& e) {
    expect_form_error(e);
    // The other readers validate the whole body too: a field before the bad part is not handed out.
    try {
      form_value(body, "csrf_token");
      FUZZ_CHECK(!"form_value accepted a body parse_form refused");
    } catch (const Error& e2) {
      expect_form_error(e2);
    }
    try {
      form_values(body, "ids");
      FUZZ_CHECK(!"form_values accepted a body parse_form refused");
    } catch (const Error& e2) {
      expect_form_error(e2);
    }
    return 0;
  }

  for (const auto& [name, value] : fields) {
    FUZZ_CHECK(is_valid_utf8(name));
    FUZZ_CHECK(is_valid_utf8(value));
  }
  // Each look-up parses the whole body again: the first and the last name are enough, and keep the target fast.
  if (!fields.empty()) {
    for (const auto* field : {&*fields.begin(), &*fields.rbegin()}) {
      auto one = form_value(body, field->first);
      FUZZ_CHECK(one && *one == field->second);
      auto all = form_values(body, field->first);
      FUZZ_CHECK(!all.empty() && all.front() == field->second);
    }
  }
  // A name the body does not have.
  FUZZ_CHECK(fields.contains("\x01missing") || !form_value(body, "\x01missing"));

  std::string again;
  for (const auto& [name, value] : fields) {
    if (!again.empty()) again += '&';
    append_encoded(again, name);
    again += '=';
    append_encoded(again, value);
  }
  auto reparsed = parse_form(again);
  if (reparsed != fields) {
    fuzz::print_escaped("body", body);
    fuzz::print_escaped("encoded again", again);
  }
  FUZZ_CHECK(reparsed == fields);
  return 0;
}

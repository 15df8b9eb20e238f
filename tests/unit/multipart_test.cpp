// multipart/form-data (http/forms.h), as browsers send forms with a file input.
#include <gtest/gtest.h>

#include "http/forms.h"
#include "model/error.h"
#include "test_support.h"

using namespace tribune;
using tribune::testing::thrown_code;

TEST(Multipart, ReadsTextFieldsAndFilesAsABrowserSendsThem) {
  using namespace std::string_literals;
  std::string body =
      "--b0undary\r\nContent-Disposition: form-data; name=\"alt\"\r\n\r\nA bench; \"quoted\"\r\n"
      "--b0undary\r\nContent-Disposition: form-data; name=\"image\"; filename=\"bench.jpg\"\r\nContent-Type: "
      "image/jpeg\r\n\r\n\xFF\xD8\xFF\x00\r\n--b0und\r\n"
      "--b0undary\r\ncontent-disposition: FORM-DATA; name=\"a; filename=x\"\r\n\r\n\r\n"
      "--b0undary--\r\n"s;
  auto parts = parse_multipart(body, "multipart/form-data; boundary=b0undary");
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].name, "alt");
  EXPECT_EQ(parts[0].data, "A bench; \"quoted\"");
  EXPECT_FALSE(parts[0].filename);
  EXPECT_EQ(parts[1].filename, "bench.jpg");
  EXPECT_EQ(parts[1].content_type, "image/jpeg");
  EXPECT_EQ(parts[1].data, std::string_view("\xFF\xD8\xFF\x00\r\n--b0und", 13)) << "bytes kept, NULs included";
  EXPECT_EQ(parts[2].name, "a; filename=x") << "a ';' inside quotes is text";
  EXPECT_FALSE(parts[2].filename);
  EXPECT_EQ(parts[2].data, "");
  auto fields = multipart_fields(parts);
  EXPECT_EQ(fields.size(), 2u) << "the file is not a text field";
  EXPECT_EQ(fields["alt"], "A bench; \"quoted\"");
  // A quoted boundary, as some clients send it.
  EXPECT_EQ(parse_multipart("--x y\r\nContent-Disposition: form-data; name=\"n\"\r\n\r\nv\r\n--x y--",
                            "multipart/form-data; boundary=\"x y\"")
                .size(),
            1u);
}

TEST(Multipart, RefusesWhatIsNotWellFormed) {
  auto code = [](const std::string& body, const std::string& type = "multipart/form-data; boundary=B") {
    return thrown_code([&] { parse_multipart(body, type); });
  };
  EXPECT_EQ(code("--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--B--", "multipart/form-data"),
            "invalid_form")
      << "no boundary";
  EXPECT_EQ(code("preamble--B--"), "invalid_form");
  EXPECT_EQ(code("--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nno closing delimiter"), "invalid_form");
  EXPECT_EQ(code("--B\r\nContent-Type: text/plain\r\n\r\nv\r\n--B--"), "invalid_form") << "no disposition";
  EXPECT_EQ(code("--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n\xC3\x28\r\n--B--"), "invalid_form")
      << "a text field that is not UTF-8";
  std::string many;
  for (int i = 0; i < 101; ++i) many += "--B\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nv\r\n";
  EXPECT_EQ(code(many + "--B--"), "invalid_form") << "over 100 parts";
  EXPECT_EQ(code("--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--B--"), "none");
}

// A signed-in reader's page from the cache: the gzip spliced from the page's compressed parts and the reader's
// fragments (http/page_cache.h), and the remembered readers' slots (web/reader_slots.h).
#include <gtest/gtest.h>

#include <thread>

#include "http/page_cache.h"
#include "test_support.h"
#include "web/reader_slots.h"

using namespace tribune;
using namespace tribune::testing;
using tribune::web::ReaderSlots;

namespace {

Request get_request(bool gzip) {
  Request r{http::verb::get, "/", 11};
  if (gzip) r.set(http::field::accept_encoding, "gzip, deflate, br");
  return r;
}

std::string slot(std::string_view name) {
  return std::string(kSlotPrefix) + std::string(name) + std::string(kSlotSuffix);
}

Principal reader(int64_t id, std::string token, std::chrono::steady_clock::time_point read_at) {
  Principal p;
  p.kind = Principal::Kind::session;
  p.account_id = id;
  p.name = "Reader " + std::to_string(id);
  p.session_token = std::move(token);
  p.read_at = read_at;
  return p;
}

PageRenderer::ReaderFragments fragments(const std::string& name) {
  return {"<b>" + name + "</b>", "", "<form>" + name + "</form>"};
}

}  // namespace

TEST(PersonalPages, AReadersPageInGzipInflatesToTheSameBytesAsWithout) {
  // Slots first, last, side by side; parts empty and large; a fragment larger than one stored block holds.
  std::string big_part(200000, 'x');
  for (size_t i = 0; i < big_part.size(); i += 97) big_part[i] = static_cast<char>('a' + i % 26);
  std::string html = slot("first") + "<p>one</p>" + slot("a") + slot("b") + big_part + slot("last");
  std::string big_fragment(70000, 'f');
  big_fragment[12345] = 'g';
  SlotFiller anonymous = [](std::string_view s) { return "[anonymous " + std::string(s) + "]"; };
  SlotFiller reader = [&](std::string_view s) {
    if (s == "b") return std::string();
    if (s == "a") return big_fragment;
    return "[reader " + std::string(s) + "]";
  };
  auto page = make_page(html, anonymous, "text/html", "no-cache");
  EXPECT_EQ(gunzip(*page->gzip), *page->body) << "the anonymous page";

  auto plain = serve_personal(*page, reader, get_request(false));
  auto gz = serve_personal(*page, reader, get_request(true));
  ASSERT_EQ(gz.headers[http::field::content_encoding], "gzip");
  EXPECT_TRUE(plain.headers[http::field::content_encoding].empty());
  std::string expected = "[reader first]<p>one</p>" + big_fragment + big_part + "[reader last]";
  EXPECT_EQ(std::string(plain.payload()), expected);
  EXPECT_EQ(gunzip(gz.payload()), expected);
  EXPECT_LT(gz.payload().size(), expected.size() / 3) << "the page's parts stay compressed";
  EXPECT_EQ(gz.headers[http::field::cache_control], "private, no-store");

  // The parts are compressed once: another reader's page splices the same pieces with theirs.
  SlotFiller other = [](std::string_view s) { return "<" + std::string(s) + ">"; };
  EXPECT_EQ(gunzip(serve_personal(*page, other, get_request(true)).payload()),
            "<first><p>one</p><a><b>" + big_part + "<last>");
}

TEST(PersonalPages, APageWithoutSlotsIsServedWholeToReadersToo) {
  auto page = make_page("<p>no slots</p>", {}, "text/html", "no-cache");
  auto gz = serve_personal(
      *page, [](std::string_view) { return std::string("never"); }, get_request(true));
  EXPECT_EQ(gunzip(gz.payload()), "<p>no slots</p>");
}

TEST(ReaderSlots, ARememberedReaderIsFoundByTheirTokenAndNoOtherUntilTheirTimeIsUp) {
  ReaderSlots slots(std::chrono::milliseconds(300));
  auto now = std::chrono::steady_clock::now();
  slots.keep(reader(1, "token-of-one", now), fragments("one"));
  auto found = slots.find("token-of-one");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->account_id, 1);
  EXPECT_EQ(found->fragments.reader, "<b>one</b>");
  EXPECT_FALSE(slots.find("token-of-two"));
  EXPECT_FALSE(slots.find("token-of-on"));
  std::this_thread::sleep_for(std::chrono::milliseconds(350));
  EXPECT_FALSE(slots.find("token-of-one")) << "past its lifetime, counted from the store read";
  // A read already older than the lifetime is not kept at all.
  slots.keep(reader(1, "token-of-one", now), fragments("one"));
  EXPECT_FALSE(slots.find("token-of-one"));
}

TEST(ReaderSlots, AReadThatBeganBeforeTheReaderWasForgottenIsNotKept) {
  ReaderSlots slots;
  auto before = std::chrono::steady_clock::now();
  slots.forget(7);
  slots.keep(reader(7, "seven", before), fragments("stale"));
  EXPECT_FALSE(slots.find("seven")) << "read before the change: it may show what the change undid";
  // Another reader's read of the same moment is kept; a read after the change is too.
  slots.keep(reader(8, "eight", before), fragments("eight"));
  EXPECT_TRUE(slots.find("eight"));
  slots.keep(reader(7, "seven", std::chrono::steady_clock::now()), fragments("fresh"));
  ASSERT_TRUE(slots.find("seven"));
  EXPECT_EQ(slots.find("seven")->fragments.reader, "<b>fresh</b>");

  // Everyone forgotten: reads before are refused for every reader.
  auto before_all = std::chrono::steady_clock::now();
  slots.forget_all();
  EXPECT_FALSE(slots.find("seven"));
  EXPECT_FALSE(slots.find("eight"));
  slots.keep(reader(9, "nine", before_all), fragments("nine"));
  EXPECT_FALSE(slots.find("nine"));
}

TEST(ReaderSlots, ForgettingAReaderForgetsEveryOneOfTheirSessions) {
  ReaderSlots slots;
  auto now = std::chrono::steady_clock::now();
  slots.keep(reader(3, "laptop", now), fragments("three"));
  slots.keep(reader(3, "phone", now), fragments("three"));
  slots.keep(reader(4, "other", now), fragments("four"));
  slots.forget(3);
  EXPECT_FALSE(slots.find("laptop"));
  EXPECT_FALSE(slots.find("phone"));
  EXPECT_TRUE(slots.find("other"));
}

TEST(ReaderSlots, StaysWithinItsBoundsAndStillRefusesReadsOlderThanAForget) {
  ReaderSlots slots(ReaderSlots::kShared, 4);
  auto now = std::chrono::steady_clock::now();
  for (int i = 0; i < 10; ++i) slots.keep(reader(i, "t" + std::to_string(i), now), fragments("r"));
  EXPECT_LE(slots.size(), 4u);
  EXPECT_TRUE(slots.find("t9")) << "the newest is kept";
  // Many readers forgotten within one lifetime: past the bound the whole map goes, and what was read before
  // any of those forgets is still refused.
  auto before = std::chrono::steady_clock::now();
  for (int i = 100; i < 200; ++i) slots.forget(i);
  slots.keep(reader(150, "t150", before), fragments("r"));
  EXPECT_FALSE(slots.find("t150"));
  slots.keep(reader(1000, "t1000", before), fragments("r"));
  EXPECT_FALSE(slots.find("t1000")) << "after so many forgets, everyone counts as forgotten";
}

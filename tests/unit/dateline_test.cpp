#include "domain/dateline.h"

#include <gtest/gtest.h>

using namespace tribune;

TEST(Dateline, SummerInLondonIsBst) {
  auto t = *parse_rfc3339("2009-07-06T00:00:00+01:00");
  EXPECT_EQ(format_dateline(t, {"en_GB", "Europe/London"}), "Monday 06 July 2009 00:00 BST");
}

TEST(Dateline, WinterInLondonIsGmt) {
  auto t = *parse_rfc3339("2010-01-18T08:30:00Z");
  EXPECT_EQ(format_dateline(t, {"en_GB", "Europe/London"}), "Monday 18 January 2010 08:30 GMT");
}

TEST(Dateline, OtherZonesAndLocales) {
  auto t = *parse_rfc3339("2009-07-06T00:00:00+01:00");
  // en_US names London's summer time by offset: the locale is configuration for a reason.
  EXPECT_EQ(format_dateline(t, {"en_US", "Europe/London"}), "Monday 06 July 2009 00:00 GMT+1");
  EXPECT_EQ(format_dateline(t, {"en_US", "America/New_York"}), "Sunday 05 July 2009 19:00 EDT");
}

TEST(Dateline, LocalDateCrossesMidnight) {
  auto t = *parse_rfc3339("2009-07-05T23:30:00Z");  // 00:30 on the 6th in London
  auto d = local_date(t, {"en_GB", "Europe/London"});
  EXPECT_EQ(d.year, 2009);
  EXPECT_EQ(d.month, 7);
  EXPECT_EQ(d.day, 6);
}

TEST(Dateline, KnowsZones) {
  EXPECT_TRUE(is_known_time_zone("Europe/London"));
  EXPECT_FALSE(is_known_time_zone("Europe/Londno"));
}

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

TEST(Dateline, LocalDatesOfOneInstantInZonesTakenInTurn) {
  // A thread remembers dates per zone: taking zones in turn must give each its own.
  auto t = *parse_rfc3339("2009-07-05T23:30:00Z");
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(local_date(t, {"en_GB", "Europe/London"}).day, 6);
    EXPECT_EQ(local_date(t, {"en_US", "America/New_York"}).day, 5);
    EXPECT_EQ(local_date(t, {"en_GB", "Asia/Tokyo"}).day, 6);
    EXPECT_EQ(local_date(t + std::chrono::minutes(31), {"en_US", "America/New_York"}).day, 5);
    EXPECT_EQ(local_date(t - std::chrono::minutes(31), {"en_GB", "Europe/London"}).day, 5);
  }
}

TEST(Dateline, KnowsZones) {
  EXPECT_TRUE(is_known_time_zone("Europe/London"));
  EXPECT_FALSE(is_known_time_zone("Europe/Londno"));
}

TEST(Dateline, DeskTimesAreReadInThePublicationsZone) {
  Locality london;
  // 10:30 in London in July is 09:30 UTC; in December it is 10:30 UTC.
  EXPECT_EQ(format_rfc3339(*parse_local("2026-07-06T10:30", london)), "2026-07-06T09:30:00Z");
  EXPECT_EQ(format_rfc3339(*parse_local("2026-12-05T10:30:15", london)), "2026-12-05T10:30:15Z");
  Locality sydney{"en_AU", "Australia/Sydney"};
  EXPECT_EQ(format_rfc3339(*parse_local("2026-12-05T10:30", sydney)), "2026-12-04T23:30:00Z");
  // Round trip through the form's value.
  auto t = *parse_local("2026-03-29T03:15", london);
  EXPECT_EQ(format_local_input(t, london), "2026-03-29T03:15");
  // The hour the clocks skip still lands on that day, an hour on.
  EXPECT_EQ(format_local_input(*parse_local("2026-03-29T01:30", london), london), "2026-03-29T02:30");
  for (auto bad : {"", "2026-02-31T10:00", "2026-13-01T10:00", "2026-12-05 10:30", "2026-12-05T24:00",
                   "2026-12-05T10:3x", "0999-12-05T10:30", "2026-12-05T10:30Z", "2026-12-05"})
    EXPECT_FALSE(parse_local(bad, london)) << bad;
}

TEST(Dateline, DeskTimesIgnoreTheLocalesDigitsAndTakeARepeatedHourFirst) {
  Locality cairo{"ar_EG", "Africa/Cairo"};
  auto t = *parse_rfc3339("2026-12-05T08:30:00Z");
  EXPECT_EQ(format_local_input(t, cairo), "2026-12-05T10:30") << "ASCII digits for the form, not the locale's";
  EXPECT_EQ(parse_local("2026-12-05T10:30", cairo), t);
  Locality bangkok{"th_TH", "Asia/Bangkok"};
  EXPECT_EQ(format_local_input(t, bangkok), "2026-12-05T15:30") << "Gregorian years, not the Buddhist era";
  // New York, 1 November 2026: 01:30 happens twice (EDT, then EST); the form means the first.
  Locality new_york{"en_US", "America/New_York"};
  EXPECT_EQ(format_rfc3339(*parse_local("2026-11-01T01:30", new_york)), "2026-11-01T05:30:00Z");
}

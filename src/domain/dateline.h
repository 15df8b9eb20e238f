// Dates as the publication shows them, in its IANA time zone and locale, through ICU. The process's TZ is
// never touched. Thread-safe: each call builds its own formatter (callers cache the rendered pages).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "util/text.h"

namespace tribune {

struct Locality {
  std::string locale = "en_GB";
  std::string time_zone = "Europe/London";
};

// "Monday 06 July 2009 00:00 BST" for en_GB/Europe/London (ICU pattern "EEEE dd MMMM yyyy HH:mm zzz").
std::string format_dateline(TimePoint t, const Locality& where);

// Formats with any ICU pattern, e.g. "d MMM yyyy" for listings.
std::string format_local(TimePoint t, const Locality& where, const std::string& pattern);

struct LocalDate {
  int year, month, day;
};
LocalDate local_date(TimePoint t, const Locality& where);

// "2026-12-05T10:30" (an HTML datetime-local value, seconds optional) read as a wall-clock time in the
// publication's zone (Gregorian, ASCII digits, whatever its locale); nullopt for anything else. A time a clock
// change skips is read as the zone's rules place it (an hour on); a repeated hour as its first occurrence.
std::optional<TimePoint> parse_local(std::string_view text, const Locality& where);
// The same instant as a datetime-local value: "2026-12-05T10:30".
std::string format_local_input(TimePoint t, const Locality& where);

// True when ICU knows the zone id (rejects typos such as "Europe/Londno").
bool is_known_time_zone(const std::string& zone);

}  // namespace tribune

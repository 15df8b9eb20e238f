#include "domain/dateline.h"

#include <unicode/calendar.h>
#include <unicode/smpdtfmt.h>
#include <unicode/timezone.h>

#include <map>
#include <memory>
#include <string>
#include <unordered_map>

#include "model/error.h"

namespace tribune {

namespace {
UDate to_udate(TimePoint t) {
  return static_cast<UDate>(t.time_since_epoch().count()) * 1000.0;
}
}  // namespace

namespace {

// ICU formatters and calendars cost tens of microseconds to build and are not safe to share between threads,
// so each thread keeps the few it uses (a page of 200 comments formats 200 times).
icu::SimpleDateFormat& formatter(const Locality& where, const std::string& pattern) {
  thread_local std::map<std::string, std::unique_ptr<icu::SimpleDateFormat>, std::less<>> cache;
  std::string key = where.locale + '\n' + where.time_zone + '\n' + pattern;
  auto it = cache.find(key);
  if (it != cache.end()) return *it->second;
  UErrorCode status = U_ZERO_ERROR;
  auto fmt = std::make_unique<icu::SimpleDateFormat>(icu::UnicodeString::fromUTF8(pattern),
                                                     icu::Locale(where.locale.c_str()), status);
  if (U_FAILURE(status)) throw Error(ErrorKind::internal, "icu_failed", "date formatter unavailable");
  fmt->adoptTimeZone(icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(where.time_zone)));
  if (cache.size() >= 64) cache.clear();  // a handful in practice; never unbounded
  return *cache.emplace(std::move(key), std::move(fmt)).first->second;
}

icu::Calendar& calendar(const Locality& where) {
  thread_local std::map<std::string, std::unique_ptr<icu::Calendar>, std::less<>> cache;
  std::string key = where.locale + '\n' + where.time_zone;
  auto it = cache.find(key);
  if (it != cache.end()) return *it->second;
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::Calendar> cal(
      icu::Calendar::createInstance(icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(where.time_zone)),
                                    icu::Locale(where.locale.c_str()), status));
  if (U_FAILURE(status)) throw Error(ErrorKind::internal, "icu_failed", "calendar unavailable");
  if (cache.size() >= 64) cache.clear();
  return *cache.emplace(std::move(key), std::move(cal)).first->second;
}

}  // namespace

std::optional<TimePoint> parse_local(std::string_view text, const Locality& where) {
  // YYYY-MM-DDTHH:MM[:SS], digits where digits go.
  if (text.size() != 16 && text.size() != 19) return std::nullopt;
  auto digits = [&](size_t at, size_t n) -> std::optional<int> {
    int v = 0;
    for (size_t i = at; i < at + n; ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      v = v * 10 + (text[i] - '0');
    }
    return v;
  };
  if (text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':') return std::nullopt;
  if (text.size() == 19 && text[16] != ':') return std::nullopt;
  auto y = digits(0, 4), mo = digits(5, 2), d = digits(8, 2), h = digits(11, 2), mi = digits(14, 2);
  auto sec = text.size() == 19 ? digits(17, 2) : std::optional<int>(0);
  if (!y || !mo || !d || !h || !mi || !sec) return std::nullopt;
  if (*y < 1000 || *mo < 1 || *mo > 12 || *d < 1 || *d > 31 || *h > 23 || *mi > 59 || *sec > 59) return std::nullopt;
  // A Gregorian calendar whatever the site's locale (its digits and era are not the form's), and a repeated
  // hour read as its first occurrence.
  auto& cal = calendar(Locality{"en_US_POSIX", where.time_zone});
  cal.clear();
  cal.setRepeatedWallTimeOption(UCAL_WALLTIME_FIRST);
  cal.set(*y, *mo - 1, *d, *h, *mi, *sec);
  UErrorCode status = U_ZERO_ERROR;
  UDate when = cal.getTime(status);
  if (U_FAILURE(status)) return std::nullopt;
  // No 31 February: the calendar would roll it into March.
  if (cal.get(UCAL_DATE, status) != *d || cal.get(UCAL_MONTH, status) != *mo - 1 || U_FAILURE(status))
    return std::nullopt;
  return TimePoint(std::chrono::seconds(static_cast<int64_t>(when / 1000.0)));
}

std::string format_local_input(TimePoint t, const Locality& where) {
  return format_local(t, Locality{"en_US_POSIX", where.time_zone}, "yyyy-MM-dd'T'HH:mm");
}

std::string format_local(TimePoint t, const Locality& where, const std::string& pattern) {
  icu::UnicodeString out;
  formatter(where, pattern).format(to_udate(t), out);
  std::string utf8;
  out.toUTF8String(utf8);
  return utf8;
}

std::string format_dateline(TimePoint t, const Locality& where) {
  return format_local(t, where, "EEEE dd MMMM yyyy HH:mm zzz");
}

LocalDate local_date(TimePoint t, const Locality& where) {
  // An instant's date in a zone never changes, and every article's address asks for its publication time's
  // again (ArticleService::url_for, for each comment posted and each link on a page): each thread remembers
  // the dates it worked out for the zone it last used, which saves the calendar's 6,000 instructions.
  thread_local struct {
    std::string locale, zone;
    std::unordered_map<int64_t, LocalDate> dates;
  } memo;
  if (memo.locale != where.locale || memo.zone != where.time_zone) {
    memo.locale = where.locale;
    memo.zone = where.time_zone;
    memo.dates.clear();
  }
  int64_t key = t.time_since_epoch().count();
  if (auto it = memo.dates.find(key); it != memo.dates.end()) return it->second;
  UErrorCode status = U_ZERO_ERROR;
  auto& cal = calendar(where);
  cal.setTime(to_udate(t), status);
  LocalDate d{cal.get(UCAL_YEAR, status), cal.get(UCAL_MONTH, status) + 1, cal.get(UCAL_DATE, status)};
  if (U_FAILURE(status)) throw Error(ErrorKind::internal, "icu_failed", "calendar failed");
  if (memo.dates.size() >= 4096) memo.dates.clear();
  memo.dates.emplace(key, d);
  return d;
}

bool is_known_time_zone(const std::string& zone) {
  std::unique_ptr<icu::TimeZone> tz(icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(zone)));
  icu::UnicodeString id;
  tz->getID(id);
  return *tz != icu::TimeZone::getUnknown() && id != UNICODE_STRING_SIMPLE("Etc/Unknown");
}

}  // namespace tribune

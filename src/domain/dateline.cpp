#include "domain/dateline.h"

#include <unicode/calendar.h>
#include <unicode/smpdtfmt.h>
#include <unicode/timezone.h>

#include <map>
#include <memory>

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
  UErrorCode status = U_ZERO_ERROR;
  auto& cal = calendar(where);
  cal.setTime(to_udate(t), status);
  LocalDate d{cal.get(UCAL_YEAR, status), cal.get(UCAL_MONTH, status) + 1, cal.get(UCAL_DATE, status)};
  if (U_FAILURE(status)) throw Error(ErrorKind::internal, "icu_failed", "calendar failed");
  return d;
}

bool is_known_time_zone(const std::string& zone) {
  std::unique_ptr<icu::TimeZone> tz(icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(zone)));
  icu::UnicodeString id;
  tz->getID(id);
  return *tz != icu::TimeZone::getUnknown() && id != UNICODE_STRING_SIMPLE("Etc/Unknown");
}

}  // namespace tribune

#include "model/contribution.h"

namespace tribune {

std::string currency_symbol(const std::string& currency) {
  return currency == "GBP" ? "£" : currency == "USD" ? "$" : currency == "EUR" ? "€" : currency + " ";
}

std::string format_money(int64_t minor, const std::string& currency) {
  int64_t v = minor < 0 ? -minor : minor;
  std::string cents = std::to_string(v % 100);
  if (cents.size() < 2) cents = "0" + cents;
  return (minor < 0 ? "-" : "") + currency_symbol(currency) + std::to_string(v / 100) + "." + cents;
}

}  // namespace tribune

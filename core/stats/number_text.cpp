#include "core/stats/number_text.hpp"

#include <cmath>

#include <fmt/format.h>

namespace aidc {

std::string with_thousands(const std::string& digits) {
  const std::size_t start = (!digits.empty() && digits[0] == '-') ? 1 : 0;
  const std::size_t dot = digits.find('.');
  const std::size_t end = dot == std::string::npos ? digits.size() : dot;
  std::string out = digits.substr(0, start);
  for (std::size_t i = start; i < end; ++i) {
    if (i > start && (end - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out + digits.substr(end);
}

std::string people_number(double x) {
  if (!std::isfinite(x)) return "undefined";
  const double a = std::fabs(x);
  if (a >= 1e3 && a < 1e15) return with_thousands(fmt::format("{:.0f}", x));
  return fmt::format("{:.4g}", x);
}

}  // namespace aidc

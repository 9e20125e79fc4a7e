#include "core/io/utc_timestamp.hpp"

#include <ctime>

namespace aidc {

std::string utc_now_iso8601() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];  // "YYYY-MM-DDTHH:MM:SSZ" is 20 characters
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace aidc

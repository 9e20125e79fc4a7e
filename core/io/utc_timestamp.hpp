#pragma once
// The wall-clock time a results file records as its creation date (openPMD's `date`), in UTC.

#include <string>

namespace aidc {

// Now, as ISO 8601 in UTC to the second: "2026-12-02T10:08:11Z".
std::string utc_now_iso8601();

}  // namespace aidc

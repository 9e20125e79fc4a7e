#pragma once
// Numbers as people read them in console lines: thousands separators for large values, significant digits for
// the rest. No locale: the same text on every machine.

#include <string>

namespace aidc {

// 10436887.2 -> "10,436,887"; 8192 -> "8,192"; 1.38912 -> "1.389"; 1e17 -> "1e+17"; NaN -> "undefined".
std::string people_number(double x);

// "847730" -> "847,730" (sign and decimals kept); `digits` is a fixed-point number's text.
std::string with_thousands(const std::string& digits);

}  // namespace aidc

// Console numbers for people: thousands separators and significant digits, the same on every machine.
#include <catch2/catch.hpp>

#include <cmath>

#include "core/stats/number_text.hpp"

TEST_CASE("people_number groups thousands and keeps four significant digits below") {
  CHECK(aidc::people_number(10436887.2) == "10,436,887");
  CHECK(aidc::people_number(-435519826.0) == "-435,519,826");
  CHECK(aidc::people_number(12345.0) == "12,345");
  CHECK(aidc::people_number(8192.0) == "8,192");
  CHECK(aidc::people_number(999.5) == "999.5");
  CHECK(aidc::people_number(1.38912) == "1.389");
  CHECK(aidc::people_number(0.0) == "0");
  CHECK(aidc::people_number(2.3e17) == "2.3e+17");
  CHECK(aidc::people_number(std::nan("")) == "undefined");
  CHECK(aidc::with_thousands("847730.25") == "847,730.25");
  CHECK(aidc::with_thousands("-100") == "-100");
}

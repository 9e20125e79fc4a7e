// The EPW fuzzer's seeds and regression inputs (tests/fuzz/) through the fuzzer's own checks
// (tests/fuzz/epw_pipeline.hpp), in every build: each is read as a sane year or refused with a message.
#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/fuzz/epw_pipeline.hpp"

namespace fs = std::filesystem;

TEST_CASE("every EPW fuzzing seed and regression input is read as a sane year or refused with a message") {
  int inputs = 0;
  for (const char* folder : {"tests/fuzz/seeds/epw", "tests/fuzz/regressions/epw"}) {
    const fs::path dir = fs::path(AIDCSIM_SOURCE_DIR) / folder;
    if (!fs::is_directory(dir)) continue;
    for (const auto& f : fs::directory_iterator(dir)) {
      std::ifstream in(f.path(), std::ios::binary);
      const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      INFO(f.path().string());
      CHECK(aidc::fuzz::epw_finding(bytes.data(), bytes.size()).empty());
      ++inputs;
    }
  }
  CHECK(inputs >= 3);
}

TEST_CASE("the EPW fuzzer's full-year mode turns a header and one day into a year the reader accepts") {
  const fs::path seed = fs::path(AIDCSIM_SOURCE_DIR) / "tests/fuzz/seeds/epw/one_day_repeated.epw";
  std::ifstream in(seed, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  REQUIRE(text.size() > 1);
  const aidc::EpwFile f = aidc::parse_epw(aidc::fuzz::epw_full_year(std::string_view(text).substr(1)), "seed");
  CHECK(f.dry_bulb_c.size() == 8760);
  CHECK(f.missing.total() == 0);
}

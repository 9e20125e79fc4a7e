#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "core/model/export_control.hpp"
#include "core/scenario/catalog.hpp"
#include "scenario_fixtures.hpp"

using namespace aidc;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The accelerator's dense figures as the catalog gives them (null -> NaN).
AcceleratorFigures figures(const std::string& name) {
  static const Catalog catalog = Catalog::embedded();
  const nlohmann::json* e = catalog.entry("accelerators", name);
  REQUIRE(e != nullptr);
  auto num = [&](const char* key) { return e->contains(key) && (*e)[key].is_number() ? (*e)[key].get<double>() : kNaN; };
  return {name, num("fp4_dense_tflops"), num("fp8_dense_tflops"), num("bf16_dense_tflops"), num("logic_die_mm2")};
}

}  // namespace

TEST_CASE("TPP of each accelerator matches the export-control reference note") {
  // shared/data/export_control.md: TPP = dense TOPS x bit length at the precision that gives the most.
  CHECK(total_processing_performance(figures("a100-sxm-80gb")).tpp == Approx(312.0 * 16));   // 4,992 (BF16)
  CHECK(total_processing_performance(figures("h100-sxm")).tpp == Approx(1979.0 * 8));        // 15,832 (FP8)
  CHECK(total_processing_performance(figures("h200-sxm")).tpp == Approx(15832));
  CHECK(total_processing_performance(figures("l40s")).tpp == Approx(733.0 * 8));             // 5,864
  CHECK(total_processing_performance(figures("mi300x")).tpp == Approx(2615.0 * 8));          // 20,920
  CHECK(total_processing_performance(figures("b200")).tpp == Approx(9000.0 * 4));            // 36,000 (FP4)
  CHECK(total_processing_performance(figures("gb200")).tpp == Approx(10000.0 * 4));          // 40,000
  CHECK(total_processing_performance(figures("gaudi3")).tpp == Approx(1835.0 * 16));         // 29,360 (BF16)
  CHECK(total_processing_performance(figures("b200")).precision == "fp4");
  CHECK(total_processing_performance(figures("a100-sxm-80gb")).precision == "bf16");
}

TEST_CASE("performance density is TPP over the logic die area and unknown without one") {
  const AcceleratorFigures h100 = figures("h100-sxm");
  CHECK(performance_density(15832, h100.logic_die_mm2) == Approx(15832.0 / 814));  // about 19.4
  CHECK(performance_density(4992, 826) == Approx(6.04).epsilon(0.01));              // A100 about 6.0
  CHECK(std::isnan(performance_density(36000, figures("b200").logic_die_mm2)));
}

TEST_CASE("the 3A090 tiers switch exactly at their thresholds") {
  CHECK(classify_3a090(4800, kNaN) == ExportClass::Eccn3A090a);   // TPP alone
  CHECK(classify_3a090(4799, 5.92) == ExportClass::Eccn3A090a);   // TPP >= 1600 and PD >= 5.92
  CHECK(classify_3a090(4799, 5.91) == ExportClass::Eccn3A090b);   // 2400 <= TPP < 4800, 1.6 <= PD < 5.92
  CHECK(classify_3a090(2400, 1.6) == ExportClass::Eccn3A090b);
  CHECK(classify_3a090(2400, 1.59) == ExportClass::NotControlled);
  CHECK(classify_3a090(2399, 1.6) == ExportClass::NotControlled);  // below 2400 the density must reach 3.2
  CHECK(classify_3a090(2399, 3.2) == ExportClass::Eccn3A090b);
  CHECK(classify_3a090(1600, 3.2) == ExportClass::Eccn3A090b);
  CHECK(classify_3a090(1600, 5.92) == ExportClass::Eccn3A090a);
  CHECK(classify_3a090(1599, 100) == ExportClass::NotControlled);  // under 1600 nothing is 3A090
  CHECK(classify_3a090(3000, kNaN) == ExportClass::Indeterminate);  // density decides but is unknown
  CHECK(export_class_name(ExportClass::Eccn3A090a) == "3A090.a");
}

TEST_CASE("every catalog data-center accelerator screens as 3A090.a") {
  for (const char* name : {"a100-sxm-80gb", "h100-sxm", "h200-sxm", "l40s", "mi300x", "b200", "gb200"}) {
    INFO(name);
    const AcceleratorFigures f = figures(name);
    const double tpp = total_processing_performance(f).tpp;
    CHECK(classify_3a090(tpp, performance_density(tpp, f.logic_die_mm2)) == ExportClass::Eccn3A090a);
  }
}

TEST_CASE("the deployment aggregate counts every accelerator and sums their TPP") {
  auto doc = test::small_scenario_json();
  doc["it"]["systems"] = {{{"name", "dgx-h100"}, {"count", 600}}, {{"name", "dgx-h200"}, {"count", 300}},
                          {{"name", "dgx-h100"}, {"count", 10}}, {{"name", "gb200-nvl72"}, {"count", 2}}};
  doc["site"]["grid"]["capacity_mw"] = 200;
  const auto rs = test::resolve(doc);
  const ComplianceReport r = assess_export_control(rs.scenario.it);
  REQUIRE(r.accelerators.size() == 3);
  CHECK(r.accelerators[0].accelerator == "h100-sxm");
  CHECK(r.accelerators[0].count == 610 * 8);
  CHECK(r.accelerators[2].count == 144);
  CHECK(r.accelerator_count == 610 * 8 + 300 * 8 + 144);
  CHECK(r.total_tpp == Approx((610.0 * 8 + 300.0 * 8) * 15832 + 144.0 * 40000));
  CHECK(r.controlled_3a090a_count == r.accelerator_count);
  CHECK(r.accelerators[2].performance_density_text.find("unknown") != std::string::npos);
  CHECK(r.accelerators[0].rule_date.find("2023-10-17") != std::string::npos);
  CHECK(r.note.find("not legal advice") != std::string::npos);
}

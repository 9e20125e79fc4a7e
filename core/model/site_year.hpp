#pragma once
// One replication of a site over its horizon: hourly weather, IT load, cooling and power chain, and the grid with
// its outages, UPS and generators, as a discrete-event simulation. Hour ticks, outage starts and ends, generator
// starts and failures, UPS depletion and fuel exhaustion are events; energy is integrated exactly between events,
// so an outage of 40 s inside an hour counts for 40 s.
//
// A pure function of (scenario, weather, replication): the same inputs give the same outputs on any thread.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/model/output_records.hpp"
#include "core/model/fleet_ops.hpp"
#include "core/model/weather.hpp"
#include "core/scenario/scenario.hpp"

namespace aidc {

// Hourly series, in the order of site_series_info(). Names are a public interface (tests, reports, users).
enum SiteSeries : std::size_t {
  kSeriesItPower,
  kSeriesCoolingPower,
  kSeriesLossPower,
  kSeriesFacilityPower,
  kSeriesDryBulb,
  kSeriesWetBulb,
  kSeriesPue,
  kSeriesWater,
  kSeriesGridImport,
  kSeriesBackupPower,
  kSeriesUnservedPower,
  kSeriesCarbon,
  kSeriesEnergyCost,
  kSeriesUtilization,
  kSeriesEconomizerFraction,
  kSeriesChillerCop,
  kSeriesCount
};
const std::vector<SeriesInfo>& site_series_info();

enum SiteEventKind : std::int32_t {
  kEventOutageStart,
  kEventOutageEnd,
  kEventGeneratorStartFailure,
  kEventGeneratorFailure,
  kEventUpsDepleted,
  kEventFuelExhausted,
  kEventCriticalLoadLost,
  kEventCriticalLoadRestored,
  kEventKindCount
};
const std::vector<std::string>& site_event_kind_names();

// Per-replication KPIs, in the order of site_kpi_info() (name, units, long_name).
enum SiteKpi : std::size_t {
  kKpiItEnergy,
  kKpiFacilityEnergy,
  kKpiPueAnnual,
  kKpiWue,
  kKpiWater,
  kKpiCarbon,
  kKpiEnergyCost,
  kKpiBackupHours,
  kKpiUnservedEnergy,
  kKpiCriticalUnservedEnergy,
  kKpiCriticalLoadLossHours,
  kKpiPowerAvailability,
  kKpiGridOutages,
  kKpiGeneratorStartFailures,
  kKpiFuelUsed,
  kKpiPeakFacilityPower,
  kKpiPueMaxHourly,
  kKpiFreeCoolingHours,
  kKpiCount
};
const std::vector<KpiInfo>& site_kpi_info();

struct SiteYearResult {
  std::vector<double> series;  // kSeriesCount × horizon_h, series-major
  std::vector<EventRecord> events;
  std::array<double, kKpiCount> kpis{};
  // With a fleet section (core/model/fleet_ops.hpp): kFleetSeriesCount × horizon_h, series-major, and the KPIs
  // of fleet_kpi_info(); empty otherwise. Fleet event records are in `events`, kinds after the site's.
  std::vector<double> fleet_series;
  std::vector<double> fleet_kpis;
  std::uint64_t fingerprint = 0;  // hash of the event sequence (engine fingerprint)
  std::uint64_t events_processed = 0;

  double at(SiteSeries s, std::size_t hour, std::size_t horizon_h) const { return series[s * horizon_h + hour]; }
};

// Weather for the replications of a site: the EPW year (the same for every replication) or a synthetic year drawn
// from each replication's own weather stream. What all replications share (the synthetic climatology) is computed
// once, in the constructor. The scenario and the EPW year must outlive it.
class SiteWeather {
 public:
  SiteWeather(const Scenario& s, const HourlyWeather* epw_year);
  HourlyWeather replication(int replication) const;

 private:
  const Scenario& s_;
  const HourlyWeather* epw_year_;  // null: synthetic
  std::optional<SyntheticClimate> climate_;
};

// One replication's weather, for a single call (a run uses SiteWeather, which prepares the climatology once).
HourlyWeather site_weather(const Scenario& s, const HourlyWeather* epw_year, int replication);

// `rates`: the workloads' operating points (one per s.workloads entry), needed when s.fleet.enabled.
SiteYearResult simulate_site_year(const Scenario& s, const HourlyWeather& weather, int replication,
                                  const std::vector<FleetWorkloadRate>& rates = {});

// Event kind names of a run: the site's, then the fleet's when the scenario has one.
std::vector<std::string> event_kind_names(const Scenario& s);

// RNG stream ids, one per random process, so that changing one process does not shift another's draws.
enum SiteRngStream : std::uint64_t { kStreamWeather = 1, kStreamOutages = 2, kStreamGenerators = 3 };

}  // namespace aidc

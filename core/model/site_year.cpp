#include "core/model/site_year.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <stdexcept>
#include <span>

#include "core/engine/rng.hpp"
#include "core/engine/sim_time.hpp"
#include "core/engine/simulator.hpp"
#include "core/model/cooling.hpp"
#include "core/model/grid_outages.hpp"
#include "core/model/it_load.hpp"
#include "core/model/power_chain.hpp"

namespace aidc {

const std::vector<SeriesInfo>& site_series_info() {
  static const std::vector<SeriesInfo> info = {
      {"it_power_w", "W", "IT power drawn by the systems (demand)"},
      {"cooling_power_w", "W", "cooling plant power (chillers, fans, pumps, towers, dry coolers)"},
      {"loss_power_w", "W", "electrical losses (transformers, UPS, PDUs) and miscellaneous load"},
      {"facility_power_w", "W", "total facility power demand = IT + cooling + losses"},
      {"dry_bulb_c", "degC", "outdoor dry-bulb temperature"},
      {"wet_bulb_c", "degC", "outdoor thermodynamic wet-bulb temperature"},
      {"pue", "1", "hourly power usage effectiveness = facility / IT"},
      {"water_l_per_h", "L/h", "cooling water consumption (evaporation, blowdown, drift, adiabatic spray)"},
      {"grid_import_w", "W", "power imported from the grid (hourly mean)"},
      {"backup_power_w", "W", "power supplied by UPS batteries and generators (hourly mean)"},
      {"unserved_power_w", "W", "demand not supplied by grid or backup (hourly mean)"},
      {"carbon_kg_per_h", "kg/h", "CO2 from grid imports and generator fuel"},
      {"energy_cost_usd_per_h", "USD/h", "cost of grid energy and generator fuel"},
      {"utilization", "1", "IT utilization (share of the dynamic power range)"},
      {"economizer_fraction", "1", "share of the chilled-water load carried by free cooling"},
      {"chiller_cop", "1", "chiller coefficient of performance at the hour's conditions"},
  };
  return info;
}

const std::vector<std::string>& site_event_kind_names() {
  static const std::vector<std::string> names = {
      "outage_start",        "outage_end",    "generator_start_failure", "generator_failure",
      "ups_depleted",        "fuel_exhausted", "critical_load_lost",     "critical_load_restored"};
  return names;
}

const std::vector<KpiInfo>& site_kpi_info() {
  static const std::vector<KpiInfo> info = {
      {"it_energy_mwh", "MWh", "IT energy demand over the horizon"},
      {"facility_energy_mwh", "MWh", "facility energy demand over the horizon"},
      {"pue_annual", "1", "energy-weighted PUE = facility energy / IT energy"},
      {"wue_l_per_kwh", "L/kWh", "water usage effectiveness = water / IT energy"},
      {"water_m3", "m3", "cooling water consumed"},
      {"carbon_t", "t", "CO2 from grid imports and generator fuel"},
      {"energy_cost_usd", "USD", "grid energy and generator fuel cost"},
      {"backup_hours", "h", "time with the grid down (on UPS or generators)"},
      {"unserved_energy_mwh", "MWh", "facility demand not supplied (IT and mechanical)"},
      {"critical_unserved_energy_mwh", "MWh", "critical (IT) load not supplied"},
      {"critical_load_loss_h", "h", "time with part of the critical (IT) load unpowered"},
      {"power_availability", "1", "share of the horizon with the critical load fully powered"},
      {"grid_outages", "1", "number of grid interruptions"},
      {"generator_start_failures", "1", "generator units that failed to start on demand"},
      {"fuel_used_l", "L", "generator diesel burned"},
      {"peak_facility_power_mw", "MW", "highest hourly facility power demand"},
      {"pue_max_hourly", "1", "highest hourly PUE"},
      {"free_cooling_hours", "h", "equivalent full hours of economizer (free) cooling"},
  };
  return info;
}

SiteWeather::SiteWeather(const Scenario& s, const HourlyWeather* epw_year)
    : s_(s), epw_year_(s.site.weather.kind == WeatherKind::Epw ? epw_year : nullptr) {
  if (!epw_year_) climate_ = synthetic_climate(s.site.weather.normals, s.site.elevation_m);
}

std::vector<std::string> event_kind_names(const Scenario& s) {
  std::vector<std::string> names = site_event_kind_names();
  if (s.fleet.enabled) names.insert(names.end(), fleet_record_kind_names().begin(), fleet_record_kind_names().end());
  return names;
}

HourlyWeather SiteWeather::replication(int replication) const {
  if (epw_year_) {
    // The EPW holds one year; longer horizons repeat it.
    HourlyWeather w;
    const std::size_t n = epw_year_->dry_bulb_c.size();
    w.dry_bulb_c.resize(s_.horizon_h);
    w.rh_pct.resize(s_.horizon_h);
    w.wet_bulb_c.resize(s_.horizon_h);
    for (int h = 0; h < s_.horizon_h; ++h) {
      w.dry_bulb_c[h] = epw_year_->dry_bulb_c[h % n];
      w.rh_pct[h] = epw_year_->rh_pct[h % n];
      w.wet_bulb_c[h] = epw_year_->wet_bulb_c[h % n];
    }
    return w;
  }
  const WeatherSpec& ws = s_.site.weather;
  const WeatherNoise noise{ws.noise_sd_c, ws.noise_autocorrelation_per_h, ws.dew_point_noise_sd_c,
                           ws.dew_point_coupling};
  RngStream rng(s_.seed, static_cast<std::uint64_t>(replication), kStreamWeather);
  std::vector<double> normals(noise_draws_needed(noise, s_.horizon_h));
  for (double& z : normals) z = rng.normal();
  return synthetic_weather(*climate_, s_.horizon_h, normals, noise);
}

HourlyWeather site_weather(const Scenario& s, const HourlyWeather* epw_year, int replication) {
  return SiteWeather(s, epw_year).replication(replication);
}

namespace {

enum EngineEventKind : std::uint32_t {
  kTickHour,
  kOutageStart,
  kOutageEnd,
  kGeneratorStart,
  kGeneratorFailure,
  kUpsDepleted,
  kFuelExhausted,
};

// The state of one site-year and its event handlers. Rates (W) are constant between events; advance() integrates
// them into the current hour's energy buckets.
class SiteYearModel {
 public:
  SiteYearModel(const Scenario& s, const HourlyWeather& weather, int replication,
                const std::vector<FleetWorkloadRate>& rates)
      : s_(s),
        weather_(weather),
        replication_(replication),
        horizon_h_(static_cast<std::size_t>(s.horizon_h)),
        generator_rng_(s.seed, static_cast<std::uint64_t>(replication), kStreamGenerators) {
    result_.series.assign(kSeriesCount * horizon_h_, 0.0);
    const GeneratorSpec& g = s_.facility.generators;
    fuel_capacity_l_ = g.fuel_autonomy_h * g.count * g.unit_capacity_w / 1000.0 * g.fuel_l_per_kwh;
    fuel_l_ = fuel_capacity_l_;
    // The UPS is sized for its ride-through at the rated critical load (all systems at full power).
    ups_capacity_j_ = s_.facility.ups.ride_through_s * critical_load_w(it_max_power_w(s_.it));
    ups_energy_j_ = ups_capacity_j_;
    it_idle_w_ = it_power_w(s_.it, 0.0);
    it_full_w_ = it_power_w(s_.it, 1.0);
    if (s_.fleet.enabled) {
      if (rates.size() != s_.workloads.size()) {
        throw std::logic_error("simulate_site_year: a fleet needs one operating point per workload");
      }
      fleet_ = std::make_unique<FleetOps>(s_, rates, replication_, static_cast<std::int32_t>(kEventKindCount),
                                          result_.events, result_.fleet_series);
    }
  }

  SiteYearResult run() {
    RngStream outage_rng(s_.seed, static_cast<std::uint64_t>(replication_), kStreamOutages);
    const double horizon_s = static_cast<double>(horizon_h_) * 3600.0;
    outages_ = sample_grid_outages(s_.site.grid, horizon_s, outage_rng);
    for (std::size_t i = 0; i < outages_.size(); ++i) {
      sim_.schedule_at(seconds_to_sim(outages_[i].start_s), kOutageStart, static_cast<std::uint32_t>(i));
    }
    sim_.schedule_at(0, kTickHour, 0);
    if (fleet_) fleet_->start(sim_);
    sim_.run_until(seconds_to_sim(horizon_s), [this](const Event& e, Simulator<>& sim) { handle(e, sim); });
    finish_kpis();
    result_.fingerprint = sim_.fingerprint();
    result_.events_processed = sim_.events_processed();
    return std::move(result_);
  }

 private:
  // UPS input power for an IT load: the critical load the UPS and generators must carry first.
  double critical_load_w(double it_w) const {
    const PowerChainSpec& pc = s_.facility.power_chain;
    return it_w / (pc.pdu_efficiency * pc.ups_efficiency);
  }

  double now_s() const { return sim_to_seconds(sim_.now()); }

  void handle(const Event& e, Simulator<>& sim) {
    advance(sim_to_seconds(e.time));
    if (e.kind >= kFleetEventBase) {
      // Fleet events change no facility rate inside the hour (IT power is hourly).
      fleet_->handle(e, sim);
      return;
    }
    switch (static_cast<EngineEventKind>(e.kind)) {
      case kTickHour: on_hour(e.target, sim); break;
      case kOutageStart: on_outage_start(e.target, sim); break;
      case kOutageEnd: on_outage_end(e.target); break;
      case kGeneratorStart: on_generator_start(e.target, sim); break;
      case kGeneratorFailure: on_generator_failure(e.target, e.payload); break;
      case kUpsDepleted:
        if (e.payload != epoch_) return;  // stale: the rates changed since it was scheduled
        ups_energy_j_ = 0.0;
        record(kEventUpsDepleted, "ups", 0, 0.0, 0.0);
        break;
      case kFuelExhausted:
        if (e.payload != epoch_) return;
        fuel_l_ = 0.0;
        record(kEventFuelExhausted, "generator", 0, 0.0, 0.0);
        break;
    }
    update_rates(sim);
  }

  void record(SiteEventKind kind, const char* component, std::int64_t id, double duration_s, double value) {
    result_.events.push_back({replication_, now_s(), kind, component, id, duration_s, value});
  }

  // Integrates the current rates from the last event to t into the current hour.
  void advance(double t_s) {
    const double dt = t_s - last_t_s_;
    if (dt <= 0.0) return;
    acc_grid_j_ += grid_w_ * dt;
    acc_backup_j_ += (gen_w_ + ups_w_) * dt;
    acc_unserved_j_ += unserved_w_ * dt;
    acc_critical_unserved_j_ += critical_unserved_w_ * dt;
    if (!grid_up_) backup_time_s_ += dt;
    if (critical_unserved_w_ > 0.0) critical_loss_s_ += dt;
    ups_energy_j_ = std::max(0.0, ups_energy_j_ - ups_w_ * dt);
    const double fuel_burn_l = gen_w_ / 1000.0 * dt / 3600.0 * s_.facility.generators.fuel_l_per_kwh;
    fuel_l_ = std::max(0.0, fuel_l_ - fuel_burn_l);
    acc_fuel_l_ += fuel_burn_l;
    last_t_s_ = t_s;
  }

  void on_hour(std::uint32_t hour, Simulator<>& sim) {
    if (hour > 0) {
      close_hour(hour - 1);
      if (fleet_) fleet_->close_hour(hour - 1);
    }
    if (hour >= horizon_h_) return;
    const double db = weather_.dry_bulb_c[hour];
    const double wb = weather_.wet_bulb_c[hour];
    double util = 0.0;
    CoolingResult cool;
    PowerFlows flows;
    auto facility_at = [&](double it_w) {
      cool = cooling_power(s_.facility.cooling, indoor_heat_w(s_.facility.power_chain, it_w), db, wb);
      flows = power_flows(s_.facility.power_chain, it_w, cool.cooling_power_w);
    };
    if (fleet_) {
      // The fleet's demand, capped where the cooling (above its design dry bulb) or the grid connection cannot
      // carry it; the fleet runs slower under the cap (FleetOps::set_supply, from update_rates).
      const double demand_w = fleet_->it_demand_w(hour);
      it_w_ = demand_w;
      const FleetSpec& f = s_.fleet;
      if (f.power_capping) {
        const double over_k = db - s_.site.design_dry_bulb_c;
        if (over_k > 0.0 && f.cooling_derate_per_k > 0.0) {
          const double cooling_share = std::max(0.0, 1.0 - f.cooling_derate_per_k * over_k);
          it_w_ = std::min(it_w_, cooling_share * it_full_w_);
        }
        facility_at(it_w_);
        // Facility power is nearly proportional to IT power: a few fixed-point steps bring it under the grid.
        for (int i = 0; i < 4 && flows.facility_power_w > s_.site.grid.capacity_w * (1.0 + 1e-9); ++i) {
          it_w_ *= s_.site.grid.capacity_w / flows.facility_power_w;
          facility_at(it_w_);
        }
      } else {
        facility_at(it_w_);
      }
      hour_cap_fraction_ = demand_w > 0.0 ? it_w_ / demand_w : 1.0;
      util = it_full_w_ > it_idle_w_ ? std::clamp((it_w_ - it_idle_w_) / (it_full_w_ - it_idle_w_), 0.0, 1.0) : 0.0;
    } else {
      util = utilization_at_hour(s_.it.utilization, hour);
      it_w_ = it_power_w(s_.it, util);
      facility_at(it_w_);
    }
    load_w_ = flows.facility_power_w;
    critical_w_ = std::min(load_w_, critical_load_w(it_w_));
    auto put = [&](SiteSeries k, double v) { result_.series[k * horizon_h_ + hour] = v; };
    put(kSeriesItPower, it_w_);
    put(kSeriesCoolingPower, cool.cooling_power_w);
    put(kSeriesLossPower, flows.loss_power_w);
    put(kSeriesFacilityPower, flows.facility_power_w);
    put(kSeriesDryBulb, db);
    put(kSeriesWetBulb, wb);
    put(kSeriesPue, it_w_ > 0.0 ? flows.facility_power_w / it_w_ : 1.0);
    put(kSeriesWater, cool.water_l_per_h);
    put(kSeriesUtilization, util);
    put(kSeriesEconomizerFraction, cool.economizer_fraction);
    put(kSeriesChillerCop, cool.chiller_cop);
    sim.schedule_at(static_cast<SimTime>(hour + 1) * kNsPerHour, kTickHour, hour + 1);
  }

  void close_hour(std::size_t hour) {
    const GridSpec& g = s_.site.grid;
    const GeneratorSpec& gen = s_.facility.generators;
    const std::size_t hod = hour % 24;
    const double grid_kwh = acc_grid_j_ / 3.6e6;
    auto put = [&](SiteSeries k, double v) { result_.series[k * horizon_h_ + hour] = v; };
    put(kSeriesGridImport, acc_grid_j_ / 3600.0);
    put(kSeriesBackupPower, acc_backup_j_ / 3600.0);
    put(kSeriesUnservedPower, acc_unserved_j_ / 3600.0);
    put(kSeriesCarbon, grid_kwh * g.carbon_kg_per_kwh * g.carbon_multiplier_by_hour[hod] + acc_fuel_l_ * gen.carbon_kg_per_l);
    put(kSeriesEnergyCost,
        grid_kwh * g.price_usd_per_kwh * g.price_multiplier_by_hour[hod] + acc_fuel_l_ * gen.fuel_price_usd_per_l);
    critical_unserved_j_total_ += acc_critical_unserved_j_;
    fuel_total_l_ += acc_fuel_l_;
    acc_grid_j_ = acc_backup_j_ = acc_unserved_j_ = acc_critical_unserved_j_ = acc_fuel_l_ = 0.0;
  }

  void on_outage_start(std::uint32_t index, Simulator<>& sim) {
    const GridOutage& o = outages_[index];
    grid_up_ = false;
    outage_ = index;
    generators_running_ = 0;
    record(kEventOutageStart, "grid", index, o.duration_s, load_w_);
    const double end_s = o.start_s + o.duration_s;
    const double horizon_s = static_cast<double>(horizon_h_) * 3600.0;
    if (end_s <= horizon_s) sim.schedule_at(seconds_to_sim(end_s), kOutageEnd, index);
    const GeneratorSpec& g = s_.facility.generators;
    if (g.count > 0 && g.start_time_s < o.duration_s) {
      sim.schedule_at(seconds_to_sim(o.start_s + g.start_time_s), kGeneratorStart, index);
    }
  }

  void on_generator_start(std::uint32_t index, Simulator<>& sim) {
    if (grid_up_ || outage_ != index) return;
    const GeneratorSpec& g = s_.facility.generators;
    for (int unit = 0; unit < g.count; ++unit) {
      if (generator_rng_.bernoulli(g.start_reliability)) {
        ++generators_running_;
        if (g.fail_to_run_per_h > 0.0) {
          const double t_fail = now_s() + generator_rng_.exponential(g.fail_to_run_per_h / 3600.0);
          const double end_s = outages_[index].start_s + outages_[index].duration_s;
          if (t_fail < end_s && t_fail < static_cast<double>(horizon_h_) * 3600.0) {
            sim.schedule_at(seconds_to_sim(t_fail), kGeneratorFailure, index, static_cast<std::uint64_t>(unit));
          }
        }
      } else {
        ++generator_start_failures_;
        record(kEventGeneratorStartFailure, "generator", unit, 0.0, 0.0);
      }
    }
  }

  void on_generator_failure(std::uint32_t index, std::uint64_t unit) {
    if (grid_up_ || outage_ != index || generators_running_ == 0) return;
    --generators_running_;
    record(kEventGeneratorFailure, "generator", static_cast<std::int64_t>(unit), 0.0, 0.0);
  }

  void on_outage_end(std::uint32_t index) {
    grid_up_ = true;
    generators_running_ = 0;
    // Assumptions: batteries recharge and the fuel tank is refilled before the next interruption.
    ups_energy_j_ = ups_capacity_j_;
    fuel_l_ = fuel_capacity_l_;
    record(kEventOutageEnd, "grid", index, outages_[index].duration_s, 0.0);
  }

  // Sets the supply rates for the current state, then schedules the next UPS or fuel depletion.
  void update_rates(Simulator<>& sim) {
    const double load = load_w_;
    const double critical = critical_w_;
    const double mechanical = load - critical;
    double critical_unserved = 0.0;
    double supply_scale = 1.0;  // below 1: the load is capped to the supply
    if (grid_up_) {
      grid_w_ = std::min(load, s_.site.grid.capacity_w);
      gen_w_ = ups_w_ = 0.0;
      // Above the grid's capacity the critical load is served first.
      critical_unserved = std::max(0.0, critical - grid_w_);
      unserved_w_ = load - grid_w_;
    } else {
      grid_w_ = 0.0;
      const GeneratorSpec& g = s_.facility.generators;
      const double capacity = fuel_l_ > 0.0 ? generators_running_ * g.unit_capacity_w : 0.0;
      if (fleet_ && s_.fleet.power_capping && capacity > 0.0 && capacity < load) {
        // Power capping: the IT load (and the cooling with it) is throttled to what the running generators carry,
        // instead of the UPS draining and racks dropping.
        supply_scale = capacity / load;
      }
      const double gen_critical = std::min(critical * supply_scale, capacity);
      const double gen_mechanical = std::min(mechanical * supply_scale, capacity - gen_critical);
      gen_w_ = gen_critical + gen_mechanical;
      const double critical_deficit = critical * supply_scale - gen_critical;
      ups_w_ = ups_energy_j_ > 0.0 ? critical_deficit : 0.0;
      critical_unserved = critical_deficit - ups_w_;
      unserved_w_ = load * supply_scale - gen_w_ - ups_w_;
    }
    const bool lost = critical_unserved > 1e-9 * std::max(1.0, critical);
    if (lost && critical_unserved_w_ <= 0.0) record(kEventCriticalLoadLost, "facility", 0, 0.0, critical_unserved);
    if (!lost && critical_unserved_w_ > 0.0) record(kEventCriticalLoadRestored, "facility", 0, 0.0, 0.0);
    critical_unserved_w_ = lost ? critical_unserved : 0.0;
    if (fleet_) {
      // The share of the fleet's demanded IT power delivered: the hour's cap, the generator cap, and whatever of
      // the critical load is unpowered.
      const double powered = lost && critical > 0.0 ? std::max(0.0, 1.0 - critical_unserved / (critical * supply_scale)) : 1.0;
      const double delivered = hour_cap_fraction_ * supply_scale * powered;
      if (delivered != delivered_ || lost != fleet_power_lost_) {
        delivered_ = delivered;
        fleet_power_lost_ = lost;
        fleet_->set_supply(sim, delivered, lost);
      }
    }

    ++epoch_;
    const double horizon_s = static_cast<double>(horizon_h_) * 3600.0;
    if (ups_w_ > 0.0) {
      const double t = now_s() + ups_energy_j_ / ups_w_;
      if (t < horizon_s) sim.schedule_at(std::max(sim.now(), seconds_to_sim(t)), kUpsDepleted, 0, epoch_);
    }
    if (gen_w_ > 0.0) {
      const double burn_l_per_s = gen_w_ / 1000.0 / 3600.0 * s_.facility.generators.fuel_l_per_kwh;
      const double t = now_s() + fuel_l_ / burn_l_per_s;
      if (t < horizon_s) sim.schedule_at(std::max(sim.now(), seconds_to_sim(t)), kFuelExhausted, 0, epoch_);
    }
  }

  void finish_kpis() {
    // The tick at the horizon (hour == horizon_h_) has closed the last hour.
    auto series = [&](SiteSeries k) {
      return std::span<const double>(result_.series.data() + k * horizon_h_, horizon_h_);
    };
    double it_j = 0, facility_j = 0, water_l = 0, carbon_kg = 0, cost = 0, unserved_j = 0, free_cooling_h = 0;
    double peak_w = 0, pue_max = 0;
    for (std::size_t h = 0; h < horizon_h_; ++h) {
      it_j += series(kSeriesItPower)[h] * 3600.0;
      facility_j += series(kSeriesFacilityPower)[h] * 3600.0;
      water_l += series(kSeriesWater)[h];
      carbon_kg += series(kSeriesCarbon)[h];
      cost += series(kSeriesEnergyCost)[h];
      unserved_j += series(kSeriesUnservedPower)[h] * 3600.0;
      free_cooling_h += series(kSeriesEconomizerFraction)[h];
      peak_w = std::max(peak_w, series(kSeriesFacilityPower)[h]);
      pue_max = std::max(pue_max, series(kSeriesPue)[h]);
    }
    auto& k = result_.kpis;
    const double it_kwh = it_j / 3.6e6;
    k[kKpiItEnergy] = it_j / 3.6e9;
    k[kKpiFacilityEnergy] = facility_j / 3.6e9;
    k[kKpiPueAnnual] = it_j > 0.0 ? facility_j / it_j : 1.0;
    k[kKpiWue] = it_kwh > 0.0 ? water_l / it_kwh : 0.0;
    k[kKpiWater] = water_l / 1000.0;
    k[kKpiCarbon] = carbon_kg / 1000.0;
    k[kKpiEnergyCost] = cost;
    k[kKpiBackupHours] = backup_time_s_ / 3600.0;
    k[kKpiUnservedEnergy] = unserved_j / 3.6e9;
    k[kKpiCriticalUnservedEnergy] = critical_unserved_j_total_ / 3.6e9;
    k[kKpiCriticalLoadLossHours] = critical_loss_s_ / 3600.0;
    k[kKpiPowerAvailability] = 1.0 - critical_loss_s_ / (static_cast<double>(horizon_h_) * 3600.0);
    k[kKpiGridOutages] = static_cast<double>(outages_.size());
    k[kKpiGeneratorStartFailures] = static_cast<double>(generator_start_failures_);
    k[kKpiFuelUsed] = fuel_total_l_;
    k[kKpiPeakFacilityPower] = peak_w / 1e6;
    k[kKpiPueMaxHourly] = pue_max;
    k[kKpiFreeCoolingHours] = free_cooling_h;
    if (fleet_) result_.fleet_kpis = fleet_->kpis(k[kKpiFacilityEnergy], water_l);
  }

  const Scenario& s_;
  const HourlyWeather& weather_;
  const int replication_;
  const std::size_t horizon_h_;
  Simulator<> sim_;
  RngStream generator_rng_;
  SiteYearResult result_;
  std::vector<GridOutage> outages_;
  std::unique_ptr<FleetOps> fleet_;  // with a fleet section
  double it_idle_w_ = 0.0, it_full_w_ = 0.0;  // all systems idle and at full power
  double hour_cap_fraction_ = 1.0;            // this hour's IT power / the fleet's demand (cooling, grid caps)
  double delivered_ = -1.0;                   // last supply share told to the fleet
  bool fleet_power_lost_ = false;

  // Load of the current hour.
  double it_w_ = 0.0, load_w_ = 0.0, critical_w_ = 0.0;
  // Supply state.
  bool grid_up_ = true;
  std::uint32_t outage_ = std::numeric_limits<std::uint32_t>::max();
  int generators_running_ = 0;
  double ups_capacity_j_ = 0.0, ups_energy_j_ = 0.0;
  double fuel_capacity_l_ = 0.0, fuel_l_ = 0.0;
  std::uint64_t epoch_ = 0;
  // Rates since the last event.
  double grid_w_ = 0.0, gen_w_ = 0.0, ups_w_ = 0.0, unserved_w_ = 0.0, critical_unserved_w_ = 0.0;
  double last_t_s_ = 0.0;
  // The current hour's energy.
  double acc_grid_j_ = 0.0, acc_backup_j_ = 0.0, acc_unserved_j_ = 0.0, acc_critical_unserved_j_ = 0.0;
  double acc_fuel_l_ = 0.0;
  // Totals.
  double backup_time_s_ = 0.0, critical_loss_s_ = 0.0, critical_unserved_j_total_ = 0.0, fuel_total_l_ = 0.0;
  int generator_start_failures_ = 0;
};

}  // namespace

SiteYearResult simulate_site_year(const Scenario& s, const HourlyWeather& weather, int replication,
                                  const std::vector<FleetWorkloadRate>& rates) {
  SiteYearModel model(s, weather, replication, rates);
  return model.run();
}

}  // namespace aidc

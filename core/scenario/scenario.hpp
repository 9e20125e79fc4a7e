#pragma once
// The resolved scenario: plain data, every catalog name already looked up and every default filled in.
// Models read these structs and nothing else; the parser (scenario/parse_scenario.hpp) is the only producer.
// Units are in the names. Times inside the simulation are seconds; the horizon is whole hours because the
// facility model steps hourly (weather, load and prices are hourly series).

#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "core/scenario/economics_spec.hpp"
#include "core/scenario/uncertainty_spec.hpp"
#include "kernels/accelerator_spec.hpp"
#include "kernels/llm_arch.hpp"

namespace aidc {

// Monthly climate normals of one city, from which a synthetic typical year is generated.
struct MonthlyClimate {
  std::string city;
  std::array<double, 12> mean_db_c{};         // monthly mean dry bulb
  std::array<double, 12> mean_daily_max_c{};  // monthly mean of daily maxima
  std::array<double, 12> mean_daily_min_c{};  // monthly mean of daily minima
  std::array<double, 12> mean_rh_pct{};       // monthly mean relative humidity
  std::string source;
  int diurnal_max_hour = 14;  // local hour of the daily maximum (diurnal minimum at 06:00)
};

// ASHRAE-style annual cooling design conditions (ASHRAE Handbook — Fundamentals ch. 14): the dry bulb exceeded in
// 0.4 %, 1 % and 2 % of the year's hours with the mean wet bulb coincident with it (MCWB), the wet bulb exceeded in
// 0.4 % of the hours with its mean coincident dry bulb (MCDB), and the extreme annual values. NaN where unknown.
struct DesignConditions {
  static constexpr double kUnknown = std::numeric_limits<double>::quiet_NaN();
  double db_0p4_c = kUnknown, mcwb_0p4_c = kUnknown;
  double db_1_c = kUnknown, mcwb_1_c = kUnknown;
  double db_2_c = kUnknown, mcwb_2_c = kUnknown;
  double wb_0p4_c = kUnknown, mcdb_wb_0p4_c = kUnknown;
  double extreme_annual_max_db_c = kUnknown;  // mean of the annual maxima (one year: that year's maximum)
  double extreme_max_wb_c = kUnknown;
  std::string source;
  bool has_0p4() const { return db_0p4_c == db_0p4_c && mcwb_0p4_c == mcwb_0p4_c && wb_0p4_c == wb_0p4_c; }
};

enum class WeatherKind { Synthetic, Epw };

struct WeatherSpec {
  WeatherKind kind = WeatherKind::Synthetic;
  std::string epw_path;   // resolved: relative to the scenario file's folder made absolute by load_scenario_file
  std::string epw_file;   // as written in the scenario (for messages); only for Epw
  MonthlyClimate normals; // only for Synthetic
  // The city's design conditions from the climate catalog (synthetic weather) or inline; NaN when unknown.
  DesignConditions design;
  // Weather noise: AR(1) anomalies per hour on the dry bulb and on the dew point, the dew point's correlated with
  // the dry bulb's. Defaults: the climate entry's fit to its design conditions (aidcsim fit-climate), else the
  // facility defaults catalog (assumptions).
  double noise_sd_c = 1.5;
  double noise_autocorrelation_per_h = 0.97;
  double dew_point_noise_sd_c = 0.0;
  double dew_point_coupling = 0.0;
  std::string noise_source;  // where the four noise parameters came from
};

struct GridSpec {
  double capacity_w = 0.0;                   // contracted import capacity at the point of connection
  double price_usd_per_kwh = 0.0;            // mean energy price
  std::array<double, 24> price_multiplier_by_hour{};   // time-of-use shape; 1.0 everywhere when flat
  double carbon_kg_per_kwh = 0.0;            // grid carbon intensity (annual mean)
  std::array<double, 24> carbon_multiplier_by_hour{};  // diurnal shape; 1.0 everywhere when flat
  double saidi_h_per_yr = 0.0;               // System Average Interruption Duration Index
  double saifi_per_yr = 0.0;                 // System Average Interruption Frequency Index
  double outage_duration_sigma = 1.0;        // lognormal shape of outage durations (mean = SAIDI/SAIFI)
};

struct SiteSpec {
  std::string name;
  std::string country;   // catalog country name
  std::string iso3;
  std::string city;
  double lat_deg = 0.0;
  double lon_deg = 0.0;
  double elevation_m = 0.0;
  double water_price_usd_per_m3 = 0.0;
  // Design conditions for plant and backup sizing: the 0.4 % dry bulb with its coincident wet bulb, and the 0.4 %
  // (evaporation) wet bulb with its coincident dry bulb; the design facility power is the larger of the two points.
  // Resolved from the scenario, else the weather (the city's catalog design conditions for a synthetic year, the
  // EPW year's own 0.4 % hours), else the country's 0.4 % dry bulb; design_basis says which.
  double design_dry_bulb_c = 35.0;
  double design_wet_bulb_c = 28.0;       // mean coincident wet bulb at design_dry_bulb_c
  double design_evap_wet_bulb_c = 28.0;  // 0.4 % wet bulb
  double design_evap_dry_bulb_c = 35.0;  // mean coincident dry bulb at design_evap_wet_bulb_c
  std::string design_basis;
  GridSpec grid;
  WeatherSpec weather;
};

enum class CoolingKind {
  AirCooledChiller,        // air-cooled chillers, optional dry-bulb economizer, CRAH fans
  WaterCooledChillerTower, // water-cooled chillers with cooling towers and a water-side economizer
  LiquidDryCooler          // direct liquid cooling to dry coolers (adiabatic assist), rest by air-cooled chillers
};

struct CoolingSpec {
  CoolingKind kind = CoolingKind::WaterCooledChillerTower;
  double chilled_water_supply_c = 15.0;  // chilled-water supply temperature (evaporator leaving)
  double chiller_carnot_fraction = 0.73; // COP = fraction * T_evap / (T_cond - T_evap); default by chiller type
  double chiller_cop_max = 12.0;         // cap on COP when lift is small (compressor minimum lift)
  double evaporator_approach_k = 2.0;    // refrigerant evaporating temperature below chilled-water supply
  double condenser_approach_k = 2.0;     // refrigerant condensing above the condenser water leaving a water-cooled chiller
  double air_condenser_approach_k = 20.5; // refrigerant condensing above the dry bulb in an air-cooled chiller
  double tower_approach_k = 4.0;         // tower leaving water above the wet bulb
  double drycooler_approach_k = 8.0;     // dry cooler (fluid cooler) leaving fluid above the dry bulb
  double economizer_approach_k = 2.0;    // heat-exchanger approach on the economizer path
  bool economizer = true;                // free cooling when outdoor conditions allow
  double liquid_fraction = 0.0;          // share of IT heat captured by liquid (LiquidDryCooler only)
  double liquid_supply_c = 32.0;         // facility water supply to the cold plates
  bool adiabatic_assist = true;          // spray on dry coolers when too hot for dry operation
  double adiabatic_effectiveness = 0.7;  // fraction of the wet-bulb depression gained by the spray
  double crah_fan_w_per_w = 0.04;        // air movers per watt of heat carried by air
  double pump_w_per_w = 0.015;           // chilled/condenser water pumps per watt of heat
  double tower_fan_w_per_w = 0.01;       // tower or dry-cooler fans per watt of heat rejected
  double cycles_of_concentration = 4.0;  // tower blowdown = evaporation / (cycles - 1)
  double drift_fraction = 0.0002;        // drift loss as a share of the circulating condenser water (0.02 %: older
                                         // eliminators; modern ones 0.001-0.005 %, CTI/EPA AP-42 13.4)
  // Added for the cooling model (core/model/cooling.hpp):
  double chilled_water_delta_t_k = 6.0;  // chilled-water return minus supply; the economizer's partial band
                                         // (assumption: near the conventional 10 F = 5.6 K design range)
  double condenser_water_range_k = 5.6;  // tower water range, sets circulating flow for drift (CTI rating 95/85 F)
  double tower_evaporated_share = 0.85;  // share of rejected heat leaving a wet tower as latent heat (rule of thumb
                                         // E = 0.00085 x flow x range_F, Perry's Chem. Eng. Handbook, cooling
                                         // towers: 0.85-0.9; the rest leaves as sensible heat)
  double liquid_loop_delta_t_k = 8.0;    // facility-water return minus supply on the liquid loop (assumption;
                                         // cold-plate loops run 5-10 K)
  double drycooler_air_delta_t_k = 10.0; // air temperature rise across a dry cooler, sets the air flow the
                                         // adiabatic spray must cool (assumption; typical 8-12 K at design)
};

struct PowerChainSpec {
  double transformer_efficiency = 0.99;  // medium-voltage transformers (all load)
  double ups_efficiency = 0.96;          // double-conversion UPS (critical load)
  double pdu_efficiency = 0.985;         // PDUs and busway (critical load)
  double misc_fraction_of_it = 0.01;     // lighting, offices, security (share of IT power)
};

struct UpsSpec {
  double ride_through_s = 300.0;  // battery autonomy at rated critical load
};

struct GeneratorSpec {
  int count = 0;
  std::string redundancy;             // "N", "N+1", "N+2", "2N" when the count was sized from the design load
  double unit_capacity_w = 0.0;
  double start_reliability = 0.99;    // probability that one unit starts on demand
  double start_time_s = 10.0;         // NFPA 110 Type 10
  double fuel_autonomy_h = 48.0;      // on-site fuel at the rated output of all units
  double fail_to_run_per_h = 0.0;     // failure rate of a running unit
  double fuel_l_per_kwh = 0.27;       // diesel use at load
  double carbon_kg_per_l = 2.68;      // diesel combustion CO2
  double fuel_price_usd_per_l = 1.0;
};

struct FacilitySpec {
  CoolingSpec cooling;
  PowerChainSpec power_chain;
  UpsSpec ups;
  GeneratorSpec generators;
};

// One system model from the catalog (a server or a rack) and how many of them the site holds.
struct SystemSpec {
  std::string name;
  std::string accelerator;
  int gpus_per_system = 0;
  int count = 0;
  double max_power_w = 0.0;
  double idle_power_fraction = 0.3;  // power at zero utilization as a share of max
  std::string cooling;               // "air", "liquid", "air-or-liquid"
  int scaleout_nics = 0;             // scale-out (back-end fabric) NICs per system
  double nic_gbps = 0.0;             // line rate of each of them
  std::string source;
  // From the accelerator catalog, for export-control screening (core/model/export_control.hpp); NaN = no figure.
  double fp4_dense_tflops = std::numeric_limits<double>::quiet_NaN();
  double fp8_dense_tflops = std::numeric_limits<double>::quiet_NaN();
  double bf16_dense_tflops = std::numeric_limits<double>::quiet_NaN();
  double logic_die_mm2 = std::numeric_limits<double>::quiet_NaN();
};

// Utilization of the IT fleet until workloads drive it (issue 4): a mean with a diurnal and weekly shape.
struct UtilizationProfile {
  double mean = 0.7;
  double diurnal_amplitude = 0.0;  // peak-to-mean, as a share of utilization
  double peak_hour = 14.0;         // local hour of the diurnal peak
  double weekend_factor = 1.0;     // multiplier on Saturdays and Sundays
};

struct ItSpec {
  std::vector<SystemSpec> systems;
  UtilizationProfile utilization;  // drives IT power only when the scenario has no "fleet" section
};

// ---- The fleet in operation (issue 4), from the optional "fleet" section --------------------------------------
// With a fleet section every workload is operated over the horizon (inference services against their demand,
// training jobs to their token count) on nodes (one node = one system of it.systems) that fail and are repaired;
// IT power then follows the nodes' work instead of it.utilization. Defaults come from the catalogs
// (fleet_defaults.json, failures.json, network.json, countries.json), each with its source.

// One failure process of a component kind. Failures of a kind arrive as a Poisson process per unit; `per` says
// what one unit is.
enum class FailureUnit {
  Gpu,     // per accelerator installed (rate × GPUs of the node)
  Node,    // per node
  Nic,     // per scale-out NIC (rate × NICs of the node)
  JobGpu   // per accelerator while it runs a training job (software faults, NCCL timeouts): interrupts the job,
           // the node is back after a restart, no part is needed
};

struct ComponentReliability {
  std::string kind;               // "accelerator", "hbm", "nic", "network", "host", "power_supply", "software", ...
  FailureUnit per = FailureUnit::Node;
  double failures_per_unit_h = 0.0;
  bool needs_part = true;         // a hardware part is replaced (from the on-site stock, else ordered)
  double repair_h = 0.0;          // hands-on time of one technician once the part is there (reboot time if no part)
  std::string source;
};

// The scale-out fabric (rail-optimized fat tree) built from one switch model.
struct NetworkSpec {
  std::string switch_model;       // network.json name
  int switch_radix = 64;          // ports per switch at the NIC line rate
  double port_gbps = 400.0;
  double switch_power_w = 0.0;    // per switch, typical at load with its optics excluded
  double optic_power_w = 0.0;     // per transceiver (each switch-to-switch link has two, each NIC link one or two)
  double switch_price_usd = 0.0;
  double oversubscription = 1.0;  // leaf downlinks per uplink (1: non-blocking)
  std::string source;
};

struct FleetSpec {
  bool enabled = false;
  int halls = 1;
  double rack_power_limit_w = 0.0;   // per rack; racks hold as many systems as fit (at least one, else bad input)
  int hot_spare_nodes = 0;           // healthy nodes kept out of the schedule to replace failed ones at once
  int technicians = 0;               // repairs in progress at the same time (FIFO queue beyond)
  double spare_parts_share = 0.0;    // initial on-site stock of each part kind, share of the units installed
  double parts_lead_time_h = 0.0;    // order to on-site of a part not in stock (shipping + customs of the country)
  std::string lead_time_source;
  double node_swap_h = 0.0;          // time to move a job or replica onto a healthy node (drain, reschedule)
  bool power_capping = true;         // when supply or cooling fall short, cap IT power instead of shedding it
  double dvfs_power_exponent = 3.0;  // dynamic power ∝ clock^exponent under a cap (throughput ∝ clock)
  double cooling_derate_per_k = 0.0; // share of cooling capacity lost per K of dry bulb above the design dry bulb
  double training_utilization = 1.0; // share of the dynamic power range a node draws while training
  NetworkSpec network;
  std::vector<ComponentReliability> components;
};

// Demand on an inference service: requests per second with a diurnal and weekly shape and yearly growth.
struct DemandSpec {
  double mean_requests_per_s = 0.0;  // at the start of the horizon, over a week
  double diurnal_amplitude = 0.0;    // peak-to-mean, as a share
  double peak_hour = 14.0;           // local hour of the diurnal peak
  double weekend_factor = 1.0;       // multiplier on Saturdays and Sundays
  double annual_growth = 0.0;        // compounded, e.g. 0.3 = +30 % per year
};

// A workload to estimate on the site's hardware (core/run/workload_estimates.hpp), from the optional "workloads"
// section (core/scenario/parse_workloads.cpp). Catalog names are resolved: `arch` from llm_models.json, `accel` from
// the accelerator of `system` (a system of it.systems). 0 in a parallelism field means "searched".
enum class WorkloadKind { Inference, Training };

// One class of requests in an inference service's length mix: its share of the requests and its lengths.
struct RequestClass {
  double share = 1.0;
  int isl = 0, osl = 0;
};

struct WorkloadSpec {
  std::string name;          // HDF5-safe: letters, digits, '-', '_'; results go to /perf/<name>
  WorkloadKind kind = WorkloadKind::Inference;
  std::string model;         // llm_models.json name
  std::string system;        // a system of it.systems
  std::string accelerator;   // that system's accelerator
  int gpus = 1;              // per serving instance (inference) or for the training job
  Precision precision = Precision::Fp8;
  // inference
  int isl = 0, osl = 0;      // input and output tokens per request (with a mix: the share-weighted means, rounded)
  std::vector<RequestClass> mix;  // request length mix; empty: every request has isl/osl
  int concurrency = 0;       // clients; 0: saturated
  double ttft_slo_s = 0.0;   // p99 bounds; 0: none
  double tpot_slo_s = 0.0;
  std::string engine = "trtllm";  // serving engine: "trtllm", "vllm", "sglang" or "trtllm-serve" (its KV policy, perf_estimates.hpp)
  std::string serving = "aggregated";  // "aggregated", "disaggregated" (prefill and decode instances apart) or "any"
  int prefill_instances = 0;  // disaggregated: fixed count of prefill instances (0: searched)
  int prefill_tp = 0;         // disaggregated: the prefill instances' tp (0: searched; tp is the decode instances')
  // training
  int seq = 0;
  double global_batch_tokens = 0.0;
  // fixed parallelism (0: searched); cp is training only
  int tp = 0, pp = 0, cp = 0;
  // training pipeline schedule: "searched", "1f1b", "zero-bubble" or "dualpipe"
  std::string schedule = "searched";
  // operation over the horizon (only with a "fleet" section)
  int priority = 0;                  // higher first when nodes are short
  int instances = 0;                 // inference: instances of `gpus` GPUs deployed; 0: enough for the horizon's peak demand
  DemandSpec demand;                 // inference
  double tokens = 0.0;               // training: tokens to train
  double start_h = 0.0;              // training: submission time
  double checkpoint_interval_s = 0.0;  // training: 0 = Young/Daly optimum sqrt(2 × checkpoint_s × job MTBF)
  double checkpoint_s = 0.0;         // training: job paused while a checkpoint is written
  double restart_s = 0.0;            // training: from interruption to running again (healthy nodes at hand)
  double deadline_d = 0.0;           // training: days from submission to completion that sizing must meet; 0: none
  LlmArch arch;
  AcceleratorSpec accel;
};

// ---- For the people who finance and review (issue 5) ----------------------------------------------------------
// The full-stack export package (optional "package" section, core/scenario/parse_package.cpp): what is offered,
// by whom, to which country, under which business model and with which federal support. Carried into the results
// (/package) for reviewers; it does not change the simulation.
struct ConsortiumMember {
  std::string name;
  std::string role;     // chips, servers, network, data_center, models, applications, cybersecurity, energy,
                        // integrator, financier, operator, other
  std::string country;  // where the member is based (free text, e.g. "USA")
};

struct PackageApplication {
  std::string name;
  std::string sector;  // health, agriculture, finance, education, government, energy, manufacturing, other
};

struct FederalSupport {
  std::string agency;      // EXIM, DFC, USTDA, other
  std::string instrument;  // loan_guarantee, direct_loan, political_risk_insurance, equity, grant,
                           // feasibility_study, other
  double amount_usd = 0.0;
  std::string note;
};

struct PackageSpec {
  bool enabled = false;
  std::string title;
  std::string target_country;  // must be the site's country
  std::vector<ConsortiumMember> consortium;
  std::string hardware;        // default: the fleet of it.systems
  std::string data_center;     // default: the site and its cooling
  std::string data_pipelines;
  std::vector<std::string> models;  // llm_models.json names
  std::vector<std::string> cybersecurity_controls;
  std::vector<PackageApplication> applications;
  std::string business_model;  // colocation, gpu_cloud, sovereign_ai, enterprise, tokens_as_a_service, other
  std::vector<FederalSupport> federal_support;
};

// A claim a sponsor makes about the site (optional "claims" section, core/scenario/parse_claims.cpp), checked
// against the simulated distribution of one KPI of the run (core/run/claims_outputs.hpp). The metric is resolved
// against the run's KPIs at run start: `metric` or, with a workload, "<workload>.<metric>" (aliases allowed).
struct ClaimSpec {
  std::string label;       // unique; default "<metric> <comparison> <target> <units>"
  std::string metric;      // as written: a KPI name or an alias (pue, availability, water_m3_per_year, ...)
  std::string workload;    // "" for a site-level claim
  std::string comparison;  // ">=", "<=", ">", "<"
  double target = 0.0;
  std::string units;       // "" = the KPI's units; "%" for a KPI in "1"
  std::string note;
};

// How a claim's probability of holding becomes a verdict (core/model/claims.hpp).
struct ClaimsPolicy {
  double supported_probability = 0.9;  // P(holds) at least this, and the interval's lower bound at least
  double at_risk_probability = 0.5;    // this, for "supported"; below this, "not supported"
  double confidence = 0.9;             // two-sided level of the Wilson interval on P(holds)
};

// What `aidcsim size` searches (core/run/sizing.hpp), from the optional "sizing" section
// (core/scenario/parse_sizing.cpp). Every field has a default, so a scenario without the section can be sized too.
enum class SizingObjective { Tco, Capex, UsdPerMillionTokens };

// One host site to compare: a country, optionally one of its climate cities, optionally its own weather (the
// sizing.sites entry's "weather" object, kept as JSON text for the site's patch, e.g. an EPW file or inline normals).
struct SizingSite {
  std::string label;         // as printed: "Japan", "Japan (Osaka)", "Japan (weather: tokyo.epw)"
  std::string country;       // countries.json name
  std::string city;          // a climate.json city; empty: the country's city
  std::string weather_json;  // the entry's "weather" object; empty: the city's climate
  bool is_scenario_site = false;  // the scenario's own country without a city or weather: the site kept whole
};

struct SizingSpec {
  bool enabled = false;                 // the scenario has a "sizing" section
  std::vector<std::string> candidates;  // systems.json names; default: the systems of it.systems
  std::vector<SizingSite> sites;        // default: the scenario's site
  SizingObjective objective = SizingObjective::Tco;
  int verify_replications = 4;          // replications of each verification run
  double slo_attainment = 0.999;        // every service's P10 slo_attainment over the replications must reach this
  int max_verification_runs = 60;       // per candidate and site: bounds the grow / shrink loops
  int minimality_replications = 16;     // replications of each "one step fewer must fail" run (>= verify_replications)
  std::vector<std::pair<std::string, double>> system_price_usd;  // prices of candidates without a catalog list price
};

struct Scenario {
  std::string name;
  std::string description;
  std::string source_path;  // the scenario file it came from
  SiteSpec site;
  FacilitySpec facility;
  ItSpec it;
  EconomicsSpec economics;
  std::vector<WorkloadSpec> workloads;  // empty without a "workloads" section
  FleetSpec fleet;                      // enabled only with a "fleet" section
  PackageSpec package;                  // enabled only with a "package" section
  std::vector<ClaimSpec> claims;        // empty without a "claims" section
  ClaimsPolicy claims_policy;
  SizingSpec sizing;                    // defaults unless a "sizing" section is given
  UncertaintySpec uncertainty;          // enabled only with an "uncertainty" section
  int horizon_h = 8760;
  std::uint64_t seed = 1;
  int replications = 1;
};

// Total nameplate IT power of the fleet.
double it_max_power_w(const ItSpec& it);

// Mean output tokens per request of an inference workload (over its mix, when it has one).
double mean_output_tokens(const WorkloadSpec& w);

}  // namespace aidc

#pragma once
// The scenario edits of `aidcsim size` (core/run/sizing.hpp) as RFC 6902 patches (core/scenario/
// scenario_patch.hpp): a variant is the scenario document plus these patches, resolved by the scenario resolver
// like any file, so every catalog-derived value (climate, prices, lead times) follows the variant.
//   - the command line's --sites / --candidates replace the sizing section's lists;
//   - a site in another country keeps only the site's name and grid capacity;
//   - a candidate system at given counts: one system entry, every workload on it at its precision, GPUs and
//     instances, economics priced for it (or dropped when no price is known).
// Pure functions of the document: no I/O, no resolution.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/scenario/catalog.hpp"
#include "core/scenario/scenario.hpp"
#include "core/scenario/scenario_patch.hpp"

namespace aidc {

// The sizing section's sites and candidates replaced by the given lists (an empty list keeps the section's).
ScenarioPatch sizing_lists_patch(const nlohmann::json& doc, const std::vector<std::string>& sites,
                                 const std::vector<std::string>& candidates);

// The site moved to `to`: the scenario's site section with only its name and grid capacity kept, plus the site's
// city and weather when it names them, so the resolver fills the city, climate, prices, carbon, reliability and
// design conditions from the catalog (or the site's own weather: an EPW file, inline normals); a package's target
// country moves with it. No operation for the scenario's own site (its inline normals or EPW kept).
ScenarioPatch site_patch(const nlohmann::json& doc, const SizingSite& to);

// One workload of a candidate variant, by its index in the document's workloads.
struct WorkloadVariant {
  std::string precision;         // the precision the candidate's accelerator supports
  bool training = false;
  std::optional<int> gpus;       // per instance (inference) or for the job; none: the document's
  std::optional<int> instances;  // inference: instances deployed; none: removed (the fleet sizes them)
};

struct CandidateVariant {
  std::string system;             // systems catalog name
  int systems = 0;                // it.systems count
  int hot_spare_nodes = 0;        // fleet.hot_spare_nodes (with a fleet section)
  int replications = 0;
  std::vector<WorkloadVariant> workloads;
  std::optional<double> system_price_usd;  // sizing.system_price_usd for the system, when given
};

// The document re-targeted to the candidate. Economics: the candidate's price (sizing.system_price_usd, the
// scenario's economics.system_price_usd, else the catalog's list price); without any, economics is removed; a
// scenario without economics gets the catalog's defaults when a price is known. economics.design_it_mw is
// removed (it scales with the sized IT); a fixed tp, pp or cp that does not divide the GPUs becomes 0 (searched).
ScenarioPatch candidate_patch(const nlohmann::json& doc, const Catalog& catalog, const CandidateVariant& v);

// The facility cooling a candidate system needs when the scenario's (facility.cooling.type, default
// kDefaultCoolingType) is not among the system's supported_cooling (systems catalog): `to` is the first type it
// supports, e.g. liquid_dry_cooler for a GB200 NVL72 rack on a scenario drawn for air-cooled DGX; `from` the
// scenario's. nullopt when the scenario's type fits or the catalog gives no list. candidate_patch applies it (the
// cooling section becomes that type with its defaults, chilled_water_supply_c kept).
struct CoolingChange {
  std::string from, to;
};
std::optional<CoolingChange> adapted_cooling(const nlohmann::json& doc, const Catalog& catalog,
                                             const std::string& system);

}  // namespace aidc

// The scheduler of the fleet: who owns each healthy node. A node is a hot spare, idle, or held by a group (the nodes
// of a training job or of inference instances). A group that lacks nodes takes them from the hot spares (only to
// replace a lost node), then from the idle nodes, then from the lowest-priority instance below its own priority
// (pre-emption); if still short, it waits. A repaired or freed node goes to the most urgent waiting group of its
// pool, else back to the hot spares (up to their target), else idle.
//
// Every choice uses an index kept per pool (Pool::waiting, Pool::preemptible), so it costs O(log groups): a service
// deploying far more instances than the site holds leaves many groups waiting without slowing the run.

#include <algorithm>
#include <cmath>

#include "core/model/fleet_state.hpp"

namespace aidc {

using namespace fleet_detail;

// Hot spares: shared out over the pools in proportion to their nodes (largest remainder). Spares are the pool's last
// nodes; the rest start idle.
void FleetOps::Impl::share_hot_spares(int total_nodes) {
  const int spares_total = std::min(f.hot_spare_nodes, total_nodes);
  std::vector<int> share(pools.size(), 0);
  if (spares_total > 0 && total_nodes > 0) {
    std::vector<std::pair<double, std::size_t>> rem;
    int given = 0;
    for (std::size_t i = 0; i < pools.size(); ++i) {
      const double exact = static_cast<double>(spares_total) * pools[i].count / total_nodes;
      share[i] = static_cast<int>(std::floor(exact));
      given += share[i];
      rem.push_back({exact - share[i], i});
    }
    std::stable_sort(rem.begin(), rem.end(), [](auto& a, auto& b) { return a.first > b.first; });
    for (std::size_t j = 0; given < spares_total && j < rem.size(); ++j, ++given) ++share[rem[j].second];
  }
  for (std::size_t i = 0; i < pools.size(); ++i) {
    Pool& p = pools[i];
    p.spare_target = std::min(share[i], p.count);
    // Lists are stacks: push in reverse so that the lowest node ids are handed out first.
    for (int n = p.first + p.count - 1; n >= p.first; --n) {
      push_idle(n, n >= p.first + p.count - p.spare_target ? kSpare : kFree);
    }
  }
}

// ---- Node lists -------------------------------------------------------------------------------------------------

// Every change of a node's owner goes through here, which keeps the count of GPUs allocated to workloads.
void FleetOps::Impl::set_owner(int n, int owner) {
  Node& node = nodes[static_cast<std::size_t>(n)];
  const int gpus = pools[static_cast<std::size_t>(node.pool)].gpus;
  if (node.owner >= 0) allocated_gpus -= gpus;
  if (owner >= 0) allocated_gpus += gpus;
  node.owner = owner;
}

// Node `n` on its pool's list of hot spares (owner kSpare) or of idle nodes (kFree).
void FleetOps::Impl::push_idle(int n, int owner) {
  Node& node = nodes[static_cast<std::size_t>(n)];
  Pool& p = pools[static_cast<std::size_t>(node.pool)];
  set_owner(n, owner);
  const bool spare = owner == kSpare;
  (spare ? p.spares : p.frees).push_back({n, ++node.stamp});
  ++(spare ? p.spare_count : p.free_count);
}

int FleetOps::Impl::pop_list(std::vector<std::pair<int, std::uint32_t>>& list, int owner) {
  while (!list.empty()) {
    const auto [n, stamp] = list.back();
    list.pop_back();
    const Node& node = nodes[static_cast<std::size_t>(n)];
    if (node.owner == owner && node.stamp == stamp) return n;
  }
  return -1;
}

// Node `n` joins group `gi` (its owner is already set); a service group holding a node can be pre-empted.
void FleetOps::Impl::add_member(int gi, int n) {
  Group& g = groups[static_cast<std::size_t>(gi)];
  g.nodes.push_back(n);
  if (g.service >= 0 && g.nodes.size() == 1) {
    pools[static_cast<std::size_t>(g.pool)].preemptible.insert({g.priority, -gi});
  }
}

void FleetOps::Impl::remove_member(int gi, int n) {
  Group& g = groups[static_cast<std::size_t>(gi)];
  g.nodes.erase(std::find(g.nodes.begin(), g.nodes.end(), n));
  if (g.service >= 0 && g.nodes.empty()) pools[static_cast<std::size_t>(g.pool)].preemptible.erase({g.priority, -gi});
}

// A healthy node for a group of priority `priority` in pool `pi`: a hot spare (replacements only: a first
// placement leaves the spares alone), an idle node, or the last node of the lowest-priority instance below
// `priority` (pre-emption; ties: the latest group, so the first deployed keep serving). -1 when none. A group never
// pre-empts itself (only strictly lower priorities).
int FleetOps::Impl::take_node(int pi, int priority, bool use_spares) {
  Pool& p = pools[static_cast<std::size_t>(pi)];
  if (use_spares && p.spare_count > 0) {
    const int n = pop_list(p.spares, kSpare);
    if (n >= 0) {
      --p.spare_count;
      return n;
    }
  }
  if (p.free_count > 0) {
    const int n = pop_list(p.frees, kFree);
    if (n >= 0) {
      --p.free_count;
      return n;
    }
  }
  if (p.preemptible.empty() || p.preemptible.begin()->first >= priority) return -1;
  const int victim = -p.preemptible.begin()->second;
  const int n = groups[static_cast<std::size_t>(victim)].nodes.back();
  remove_member(victim, n);
  set_owner(n, kFree);
  pending_member_loss.push_back(victim);
  return n;
}

// A healthy node back in the pool: to the most urgent waiting group of its pool (highest priority, then the first
// group), else a hot spare (up to the target), else idle.
void FleetOps::Impl::release_node(int n, Simulator<>& sim) {
  Node& node = nodes[static_cast<std::size_t>(n)];
  Pool& p = pools[static_cast<std::size_t>(node.pool)];
  if (!p.waiting.empty()) {
    const int best = p.waiting.begin()->second;
    set_owner(n, best);
    ++node.stamp;
    add_member(best, n);
    const Group& g = groups[static_cast<std::size_t>(best)];
    if (static_cast<int>(g.nodes.size()) == g.size) group_complete(best, sim, false);
    return;
  }
  push_idle(n, p.spare_count < p.spare_target ? kSpare : kFree);
}

// ---- Groups -----------------------------------------------------------------------------------------------------

void FleetOps::Impl::set_waiting(int gi, bool on) {
  Group& g = groups[static_cast<std::size_t>(gi)];
  if (g.waiting == on) return;
  g.waiting = on;
  auto& waiting = pools[static_cast<std::size_t>(g.pool)].waiting;
  if (on) {
    waiting.insert({-g.priority, gi});
  } else {
    waiting.erase({-g.priority, gi});
  }
}

// Fills a group from the pool; true when complete. `initial`: placement at the start (no swap delay).
bool FleetOps::Impl::fill(int gi, Simulator<>& sim, bool initial) {
  Group& g = groups[static_cast<std::size_t>(gi)];
  while (static_cast<int>(g.nodes.size()) < g.size) {
    const int n = take_node(g.pool, g.priority, !initial);
    if (n < 0) break;
    set_owner(n, gi);
    ++nodes[static_cast<std::size_t>(n)].stamp;
    add_member(gi, n);
  }
  // Instances that gave up a node to this group lose it now (after the loop, so the scan stays consistent).
  std::vector<int> victims;
  victims.swap(pending_member_loss);
  for (int v : victims) member_lost(v, sim, -1);
  if (static_cast<int>(g.nodes.size()) < g.size) {
    set_waiting(gi, true);
    return false;
  }
  group_complete(gi, sim, initial);
  return true;
}

// A group has all its nodes: its job starts or restarts, its instances serve (after the swap time unless initial).
void FleetOps::Impl::group_complete(int gi, Simulator<>& sim, bool initial) {
  set_waiting(gi, false);
  Group& g = groups[static_cast<std::size_t>(gi)];
  if (g.job >= 0) {
    Job& j = jobs[static_cast<std::size_t>(g.job)];
    if (j.state != JobState::Waiting || power_lost) return;
    if (!j.started) {
      start_running(g.job, sim);
    } else {
      begin_restart(g.job, sim);
    }
    return;
  }
  ++g.epoch;
  if (initial) {
    activate_instance(gi, sim);
  } else {
    sim.schedule_at(sim.now() + seconds_to_sim(f.node_swap_h * 3600.0), kEvInstanceReady,
                    static_cast<std::uint32_t>(gi), g.epoch);
  }
}

// A group lost node `n` (-1: taken by pre-emption); it asks for a replacement.
void FleetOps::Impl::member_lost(int gi, Simulator<>& sim, int n) {
  Group& g = groups[static_cast<std::size_t>(gi)];
  ++g.epoch;
  if (g.job >= 0) {
    Job& j = jobs[static_cast<std::size_t>(g.job)];
    if (j.state == JobState::Running || j.state == JobState::Restarting) interrupt_job(g.job, sim, n);
  } else if (g.active) {
    deactivate_instance(gi, sim);
  }
  if (g.job >= 0 && jobs[static_cast<std::size_t>(g.job)].state == JobState::Done) return;
  fill(gi, sim, false);
}

}  // namespace aidc

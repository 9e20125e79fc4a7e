"""The reviewer's HTML report: render(results, sweep=None, paper="a4") -> one self-contained HTML document.

Each section is built by a small function from the loaded results (results.py) into a plain dict the jinja2
template lays out; a section whose data the file lacks is None and left out of the document. Numbers are
formatted here (formatting.py), charts drawn here (charts.py), so the template holds no arithmetic. The CSS is
inlined and the charts are inline SVG: the file opens offline and makes no request of any kind.
"""
import json
import os
import re

import numpy as np

from . import assumptions, charts, json_pointer
from . import formatting as fmt

try:
    import jinja2
except ImportError as e:  # told as a missing package by __main__
    raise ImportError(f"jinja2: {e}") from e

TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")
PAPER = {"a4": "A4", "letter": "letter"}
VERDICT_CLASS = {"supported": "ok", "at risk": "risk", "not supported": "bad"}
# Headline KPIs of the executive summary, in reading order (those the file lacks are skipped).
HEADLINE_KPIS = ("pue_annual", "peak_facility_power_mw", "facility_energy_mwh", "power_availability",
                 "accelerator_availability", "slo_attainment", "water_m3", "carbon_t", "capex_usd", "npv_usd",
                 "project_irr", "equity_irr", "min_dscr", "llcr", "levelized_usd_per_gpu_hour")
FINANCE_KPIS = ("npv_usd", "equity_npv_usd", "project_irr", "equity_irr", "min_dscr", "avg_dscr", "llcr", "plcr",
                "payback_years", "levelized_usd_per_gpu_hour", "levelized_usd_per_million_tokens", "capex_usd",
                "opex_usd_per_year", "senior_debt_usd", "gearing", "idc_usd")
SITE_KPIS = ("pue_annual", "pue_max_hourly", "peak_facility_power_mw", "it_energy_mwh", "facility_energy_mwh",
             "energy_cost_usd", "free_cooling_hours", "water_m3", "wue_l_per_kwh", "carbon_t")
BACKUP_KPIS = ("grid_outages", "backup_hours", "generator_start_failures", "fuel_used_l", "unserved_energy_mwh",
               "critical_unserved_energy_mwh", "critical_load_loss_h", "power_availability")
FLEET_KPIS = ("accelerator_availability", "failures", "lost_gpu_hours", "mean_time_to_repair_h", "spare_stockouts",
              "power_capped_hours", "allocated_gpu_hours")
SERVICE_KPIS = ("output_tokens_served", "slo_attainment", "service_availability", "output_tokens_per_mwh",
                "training_ettr", "training_interruptions", "inference_throughput_multiplier",
                "training_throughput_multiplier")
CASH_FLOW_COLUMNS = (("revenue_usd", "Revenue"), ("opex_usd", "Opex"), ("ebitda_usd", "EBITDA"),
                     ("tax_usd", "Tax"), ("maintenance_capex_usd", "Maint. capex"), ("cfads_usd", "CFADS"),
                     ("debt_service_usd", "Debt service"), ("dscr", "DSCR"), ("capex_usd", "Capex"),
                     ("project_cash_flow_usd", "Project cash flow"), ("equity_cash_flow_usd", "Equity cash flow"),
                     ("debt_outstanding_usd", "Debt outstanding"))
CAPEX_ATTRS = (("capex_systems_usd", "Systems (servers)"), ("capex_network_usd", "Network"),
               ("capex_building_usd", "Building and M&E plant"), ("capex_installation_usd", "Installation"),
               ("capex_spares_usd", "Spares"), ("idc_usd", "Interest during construction"))


# Titles a reader knows, for the KPIs whose long_name is a definition (the file's long_name is shown otherwise).
KPI_TITLES = {
    "pue_annual": "Annual PUE (facility energy / IT energy)",
    "pue_max_hourly": "Highest hourly PUE",
    "npv_usd": "Project NPV (unlevered, after tax, at financial close)",
    "equity_npv_usd": "Equity NPV (at financial close)",
    "project_irr": "Project IRR",
    "equity_irr": "Equity IRR",
    "min_dscr": "Minimum DSCR over the debt's life",
    "avg_dscr": "Average DSCR over the debt's life",
    "llcr": "Loan life cover ratio (LLCR)",
    "plcr": "Project life cover ratio (PLCR)",
    "payback_years": "Payback from financial close",
    "levelized_usd_per_gpu_hour": "Levelized cost per GPU-hour sold",
    "levelized_usd_per_million_tokens": "Levelized cost per million output tokens",
    "capex_usd": "Initial capex",
    "opex_usd_per_year": "Opex per year at COD prices",
    "senior_debt_usd": "Senior debt at COD (capitalised interest included)",
    "gearing": "Gearing (senior debt / capex and interest during construction)",
    "idc_usd": "Interest during construction",
    "power_availability": "Critical power availability (share of hours fully powered)",
    "accelerator_availability": "Accelerator availability (share of accelerator-hours healthy)",
    "slo_attainment": "SLO attainment (share of requested tokens served within SLOs)",
    "water_m3": "Cooling water consumed",
    "carbon_t": "CO\u2082 emitted (grid and generators)",
    "peak_facility_power_mw": "Peak hourly facility power",
    "facility_energy_mwh": "Facility energy over the horizon",
    "service_availability": "Hours in which every service met all its demand",
}


# ---- small helpers ------------------------------------------------------------------------------------------

def _kpi_title(name, long_name):
    """A KPI's title: a known one, else its long_name without the '(NaN: ...)' note meant for analysts."""
    if name in KPI_TITLES:
        return KPI_TITLES[name]
    text = re.sub(r"\s*\((NaN|nan)[^)]*\)", "", long_name or name).strip()
    return text[:1].upper() + text[1:]


def _kpi_row(results, name):
    k = results.kpis.get(name)
    if k is None:
        return None
    units = k.get("units", "")
    f = lambda x: fmt.kpi_value(name, units, x)  # noqa: E731
    defined = k.get("replications_defined", -1)
    note = ""
    if isinstance(defined, (int, float)) and 0 <= defined < results.replications:
        note = f"defined in {int(defined)} of {results.replications} replications"
    return dict(name=name, long_name=_kpi_title(name, k.get("long_name", name)), p10=f(k["p10"]), p50=f(k["p50"]), p90=f(k["p90"]),
                mean=f(k["mean"]), note=note)


def _kpi_rows(results, names):
    return [r for r in (_kpi_row(results, n) for n in names) if r]


def _scenario_get(scenario, pointer, default=None):
    return json_pointer.get(scenario, pointer, default)


def _figure(chart_id, svg, caption):
    return dict(id=chart_id, svg=svg, caption=caption)


def _series(results, name):
    return results.series.get(name)


# ---- sections -----------------------------------------------------------------------------------------------

def claim_sentence(c, attrs):
    """A claim's verdict in words: what was claimed, how often it held, the interval, what limits it."""
    n = int(c.get("replications") or 0)
    met = int(c.get("replications_met") or 0)
    undefined = int(c.get("replications_undefined") or 0)
    units, scale = c.get("units", ""), c.get("scale", 1.0)
    v = lambda x: fmt.claim_value(x, units, scale, c.get("target"))  # noqa: E731
    conf = attrs.get("confidence")
    conf_text = f"{fmt.percent(conf, 0)} interval" if conf is not None else "interval"
    s = (f"{c['verdict'].capitalize()}: the claim holds in {met} of {n} replications (probability "
         f"{fmt.percent(c['probability_met'], 0)}, {conf_text} {fmt.percent(c['probability_low'], 0)}\u2013"
         f"{fmt.percent(c['probability_high'], 0)}). Simulated P50 {v(c['p50'])} (P10 {v(c['p10'])}, "
         f"P90 {v(c['p90'])}) against a target of {fmt.comparison_words(c['comparison'])} {v(c['target'])}.")
    if undefined:
        s += f" In {undefined} replication{'s' if undefined != 1 else ''} the value is undefined (counted as not holding)."
    lf = c.get("limiting_factor") or "none"
    if lf != "none":
        s += f" Limiting factor: {lf} \u2014 {c.get('evidence', '')}."
    return s


def claims_context(results):
    if not results.claims:
        return None
    a = results.claims_attrs
    rows = []
    for c in results.claims:
        units, scale = c.get("units", ""), c.get("scale", 1.0)
        v = lambda x: fmt.claim_value(x, units, scale, c.get("target"))  # noqa: E731
        rows.append(dict(claim=c["claim"], verdict=c["verdict"], css=VERDICT_CLASS.get(c["verdict"], ""),
                         probability=fmt.percent(c["probability_met"], 0),
                         interval=fmt.range_text(fmt.percent(c["probability_low"], 0),
                                                 fmt.percent(c["probability_high"], 0)),
                         target=f"{fmt.comparison_words(c['comparison'])} {v(c['target'])}", p50=v(c["p50"]),
                         range=fmt.range_text(v(c["p10"]), v(c["p90"])),
                         limiting=c.get("limiting_factor") or "none", sentence=claim_sentence(c, a)))
    counts = {k: sum(1 for r in rows if r["verdict"] == k) for k in ("supported", "at risk", "not supported")}
    return dict(rows=rows, counts=counts, rule=a.get("rule", ""), interval=a.get("interval", ""),
                uncertainty=a.get("uncertainty", ""), confidence=a.get("confidence"))


def summary_context(results):
    s = results.scenario
    site = s.get("site", {})
    pkg = results.package or {}
    summary_rows = {r["field"]: r["value"] for r in pkg.get("summary", {}).get("rows", [])}
    systems = [f"{fmt.thousands(x.get('count'))} \u00d7 {x.get('name')}" for x in s.get("it", {}).get("systems", [])]
    cooling = _scenario_get(s, "/facility/cooling/type", "")
    site_line = ", ".join(x for x in (site.get("name"), site.get("city"), site.get("country")) if x)
    facts = [("Site", site_line),
             ("Grid connection", f"{fmt.thousands(_scenario_get(s, '/site/grid/capacity_mw'))} MW"
              if _scenario_get(s, "/site/grid/capacity_mw") is not None else ""),
             ("IT systems", fmt.words_list(systems)),
             ("Cooling", fmt.label(cooling) if cooling else ""),
             ("Simulated", f"{fmt.thousands(results.replications)} replications of "
                           f"{fmt.thousands(len(results.time_h))} hours"),
             ]
    package = None
    if pkg:
        package = dict(title=summary_rows.get("title", ""),
                       fields=[(fmt.label(k), v) for k, v in summary_rows.items() if k != "title"],
                       applications=pkg.get("applications", {}).get("rows", []),
                       consortium=pkg.get("consortium", {}).get("rows", []))
    asks = None
    support = pkg.get("federal_support")
    if support:
        asks = dict(rows=[dict(agency=r.get("agency"), instrument=fmt.label(r.get("instrument", "")),
                               amount=fmt.usd(r.get("amount_usd")), note=r.get("note", ""))
                          for r in support["rows"]],
                    total=fmt.usd(support["attrs"].get("total_usd")))
    financing = []
    if results.has_economics():
        a = results.cash_flows_attrs
        capex = sum(a.get(k, 0.0) for k, _ in CAPEX_ATTRS if k != "idc_usd")
        debt = a.get("senior_debt_usd")
        financing = [("Initial capex", fmt.usd(capex)), ("Senior debt at COD", fmt.usd(debt)),
                     ("Gearing", fmt.percent(a.get("gearing"))),
                     ("Tenor", f"{_scenario_get(s, '/economics/financing/tenor_years', fmt.MISSING)} years"),
                     ("Interest rate", fmt.percent(_scenario_get(s, "/economics/financing/interest_rate")))]
    return dict(title=summary_rows.get("title") or s.get("name", results.attrs.get("scenario_name", "")),
                description=s.get("description", ""), facts=[f for f in facts if f[1]], package=package,
                asks=asks, financing=financing, headline=_kpi_rows(results, HEADLINE_KPIS))


def warnings_context(results):
    if not results.warnings:
        return None
    return [dict(path=w.get("json_path", ""), value=w.get("value", ""), message=w.get("message", ""),
                 file=w.get("file", "")) for w in results.warnings]


def _months_normals(scenario):
    months = _scenario_get(scenario, "/site/weather/normals/months")
    if isinstance(months, list) and len(months) == 12 and all("mean_db_c" in m for m in months):
        return np.array([m["mean_db_c"] for m in months], dtype=float)
    return None


def _monthly_totals(series, scale):
    """[R, 12] monthly totals from monthly means of an hourly rate (e.g. L/h -> m3 per month)."""
    days = np.array(charts_days_per_month(), dtype=float)
    return series.monthly_mean * days[None, :] * 24.0 * scale


def charts_days_per_month():
    return (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def site_context(results):
    figures = []
    dry, wet = _series(results, "dry_bulb_c"), _series(results, "wet_bulb_c")
    if dry is not None or wet is not None:
        figures.append(_figure("climate-monthly", charts.climate_monthly(
            "climate-monthly", dry.monthly_mean if dry else None, wet.monthly_mean if wet else None,
            _months_normals(results.scenario)),
            "Monthly mean outdoor dry-bulb and wet-bulb temperature across replications (points: P50; whiskers: "
            "P10\u2013P90), with the climate normals the weather was drawn from."))
    pue = _series(results, "pue")
    if pue is not None:
        figures.append(_figure("pue-heatmap", charts.hourly_heatmap("pue-heatmap", pue.hourly_p50, results.step_h,
                                                                    "PUE (P50 across replications)", cmap="magma_r"),
                               "Hourly PUE (facility power / IT power) by day of the year and hour of the day, the "
                               "median across replications: the cooling plant's response to the climate."))
    fac = _series(results, "facility_power_w")
    if fac is not None and fac.sorted_p50 is not None:
        cap_mw = _scenario_get(results.scenario, "/site/grid/capacity_mw")
        it = _series(results, "it_power_w")
        figures.append(_figure("load-duration", charts.load_duration(
            "load-duration", fac.sorted_p10, fac.sorted_p50, fac.sorted_p90, results.step_h,
            cap_mw * 1e6 if cap_mw else None, it.sorted_p50 if it is not None else None),
            "Load-duration curve: facility power demand sorted from the highest hour down (band: P10\u2013P90 "
            "across replications) against the grid connection."))
    outages = None
    ev = results.events
    if ev is not None:
        grid = [o for o in ev.outages if o["kind"] == "outage_start"]
        svg = charts.outage_timeline("outages", ev.outages, results.replications,
                                     days=max(1, int(len(results.time_h) * results.step_h / 24)))
        caption = (f"Grid outages and backup events in every replication ({len(grid)} grid outages in "
                   f"{fmt.thousands(results.replications)} replications; bar length: outage duration, at least a "
                   "day wide to be visible; label: duration).")
        if not ev.outages:
            caption = "No grid outage or backup event in any replication."
        outages = dict(figure=_figure("outages", svg, caption), kpis=_kpi_rows(results, BACKUP_KPIS))
    water, carbon = _series(results, "water_l_per_h"), _series(results, "carbon_kg_per_h")
    panels = []
    water_note = ""
    if water is not None and not np.any(np.nan_to_num(water.monthly_mean) > 0):
        water_note = "No cooling water is consumed in any replication (the cooling plant uses none)."
        water = None
    if water is not None:
        panels.append(("Cooling water", "m\u00b3 per month", _monthly_totals(water, 1e-3), charts.BLUE))
    if carbon is not None:
        panels.append(("CO\u2082 emitted", "t per month", _monthly_totals(carbon, 1e-3), charts.GREY))
    if panels:
        figures_wc = _figure("water-carbon", charts.monthly_bars("water-carbon", panels),
                             "Monthly cooling water and CO\u2082 (grid imports and generator fuel): P50 bars with "
                             "P10\u2013P90 whiskers across replications.")
    else:
        figures_wc = None
    if not figures and outages is None and figures_wc is None:
        return None
    return dict(figures=figures, outages=outages, water_carbon=figures_wc, water_note=water_note,
                kpis=_kpi_rows(results, SITE_KPIS), design=_design_facts(results.scenario))


def _design_facts(scenario):
    """The design conditions the plant and the backup were sized for, and where they come from."""
    def temp(pointer):
        v = _scenario_get(scenario, pointer)
        return f"{v:.1f} \u00b0C" if isinstance(v, (int, float)) else None
    db, wb = temp("/site/design_dry_bulb_c"), temp("/site/design_wet_bulb_c")
    ewb, edb = temp("/site/design_evap_wet_bulb_c"), temp("/site/design_evap_dry_bulb_c")
    rows = []
    if db and wb:
        rows.append(("Design dry bulb (coincident wet bulb)", f"{db} ({wb})"))
    if ewb and edb:
        rows.append(("Design wet bulb (coincident dry bulb)", f"{ewb} ({edb})"))
    basis = _scenario_get(scenario, "/site/_design_basis")
    if basis:
        rows.append(("Design basis", basis))
    noise = _scenario_get(scenario, "/site/weather/_noise_from")
    if noise:
        rows.append(("Synthetic weather noise", noise))
    return rows


def fleet_context(results):
    up, down = _series(results, "accelerators_up"), _series(results, "accelerators_down")
    if not results.has_fleet() or up is None:
        return None
    figures = []
    if down is not None:
        total = up.daily_mean + down.daily_mean
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(total > 0, up.daily_mean / total, np.nan)
        figures.append(_figure("availability", charts.daily_band_chart(
            "availability", [("accelerators in healthy nodes", charts.GREEN, share)], "share of accelerators",
            percent=True, decimals=2),
            "Daily accelerator availability (accelerators in healthy nodes / all), P10\u2013P90 across "
            "replications."))
    ev = results.events
    if ev is not None and ev.failures_by_component:
        names = sorted(ev.failures_by_component, key=lambda c: -np.median(ev.failures_by_component[c]))
        vals = np.array([ev.failures_by_component[c] for c in names], dtype=float)
        p10, p50, p90 = np.percentile(vals, [10, 50, 90], axis=1)
        figures.append(_figure("failures", charts.horizontal_bars(
            "failures", [fmt.label(n) for n in names], p50, p10, p90, xlabel="failures over the horizon",
            value_text=[fmt.thousands(v) for v in p50], xformat="thousands"),
            "Failures by component over the horizon (bars: P50; whiskers: P10\u2013P90 across replications)."))
    repairs = []
    if ev is not None and ev.repair_hours_by_component:
        spread = False
        for comp, h in sorted(ev.repair_hours_by_component.items(), key=lambda kv: -float(np.median(kv[1]))):
            h = np.asarray(h, dtype=float)
            p5, p50, p95 = np.percentile(h, [5, 50, 95])
            spread = spread or p95 > p5 * 1.05 + 1e-9
            repairs.append(dict(component=fmt.label(comp), repairs=fmt.thousands(h.size), mean=fmt.hours(h.mean()),
                                p50=fmt.hours(p50), p95=fmt.hours(p95), max=fmt.hours(h.max())))
        if spread:
            figures.append(_figure("repairs", charts.repair_boxes("repairs", ev.repair_hours_by_component),
                                   "Repair times by component, from the failure to the node's return (waiting for "
                                   "a technician or a part included), over all replications."))
    caps = ev.power_caps if ev is not None else []
    if caps:
        episodes = [dict(kind="power_cap", replication=c["replication"], time_h=c["start_h"],
                         duration_h=c["end_h"] - c["start_h"], text=f"clock {fmt.percent(c['clock'])}")
                    for c in caps]
        figures.append(_figure("power-capping", charts.outage_timeline(
            "power-capping", episodes, results.replications, days=max(1, int(len(results.time_h) * results.step_h / 24))),
            "Power capping episodes in every replication: when the site delivered less than the demanded IT power "
            "and the accelerators ran below nominal clock (label: the clock at the start, as a share of nominal)."))
    racks = results.fleet_racks_attrs or {}
    facts = []
    if racks:
        facts += [("Racks", fmt.thousands(racks.get("racks"))), ("Nodes", fmt.thousands(racks.get("nodes"))),
                  ("Halls", fmt.thousands(racks.get("halls"))),
                  ("Rack power limit", fmt.power_w(racks.get("rack_power_limit_w")))]
    fa = results.fleet_fabric_attrs
    if fa:
        facts += [("Fabric", f"{fmt.thousands(fa.get('tiers'))}-tier fat tree of {fa.get('switch', '')}, "
                             f"{fmt.thousands(fa.get('switches'))} switches, {fmt.thousands(fa.get('links'))} links, "
                             f"{fmt.thousands(fa.get('transceivers'))} transceivers"),
                  ("Fabric power", fmt.power_w(fa.get("power_w")))]
    cap_text = ""
    if caps:
        hours_capped = sum(c["end_h"] - c["start_h"] for c in caps)
        cap_text = (f"{len(caps)} capping episodes over all replications, {fmt.hours(hours_capped)} in all; the "
                    f"lowest clock {fmt.percent(min(c['clock'] for c in caps))} of nominal.")
    if not caps:
        cap_text = "No power capping in any replication: the site always delivered the demanded IT power."
    return dict(figures=figures, kpis=_kpi_rows(results, FLEET_KPIS), facts=facts, cap_text=cap_text,
                repairs=repairs)


def _chosen_rows(perf):
    rows = []
    for w, p in perf.items():
        a, c = p["attrs"], p["chosen"]
        if a.get("type") == "inference":
            layout = f"TP {c.get('tp', 0):.0f} \u00d7 PP {c.get('pp', 0):.0f}, EP {c.get('ep', 0):.0f}, " \
                     f"max batch {fmt.thousands(c.get('max_batch'))}"
            prefill = c.get("prefill_instances", 0) or 0
            if prefill > 0:  # disaggregated: the split and the prompt KV's trip
                decode = (c.get("replicas", 0) or 0) - prefill
                prefill_tp = c.get("prefill_tp", 0) or 0  # absent in files written before the column existed
                own_tp = f" at TP {prefill_tp:.0f}" if prefill_tp > 0 and prefill_tp != c.get("tp", 0) else ""
                layout += (f"; {prefill:.0f} prefill{own_tp} + {decode:.0f} decode instances, KV transfer "
                           f"{fmt.number((c.get('kv_transfer_s', 0) or 0) * 1e3)} ms per prompt")
            if a.get("engine", "trtllm") != "trtllm":
                layout += f"; {a.get('engine')}"
            perf_text = (f"{fmt.thousands(c.get('output_tokens_per_s_per_gpu'))} output tokens/s per GPU; "
                         f"TTFT p99 {fmt.number(c.get('ttft_p99_s'))} s; TPOT p99 "
                         f"{fmt.number(c.get('tpot_p99_s', float('nan')) * 1e3)} ms; "
                         f"{'meets' if c.get('meets_slo') else 'misses'} the SLOs")
            within = c.get("requests_within_slo")
            if not fmt.is_missing(within):  # absent in files written before the column existed
                perf_text += f" ({fmt.number(within * 100)} % of requests within them)"
        else:
            layout = (f"TP {c.get('tp', 0):.0f} \u00d7 PP {c.get('pp', 0):.0f} \u00d7 DP {c.get('dp', 0):.0f}"
                      f", CP {c.get('cp', 0):.0f}, micro-batch {c.get('micro_batch', 0):.0f}, ZeRO "
                      f"{c.get('zero', 0):.0f}")
            ep = c.get("ep", 1) or 1
            if ep > 1:  # MoE: the expert-parallel degree
                layout += f", EP {ep:.0f}"
            etp = c.get("etp")  # absent in files written before the column existed
            if not fmt.is_missing(etp) and etp != c.get("tp"):  # MoE parallel folding
                layout += f", expert TP {etp:.0f}"
            perf_text = (f"step {fmt.number(c.get('step_time_s'))} s; {fmt.big(c.get('tokens_per_s'), 'tokens/s')}; "
                         f"MFU {fmt.percent(c.get('mfu'))}")
        rows.append(dict(workload=w, type=a.get("type", ""), model=a.get("model", ""),
                         hardware=f"{a.get('system', '')} ({a.get('accelerator', '')}), {a.get('precision', '')}",
                         gpus=fmt.thousands(a.get("gpus")), layout=layout, performance=perf_text,
                         evaluated=fmt.thousands(a.get("configs_evaluated"))))
    return rows


def _pareto_figures(results):
    figures = []
    for w, p in results.perf.items():
        cfg, a, c = p.get("configs"), p["attrs"], p["chosen"]
        if not cfg:
            continue
        feasible = cfg.get("feasible", np.ones(0)) > 0
        if a.get("type") == "inference" and "tpot_p50_s" in cfg and "output_tokens_per_s_per_gpu" in cfg:
            with np.errstate(divide="ignore", invalid="ignore"):
                x = 1.0 / cfg["tpot_p50_s"]
                cx = 1.0 / c.get("tpot_p50_s", np.nan)
            svg = charts.search_scatter(f"pareto-{w}", x, cfg["output_tokens_per_s_per_gpu"], feasible,
                                        cfg.get("meets_slo", feasible) > 0,
                                        (cx, c.get("output_tokens_per_s_per_gpu", np.nan)),
                                        "tokens/s per user (1 / median TPOT)", "output tokens/s per GPU",
                                        True, True, "meets the SLOs")
            caption = (f"{w}: the inference search's {fmt.thousands(a.get('configs_evaluated'))} configurations, "
                       "throughput per GPU against per-user speed; the Pareto front of those meeting the SLOs and "
                       "the chosen point (highest throughput meeting them).")
        elif "memory_bytes_per_gpu" in cfg and "tokens_per_s" in cfg:
            x = cfg["memory_bytes_per_gpu"] / 1e9
            usable = cfg.get("usable_bytes_per_gpu")
            fits = feasible if usable is None else feasible & (cfg["memory_bytes_per_gpu"] <= usable)
            svg = charts.search_scatter(f"pareto-{w}", x, cfg["tokens_per_s"] / 1e6, feasible, fits,
                                        (c.get("memory_bytes_per_gpu", np.nan) / 1e9,
                                         c.get("tokens_per_s", np.nan) / 1e6),
                                        "memory per GPU (GB)", "million tokens/s (whole job)", False, True,
                                        "fits in memory")
            caption = (f"{w}: the training search's {fmt.thousands(a.get('configs_evaluated'))} configurations "
                       "that fit, job throughput against memory per GPU; the Pareto front (more throughput for "
                       "less memory) and the chosen point (shortest step time).")
        else:
            continue
        figures.append(_figure(f"pareto-{w}", svg, caption))
    return figures


def _training_rows(results):
    rows = []
    for w, p in results.perf.items():
        if p["attrs"].get("type") != "training":
            continue
        ttt = results.kpis.get(f"{w}.time_to_train_d")
        prog = results.kpis.get(f"{w}.progress")
        if ttt is None:
            continue
        defined = int(ttt.get("replications_defined", results.replications))
        rows.append(dict(workload=w, p10=fmt.quantity(ttt["p10"], "d"), p50=fmt.quantity(ttt["p50"], "d"),
                         p90=fmt.quantity(ttt["p90"], "d"),
                         done=f"{defined} of {results.replications}",
                         progress=fmt.percent(prog["p50"]) if prog else fmt.MISSING))
    return rows


def workloads_context(results):
    served, demand = _series(results, "inference_served_tokens_per_s"), _series(results, "inference_demand_tokens_per_s")
    slo, progress = _series(results, "slo_attainment"), _series(results, "training_progress")
    if not results.perf and served is None and progress is None:
        return None
    figures = []
    if served is not None and demand is not None:
        items = [("demanded", charts.GREY, demand.daily_mean / 1e6), ("served within SLOs", charts.BLUE,
                                                                    served.daily_mean / 1e6)]
        cap = _series(results, "inference_capacity_tokens_per_s")
        if cap is not None:
            items.append(("capacity", charts.GREEN, cap.daily_mean / 1e6))
        figures.append(_figure("tokens", charts.daily_band_chart("tokens", items, "million output tokens/s",
                                                                 decimals=1),
                               "Inference output tokens per second over the year (daily means): demanded, served "
                               "within the SLOs, and the healthy instances' capacity; bands P10\u2013P90."))
    if slo is not None:
        figures.append(_figure("slo", charts.daily_band_chart("slo", [("SLO attainment", charts.BLUE, slo.daily_mean)],
                                                              "share of requested tokens", percent=True, decimals=1),
                               "SLO attainment: the share of requested output tokens served within their latency "
                               "SLOs (daily mean, P10\u2013P90 across replications)."))
    if progress is not None:
        figures.append(_figure("training-progress", charts.daily_band_chart(
            "training-progress", [("tokens checkpointed", charts.PURPLE, progress.daily_mean)],
            "share of all training tokens", percent=True, ylim=(0, 1.02)),
            "Training progress: the share of all training jobs' tokens safely checkpointed (daily, "
            "P10\u2013P90 across replications)."))
    return dict(figures=figures, training=_training_rows(results), chosen=_chosen_rows(results.perf),
                pareto=_pareto_figures(results), kpis=_kpi_rows(results, SERVICE_KPIS))


def _covenant(results):
    for c in results.claims:
        if c.get("kpi") in ("min_dscr", "avg_dscr") and c.get("comparison") in (">=", ">"):
            return float(c["target"]), f"covenant {c['target']:.2f} (claim: {c['claim']})"
    return None, None


def economics_context(results):
    if not results.has_economics():
        return None
    c, a = results.cash_flows, results.cash_flows_attrs
    years = c["year"].astype(int)
    capex_items = [(label, a.get(k)) for k, label in CAPEX_ATTRS if a.get(k)]
    figures = []
    if capex_items:
        figures.append(_figure("capex", charts.capex_bars("capex", capex_items),
                               "Initial capex by item (share of the total shown), with interest during construction "
                               "capitalised into the senior debt."))
    inflows = [(label, c[k], color) for k, label, color in (
        ("revenue_workloads_usd", "revenue: workloads", charts.BLUE), ("revenue_cloud_usd", "revenue: GPU cloud",
                                                                       "#5b8fd0"),
        ("revenue_tokens_usd", "revenue: tokens", "#9dbde6")) if k in c and np.nansum(np.abs(c[k])) > 0]
    if not inflows and "revenue_usd" in c:
        inflows = [("revenue", c["revenue_usd"], charts.BLUE)]
    outflows = [(label, c[k], color) for k, label, color in (
        ("opex_usd", "opex", charts.ORANGE), ("tax_usd", "tax", charts.PURPLE),
        ("capex_usd", "capex", charts.GREY), ("maintenance_capex_usd", "maintenance capex", "#b9bcc2"))
        if k in c and np.nansum(np.abs(c[k])) > 0]
    lines = [("CFADS", c["cfads_usd"], "#111", "-"), ("debt service", c["debt_service_usd"], charts.RED, "--")]
    figures.append(_figure("cash-flows", charts.cash_flow_chart("cash-flows", years, inflows, outflows, lines),
                           "Annual cash flows of the median replication (by NPV): revenue above zero, opex, tax "
                           "and capex below; CFADS against debt service."))
    covenant, covenant_label = _covenant(results)
    figures.append(_figure("dscr", charts.dscr_chart("dscr", years, c["dscr"], covenant, covenant_label),
                           "Debt service cover ratio by year (CFADS / debt service, senior and refresh tranches) "
                           + (f"against the {covenant:.2f} covenant; red bars breach it." if covenant else ".")))
    cum = [("project", c["project_cash_flow_usd"], charts.BLUE)]
    if "equity_cash_flow_usd" in c:
        cum.append(("equity", c["equity_cash_flow_usd"], charts.GREEN))
    figures.append(_figure("cumulative", charts.cumulative_chart("cumulative", years, cum),
                           "Cumulative project and equity cash flow of the median replication."))
    table = []
    cols = [(k, label) for k, label in CASH_FLOW_COLUMNS if k in c]
    for i, y in enumerate(years):
        row = [str(y)]
        for k, _ in cols:
            v = c[k][i]
            row.append(fmt.ratio(v) if k == "dscr" else fmt.usd_millions(v))
        table.append(row)
    totals = ["Total"] + [fmt.MISSING if k == "dscr" else fmt.usd_millions(np.nansum(c[k])) for k, _ in cols]
    rep = a.get("replication")
    dscr_ok = np.isfinite(c["dscr"])
    breaches = [int(y) for y, v in zip(years[dscr_ok], c["dscr"][dscr_ok]) if covenant and v < covenant]
    notes = [f"The cash flows are those of replication {int(rep) if rep is not None else '?'}: "
             f"{a.get('selection', 'the median replication')}.",
             f"CFADS = {a.get('cfads', 'ebitda - tax - maintenance capex')}.",
             f"Annual opex at COD prices: energy {fmt.usd(a.get('opex_energy_usd_per_year'))}, maintenance "
             f"{fmt.usd(a.get('opex_maintenance_usd_per_year'))}, insurance "
             f"{fmt.usd(a.get('opex_insurance_usd_per_year'))}, staff {fmt.usd(a.get('opex_staff_usd_per_year'))}, "
             f"water {fmt.usd(a.get('opex_water_usd_per_year'))}."]
    if covenant:
        notes.append(f"DSCR below the {covenant:.2f} covenant in " +
                     (f"years {fmt.words_list(breaches)}." if breaches else "no year."))
    return dict(figures=figures, columns=["Year"] + [label for _, label in cols], table=table, totals=totals,
                kpis=_kpi_rows(results, FINANCE_KPIS), notes=notes,
                median=[("Project NPV", fmt.usd(a.get("project_npv_usd"))), ("Project IRR", fmt.percent(a.get("project_irr"))),
                        ("Equity NPV", fmt.usd(a.get("equity_npv_usd"))), ("Equity IRR", fmt.percent(a.get("equity_irr"))),
                        ("Minimum DSCR", fmt.ratio(a.get("min_dscr"))), ("Average DSCR", fmt.ratio(a.get("avg_dscr"))),
                        ("LLCR", fmt.ratio(a.get("llcr"))), ("PLCR", fmt.ratio(a.get("plcr")))])


def _sweep_value_format(kpi, units):
    return lambda x: fmt.kpi_value(kpi, units, x)


def _input_text(pointer, value):
    p = str(pointer)
    if p.endswith("_usd_per_w"):
        return f"{value:g} USD/W"
    if "usd_per_gpu_hour" in p:
        return f"{value:g} USD/GPU-h"
    if "usd_per_kwh" in p:
        return f"{value:g} USD/kWh"
    if p.endswith("rate") or p.endswith("fraction") or p.endswith("share"):
        return fmt.percent(value)
    return f"{value:g}"


def sweep_context(sweep):
    if sweep is None:
        return None
    units = sweep.points_units
    kpis = []
    for col in units:
        if col.endswith(".p50"):
            kpis.append(col[:-4])
    tornados = []
    for kpi in kpis:
        rows = [r for r in sweep.tornado if r["kpi"] == kpi]
        if not rows:
            continue
        vf = _sweep_value_format(kpi, units.get(f"{kpi}.p50", ""))
        rows = sorted(rows, key=lambda r: -abs(r["swing"]))
        chart_rows = [dict(label=fmt.label(r["input"].split("/")[-1]) + f" (base {_input_text(r['input'], r['base_input'])})",
                           low_text=_input_text(r["input"], r["low"]), high_text=_input_text(r["input"], r["high"]),
                           kpi_at_low=r["kpi_at_low"], kpi_at_high=r["kpi_at_high"]) for r in rows]
        stat = sweep.tornado_attrs.get("statistic", "p50").upper()
        usd = units.get(f"{kpi}.p50", "") == "USD"
        tornados.append(_figure(f"tornado-{kpi}", charts.tornado_chart(
            f"tornado-{kpi}", chart_rows, f"{kpi} {stat}", vf, rows[0]["base_kpi"],
            axis_scale=1e6 if usd else None, axis_units="M USD" if usd else ""),
                                f"Tornado of {kpi} ({stat}): each input at its low and high value with the others "
                                "at the base; the widest swing on top."))
    cases = []
    for p in sweep.points:
        if p["kind"] not in ("base", "case"):
            continue
        cells = []
        for kpi in kpis:
            u = units.get(f"{kpi}.p50", "")
            vf = _sweep_value_format(kpi, u)
            cells.append(dict(p50=vf(p.get(f"{kpi}.p50")),
                              range=f"{vf(p.get(f'{kpi}.p10'))} \u2013 {vf(p.get(f'{kpi}.p90'))}"))
        sets = ", ".join(f"{k} = {v}" for k, v in p.get("set_values", {}).items()) or "the base scenario"
        cases.append(dict(label=p["label"], kind=p["kind"], set=sets, status=p["status"], error=p.get("error", ""),
                          cells=cells))
    breaks = []
    for b in sweep.break_even:
        found = bool(b.get("found"))
        breaks.append(dict(label=b["label"], input=b["input"], kpi=f"{b['kpi']} {str(b['statistic']).upper()}",
                           target=fmt.number(b["target"]),
                           value=_input_text(b["input"], b["value"]) if found else "not found",
                           kpi_value=fmt.number(b.get("kpi_value")) if found else fmt.MISSING,
                           bracket=f"{_input_text(b['input'], b['bracket_low'])} \u2013 "
                                   f"{_input_text(b['input'], b['bracket_high'])}" if found else fmt.MISSING,
                           runs=fmt.thousands(b.get("runs")), message=b.get("message", "")))
    pa = sweep.points_attrs
    return dict(kpis=kpis, tornados=tornados, cases=cases, break_even=breaks, path=os.path.basename(sweep.path),
                base=pa.get("base_scenario", ""), replications=pa.get("replications"),
                uncertainty=pa.get("uncertainty", ""), points=len(sweep.points),
                failed=[p["label"] for p in sweep.points if p["status"] != "ok"], ranks=sweep.ranks)


def export_context(results):
    if not results.compliance:
        return None
    a = results.compliance_attrs
    rows = [dict(accelerator=r.get("accelerator"), count=fmt.thousands(r.get("count")),
                 tpp=fmt.thousands(r.get("tpp")), precision=r.get("tpp_precision", ""),
                 density=r.get("performance_density_text") or fmt.number(r.get("performance_density")),
                 classification=r.get("classification", "")) for r in results.compliance]
    return dict(rows=rows, note=a.get("note", ""), rule_date=a.get("rule_date", ""),
                total=fmt.thousands(a.get("accelerator_count")), flagged=fmt.thousands(a.get("accelerators_3a090a")),
                total_tpp=fmt.thousands(a.get("total_tpp")))


def assumptions_context(results):
    flagged, rest = assumptions.register(results.catalog, results.scenario)
    return dict(flagged=flagged, rest=rest)


def provenance_context(results):
    a = results.attrs
    facts = [("Software", f"aidcsim {a.get('software_version', '')}"), ("Git commit", a.get("git_sha", "")),
             ("Scenario", a.get("scenario_name", "")), ("Seed", str(a.get("seed", ""))),
             ("Replications", fmt.thousands(a.get("replications"))), ("Backend", a.get("backend", "")),
             ("Device", a.get("device", "")), ("Created (UTC)", a.get("created_utc", "")),
             ("Results file", os.path.basename(results.path)),
             ("Results schema", f"{a.get('schema', '')} version {a.get('schema_version', '')}")]
    samples = []
    u = results.uncertainty_samples
    if u and u.get("columns"):
        for name, values in u["columns"].items():
            if name == "replication":
                continue
            v = np.asarray(values, dtype=float)
            units = u.get("units", {}).get(name, "")
            p10, p50, p90 = np.nanpercentile(v, [10, 50, 90]) if v.size else (np.nan,) * 3
            samples.append(dict(name=name, units=units, p10=fmt.number(p10, 4), p50=fmt.number(p50, 4),
                                p90=fmt.number(p90, 4)))
    try:
        scenario_text = json.dumps(results.scenario, indent=1, ensure_ascii=False)
    except (TypeError, ValueError):
        scenario_text = results.scenario_text
    all_kpis = [r for r in (_kpi_row(results, n) for n in results.kpi_order) if r]
    for r in all_kpis:
        r["units"] = fmt.unit_words(results.kpis[r["name"]].get("units", ""))
    return dict(facts=facts, samples=samples, sampling=(u or {}).get("attrs", {}).get("long_name", ""),
                scenario_text=scenario_text, kpis=all_kpis)


def context(results, sweep=None, paper="a4"):
    """Everything the template shows, as plain data (sections None when their data is absent)."""
    if paper not in PAPER:
        raise ValueError(f"paper {paper!r}: expected a4 or letter")
    sections = dict(warnings=warnings_context(results), summary=summary_context(results),
                    claims=claims_context(results), site=site_context(results), fleet=fleet_context(results),
                    workloads=workloads_context(results), economics=economics_context(results),
                    sweep=sweep_context(sweep), export=export_context(results),
                    assumptions=assumptions_context(results), provenance=provenance_context(results))
    toc = [(sid, title) for sid, title, key in (
        ("warnings", "Input warnings", "warnings"), ("summary", "Executive summary", "summary"),
        ("site", "The site", "site"), ("fleet", "The fleet", "fleet"), ("workloads", "Workloads", "workloads"),
        ("economics", "Economics", "economics"), ("sweep", "Sensitivities and cases", "sweep"),
        ("export-control", "Export-control screening", "export"),
        ("assumptions", "Assumptions register", "assumptions"), ("provenance", "Provenance", "provenance"))
        if sections[key] is not None]
    return dict(paper=PAPER[paper], toc=toc, attrs=results.attrs, **sections)


def _environment():
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, trim_blocks=True,
                             lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    return env


def render(results, sweep=None, paper="a4"):
    """The whole HTML document of the report."""
    env = _environment()
    with open(os.path.join(TEMPLATES, "report.css"), encoding="utf-8") as f:
        css = f.read().replace("@PAGE_SIZE@", PAPER[paper])
    ctx = context(results, sweep, paper)
    return env.get_template("report.html.j2").render(css=css, **ctx)

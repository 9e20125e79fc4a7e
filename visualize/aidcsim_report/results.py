"""Reads an aidcsim results file (or a sweep file) into plain Python and numpy data for the report.

The report is a pure function of what the file holds, so everything it shows comes through here. Hourly series
are summarized while they are read (P10/P50/P90 across replications, daily and monthly aggregates, sorted load
curves): a 1,000-replication file never has to sit whole in memory, and the charts draw summaries, not points.
Optional groups (economics, fleet, perf, claims, package, ...) are None or empty when the file lacks them.
"""
import json
import os
import warnings
from dataclasses import dataclass, field

import numpy as np

from .errors import BadInput

try:
    import h5py
except ImportError as e:  # told as a missing package by __main__
    raise ImportError(f"h5py: {e}") from e

SCHEMA = "aidcsim"
SCHEMA_VERSIONS = (1,)
ROOT_ATTRS = ("schema", "schema_version", "software_version", "git_sha", "seed", "replications", "backend", "device",
              "created_utc", "scenario_name")
HOURS_PER_DAY = 24
DAYS_PER_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
# Columns a table must have for the report to read it (others are kept but not required).
REQUIRED_COLUMNS = {
    "kpis": ("name", "units", "long_name", "mean", "p10", "p50", "p90"),
    "claims": ("claim", "kpi", "comparison", "target", "units", "mean", "p10", "p50", "p90", "replications",
               "replications_met", "probability_met", "probability_low", "probability_high", "verdict",
               "limiting_factor", "evidence"),
    "economics/cash_flows": ("year", "capex_usd", "revenue_usd", "opex_usd", "ebitda_usd", "debt_service_usd",
                             "cfads_usd", "project_cash_flow_usd", "dscr"),
    "compliance": ("accelerator", "count", "classification"),
    "warnings": ("file", "json_path", "value", "message"),
    "sweep/points": ("kind", "label", "set", "status"),
    "sweep/tornado": ("kpi", "input", "base_input", "low", "high", "base_kpi", "kpi_at_low", "kpi_at_high", "swing"),
    "sweep/break_even": ("label", "input", "kpi", "statistic", "found", "target", "value"),
}
EVENT_BLOCK_ROWS = 1 << 20  # events are read in blocks so that a large run's table is never whole in memory


@dataclass
class Series:
    """One hourly series summarized over replications."""
    name: str
    units: str
    long_name: str
    hourly_p10: np.ndarray      # [T] across replications
    hourly_p50: np.ndarray
    hourly_p90: np.ndarray
    daily_mean: np.ndarray      # [R, D] mean of each day, per replication
    monthly_mean: np.ndarray    # [R, 12] mean of each calendar month (365-day year; later years fold in)
    total: np.ndarray           # [R] sum over the hours times the step in hours (energy from power, etc.)
    max: np.ndarray             # [R]
    sorted_p10: np.ndarray | None = None   # [T] descending per replication, then P10/P50/P90 (load-duration)
    sorted_p50: np.ndarray | None = None
    sorted_p90: np.ndarray | None = None


@dataclass
class Events:
    """Aggregates of /events (the table itself can hold tens of millions of rows)."""
    kind_names: dict                    # value -> name
    replications: int
    rows: int
    counts_by_kind: dict                # name -> [R] counts
    failures_by_component: dict         # component -> [R] counts of component_failure
    repair_hours_by_component: dict     # component -> float32 array of repair durations (h)
    outages: list                       # dicts: replication, start_h, duration_h, kind, component, value
    power_caps: list                    # dicts: replication, start_h, end_h, clock (value at start)
    jobs_completed: list                # dicts: replication, job, time_h, duration_h


@dataclass
class Results:
    path: str
    attrs: dict
    scenario: dict
    scenario_text: str
    catalog: dict
    kpis: dict                              # name -> dict(units, long_name, mean, p10, p50, p90, replications_defined)
    kpi_order: list
    time_h: np.ndarray
    step_h: float
    series: dict                            # name -> Series
    claims: list = field(default_factory=list)
    claims_attrs: dict = field(default_factory=dict)
    cash_flows: dict | None = None          # column -> ndarray; None without /economics
    cash_flows_attrs: dict = field(default_factory=dict)
    cash_flows_units: dict = field(default_factory=dict)
    compliance: list = field(default_factory=list)
    compliance_attrs: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    fleet_racks_attrs: dict | None = None
    fleet_fabric: list = field(default_factory=list)
    fleet_fabric_attrs: dict = field(default_factory=dict)
    perf: dict = field(default_factory=dict)    # workload -> dict(attrs, chosen: dict, configs: dict of arrays, units)
    package: dict | None = None                 # table name -> dict(rows, attrs)
    uncertainty_samples: dict | None = None     # dict(columns: dict of arrays, attrs)
    events: Events | None = None

    @property
    def replications(self):
        return int(self.attrs.get("replications", 0))

    def has_fleet(self):
        return self.fleet_racks_attrs is not None or "accelerators_up" in self.series

    def has_economics(self):
        return self.cash_flows is not None


@dataclass
class SweepResults:
    path: str
    attrs: dict
    points: list
    points_attrs: dict
    points_units: dict
    tornado: list
    tornado_attrs: dict
    break_even: list
    break_even_attrs: dict
    ranks: list


def _text(x):
    if isinstance(x, bytes):
        return x.decode("utf-8", errors="replace")
    if isinstance(x, np.ndarray):
        return [_text(v) for v in x.tolist()]
    if isinstance(x, np.generic):
        return x.item()
    return x


def _attrs(obj):
    out = {}
    for k, v in obj.attrs.items():
        v = _text(v)
        if isinstance(v, list):
            v = [_text(x) for x in v]
        out[k] = v
    return out


def _open(path):
    if not os.path.exists(path):
        raise BadInput(f"{path}: no such file; expected an aidcsim results file (HDF5)")
    if os.path.isdir(path):
        raise BadInput(f"{path}: is a folder; expected an aidcsim results file (HDF5)")
    try:
        return h5py.File(path, "r")
    except OSError as e:
        raise BadInput(f"{path}: not an HDF5 file ({e}); expected an aidcsim results file written by "
                       "`aidcsim run` or `aidcsim sweep`") from e


def _check_root(f, path):
    attrs = _attrs(f)
    schema = attrs.get("schema")
    if schema != SCHEMA:
        raise BadInput(f"{path}: HDF5 path / attribute schema is {schema!r}; expected 'aidcsim' "
                       "(not an aidcsim results file)")
    version = attrs.get("schema_version")
    try:
        version_int = int(version)
    except (TypeError, ValueError):
        version_int = None
    if version_int not in SCHEMA_VERSIONS:
        raise BadInput(f"{path}: HDF5 path / attribute schema_version is {version!r}; expected one of "
                       f"{list(SCHEMA_VERSIONS)} (a results file of another aidcsim version)")
    return attrs


def _dataset(f, path, name, required=True):
    if name not in f:
        if required:
            raise BadInput(f"{path}: HDF5 path /{name} is missing; expected it in an aidcsim results file")
        return None
    obj = f[name]
    if not isinstance(obj, h5py.Dataset):
        raise BadInput(f"{path}: HDF5 path /{name} is a group; expected a dataset")
    return obj


def _table(f, path, name, required=False):
    """A compound table as a list of row dicts (text decoded), its attrs and its units by column."""
    ds = _dataset(f, path, name, required)
    if ds is None:
        return None
    if ds.dtype.names is None:
        raise BadInput(f"{path}: HDF5 path /{name} is not a compound table; expected columns")
    missing = [c for c in REQUIRED_COLUMNS.get(name, ()) if c not in ds.dtype.names]
    if missing:
        raise BadInput(f"{path}: HDF5 path /{name} lacks column(s) {', '.join(missing)}; expected "
                       f"{', '.join(REQUIRED_COLUMNS[name])}")
    data = ds[...]
    enums = {c: {val: key for key, val in (h5py.check_enum_dtype(ds.dtype[c]) or {}).items()}
             for c in ds.dtype.names}
    rows = []
    for r in data:
        row = {}
        for c in ds.dtype.names:
            v = _text(r[c])
            if enums[c]:
                v = enums[c].get(v, v)
            row[c] = v
        rows.append(row)
    attrs = _attrs(ds)
    units = attrs.get("units")
    units_by_column = dict(zip(ds.dtype.names, units)) if isinstance(units, list) else {}
    return rows, attrs, units_by_column


def _columns(rows, names):
    return {c: np.array([r[c] for r in rows]) for c in names}


def _json(f, path, name):
    ds = _dataset(f, path, name)
    raw = ds[()]
    text = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
    try:
        return json.loads(text), text
    except json.JSONDecodeError as e:
        raise BadInput(f"{path}: HDF5 path /{name} is not valid JSON ({e}); expected the run's JSON text") from e


def _quantiles(values, axis=0):
    """P10/P50/P90 ignoring NaN (an hour without demand has no SLO attainment); NaN where all are NaN.

    numpy's nanpercentile loops in Python over the columns; this sorts once (NaN last) and interpolates linearly
    between order statistics as numpy's default method does.
    """
    values = np.moveaxis(np.asarray(values, dtype=np.float64), axis, 0)
    if not np.isnan(values).any():
        return np.percentile(values, [10, 50, 90], axis=0)
    ordered = np.sort(values, axis=0)
    count = np.sum(~np.isnan(values), axis=0)
    out = []
    for q in (0.1, 0.5, 0.9):
        pos = np.maximum(count - 1, 0) * q
        lo = np.floor(pos).astype(np.int64)
        hi = np.minimum(lo + 1, np.maximum(count - 1, 0))
        v_lo = np.take_along_axis(ordered, lo[None, ...], axis=0)[0]
        v_hi = np.take_along_axis(ordered, hi[None, ...], axis=0)[0]
        v = v_lo + (v_hi - v_lo) * (pos - lo)
        out.append(np.where(count > 0, v, np.nan))
    return np.array(out)


def _nanmean(values, axis):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(values, axis=axis)


def month_of_day(days):
    """Calendar month (0..11) of each day index in a 365-day year (later years fold onto the first)."""
    edges = np.cumsum((0,) + DAYS_PER_MONTH)
    return np.searchsorted(edges, np.asarray(days) % 365, side="right") - 1


def summarize_series(name, values, units, long_name, step_h, sorted_curve=False):
    """Summaries of one [R, T] series: what the charts draw."""
    values = np.atleast_2d(np.asarray(values, dtype=np.float64))
    reps, hours = values.shape
    p10, p50, p90 = _quantiles(values, axis=0)
    per_day = max(1, int(round(HOURS_PER_DAY / step_h)))
    days = hours // per_day
    if days > 0:
        daily = _nanmean(values[:, :days * per_day].reshape(reps, days, per_day), axis=2)
    else:
        daily = _nanmean(values, axis=1)[:, None]
    months = month_of_day(np.arange(daily.shape[1]))
    monthly = np.full((reps, 12), np.nan)
    for m in range(12):
        sel = months == m
        if sel.any():
            monthly[:, m] = _nanmean(daily[:, sel], axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        total = np.nansum(values, axis=1) * step_h
        peak = np.nanmax(values, axis=1) if hours else np.full(reps, np.nan)
    s = Series(name, units, long_name, p10, p50, p90, daily, monthly, total, peak)
    if sorted_curve:
        ordered = -np.sort(-np.nan_to_num(values, nan=0.0), axis=1)
        s.sorted_p10, s.sorted_p50, s.sorted_p90 = _quantiles(ordered, axis=0)
    return s


# Series whose load-duration (sorted) curve the report draws.
SORTED_SERIES = ("facility_power_w", "grid_import_w", "it_power_w")


def _read_series(f, path):
    group = f.get("timeseries")
    if not isinstance(group, h5py.Group):
        raise BadInput(f"{path}: HDF5 path /timeseries is missing; expected the hourly series group")
    time_ds = _dataset(f, path, "timeseries/time_s")
    time_s = np.asarray(time_ds[...], dtype=np.float64)
    step_h = float(time_s[1] - time_s[0]) / 3600.0 if time_s.size > 1 else 1.0
    if not np.isfinite(step_h) or step_h <= 0:
        raise BadInput(f"{path}: HDF5 path /timeseries/time_s is not increasing; expected hourly times in seconds")
    series = {}
    for name, ds in group.items():
        if name == "time_s" or not isinstance(ds, h5py.Dataset):
            continue
        if ds.ndim != 2 or ds.shape[1] != time_s.size:
            raise BadInput(f"{path}: HDF5 path /timeseries/{name} has shape {ds.shape}; expected "
                           f"[replications, {time_s.size}]")
        a = _attrs(ds)
        series[name] = summarize_series(name, ds[...], a.get("units", ""), a.get("long_name", name), step_h,
                                        sorted_curve=name in SORTED_SERIES)
    return time_s / 3600.0, step_h, series


def _read_events(f, path, replications):
    ds = _dataset(f, path, "events", required=False)
    if ds is None or ds.dtype.names is None:
        return None
    needed = ("replication", "time_s", "kind", "component", "duration_s", "value")
    missing = [c for c in needed if c not in ds.dtype.names]
    if missing:
        raise BadInput(f"{path}: HDF5 path /events lacks column(s) {', '.join(missing)}")
    enum = h5py.check_enum_dtype(ds.dtype["kind"]) or {}
    kind_names = {v: k for k, v in enum.items()}
    reps = max(1, replications)
    counts = {n: np.zeros(reps, dtype=np.int64) for n in kind_names.values()}
    failures, repairs = {}, {}
    outages, caps_open, caps, jobs = [], {}, [], []
    outage_kinds = {enum[k] for k in ("outage_start", "generator_start_failure", "generator_failure",
                                      "ups_depleted", "fuel_exhausted", "critical_load_lost") if k in enum}
    k_fail, k_repair = enum.get("component_failure"), enum.get("repair_complete")
    k_cap_start, k_cap_end, k_done = enum.get("power_cap_start"), enum.get("power_cap_end"), enum.get("job_completed")
    for start in range(0, ds.shape[0], EVENT_BLOCK_ROWS):
        block = ds[start:start + EVENT_BLOCK_ROWS]
        rep = np.clip(block["replication"].astype(np.int64), 0, reps - 1)
        kind = block["kind"].astype(np.int64)
        for k, name in kind_names.items():
            sel = kind == k
            if sel.any():
                counts[name] += np.bincount(rep[sel], minlength=reps)[:reps]
        comp = block["component"]
        for k, target in ((k_fail, None), (k_repair, None)):
            if k is None:
                continue
            sel = kind == k
            if not sel.any():
                continue
            for c in np.unique(comp[sel]):
                cs = sel & (comp == c)
                cname = _text(c)
                if k == k_fail:
                    failures.setdefault(cname, np.zeros(reps, dtype=np.int64))
                    failures[cname] += np.bincount(rep[cs], minlength=reps)[:reps]
                else:
                    hours = (block["duration_s"][cs] / 3600.0).astype(np.float32)
                    repairs[cname] = np.concatenate([repairs.get(cname, np.zeros(0, np.float32)), hours])
        rare = np.isin(kind, list(outage_kinds | {x for x in (k_cap_start, k_cap_end, k_done) if x is not None}))
        for r in block[rare]:
            k = int(r["kind"])
            item = dict(replication=int(r["replication"]), time_h=float(r["time_s"]) / 3600.0,
                        duration_h=float(r["duration_s"]) / 3600.0, kind=kind_names.get(k, str(k)),
                        component=_text(r["component"]), value=float(r["value"]))
            if k in outage_kinds:
                outages.append(item)
            elif k == k_cap_start:
                caps_open[item["replication"]] = item
            elif k == k_cap_end:
                begun = caps_open.pop(item["replication"], None)
                if begun is not None:
                    caps.append(dict(replication=item["replication"], start_h=begun["time_h"],
                                     end_h=item["time_h"], clock=begun["value"]))
            elif k == k_done:
                jobs.append(dict(replication=item["replication"], job=item["component"], time_h=item["time_h"],
                                 duration_h=item["duration_h"]))
    return Events(kind_names, reps, int(ds.shape[0]), counts, failures, repairs, outages, caps, jobs)


def _read_perf(f, path):
    group = f.get("perf")
    out = {}
    if not isinstance(group, h5py.Group):
        return out
    for workload, g in group.items():
        if not isinstance(g, h5py.Group) or "chosen" not in g:
            continue
        chosen = _table(f, path, f"perf/{workload}/chosen", required=True)
        rows, attrs, units = chosen
        entry = dict(attrs=attrs, units=units, chosen=rows[0] if rows else {}, configs=None)
        ds = g.get("configs")
        if isinstance(ds, h5py.Dataset) and ds.dtype.names is not None:
            entry["configs"] = {c: np.asarray(ds[c]) for c in ds.dtype.names
                                if ds.dtype[c].kind in "fiub"}
        out[workload] = entry
    return out


def _read_package(f, path):
    group = f.get("package")
    if not isinstance(group, h5py.Group):
        return None
    out = {}
    for name in group:
        t = _table(f, path, f"package/{name}")
        if t is not None:
            out[name] = dict(rows=t[0], attrs=t[1])
    return out


def load(path):
    """Reads a results file written by `aidcsim run`; BadInput when it is not one."""
    f = _open(path)
    with f:
        attrs = _check_root(f, path)
        if "sweep" in f and "kpis" in f and f["kpis"].shape[0] == 0 and "timeseries/time_s" in f \
                and f["timeseries/time_s"].shape[0] <= 1:
            raise BadInput(f"{path}: is a sweep file (HDF5 path /sweep); expected a results file of `aidcsim run` "
                           "(give the sweep with --sweep)")
        scenario, scenario_text = _json(f, path, "inputs/scenario")
        catalog, _ = _json(f, path, "inputs/catalog")
        kpi_rows, _, _ = _table(f, path, "kpis", required=True)
        kpis = {r["name"]: r for r in kpi_rows}
        time_h, step_h, series = _read_series(f, path)
        r = Results(path=path, attrs=attrs, scenario=scenario, scenario_text=scenario_text, catalog=catalog,
                    kpis=kpis, kpi_order=[k["name"] for k in kpi_rows], time_h=time_h, step_h=step_h, series=series)
        claims = _table(f, path, "claims")
        if claims is not None:
            r.claims, r.claims_attrs, _ = claims
        cash = _table(f, path, "economics/cash_flows")
        if cash is not None:
            rows, r.cash_flows_attrs, r.cash_flows_units = cash
            names = list(rows[0].keys()) if rows else list(REQUIRED_COLUMNS["economics/cash_flows"])
            r.cash_flows = _columns(rows, names) if rows else None
        comp = _table(f, path, "compliance")
        if comp is not None:
            r.compliance, r.compliance_attrs, _ = comp
        warn = _table(f, path, "warnings")
        if warn is not None:
            r.warnings = warn[0]
        if "fleet/racks" in f:
            r.fleet_racks_attrs = _attrs(f["fleet/racks"])
        fabric = _table(f, path, "fleet/fabric")
        if fabric is not None:
            r.fleet_fabric, r.fleet_fabric_attrs, _ = fabric
        r.perf = _read_perf(f, path)
        r.package = _read_package(f, path)
        samples = _table(f, path, "uncertainty/samples")
        if samples is not None:
            rows, sattrs, sunits = samples
            r.uncertainty_samples = dict(columns=_columns(rows, list(rows[0].keys())) if rows else {}, attrs=sattrs,
                                         units=sunits)
        r.events = _read_events(f, path, r.replications)
        return r


def load_sweep(path):
    """Reads a sweep file written by `aidcsim sweep`; BadInput when it is not one (no /sweep group)."""
    f = _open(path)
    with f:
        attrs = _check_root(f, path)
        if not isinstance(f.get("sweep"), h5py.Group):
            raise BadInput(f"{path}: HDF5 path /sweep is missing; expected a sweep file written by `aidcsim sweep`")
        points, points_attrs, points_units = _table(f, path, "sweep/points", required=True)
        for p in points:
            try:
                p["set_values"] = json.loads(p.get("set") or "{}")
            except json.JSONDecodeError as e:
                raise BadInput(f"{path}: HDF5 path /sweep/points column set of {p.get('label')!r} is not JSON "
                               f"({e}); expected an object of values by JSON pointer") from e
        tornado = _table(f, path, "sweep/tornado") or ([], {}, {})
        break_even = _table(f, path, "sweep/break_even") or ([], {}, {})
        ranks = sorted(f["ranks"].keys()) if isinstance(f.get("ranks"), h5py.Group) else []
        return SweepResults(path, attrs, points, points_attrs, points_units, tornado[0], tornado[1],
                            break_even[0], break_even[1], ranks)

"""The report's charts: each a function of summarized data returning an inline SVG string (matplotlib, Agg).

Charts draw summaries across replications (P10-P90 bands around the P50, daily or monthly aggregates, sorted
curves downsampled), never every point, so a 1,000-replication report stays small. Clouds of many points (the
configuration search) and the heat map are embedded as small rasters inside the SVG. The SVG is made to sit
inline in HTML: no XML prologue, no metadata, no namespace URIs, ids prefixed with the chart's id (several charts
share one document), width 100 % of its figure.
"""
import io
import re

import numpy as np

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from . import formatting as fmt  # noqa: E402

BLUE, ORANGE, GREEN, RED, GREY, PURPLE = "#1f5fa8", "#d9822b", "#2e8540", "#b8322a", "#8a8f98", "#6a4c93"
WIDTH_IN = 7.4
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MAX_POINTS = 400  # a line of a sorted curve is downsampled to about this many points

plt.rcParams.update({
    "svg.fonttype": "none",        # text stays text: small, searchable, printed sharp
    "svg.hashsalt": "aidcsim-report",  # ids do not change from run to run (the report is a pure function)
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Liberation Sans", "Arial", "Helvetica"],
    "font.size": 8.5,
    "axes.titlesize": 9.5,
    "axes.labelsize": 8.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#e3e5e8",
    "grid.linewidth": 0.6,
    "legend.frameon": False,
    "legend.fontsize": 8,
    "figure.dpi": 100,
    "savefig.dpi": 110,
    "path.simplify": True,
})


def _svg(fig, chart_id):
    """The figure as an inline SVG element whose ids are unique in the document."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None, "Format": None,
                                                                   "Type": None})
    plt.close(fig)
    text = buf.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)
    text = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", text)
    text = re.sub(r'\s+version="1\.1"', "", text)
    prefix = re.sub(r"[^A-Za-z0-9_-]", "-", chart_id) + "-"
    text = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}{m.group(1)}"', text)
    text = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}{m.group(1)})", text)
    text = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}{m.group(1)}"', text)
    # Scale with the page: keep the viewBox, drop the fixed size in points.
    text = re.sub(r'<svg([^>]*?)\swidth="[^"]*"\sheight="[^"]*"', r'<svg\1 width="100%"', text, count=1)
    text = text.replace("<svg", '<svg role="img" preserveAspectRatio="xMidYMid meet"', 1)
    return text.strip()


def _figure(height_in=2.8, ncols=1, nrows=1, **kw):
    fig, ax = plt.subplots(nrows, ncols, figsize=(WIDTH_IN, height_in), **kw)
    return fig, ax


def _band(ax, x, p10, p50, p90, color, label, step=False):
    ax.fill_between(x, p10, p90, color=color, alpha=0.18, linewidth=0, label=f"{label}: P10\u2013P90",
                    step="mid" if step else None)
    ax.plot(x, p50, color=color, linewidth=1.3, label=f"{label}: P50", drawstyle="steps-mid" if step else "default")


def _quantiles(values, axis=0):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanpercentile(values, [10, 50, 90], axis=axis)


def _downsample(x, *ys, n=MAX_POINTS):
    """Every k-th point (the last kept) so that a sorted curve keeps its shape with about n points."""
    if len(x) <= n:
        return (x,) + ys
    idx = np.unique(np.concatenate([np.linspace(0, len(x) - 1, n).astype(int), [len(x) - 1]]))
    return (x[idx],) + tuple(y[idx] for y in ys)


def _month_axis(ax, days):
    starts = np.cumsum((0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30))
    ticks = [s for s in starts if s < days]
    ax.set_xticks(ticks)
    ax.set_xticklabels(MONTHS[:len(ticks)])
    ax.set_xlim(0, max(days - 1, 1))


def _thousands_axis(ax, axis="y", decimals=None):
    """Thousands separators; decimals from the tick spacing unless given (ticks 0.5 apart show one decimal)."""
    target = ax.yaxis if axis == "y" else ax.xaxis

    def label(v, _):
        d = decimals
        if d is None:
            ticks = target.get_majorticklocs()
            step = np.min(np.diff(ticks)) if len(ticks) > 1 else 1.0
            d = 0 if step >= 1 or step <= 0 else min(4, int(np.ceil(-np.log10(step) - 1e-9)))
        return f"{v:,.{d}f}"
    target.set_major_formatter(FuncFormatter(label))


def _percent_axis(ax, axis="y", decimals=0):
    f = FuncFormatter(lambda v, _: f"{v * 100:.{decimals}f} %")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(f)


def _usd_axis(ax, axis="y", scale=1e6, word="M USD"):
    f = FuncFormatter(lambda v, _: f"{v / scale:,.0f}")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(f)
    (ax.set_ylabel if axis == "y" else ax.set_xlabel)(word)


def daily_band_chart(chart_id, days_series, ylabel, *, percent=False, scale=1.0, hline=None, hline_label=None,
                     ylim=None, height_in=2.6, decimals=None):
    """Daily means across replications: one P10-P90 band and P50 line per (label, color, [R, D] values)."""
    fig, ax = _figure(height_in)
    days = 1
    for label, color, values in days_series:
        values = np.atleast_2d(values) * scale
        p10, p50, p90 = _quantiles(values, axis=0)
        x = np.arange(values.shape[1])
        days = max(days, values.shape[1])
        _band(ax, x, p10, p50, p90, color, label)
    if hline is not None:
        ax.axhline(hline, color=RED, linestyle="--", linewidth=1, label=hline_label)
    _month_axis(ax, days)
    ax.set_ylabel(ylabel)
    if ylim:
        ax.set_ylim(*ylim)
    if percent:
        _percent_axis(ax, decimals=decimals or 0)
    else:
        _thousands_axis(ax, decimals=decimals)
    ax.legend(loc="best", ncol=2)
    return _svg(fig, chart_id)


def climate_monthly(chart_id, dry_monthly, wet_monthly, normals_db=None):
    """Monthly mean dry and wet bulb across replications (P10-P90 whiskers), with the climate normals."""
    fig, ax = _figure(2.6)
    x = np.arange(12)
    for values, color, label, dx in ((dry_monthly, ORANGE, "dry bulb", -0.12), (wet_monthly, BLUE, "wet bulb", 0.12)):
        if values is None:
            continue
        p10, p50, p90 = _quantiles(values, axis=0)
        ax.errorbar(x + dx, p50, yerr=[p50 - p10, p90 - p50], fmt="o-", color=color, markersize=3.5, linewidth=1.2,
                    capsize=2, label=f"{label} (simulated, P50 with P10\u2013P90)")
    if normals_db is not None:
        ax.plot(x, normals_db, "s", color=ORANGE, markerfacecolor="none", markersize=5,
                label="dry bulb normal (climate data)")
    ax.set_xticks(x)
    ax.set_xticklabels(MONTHS)
    ax.set_ylabel("\u00b0C (monthly mean)")
    ax.legend(loc="lower center", ncol=3, bbox_to_anchor=(0.5, -0.38))
    return _svg(fig, chart_id)


def hourly_heatmap(chart_id, hourly, step_h, label, cmap="viridis", vmin=None, vmax=None):
    """Day of year x hour of day of an hourly summary (e.g. the P50 PUE), as a raster inside the SVG."""
    per_day = max(1, int(round(24 / step_h)))
    days = min(365, len(hourly) // per_day)
    grid = np.asarray(hourly[:days * per_day], dtype=float).reshape(days, per_day).T
    fig, ax = _figure(2.7)
    im = ax.imshow(grid, aspect="auto", origin="lower", cmap=cmap, interpolation="nearest", vmin=vmin, vmax=vmax,
                   extent=(0, days, 0, 24))
    ax.grid(False)
    _month_axis(ax, days)
    ax.set_xlim(0, days)
    ax.set_yticks([0, 6, 12, 18, 24])
    ax.set_ylabel("hour of day")
    cb = fig.colorbar(im, ax=ax, pad=0.01, fraction=0.04)
    cb.set_label(label)
    return _svg(fig, chart_id)


def load_duration(chart_id, sorted_p10, sorted_p50, sorted_p90, step_h, capacity_w=None, it_sorted_p50=None):
    """Facility power sorted from the highest hour down (P10-P90 across replications) against the grid."""
    fig, ax = _figure(2.7)
    x = np.arange(len(sorted_p50)) * step_h
    xs, a, b, c = _downsample(x, sorted_p10 / 1e6, sorted_p50 / 1e6, sorted_p90 / 1e6)
    _band(ax, xs, a, b, c, BLUE, "facility power")
    if it_sorted_p50 is not None:
        xi, it = _downsample(x, it_sorted_p50 / 1e6)
        ax.plot(xi, it, color=GREY, linewidth=1, linestyle=":", label="IT power: P50")
    if capacity_w:
        ax.axhline(capacity_w / 1e6, color=RED, linestyle="--", linewidth=1.1,
                   label=f"grid connection {capacity_w / 1e6:,.0f} MW")
    ax.set_xlabel("hours of the year at or above the power")
    ax.set_ylabel("MW")
    _thousands_axis(ax, "x")
    ax.set_xlim(0, x[-1] if len(x) else 1)
    ax.set_ylim(bottom=0)
    ax.legend(loc="lower left", ncol=2)
    return _svg(fig, chart_id)


OUTAGE_STYLE = {
    "outage_start": ("grid outage", "s", BLUE),
    "generator_start_failure": ("generator failed to start", "x", ORANGE),
    "generator_failure": ("generator failed while running", "^", PURPLE),
    "power_cap": ("power capped", "s", ORANGE),
    "ups_depleted": ("UPS depleted", "v", RED),
    "fuel_exhausted": ("fuel exhausted", "D", RED),
    "critical_load_lost": ("critical load lost", "*", RED),
}


def outage_timeline(chart_id, outages, replications, days=365):
    """Every replication a row; grid outages as bars as long as they lasted (at least visible), other backup
    events as markers."""
    rows = max(1, replications)
    fig, ax = _figure(min(4.2, 1.2 + 0.14 * rows))
    seen = set()
    for o in outages:
        label, marker, color = OUTAGE_STYLE.get(o["kind"], (o["kind"], "o", GREY))
        y = o["replication"]
        day = o["time_h"] / 24.0
        lab = label if o["kind"] not in seen else None
        seen.add(o["kind"])
        if o["kind"] in ("outage_start", "power_cap"):
            width = max(o["duration_h"] / 24.0, 0.8)
            ax.barh(y, width, left=day, height=0.6, color=color, label=lab)
            ax.annotate(o.get("text") or fmt.hours(o["duration_h"]), (day + width, y), xytext=(3, 0),
                        textcoords="offset points", va="center", fontsize=7, color="#333")
        else:
            ax.plot(day, y, marker=marker, color=color, linestyle="none", markersize=6, label=lab)
    _month_axis(ax, days)
    ax.set_xlim(0, days)
    ax.set_ylim(-0.8, rows - 0.2)
    ax.set_ylabel("replication")
    if rows <= 40:
        ax.set_yticks(range(rows))
        ax.tick_params(axis="y", labelsize=6.5)
    ax.invert_yaxis()
    ax.grid(axis="y", visible=False)
    if seen:
        ax.legend(loc="upper center", ncol=4, bbox_to_anchor=(0.5, 1.16))
    return _svg(fig, chart_id)


def monthly_bars(chart_id, panels):
    """Side-by-side panels of monthly totals: each (title, ylabel, [R, 12] values, color); P50 bars with
    P10-P90 whiskers."""
    fig, axes = _figure(2.6, ncols=len(panels))
    axes = np.atleast_1d(axes)
    x = np.arange(12)
    for ax, (title, ylabel, values, color) in zip(axes, panels):
        p10, p50, p90 = _quantiles(values, axis=0)
        ax.bar(x, p50, color=color, alpha=0.85, width=0.7)
        ax.errorbar(x, p50, yerr=[np.maximum(p50 - p10, 0), np.maximum(p90 - p50, 0)], fmt="none", ecolor="#333",
                    capsize=2, linewidth=0.8)
        ax.set_xticks(x)
        ax.set_xticklabels([m[0] for m in MONTHS])
        ax.set_title(title)
        ax.set_ylabel(ylabel)
        _thousands_axis(ax)
        ax.grid(axis="x", visible=False)
    fig.tight_layout()
    return _svg(fig, chart_id)


def horizontal_bars(chart_id, labels, p50, p10=None, p90=None, xlabel="", color=BLUE, value_text=None,
                    xformat=None):
    """Ranked horizontal bars (largest on top), optional P10-P90 whiskers and a value label per bar."""
    n = len(labels)
    fig, ax = _figure(max(1.6, 0.9 + 0.32 * n))
    y = np.arange(n)
    ax.barh(y, p50, color=color, height=0.6)
    if p10 is not None and p90 is not None:
        ax.errorbar(p50, y, xerr=[np.maximum(np.asarray(p50) - p10, 0), np.maximum(np.asarray(p90) - p50, 0)],
                    fmt="none", ecolor="#333", capsize=2, linewidth=0.8)
    if value_text:
        right = max(np.max(p90) if p90 is not None else 0, np.max(p50)) if n else 1
        for yi, v, t in zip(y, p90 if p90 is not None else p50, value_text):
            ax.annotate(t, (v, yi), xytext=(4, 0), textcoords="offset points", va="center", fontsize=7.5)
        ax.set_xlim(0, right * 1.22)
    ax.set_yticks(y)
    ax.set_yticklabels(labels)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.grid(axis="y", visible=False)
    if xformat == "thousands":
        _thousands_axis(ax, "x")
    return _svg(fig, chart_id)


def repair_boxes(chart_id, hours_by_component):
    """Repair times by component: box (quartiles) and whiskers (P5-P95), outliers left out."""
    names = sorted(hours_by_component, key=lambda c: -np.median(hours_by_component[c]))
    data = [np.asarray(hours_by_component[c], dtype=float) for c in names]
    fig, ax = _figure(max(1.6, 0.9 + 0.32 * len(names)))
    ax.boxplot(data, vert=False, whis=(5, 95), showfliers=False, widths=0.55, patch_artist=True,
               boxprops=dict(facecolor="#cfe0f3", edgecolor=BLUE), medianprops=dict(color=RED),
               whiskerprops=dict(color=BLUE), capprops=dict(color=BLUE))
    ax.set_yticks(np.arange(1, len(names) + 1))
    ax.set_yticklabels([fmt.label(n) for n in names])
    ax.invert_yaxis()
    ax.set_xlabel("hours from failure to repair (box: quartiles; whiskers: P5\u2013P95)")
    ax.grid(axis="y", visible=False)
    return _svg(fig, chart_id)


def pareto_front(x, y, maximize_x=True, maximize_y=True):
    """Indices of the points no other point beats in both x and y, ordered along x."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    idx = np.flatnonzero(ok)
    if idx.size == 0:
        return idx
    sx = x[idx] if maximize_x else -x[idx]
    sy = y[idx] if maximize_y else -y[idx]
    order = np.lexsort((-sy, -sx))  # by x descending, then y descending
    front, best_y = [], -np.inf
    for i in order:
        if sy[i] > best_y:
            front.append(idx[i])
            best_y = sy[i]
    front = np.array(front, dtype=int)
    return front[np.argsort(x[front])]


def search_scatter(chart_id, x, y, feasible, good, chosen_xy, xlabel, ylabel, maximize_x, maximize_y,
                   good_label, xlog=False):
    """A configuration search: every feasible point (raster, small), those meeting the target, the Pareto front
    of those meeting it, and the chosen point."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    feasible = np.asarray(feasible, dtype=bool)
    good = np.asarray(good, dtype=bool) & feasible
    fig, ax = _figure(2.9)
    other = feasible & ~good
    if other.any():
        ax.scatter(x[other], y[other], s=5, color=GREY, alpha=0.45, linewidths=0, rasterized=True,
                   label="feasible, misses the target")
    if good.any():
        ax.scatter(x[good], y[good], s=7, color=BLUE, alpha=0.6, linewidths=0, rasterized=True, label=good_label)
        front = pareto_front(np.where(good, x, np.nan), np.where(good, y, np.nan), maximize_x, maximize_y)
        if front.size:
            ax.plot(x[front], y[front], color=ORANGE, linewidth=1.4, marker="o", markersize=2.5,
                    label="Pareto front")
    if chosen_xy is not None and all(np.isfinite(chosen_xy)):
        ax.plot(*chosen_xy, marker="*", color=RED, markersize=13, linestyle="none", markeredgecolor="white",
                label="chosen")
    if xlog:
        ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    _thousands_axis(ax)
    ax.legend(loc="best")
    return _svg(fig, chart_id)


def capex_bars(chart_id, items):
    """Capex by item (label, USD), in M USD, with shares."""
    items = [(l, v) for l, v in items if v and np.isfinite(v)]
    total = sum(v for _, v in items) or 1.0
    labels = [l for l, _ in items]
    values = np.array([v for _, v in items])
    text = [f"{fmt.usd(v)} ({fmt.percent(v / total, 1)})" for v in values]
    fig, ax = _figure(max(1.6, 0.9 + 0.32 * len(items)))
    y = np.arange(len(items))
    ax.barh(y, values, color=BLUE, height=0.6)
    for yi, v, t in zip(y, values, text):
        ax.annotate(t, (v, yi), xytext=(4, 0), textcoords="offset points", va="center", fontsize=7.5)
    ax.set_xlim(0, values.max() * 1.35 if len(values) else 1)
    ax.set_yticks(y)
    ax.set_yticklabels(labels)
    ax.invert_yaxis()
    _usd_axis(ax, "x")
    ax.grid(axis="y", visible=False)
    return _svg(fig, chart_id)


def cash_flow_chart(chart_id, years, inflows, outflows, lines=()):
    """Annual cash flows: stacked inflows above zero, outflows below (each (label, values, color)), and lines
    (label, values, color, linestyle)."""
    fig, ax = _figure(3.0)
    years = np.asarray(years)
    bottom = np.zeros(len(years))
    for label, values, color in inflows:
        values = np.nan_to_num(np.asarray(values, dtype=float))
        ax.bar(years, values, bottom=bottom, color=color, width=0.75, label=label)
        bottom += values
    bottom = np.zeros(len(years))
    for label, values, color in outflows:
        values = -np.abs(np.nan_to_num(np.asarray(values, dtype=float)))
        ax.bar(years, values, bottom=bottom, color=color, width=0.75, label=label)
        bottom += values
    for label, values, color, style in lines:
        ax.plot(years, values, color=color, linestyle=style, marker="o", markersize=3, linewidth=1.3, label=label)
    ax.axhline(0, color="#444", linewidth=0.7)
    ax.set_xticks(years)
    ax.set_xlabel("year (0 = commercial operation date; negative: construction)")
    _usd_axis(ax)
    ax.grid(axis="x", visible=False)
    ax.legend(loc="upper center", ncol=4, bbox_to_anchor=(0.5, -0.22))
    return _svg(fig, chart_id)


def dscr_chart(chart_id, years, dscr, covenant=None, covenant_label=None, minimum_band=None):
    """DSCR by year against the covenant; years without debt service are left out."""
    years = np.asarray(years)
    dscr = np.asarray(dscr, dtype=float)
    ok = np.isfinite(dscr)
    fig, ax = _figure(2.6)
    colors = [GREEN if covenant is None or v >= covenant else RED for v in dscr[ok]]
    ax.bar(years[ok], dscr[ok], color=colors, width=0.65, label="DSCR (CFADS / debt service)")
    for yv, v in zip(years[ok], dscr[ok]):
        ax.annotate(f"{v:.2f}", (yv, v), xytext=(0, 2), textcoords="offset points", ha="center", fontsize=7)
    ax.axhline(1.0, color="#444", linewidth=0.8, linestyle=":", label="1.00: cash covers debt service")
    if covenant is not None:
        ax.axhline(covenant, color=RED, linestyle="--", linewidth=1.1, label=covenant_label)
    ax.set_xticks(years[ok] if ok.any() else years)
    ax.set_xlabel("year (0 = commercial operation date)")
    ax.set_ylabel("DSCR")
    ax.set_ylim(bottom=min(0, np.nanmin(dscr[ok]) * 1.1 if ok.any() else 0))
    ax.grid(axis="x", visible=False)
    ax.legend(loc="upper center", ncol=3, bbox_to_anchor=(0.5, -0.2))
    return _svg(fig, chart_id)


def cumulative_chart(chart_id, years, series):
    """Cumulative cash flows: each (label, annual values, color) summed over the years."""
    fig, ax = _figure(2.6)
    for label, values, color in series:
        ax.plot(years, np.cumsum(np.nan_to_num(values)), marker="o", markersize=3, color=color, linewidth=1.3,
                label=label)
    ax.axhline(0, color="#444", linewidth=0.7)
    ax.set_xticks(years)
    ax.set_xlabel("year (0 = commercial operation date)")
    _usd_axis(ax)
    ax.legend(loc="best")
    return _svg(fig, chart_id)


def tornado_chart(chart_id, rows, kpi_label, value_format, base_value, axis_scale=None, axis_units=""):
    """One-at-a-time sensitivity: per input, the KPI at its low and high value around the base (widest on top).

    rows: dicts with label, low_text, high_text, kpi_at_low, kpi_at_high."""
    n = len(rows)
    fig, ax = _figure(max(1.6, 0.9 + 0.42 * n))
    y = np.arange(n)
    for yi, r in zip(y, rows):
        if r["kpi_at_low"] == base_value and r["kpi_at_high"] == base_value:
            ax.annotate("no effect", (base_value, yi), xytext=(4, 0), textcoords="offset points", va="center",
                        fontsize=7, color="#555")
            continue
        for v, color, side in ((r["kpi_at_low"], BLUE, "low"), (r["kpi_at_high"], ORANGE, "high")):
            ax.barh(yi, v - base_value, left=base_value, color=color, height=0.6,
                    label=f"input at its {side} value" if yi == 0 else None)
            txt = f"{value_format(v)} ({r[side + '_text']})"
            ax.annotate(txt, (v, yi), xytext=(4 if v >= base_value else -4, 0), textcoords="offset points",
                        va="center", ha="left" if v >= base_value else "right", fontsize=7)
    ax.axvline(base_value, color="#222", linewidth=1)
    lo = min([base_value] + [min(r["kpi_at_low"], r["kpi_at_high"]) for r in rows])
    hi = max([base_value] + [max(r["kpi_at_low"], r["kpi_at_high"]) for r in rows])
    pad = (hi - lo) * 0.45 or abs(base_value) * 0.1 or 1
    ax.set_xlim(lo - pad, hi + pad)
    ax.set_yticks(y)
    ax.set_yticklabels([r["label"] for r in rows])
    ax.invert_yaxis()
    if axis_scale:
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v / axis_scale:,.0f}"))
    else:
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: value_format(v)))
    ax.set_xlabel(f"{kpi_label}{', ' + axis_units if axis_units else ''} (base {value_format(base_value)})")
    ax.grid(axis="y", visible=False)
    ax.legend(loc="upper center", ncol=2, bbox_to_anchor=(0.5, 1.2 if n < 4 else 1.12))
    return _svg(fig, chart_id)

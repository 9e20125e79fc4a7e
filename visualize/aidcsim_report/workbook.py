"""The annual cash-flow model as an .xlsx workbook of live formulas (``aidcsim report --xlsx``).

The workbook re-states core/model/economics*.cpp for the replication whose table is /economics/cash_flows (the
median-NPV one): an Inputs sheet holds every commercial input (with the values drawn for that replication where
/uncertainty sampled them) and what the simulation measured (GPU-hours, tokens, energy, water); a Drivers sheet
repeats the simulated year across the horizon and holds the schedules the spreadsheet does not re-derive (a sculpted
principal, a price path); a Construction sheet runs the monthly draws, interest during construction and commitment
fees; the CashFlow sheet computes revenue, opex, EBITDA, depreciation, the senior and refresh debt, tax with losses
carried forward, CFADS, DSCR, the DSRA, and the project and equity cash flows as formulas on them. Every formula
keeps the C++'s order of operations, so that with the inputs unchanged the recomputed rows equal the results
file's columns to rounding (relative 1e-12 or better); the Checks sheet shows both.

openpyxl writes formulas without cached values: Excel and LibreOffice compute them when the file is opened.
"""
import copy
import json
import math
import os

from . import atomic_file, json_pointer
from .errors import BadInput, MissingTool

try:
    import h5py
    import numpy as np
except ImportError as e:  # pragma: no cover - told to the user by __main__
    raise MissingTool(f"{e}; install Debian's python3-h5py python3-numpy (bash tools/deps.sh)") from e
try:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
except ImportError as e:  # pragma: no cover
    raise MissingTool(f"{e}; install Debian's python3-openpyxl (bash tools/deps.sh)") from e

HOURS_PER_YEAR = 8760.0

FMT_USD = '#,##0;[Red]-#,##0'
FMT_RATIO = '0.00"x"'
FMT_PCT = '0.00%'
FMT_FACTOR = '0.0000'
FMT_COUNT = '#,##0'
FMT_PRICE = '#,##0.0000'
FMT_YEAR = '0'

FONT_INPUT = Font(color="0000CC")            # editable input (banker's convention: blue)
FONT_SCHEDULE = Font(color="7F3F00")         # a schedule or measured value the sheet does not re-derive
FONT_BOLD = Font(bold=True)
FONT_TITLE = Font(bold=True, size=14)
FILL_INPUT = PatternFill("solid", fgColor="FFF7D6")
FILL_SCHEDULE = PatternFill("solid", fgColor="F2E6DA")
FILL_SECTION = PatternFill("solid", fgColor="DDE7F3")

KIND_INPUT = "input"
KIND_SAMPLED = "input (sampled)"
KIND_SIM = "simulation"
KIND_SCHEDULE = "schedule"
KIND_DERIVED = "formula"
KIND_STRUCTURAL = "structural"


# ----------------------------------------------------------------------------------------------------------------
# Reading the results file


def _text(x):
    return x.decode("utf-8") if isinstance(x, bytes) else str(x)


def _pointer_get(doc, pointer, default=None):
    return json_pointer.get(doc, pointer, default)


def _pointer_set(doc, pointer, value):
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.lstrip("/").split("/")]
    node = doc
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def open_results(results_path):
    """The HDF5 file, checked to be an aidcsim results file (BadInput otherwise)."""
    if not os.path.isfile(results_path):
        raise BadInput(f"{results_path}: no such file; expected an aidcsim results file (HDF5)")
    try:
        f = h5py.File(results_path, "r")
    except OSError as e:
        raise BadInput(f"{results_path}: not an HDF5 file ({e}); expected an aidcsim results file") from e
    if _text(f.attrs.get("schema", "")) != "aidcsim":
        f.close()
        raise BadInput(f"{results_path}: root attribute schema is not \"aidcsim\"; expected an aidcsim results file")
    return f


class Model:
    """What the workbook needs from one results file, for the replication of /economics/cash_flows."""

    def __init__(self, f, results_path):
        if "economics/cash_flows" not in f:
            raise BadInput(f"{results_path}: /economics/cash_flows is missing; expected a run of a scenario with an "
                           "\"economics\" section")
        if "inputs/scenario" not in f:
            raise BadInput(f"{results_path}: /inputs/scenario is missing; expected the resolved scenario as JSON")
        self.path = results_path
        self.root = {k: (_text(v) if isinstance(v, (bytes, str)) else v) for k, v in f.attrs.items()}
        ds = f["economics/cash_flows"]
        self.cf = ds[()]
        self.cf_units = [_text(u) for u in ds.attrs.get("units", [])]
        self.attrs = {k: (_text(v) if isinstance(v, (bytes, str)) else v) for k, v in ds.attrs.items() if k != "units"}
        self.scenario = json.loads(_text(f["inputs/scenario"][()]))
        self.catalog = json.loads(_text(f["inputs/catalog"][()])) if "inputs/catalog" in f else {}
        self.replication = int(self.attrs.get("replication", 0))
        self.samples = self._samples(f)
        self.base = copy.deepcopy(self.scenario)
        self.resolved = copy.deepcopy(self.scenario)   # the scenario with this replication's draws applied
        for pointer, value in self.samples.items():
            if _pointer_get(self.resolved, pointer) is not None:
                _pointer_set(self.resolved, pointer, value)
        self.e = self.resolved["economics"]
        self.years = [int(y) for y in self.cf["year"]]
        self.H = int(self.e.get("horizon_years", max(self.years)))
        self.construction_years = sum(1 for y in self.years if y <= 0)
        self.series = self._series(f)
        self.fleet = "fleet" in f  # the fleet group is written when the scenario simulates a fleet

    def _samples(self, f):
        if "uncertainty/samples" not in f:
            return {}
        ds = f["uncertainty/samples"]
        pointers = json.loads(_text(ds.attrs.get("pointers", "[]")))
        table = ds[()]
        rows = [r for r in table if int(r["replication"]) == self.replication]
        if not rows:
            return {}
        out = {}
        for p in pointers:
            name = p[1:].replace("/", ".")
            if name in table.dtype.names:
                out[p] = float(rows[0][name])
        self.sample_info = {u.get("path"): u for u in self.scenario.get("uncertainty", {}).get("inputs", [])}
        return out

    def _series(self, f):
        """Per-replication hourly series the drivers come from (None when the file has no timeseries)."""
        out = {}
        for name in ("grid_import_w", "water_l_per_h", "inference_served_tokens_per_s", "energy_cost_usd_per_h"):
            key = "timeseries/" + name
            if key in f and f[key].ndim == 2 and f[key].shape[0] > self.replication:
                out[name] = np.asarray(f[key][self.replication], dtype=float)
        return out

    def sampled(self, pointer):
        return pointer in self.samples

    def col(self, name):
        return np.asarray(self.cf[name], dtype=float)

    def year_index(self, year):
        return self.years.index(year)


# ----------------------------------------------------------------------------------------------------------------
# Mirrors of the C++ used to lay out the sheet (never to fill a formula cell)


def drawdown_shares(months, profile, by_year):
    """core/model/economics_construction.cpp drawdown_shares: the share of the capex drawn in each month."""
    if months <= 0:
        return []
    rows = (months + 11) // 12

    def row_of(m):
        return rows - 1 - (months - m) // 12

    if profile == "s_curve":
        w = [math.sin(math.pi * (m - 0.5) / months) ** 2 for m in range(1, months + 1)]
    elif profile == "by_year" and by_year:
        in_row = [0] * rows
        for m in range(1, months + 1):
            in_row[row_of(m)] += 1
        w = [by_year[row_of(m)] / in_row[row_of(m)] if row_of(m) < len(by_year) else 0.0
             for m in range(1, months + 1)]
    else:
        w = [1.0] * months
    total = 0.0
    for x in w:
        total += x
    return [x / total for x in w] if total > 0.0 else w


def construction_row_of_month(m, months):
    rows = (months + 11) // 12
    return rows - 1 - (months - m) // 12


def idc_total_at_share_one(capex_usd, months, shares, rate):
    balance = 0.0
    monthly = rate / 12.0
    for m in range(1, months + 1):
        draw = shares[m - 1] * capex_usd
        idc = (balance + draw) * monthly
        balance += draw + idc
    return balance - capex_usd if months > 0 else 0.0


def debt_schedule(rate, fee_rate, tenor, grace, repayment, principal_usd, years):
    """core/model/economics_debt.cpp debt_schedule: (opening, interest, fee, principal, closing) per year."""
    out = []
    balance = principal_usd
    for y in range(1, years + 1):
        opening = balance
        interest = fee = principal = 0.0
        if balance > 0.0 and y <= tenor:
            interest = balance * rate
            fee = balance * fee_rate
            if y > grace:
                left = tenor - y + 1
                if y == tenor:
                    principal = balance
                elif repayment == "straight":
                    principal = principal_usd / (tenor - grace)
                else:
                    payment = balance / left if rate == 0.0 else balance * rate / (1.0 - (1.0 + rate) ** (-left))
                    principal = payment - interest
        balance -= principal
        out.append((opening, interest, fee, principal, balance))
    return out


def _close(a, b, rel=1e-9):
    return abs(a - b) <= rel * max(1.0, abs(a), abs(b))


# ----------------------------------------------------------------------------------------------------------------
# Sheet building


class Sheet:
    """Rows by key on one worksheet; years run across from column `first_year_col`."""

    def __init__(self, ws, years, first_year_col=4):
        self.ws = ws
        self.years = years
        self.first = first_year_col
        self.rows = {}
        self.next_row = 1

    def letter(self, year):
        return get_column_letter(self.first + self.years.index(year))

    def ref(self, key, year, absolute_row=False):
        r = self.rows[key]
        return f"{self.letter(year)}{'$' if absolute_row else ''}{r}"

    def xref(self, key, year):
        """The cell as seen from another sheet."""
        return f"{self.ws.title}!{self.ref(key, year)}"

    def range(self, key, years):
        r = self.rows[key]
        return f"{self.letter(years[0])}{r}:{self.letter(years[-1])}{r}"

    def skip(self, n=1):
        self.next_row += n

    def section(self, title):
        r = self.next_row
        self.ws.cell(row=r, column=1, value=title).font = FONT_BOLD
        for c in range(1, self.first + len(self.years)):
            self.ws.cell(row=r, column=c).fill = FILL_SECTION
        self.next_row += 1

    def reserve(self, key):
        self.rows[key] = self.next_row
        self.next_row += 1
        return self.rows[key]


class InputsSheet:
    """Scalar inputs: A label, B value, C unit, D kind, E source / note. Cells referenced as Inputs!$B$n."""

    def __init__(self, ws):
        self.ws = ws
        self.rows = {}
        self.r = 1

    def ref(self, key):
        return f"Inputs!$B${self.rows[key]}"

    def local(self, key):
        return f"$B${self.rows[key]}"

    def title(self, text):
        self.ws.cell(row=self.r, column=1, value=text).font = FONT_TITLE
        self.r += 2

    def header(self):
        for c, t in enumerate(["input", "value", "unit", "kind", "source / note"], start=1):
            self.ws.cell(row=self.r, column=c, value=t).font = FONT_BOLD
        self.r += 1

    def section(self, title):
        self.r += 1
        self.ws.cell(row=self.r, column=1, value=title).font = FONT_BOLD
        for c in range(1, 6):
            self.ws.cell(row=self.r, column=c).fill = FILL_SECTION
        self.r += 1

    def add(self, key, label, value, unit, kind, note="", fmt=None):
        r = self.r
        self.rows[key] = r
        ws = self.ws
        ws.cell(row=r, column=1, value=label)
        cell = ws.cell(row=r, column=2, value=value)
        if fmt:
            cell.number_format = fmt
        if kind in (KIND_INPUT, KIND_SAMPLED):
            cell.font, cell.fill = FONT_INPUT, FILL_INPUT
        elif kind in (KIND_SIM, KIND_SCHEDULE):
            cell.font, cell.fill = FONT_SCHEDULE, FILL_SCHEDULE
        elif kind == KIND_STRUCTURAL:
            cell.font = FONT_INPUT
        ws.cell(row=r, column=3, value=unit)
        ws.cell(row=r, column=4, value=kind)
        ws.cell(row=r, column=5, value=note)
        self.r += 1
        return r


def _write_label(sheet, key, label, unit, note=""):
    r = sheet.reserve(key)
    sheet.ws.cell(row=r, column=1, value=label)
    sheet.ws.cell(row=r, column=2, value=unit)
    if note:
        sheet.ws.cell(row=r, column=3, value=note)
    return r


def _fill(sheet, key, years, formula_of, fmt, font=None, fill=None):
    r = sheet.rows[key]
    for y in years:
        v = formula_of(y)
        if v is None:
            continue
        c = sheet.ws.cell(row=r, column=sheet.first + sheet.years.index(y), value=v)
        c.number_format = fmt
        if font:
            c.font = font
        if fill:
            c.fill = fill


# ----------------------------------------------------------------------------------------------------------------
# The workbook


class Builder:
    def __init__(self, m):
        self.m = m
        e = m.e
        self.e = e
        self.fin = e.get("financing", {})
        self.refresh = e.get("refresh", {})
        self.rdebt = self.refresh.get("debt", {})
        self.funding = self.refresh.get("funding", "cash_flow")
        self.sculpted = self.fin.get("sizing", "share") == "sculpted"
        self.cons = e.get("construction", {})
        self.months = int(self.cons.get("months", 0))
        self.shares = drawdown_shares(self.months, self.cons.get("profile", "even"),
                                      self.cons.get("drawdown_by_year", []))
        self.H = m.H
        self.Li = max(1, int(e.get("asset_life_years", {}).get("it", 5)))
        self.refresh_years = list(range(self.Li, self.H, self.Li))
        self.op_years = [y for y in m.years if y >= 1]
        self.con_years = [y for y in m.years if y <= 0]
        self.notes = []   # what the writer inferred, told on the About sheet
        self.wb = Workbook()

    # -- inputs ---------------------------------------------------------------------------------------------------

    def value_and_kind(self, pointer, default=0.0):
        v = _pointer_get(self.m.resolved, pointer, default)
        if self.m.sampled(pointer):
            info = getattr(self.m, "sample_info", {}).get(pointer, {})
            base = _pointer_get(self.m.base, pointer)
            dist = info.get("distribution", "")
            note = (f"drawn for replication {self.m.replication} ({dist}); the scenario's value {base}. "
                    f"{info.get('source', '')}").strip()
            return v, KIND_SAMPLED, note
        return v, KIND_INPUT, f"scenario {pointer}"

    def add_pointer(self, key, label, pointer, unit, fmt, default=0.0, note_extra=""):
        v, kind, note = self.value_and_kind(pointer, default)
        if note_extra:
            note = f"{note}; {note_extra}"
        return self.I.add(key, label, v, unit, kind, note, fmt)

    def linked_default(self, target_pointer, source_pointer, verify):
        """True when the target took its value from the source by default and the source was drawn: the
        resolved scenario in the file holds the base value for both, so the link is inferred and checked with
        `verify(linked_value)` against the file's cash flows."""
        if not self.m.sampled(source_pointer) or self.m.sampled(target_pointer):
            return False
        t = _pointer_get(self.m.base, target_pointer)
        s = _pointer_get(self.m.base, source_pointer)
        if t is None or s is None or t != s:
            return False
        ok = verify(_pointer_get(self.m.resolved, source_pointer))
        return True if ok is None else ok

    def build_inputs(self):
        m, e = self.m, self.e
        ws = self.wb.active
        ws.title = "Inputs"
        I = self.I = InputsSheet(ws)
        I.title(f"Inputs: {m.root.get('scenario_name', '')}, replication {m.replication} "
                f"({m.attrs.get('selection', '')})")
        I.header()

        I.section("Horizon and structure (changing these changes the sheet's layout: re-run aidcsim)")
        I.add("horizon", "operating years", self.H, "year", KIND_STRUCTURAL, "scenario /economics/horizon_years",
              FMT_COUNT)
        I.add("construction_months", "construction", self.months, "month", KIND_STRUCTURAL,
              f"scenario /economics/construction/months, profile {self.cons.get('profile', 'even')}", FMT_COUNT)
        I.add("refresh_funding", "IT refresh funding", self.funding, "", KIND_STRUCTURAL,
              "scenario /economics/refresh/funding: cash_flow, reserve, debt or equity")
        I.add("debt_sizing", "senior debt sizing", "sculpted" if self.sculpted else "share", "", KIND_STRUCTURAL,
              "scenario /economics/financing/sizing")

        I.section("Revenue")
        self.add_pointer("price", "GPU-hour price (workloads)", "/economics/revenue/usd_per_gpu_hour", "USD/GPU-h",
                         FMT_PRICE)
        self.cloud_linked = self.infer_cloud_link()
        if self.cloud_linked:
            I.add("cloud_price", "GPU-hour price (GPU cloud)", f"={I.local('price')}", "USD/GPU-h", KIND_DERIVED,
                  "defaults to the workloads' price (the scenario sets none), so it follows the draw", FMT_PRICE)
        else:
            self.add_pointer("cloud_price", "GPU-hour price (GPU cloud)", "/economics/revenue/cloud_usd_per_gpu_hour",
                             "USD/GPU-h", FMT_PRICE)
        if self.cloud_linked:
            self.notes.append("The GPU cloud's price follows the workloads' price: the results file's scenario "
                              "holds the base value of both, and the cash flows show the cloud sold at the drawn "
                              "price (the C++ default cloud_usd_per_gpu_hour = usd_per_gpu_hour).")
        self.add_pointer("token_price", "price per million output tokens", "/economics/revenue/usd_per_million_tokens",
                         "USD/Mtoken", FMT_PRICE)
        self.add_pointer("sold_fraction", "sold fraction", "/economics/revenue/sold_fraction", "1", FMT_PCT,
                         note_extra=("of the healthy GPU-hours no workload holds, sold as GPU cloud" if m.fleet
                                     else "of the installed GPU-hours"))
        self.add_pointer("price_decline", "GPU-hour price decline per year of fleet age",
                         "/economics/revenue/gpu_hour_price_decline", "1/year", FMT_PCT,
                         note_extra="reset at each IT refresh")
        self.add_pointer("token_decline", "token price decline", "/economics/revenue/token_price_decline", "1/year",
                         FMT_PCT)
        self.add_pointer("ramp_years", "ramp-up years", "/economics/revenue/ramp_up/years", "year", FMT_COUNT)
        self.add_pointer("ramp_start", "ramp-up start (share of target volume in year 1)",
                         "/economics/revenue/ramp_up/start", "1", FMT_PCT)

        I.section("Operating cost")
        self.add_pointer("tariff", "grid energy price", "/site/grid/price_usd_per_kwh", "USD/kWh", FMT_PRICE,
                         note_extra="times the hourly multipliers (folded into the tariff-weighted energy below)")
        self.add_pointer("water_price", "water price", "/site/water_price_usd_per_m3", "USD/m3", FMT_PRICE)
        self.add_pointer("staff", "staff", "/economics/staff_usd_per_year", "USD/year", FMT_USD)
        self.add_pointer("maint_building", "maintenance, building", "/economics/maintenance_rate/building",
                         "1/year", FMT_PCT, note_extra="of building capex")
        self.add_pointer("maint_it", "maintenance, IT", "/economics/maintenance_rate/it", "1/year", FMT_PCT,
                         note_extra="of IT capex")
        self.add_pointer("insurance", "insurance", "/economics/insurance_rate", "1/year", FMT_PCT,
                         note_extra="of total initial capex")
        self.add_pointer("escalation", "opex escalation", "/economics/opex_escalation", "1/year", FMT_PCT,
                         note_extra="compounded from COD on every opex line")
        self.add_pointer("lc_revenue", "local-currency share of revenue", "/economics/local_currency/revenue_share",
                         "1", FMT_PCT)
        self.add_pointer("lc_opex", "local-currency share of opex", "/economics/local_currency/opex_share", "1",
                         FMT_PCT)
        self.add_pointer("devaluation", "local currency devaluation against USD",
                         "/economics/local_currency/devaluation_per_year", "1/year", FMT_PCT)

        I.section("Capex")
        self.add_pointer("usd_per_w", "construction cost", "/economics/construction_usd_per_w", "USD/W", FMT_PRICE,
                         note_extra="building and M&E per watt of design IT capacity")
        self.add_pointer("design_mw", "design IT capacity", "/economics/design_it_mw", "MW", '#,##0.00')
        counts, order = {}, []
        for s in m.resolved.get("it", {}).get("systems", []):
            if s["name"] not in counts:
                order.append(s["name"])
                counts[s["name"]] = 0
            counts[s["name"]] += int(s.get("count", 0))
        self.systems = []
        for name in order:
            gpus = (m.catalog.get("systems", {}).get(name, {}) or {}).get("gpus")
            I.add(f"count:{name}", f"{name}: systems", counts[name], "1", KIND_INPUT,
                  "scenario /it/systems", FMT_COUNT)
            I.add(f"gpus:{name}", f"{name}: GPUs per system", gpus, "1", KIND_INPUT, "catalog systems.json",
                  FMT_COUNT)
            self.add_pointer(f"sysprice:{name}", f"{name}: price per system", f"/economics/system_price_usd/{name}",
                             "USD", FMT_USD)
            self.systems.append(name)
        self.add_pointer("network_share", "network, share of systems", "/economics/network_share_of_systems", "1",
                         FMT_PCT)
        self.add_pointer("installation_share", "installation, share of systems + network",
                         "/economics/installation_share", "1", FMT_PCT)
        self.add_pointer("spares_share", "spares, share of systems", "/economics/spares_share", "1", FMT_PCT)

        I.section("Depreciation, tax, terminal value")
        self.add_pointer("life_building", "building life", "/economics/asset_life_years/building", "year", FMT_COUNT)
        I.add("life_it", "IT life (refresh cycle)", self.Li, "year", KIND_STRUCTURAL,
              "scenario /economics/asset_life_years/it; sets the refresh years and the refresh tranche rows",
              FMT_COUNT)
        self.add_pointer("tax_rate", "corporate tax rate", "/economics/tax_rate", "1", FMT_PCT,
                         note_extra="losses carried forward without limit")
        tv = 1 if e.get("terminal_value", "book_value") == "book_value" else 0
        I.add("terminal_flag", "terminal value at book value (1) or none (0)", tv, "1", KIND_INPUT,
              "scenario /economics/terminal_value", FMT_COUNT)
        self.add_pointer("discount_rate", "project discount rate", "/economics/discount_rate", "1/year", FMT_PCT)
        self.add_pointer("equity_discount_rate", "equity discount rate", "/economics/equity_discount_rate", "1/year",
                         FMT_PCT)

        I.section("Senior debt")
        if self.sculpted:
            I.add("debt_share", "debt share (sized by sculpting)", self.sculpted_share(), "1", KIND_SCHEDULE,
                  f"sized by aidcsim to target DSCR {self.fin.get('target_dscr')} on the "
                  f"{self.fin.get('sizing_case')} case; not re-sized here", '0.000000%')
        else:
            self.add_pointer("debt_share", "debt share", "/economics/financing/debt_share", "1", FMT_PCT,
                             note_extra="of capex and of the capitalised interest")
        self.add_pointer("rate", "interest rate", "/economics/financing/interest_rate", "1/year", FMT_PCT)
        self.add_pointer("fee_rate", "guarantee fee", "/economics/financing/guarantee_fee_rate", "1/year", FMT_PCT,
                         note_extra="on the balance at the start of the year")
        self.add_pointer("tenor", "tenor (from COD, grace included)", "/economics/financing/tenor_years", "year",
                         FMT_COUNT)
        self.add_pointer("grace", "grace (interest only)", "/economics/financing/grace_years", "year", FMT_COUNT)
        v, kind, note = self.value_and_kind("/economics/financing/repayment", "annuity")
        I.add("repayment", "repayment (annuity or straight)", v, "", KIND_STRUCTURAL if self.sculpted else kind,
              "ignored: the sculpted principal is a schedule" if self.sculpted else note)
        self.add_pointer("upfront_fee", "upfront fee", "/economics/financing/upfront_fee_rate", "1", FMT_PCT,
                         note_extra="of the facility, at financial close")
        self.add_pointer("commitment_fee", "commitment fee", "/economics/financing/commitment_fee_rate", "1/year",
                         FMT_PCT, note_extra="on the undrawn facility during construction")

        I.section("IT refresh tranche" if self.funding == "debt" else "IT refresh")
        self.add_pointer("r_share", "refresh tranche share of refresh capex", "/economics/refresh/debt/share", "1",
                         FMT_PCT)
        self.r_rate_linked = self.infer_refresh_link("/economics/refresh/debt/interest_rate",
                                                     "/economics/financing/interest_rate")
        self.r_fee_linked = self.infer_refresh_link("/economics/refresh/debt/guarantee_fee_rate",
                                                    "/economics/financing/guarantee_fee_rate")
        if self.r_rate_linked or self.r_fee_linked:
            self.notes.append("The refresh tranche's interest rate and/or guarantee fee follow the senior terms (the "
                              "C++ defaults), inferred from the file's refresh debt service.")
        if self.r_rate_linked:
            I.add("r_rate", "refresh tranche interest rate", f"={I.local('rate')}", "1/year", KIND_DERIVED,
                  "defaults to the senior rate (the scenario sets none), so it follows the draw", FMT_PCT)
        else:
            self.add_pointer("r_rate", "refresh tranche interest rate", "/economics/refresh/debt/interest_rate",
                             "1/year", FMT_PCT)
        if self.r_fee_linked:
            I.add("r_fee", "refresh tranche guarantee fee", f"={I.local('fee_rate')}", "1/year", KIND_DERIVED,
                  "defaults to the senior fee", FMT_PCT)
        else:
            self.add_pointer("r_fee", "refresh tranche guarantee fee", "/economics/refresh/debt/guarantee_fee_rate",
                             "1/year", FMT_PCT)
        self.add_pointer("r_tenor", "refresh tranche tenor", "/economics/refresh/debt/tenor_years", "year",
                         FMT_COUNT)
        v, kind, note = self.value_and_kind("/economics/refresh/debt/repayment", "annuity")
        I.add("r_repayment", "refresh tranche repayment (annuity or straight)", v, "", kind, note)

        I.section("Debt service reserve account")
        self.add_pointer("dsra_months", "DSRA size", "/economics/dsra/months", "month", '0.0',
                         note_extra="of the next year's debt service")
        v, kind, note = self.value_and_kind("/economics/dsra/funding", "close")
        I.add("dsra_funding", "DSRA funding (close or cash_flow)", v, "", kind, note)

        self.build_simulation_inputs()
        self.build_derived_inputs()
        ws.column_dimensions["A"].width = 52
        ws.column_dimensions["B"].width = 20
        ws.column_dimensions["C"].width = 12
        ws.column_dimensions["D"].width = 16
        ws.column_dimensions["E"].width = 100
        ws.freeze_panes = "A4"

    def infer_cloud_link(self):
        m = self.m

        def verify(price):
            W, C = self.workload_and_cloud_hours(price, None)
            if C is None or C <= 0.0:
                return None
            t = self.full_year("revenue_cloud_usd")
            if t is None:
                return None
            y = self.year_terms(t, price, price)
            implied = m.col("revenue_cloud_usd")[m.year_index(t)] / (y["volume"] * C * y["revenue_fx"] * y["ratio"])
            return _close(implied, price, 1e-7)

        return self.linked_default("/economics/revenue/cloud_usd_per_gpu_hour",
                                   "/economics/revenue/usd_per_gpu_hour", verify)

    def infer_refresh_link(self, target, source):
        m = self.m
        if self.funding != "debt" or not self.refresh_years:
            return self.linked_default(target, source, lambda v: None)

        def verify(value):
            rate = value if target.endswith("interest_rate") else _pointer_get(m.resolved, "/economics/refresh/debt/interest_rate")
            fee = value if target.endswith("guarantee_fee_rate") else _pointer_get(m.resolved, "/economics/refresh/debt/guarantee_fee_rate")
            b = self.refresh_years[0]
            lent = m.col("refresh_debt_drawdown_usd")[m.year_index(b)]
            s = debt_schedule(rate, fee, int(self.rdebt.get("tenor_years", self.Li)), 0,
                              self.rdebt.get("repayment", "annuity"), lent, 1)
            service = s[0][1] + s[0][3] + s[0][2]
            return _close(service, m.col("refresh_debt_service_usd")[m.year_index(b + 1)], 1e-9)

        return self.linked_default(target, source, verify)

    def year_terms(self, t, price, base_price):
        e = self.e
        rev = e.get("revenue", {})
        age = (t - 1) % self.Li
        aged = (1.0 - rev.get("gpu_hour_price_decline", 0.0)) ** age
        by_year = rev.get("usd_per_gpu_hour_by_year", [])
        p = by_year[t - 1] if t - 1 < len(by_year) else price * aged
        ratio = p / base_price if base_price > 0.0 else aged
        lc = e.get("local_currency", {})
        fx = (1.0 - lc.get("devaluation_per_year", 0.0)) ** t
        rfx = 1.0 - lc.get("revenue_share", 0.0) + lc.get("revenue_share", 0.0) * fx
        tp = rev.get("usd_per_million_tokens_by_year", [])
        token = tp[t - 1] if t - 1 < len(tp) else rev.get("usd_per_million_tokens", 0.0) * \
            (1.0 - rev.get("token_price_decline", 0.0)) ** (t - 1)
        volume = self.m.col("sold_volume_factor")[self.m.year_index(t)]
        return {"price": p, "ratio": ratio, "revenue_fx": rfx, "token_price": token, "volume": volume}

    def full_year(self, column):
        """The operating year with the largest value of a column (None when all are 0)."""
        m = self.m
        best, best_v = None, 0.0
        for t in self.op_years:
            v = m.col(column)[m.year_index(t)]
            if v > best_v:
                best, best_v = t, v
        return best

    def workload_and_cloud_hours(self, price, cloud_price):
        """GPU-hours per year at the target volume: the workloads' and the GPU cloud's, recovered from the
        revenue columns (the file keeps their sum, gpu_hours_sold_per_year, not the split)."""
        m = self.m
        if "workload_gpu_hours_per_year" in m.attrs:  # written by aidcsim since 2026-12-02
            return float(m.attrs["workload_gpu_hours_per_year"]), float(m.attrs["cloud_gpu_hours_per_year"])
        S = float(m.attrs.get("gpu_hours_sold_per_year", 0.0))
        t = self.full_year("revenue_workloads_usd")
        if t is not None and price > 0.0:
            y = self.year_terms(t, price, price)
            W = m.col("revenue_workloads_usd")[m.year_index(t)] / (y["volume"] * y["price"] * y["revenue_fx"])
            return W, max(0.0, S - W)
        t = self.full_year("revenue_cloud_usd")
        if t is not None and cloud_price:
            y = self.year_terms(t, price, price)
            C = m.col("revenue_cloud_usd")[m.year_index(t)] / (y["volume"] * cloud_price * y["ratio"] *
                                                               y["revenue_fx"])
            return max(0.0, S - C), C
        return S, 0.0 if price > 0.0 else None

    def sculpted_share(self):
        m = self.m
        capex = self.python_capex_total()
        idc1 = idc_total_at_share_one(capex, self.months, self.shares, self.fin.get("interest_rate", 0.0))
        return float(m.attrs["senior_debt_usd"]) / (capex + idc1)

    def python_capex_total(self):
        a = self.m.attrs
        return (a["capex_building_usd"] + (a["capex_systems_usd"] + a["capex_network_usd"] +
                                           a["capex_installation_usd"] + a["capex_spares_usd"]))

    def build_simulation_inputs(self):
        m, I = self.m, self.I
        I.section(f"Measured by the simulation (replication {m.replication}; one simulated year, repeated each "
                  "operating year on the Drivers sheet)")
        price = _pointer_get(m.resolved, "/economics/revenue/usd_per_gpu_hour", 0.0)
        cloud = price if self.cloud_linked else _pointer_get(m.resolved, "/economics/revenue/cloud_usd_per_gpu_hour",
                                                            0.0)
        sf = _pointer_get(m.resolved, "/economics/revenue/sold_fraction", 0.0)
        W, C = self.workload_and_cloud_hours(price, cloud)
        C = C or 0.0
        S = float(m.attrs.get("gpu_hours_sold_per_year", W + C))
        if "workload_gpu_hours_per_year" in m.attrs:
            self.notes.append("The GPU-hours of the workloads and of the GPU cloud, the tokens sold and the water "
                              "are the replication's own (attributes of /economics/cash_flows); the grid energy is "
                              "recovered from timeseries/grid_import_w and the hourly price multipliers.")
        else:
            self.notes.append("The split of the GPU-hours sold into the workloads' and the GPU cloud's, the tokens "
                              "served and the grid energy are recovered from the cash-flow columns and timeseries "
                              "(an older file keeps no per-replication operating inputs); they reproduce the "
                              "file's revenue.")
        if m.fleet:
            own = "workload_gpu_hours_per_year" in m.attrs
            I.add("sim_workload_hours", "GPU-hours the workloads held", W, "GPU h/year", KIND_SIM,
                  "allocated GPU-hours of the fleet simulation" +
                  (" (attribute workload_gpu_hours_per_year)" if own else
                   "; recovered from revenue_workloads_usd (the file keeps only their sum with the cloud hours)"),
                  FMT_COUNT)
            U = C / sf if sf > 0.0 else 0.0
            I.add("sim_idle_hours", "healthy GPU-hours no workload held", U, "GPU h/year", KIND_SIM,
                  "healthy minus allocated GPU-hours; times the sold fraction = the GPU cloud's hours" +
                  (" (attribute cloud_gpu_hours_per_year / sold fraction)" if own else
                   " (recovered from gpu_hours_sold_per_year - the workloads' hours)"), FMT_COUNT)
        else:
            I.add("sim_workload_hours", "installed GPU-hours", S / sf if sf > 0.0 else 0.0, "GPU h/year", KIND_SIM,
                  "GPUs x 8760 h (no fleet simulation: the sold fraction of them is sold)", FMT_COUNT)
        mt = 0.0
        t = self.full_year("revenue_tokens_usd")
        if "million_tokens_per_year" in m.attrs:
            mt = float(m.attrs["million_tokens_per_year"])
            mt_note = "output tokens served within the SLOs (/economics/cash_flows attribute million_tokens_per_year)"
        elif t is not None:
            y = self.year_terms(t, price, price)
            mt = m.col("revenue_tokens_usd")[m.year_index(t)] / (y["volume"] * y["token_price"] * y["revenue_fx"])
            mt_note = "output tokens served within the SLOs; recovered from revenue_tokens_usd"
        elif "inference_served_tokens_per_s" in m.series:
            mt = float(m.series["inference_served_tokens_per_s"].sum()) * 3600.0 / 1e6 * self.per_year()
            mt_note = "output tokens served within the SLOs (timeseries sum; earns nothing at a token price of 0)"
        else:
            mt_note = "none"
        I.add("sim_mtokens", "million output tokens served", mt, "Mtoken/year", KIND_SIM, mt_note, FMT_COUNT)
        energy = float(m.attrs.get("opex_energy_usd_per_year", 0.0))
        tariff = _pointer_get(m.resolved, "/site/grid/price_usd_per_kwh", 0.0)
        mult = _pointer_get(m.resolved, "/site/grid/price_multiplier_by_hour", [1.0] * 24) or [1.0] * 24
        if "grid_import_w" in m.series and tariff > 0.0:
            g = m.series["grid_import_w"]
            weights = np.array([mult[h % 24] for h in range(len(g))], dtype=float)
            kwh = float((g / 1000.0 * weights).sum()) * self.per_year()
            other = energy - kwh * tariff
            I.add("sim_grid_kwh", "grid energy, weighted by the hourly price multipliers", kwh, "kWh/year", KIND_SIM,
                  "grid import (timeseries/grid_import_w) x price_multiplier_by_hour", FMT_COUNT)
            I.add("sim_energy_other", "generator fuel and rounding", other, "USD/year", KIND_SIM,
                  "opex_energy_usd_per_year - weighted grid energy x tariff (diesel for the generators)", FMT_USD)
        else:
            I.add("sim_grid_kwh", "grid energy (not in the file: energy cost below is fixed)", 0.0, "kWh/year",
                  KIND_SIM, "no timeseries/grid_import_w", FMT_COUNT)
            I.add("sim_energy_other", "energy cost", energy, "USD/year", KIND_SIM, "opex_energy_usd_per_year",
                  FMT_USD)
        water_price = _pointer_get(m.resolved, "/site/water_price_usd_per_m3", 0.0)
        water_cost = float(m.attrs.get("opex_water_usd_per_year", 0.0))
        if "water_m3_per_year" in m.attrs:
            m3 = float(m.attrs["water_m3_per_year"])
        elif water_price > 0.0:
            m3 = water_cost / water_price
        elif "water_l_per_h" in m.series:
            m3 = float(m.series["water_l_per_h"].sum()) / 1000.0 * self.per_year()
        else:
            m3 = 0.0
        I.add("sim_water_m3", "cooling water", m3, "m3/year", KIND_SIM,
              "attribute water_m3_per_year" if "water_m3_per_year" in m.attrs
              else "opex_water_usd_per_year / water price", FMT_COUNT)

    def per_year(self):
        h = float(self.m.resolved.get("horizon", {}).get("duration_h", HOURS_PER_YEAR))
        return HOURS_PER_YEAR / h

    def build_derived_inputs(self):
        I = self.I
        r = I.local
        I.section("Derived (formulas)")
        I.add("capex_building", "capex: building and M&E", f"={r('usd_per_w')}*({r('design_mw')}*1000000)", "USD",
              KIND_DERIVED, "construction cost x design IT capacity", FMT_USD)
        if self.systems:
            terms = "+".join(f"{r('count:' + n)}*{r('sysprice:' + n)}" for n in self.systems)
            gpus = "+".join(f"{r('count:' + n)}*{r('gpus:' + n)}" for n in self.systems)
        else:
            terms = gpus = "0"
        I.add("capex_systems", "capex: systems", f"={terms}", "USD", KIND_DERIVED, "count x price", FMT_USD)
        I.add("capex_network", "capex: network", f"={r('network_share')}*{r('capex_systems')}", "USD", KIND_DERIVED,
              "", FMT_USD)
        I.add("capex_installation", "capex: installation",
              f"={r('installation_share')}*({r('capex_systems')}+{r('capex_network')})", "USD", KIND_DERIVED, "",
              FMT_USD)
        I.add("capex_spares", "capex: spares", f"={r('spares_share')}*{r('capex_systems')}", "USD", KIND_DERIVED,
              "", FMT_USD)
        I.add("capex_it", "capex: IT (bought again at each refresh)",
              f"={r('capex_systems')}+{r('capex_network')}+{r('capex_installation')}+{r('capex_spares')}", "USD",
              KIND_DERIVED, "", FMT_USD)
        I.add("capex_total", "capex: total initial", f"={r('capex_building')}+{r('capex_it')}", "USD", KIND_DERIVED,
              "", FMT_USD)
        I.add("gpus", "GPUs installed", f"={gpus}", "1", KIND_DERIVED, "", FMT_COUNT)
        I.add("opex_staff", "opex: staff", f"={r('staff')}", "USD/year", KIND_DERIVED, "at COD prices", FMT_USD)
        I.add("opex_maintenance", "opex: maintenance",
              f"={r('maint_building')}*{r('capex_building')}+{r('maint_it')}*{r('capex_it')}", "USD/year",
              KIND_DERIVED, "at COD prices", FMT_USD)
        I.add("opex_insurance", "opex: insurance", f"={r('insurance')}*{r('capex_total')}", "USD/year", KIND_DERIVED,
              "at COD prices", FMT_USD)
        if self.months > 0:
            last = f"Construction!$G${self.cons_first_row + self.months - 1}"
            I.add("idc_share_one", "interest during construction at debt share 1", f"={last}-{r('capex_total')}",
                  "USD", KIND_DERIVED, "Construction sheet: monthly draws compounding at the interest rate / 12",
                  FMT_USD)
        else:
            I.add("idc_share_one", "interest during construction at debt share 1", 0, "USD", KIND_DERIVED,
                  "no construction period: all capex at COD", FMT_USD)
        I.add("senior_debt", "senior debt at COD", f"={r('debt_share')}*({r('capex_total')}+{r('idc_share_one')})",
              "USD", KIND_DERIVED, "debt share x (capex + IDC at share 1)", FMT_USD)
        I.add("idc", "interest during construction (capitalised)", f"={r('debt_share')}*{r('idc_share_one')}",
              "USD", KIND_DERIVED, "", FMT_USD)
        I.add("gearing", "gearing", f"=IF({r('capex_total')}+{r('idc')}>0,{r('senior_debt')}/({r('capex_total')}+"
              f"{r('idc')}),0)", "1", KIND_DERIVED, "senior debt / (capex + IDC)", FMT_PCT)
        I.add("dsra_share", "DSRA share of next year's debt service", f"={r('dsra_months')}/12", "1", KIND_DERIVED,
              "", FMT_PCT)
        H, Li = r("horizon"), r("life_it")
        I.add("last_fleet_year", "last IT refresh year (0: none)", f"={Li}*INT(({H}-1)/{Li})", "year", KIND_DERIVED,
              "", FMT_COUNT)
        I.add("terminal", "terminal book value at the horizon",
              f"=IF({r('terminal_flag')}=1,{r('capex_building')}*MAX(0,1-{H}/{r('life_building')})+"
              f"{r('capex_it')}*MAX(0,1-({H}-{r('last_fleet_year')})/{Li}),0)", "USD", KIND_DERIVED, "", FMT_USD)

    # -- construction ---------------------------------------------------------------------------------------------

    def build_construction(self):
        """Monthly draws: rows cons_first_row.. ; columns A month, B construction year, C draw share, D draw,
        E IDC, F balance before interest, G balance, H balance (fee pass), I commitment fee."""
        self.cons_first_row = 5
        if self.months <= 0:
            return
        ws = self.wb.create_sheet("Construction")
        ws["A1"] = "Construction: monthly draws, interest during construction (IDC) and commitment fees at debt " \
                   "share 1 (the CashFlow sheet takes the debt share of them)"
        ws["A1"].font = FONT_BOLD
        ws["A2"] = (f"Draw shares: the {self.cons.get('profile', 'even')} profile over {self.months} months, "
                    "computed as core/model/economics_construction.cpp does (a schedule input: edit to change the "
                    "profile, keeping the sum 1).")
        heads = ["month", "year", "draw share", "draw USD", "IDC USD", "balance USD", "balance incl. IDC USD",
                 "balance (fee pass) USD", "commitment fee USD"]
        for c, h in enumerate(heads, start=1):
            ws.cell(row=4, column=c, value=h).font = FONT_BOLD
        I = self.I
        n0 = self.cons_first_row
        C = len(self.con_years)
        last = n0 + self.months - 1
        for m in range(1, self.months + 1):
            r = n0 + m - 1
            prev_g = f"G{r - 1}" if m > 1 else "0"
            prev_h = f"H{r - 1}" if m > 1 else "0"
            year = construction_row_of_month(m, self.months) - (C - 1)
            ws.cell(row=r, column=1, value=m)
            ws.cell(row=r, column=2, value=year)
            c = ws.cell(row=r, column=3, value=self.shares[m - 1])
            c.font, c.fill, c.number_format = FONT_SCHEDULE, FILL_SCHEDULE, '0.000000%'
            ws.cell(row=r, column=4, value=f"=C{r}*{I.ref('capex_total')}").number_format = FMT_USD
            ws.cell(row=r, column=5, value=f"=({prev_g}+D{r})*({I.ref('rate')}/12)").number_format = FMT_USD
            ws.cell(row=r, column=6, value=f"={prev_g}+D{r}").number_format = FMT_USD
            ws.cell(row=r, column=7, value=f"={prev_g}+(D{r}+E{r})").number_format = FMT_USD
            # the fee pass: the undrawn facility (capex + IDC) after this month's draw, then the month's interest
            ws.cell(row=r, column=8, value=f"=({prev_h}+D{r})+({prev_h}+D{r})*({I.ref('rate')}/12)").number_format \
                = FMT_USD
            ws.cell(row=r, column=9, value=f"=MAX(0,$G${last}-({prev_h}+D{r}))*{I.ref('commitment_fee')}/12") \
                .number_format = FMT_USD
        for col, w in zip("ABCDEFGHI", (8, 8, 12, 18, 16, 18, 20, 20, 18)):
            ws.column_dimensions[col].width = w
        self.cons_ws = ws

    # -- drivers --------------------------------------------------------------------------------------------------

    def build_drivers(self):
        m, I = self.m, self.I
        ws = self.wb.create_sheet("Drivers")
        D = self.D = Sheet(ws, m.years)
        ws.cell(row=1, column=1, value="Drivers: the simulated year repeated over the horizon (formulas on Inputs; "
                                       "overwrite a year to change it) and schedules the sheet does not re-derive")
        ws.cell(row=1, column=1).font = FONT_BOLD
        D.next_row = 3
        _write_label(D, "year", "year", "year")
        _fill(D, "year", m.years, lambda y: y, FMT_YEAR, FONT_BOLD)
        D.section("From the simulation (per year, at the target volume)")
        ops = self.op_years
        _write_label(D, "workload_hours", "GPU-hours the workloads hold" if m.fleet else "GPU-hours sold",
                     "GPU h", "simulation")
        if m.fleet:
            _fill(D, "workload_hours", ops, lambda y: f"={I.ref('sim_workload_hours')}", FMT_COUNT)
        else:
            _fill(D, "workload_hours", ops,
                  lambda y: f"={I.ref('gpus')}*8760*{I.ref('sold_fraction')}", FMT_COUNT)
        _write_label(D, "cloud_hours", "GPU-hours sold as GPU cloud", "GPU h", "simulation x sold fraction")
        if m.fleet:
            _fill(D, "cloud_hours", ops, lambda y: f"={I.ref('sim_idle_hours')}*{I.ref('sold_fraction')}", FMT_COUNT)
        else:
            _fill(D, "cloud_hours", ops, lambda y: "=0", FMT_COUNT)
        _write_label(D, "mtokens", "million output tokens served", "Mtoken", "simulation")
        _fill(D, "mtokens", ops, lambda y: f"={I.ref('sim_mtokens')}", FMT_COUNT)
        _write_label(D, "energy", "energy cost (COD prices)", "USD", "simulation x tariff")
        _fill(D, "energy", ops, lambda y: f"={I.ref('sim_grid_kwh')}*{I.ref('tariff')}+{I.ref('sim_energy_other')}",
              FMT_USD)
        _write_label(D, "water", "water cost (COD prices)", "USD", "simulation x price")
        _fill(D, "water", ops, lambda y: f"={I.ref('sim_water_m3')}*{I.ref('water_price')}", FMT_USD)
        rev = self.e.get("revenue", {})
        self.price_by_year = rev.get("usd_per_gpu_hour_by_year", [])
        self.token_by_year = rev.get("usd_per_million_tokens_by_year", [])
        if self.price_by_year or self.token_by_year or self.sculpted:
            D.section("Schedules (inputs; not re-derived by the sheet)")
        if self.price_by_year:
            _write_label(D, "price_by_year", "GPU-hour price path (workloads)", "USD/GPU-h",
                         "scenario usd_per_gpu_hour_by_year")
            _fill(D, "price_by_year", ops, lambda y: self.price_by_year[y - 1] if y - 1 < len(self.price_by_year)
                  else None, FMT_PRICE, FONT_INPUT, FILL_INPUT)
        if self.token_by_year:
            _write_label(D, "token_by_year", "token price path", "USD/Mtoken", "scenario usd_per_million_tokens_by_year")
            _fill(D, "token_by_year", ops, lambda y: self.token_by_year[y - 1] if y - 1 < len(self.token_by_year)
                  else None, FMT_PRICE, FONT_INPUT, FILL_INPUT)
        if self.sculpted:
            _write_label(D, "senior_principal", "senior principal (sculpted)", "USD",
                         "sized by aidcsim on the sizing case; the last tenor year repays the balance")
            sched = self.senior_principal_schedule()
            _fill(D, "senior_principal", ops, lambda y: sched[y - 1], FMT_USD, FONT_SCHEDULE, FILL_SCHEDULE)
        ws.column_dimensions["A"].width = 44
        ws.column_dimensions["B"].width = 12
        ws.column_dimensions["C"].width = 26
        for y in m.years:
            ws.column_dimensions[D.letter(y)].width = 16
        ws.freeze_panes = "D4"

    def senior_principal_schedule(self):
        """The sculpted senior principal: the file's principal less the refresh tranches' (recomputed)."""
        m = self.m
        total = m.col("principal_usd")
        tranche = [0.0] * (self.H + 2)
        if self.funding == "debt":
            for b in self.refresh_years:
                lent = m.col("refresh_debt_drawdown_usd")[m.year_index(b)]
                rate = _pointer_get(m.resolved, "/economics/financing/interest_rate") if self.r_rate_linked else \
                    self.rdebt.get("interest_rate", 0.0)
                fee = _pointer_get(m.resolved, "/economics/financing/guarantee_fee_rate") if self.r_fee_linked else \
                    self.rdebt.get("guarantee_fee_rate", 0.0)
                for k, row in enumerate(debt_schedule(rate, fee, int(self.rdebt.get("tenor_years", self.Li)), 0,
                                                      self.rdebt.get("repayment", "annuity"), lent, self.H - b)):
                    tranche[b + 1 + k] += row[3]
        return [float(total[m.year_index(t)] - tranche[t]) for t in range(1, self.H + 1)]

    # -- the cash-flow sheet --------------------------------------------------------------------------------------

    def build_cashflow(self):
        m, I, D = self.m, self.I, self.D
        ws = self.wb.create_sheet("CashFlow")
        S = self.S = Sheet(ws, m.years)
        ws.cell(row=1, column=1, value=f"Annual cash flows (USD): {m.root.get('scenario_name', '')}, replication "
                                       f"{m.replication}. Every cell in the year columns is a formula; year <= 0 "
                                       "is construction, year 0 ends at COD.").font = FONT_BOLD
        S.next_row = 3
        ops, cons, allyears = self.op_years, self.con_years, m.years
        H = self.H
        i = I.ref
        R = S.ref

        def prev(key, y):
            return R(key, y - 1) if y - 1 in allyears else "0"

        # layout first (every key gets its row), formulas after
        layout = [
            ("year", "year", "year", None),
            ("S:Revenue", None, None, None),
            ("volume", "sold volume (ramp-up)", "1", None),
            ("age_factor", "price factor for the fleet's age", "1", None),
            ("gpu_price", "GPU-hour price (workloads)", "USD/GPU-h", None),
            ("cloud_price", "GPU-hour price (GPU cloud)", "USD/GPU-h", None),
            ("token_price", "price per million tokens", "USD/Mtoken", None),
            ("fx", "USD value of 1 local-currency unit (COD = 1)", "1", None),
            ("revenue_fx", "USD value of the revenue mix", "1", None),
            ("workload_hours_sold", "GPU-hours sold: workloads", "GPU h", None),
            ("cloud_hours_sold", "GPU-hours sold: GPU cloud", "GPU h", None),
            ("gpu_hours_sold", "GPU-hours sold", "GPU h", "gpu_hours_sold"),
            ("tokens_sold", "million output tokens sold", "Mtoken", None),
            ("revenue_workloads", "revenue: workloads' GPU-hours", "USD", "revenue_workloads_usd"),
            ("revenue_cloud", "revenue: GPU cloud", "USD", "revenue_cloud_usd"),
            ("revenue_tokens", "revenue: tokens", "USD", "revenue_tokens_usd"),
            ("revenue", "revenue", "USD", "revenue_usd"),
            ("S:Operating cost", None, None, None),
            ("opex_factor", "opex factor (escalation, currency)", "1", None),
            ("opex_energy", "energy", "USD", None),
            ("opex_water", "water", "USD", None),
            ("opex_staff", "staff", "USD", None),
            ("opex_maintenance", "maintenance", "USD", None),
            ("opex_insurance", "insurance", "USD", None),
            ("opex", "opex", "USD", "opex_usd"),
            ("ebitda", "EBITDA", "USD", "ebitda_usd"),
            ("S:Capex, refresh and depreciation", None, None, None),
            ("capex", "capex (construction; IT refresh)", "USD", "capex_usd"),
            ("senior_drawdown", "senior debt drawdown", "USD", "senior_debt_drawdown_usd"),
            ("equity_drawdown", "equity drawdown", "USD", "equity_drawdown_usd"),
            ("idc_row", "interest during construction (capitalised)", "USD", "idc_usd"),
            ("financing_fees", "financing fees (commitment, upfront)", "USD", "financing_fees_usd"),
            ("refresh_drawdown", "refresh tranche drawdown", "USD", "refresh_debt_drawdown_usd"),
            ("maintenance_capex", "maintenance capex (refresh paid from cash flow)", "USD", "maintenance_capex_usd"),
            ("mra_contribution", "maintenance reserve: contribution", "USD", "mra_contribution_usd"),
            ("mra_release", "maintenance reserve: release", "USD", "mra_release_usd"),
            ("mra_balance", "maintenance reserve: balance", "USD", "mra_balance_usd"),
            ("equity_injection", "sponsor equity injection (refresh)", "USD", "equity_injection_usd"),
            ("depreciation", "depreciation", "USD", "depreciation_usd"),
            ("S:Senior debt", None, None, None),
            ("s_open", "opening balance", "USD", None),
            ("s_interest", "interest", "USD", None),
            ("s_fee", "guarantee fee", "USD", None),
            ("s_principal", "principal", "USD", None),
            ("s_close", "closing balance", "USD", None),
        ]
        if self.funding == "debt":
            for b in self.refresh_years:
                layout += [
                    (f"S:Refresh tranche drawn in year {b}", None, None, None),
                    (f"t{b}_open", "opening balance", "USD", None),
                    (f"t{b}_interest", "interest", "USD", None),
                    (f"t{b}_fee", "guarantee fee", "USD", None),
                    (f"t{b}_principal", "principal", "USD", None),
                    (f"t{b}_close", "closing balance", "USD", None),
                ]
        layout += [
            ("S:Refresh tranches, total", None, None, None),
            ("r_interest", "interest", "USD", None),
            ("r_fee", "guarantee fee", "USD", None),
            ("r_principal", "principal", "USD", None),
            ("r_close", "closing balance", "USD", None),
            ("S:Debt service", None, None, None),
            ("interest", "interest", "USD", "interest_usd"),
            ("principal", "principal", "USD", "principal_usd"),
            ("guarantee_fee", "guarantee fee", "USD", "guarantee_fee_usd"),
            ("debt_service", "debt service", "USD", "debt_service_usd"),
            ("refresh_debt_service", "of which refresh tranches", "USD", "refresh_debt_service_usd"),
            ("debt_outstanding", "debt outstanding (end of year)", "USD", "debt_outstanding_usd"),
            ("S:Tax (losses carried forward)", None, None, None),
            ("taxable", "taxable income", "USD", None),
            ("loss_bf", "losses brought forward", "USD", None),
            ("loss_used", "losses used", "USD", None),
            ("tax", "tax", "USD", "tax_usd"),
            ("loss_cf", "losses carried forward", "USD", None),
            ("S:CFADS and cover", None, None, None),
            ("cfads", "CFADS", "USD", "cfads_usd"),
            ("dscr", "DSCR", "x", "dscr"),
            ("S:Debt service reserve account", None, None, None),
            ("dsra_target", "target (share of next year's debt service)", "USD", None),
            ("dsra_available", "cash after debt service", "USD", None),
            ("dsra_draw", "draw", "USD", None),
            ("dsra_after_draw", "balance after the draw", "USD", None),
            ("dsra_flow", "DSRA flow (+ funded, - released)", "USD", "dsra_flow_usd"),
            ("dsra_balance", "DSRA balance", "USD", "dsra_balance_usd"),
            ("S:Cash flows", None, None, None),
            ("terminal", "terminal value", "USD", "terminal_value_usd"),
            ("taxable_u", "taxable income, unlevered", "USD", None),
            ("loss_u_bf", "losses brought forward, unlevered", "USD", None),
            ("loss_u_used", "losses used, unlevered", "USD", None),
            ("tax_u", "tax, unlevered", "USD", None),
            ("loss_u_cf", "losses carried forward, unlevered", "USD", None),
            ("equity_cf", "equity cash flow", "USD", "equity_cash_flow_usd"),
            ("project_cf", "project cash flow (unlevered, after tax)", "USD", "project_cash_flow_usd"),
        ]
        self.file_column = {}
        for key, label, unit, column in layout:
            if key.startswith("S:"):
                S.section(key[2:])
                continue
            _write_label(S, key, label, unit, "")
            if column:
                self.file_column[key] = column
        bold = {"revenue", "opex", "ebitda", "cfads", "debt_service", "dscr", "equity_cf", "project_cf"}
        for key in bold:
            ws.cell(row=S.rows[key], column=1).font = FONT_BOLD

        _fill(S, "year", allyears, lambda y: y, FMT_YEAR, FONT_BOLD)
        Lb = i("life_building")

        # revenue
        _fill(S, "volume", ops, lambda y: f"=IF(AND({i('ramp_years')}>0,{y}<={i('ramp_years')}),{i('ramp_start')}+"
              f"(1-{i('ramp_start')})*({y}-1)/{i('ramp_years')},1)", FMT_FACTOR)
        _fill(S, "age_factor", ops, lambda y: f"=(1-{i('price_decline')})^MOD({y}-1,{i('life_it')})", FMT_FACTOR)
        if self.price_by_year:
            _fill(S, "gpu_price", ops, lambda y: f"={D.xref('price_by_year', y)}" if y - 1 < len(self.price_by_year)
                  else f"={i('price')}*{R('age_factor', y)}", FMT_PRICE)
        else:
            _fill(S, "gpu_price", ops, lambda y: f"={i('price')}*{R('age_factor', y)}", FMT_PRICE)
        _fill(S, "cloud_price", ops, lambda y: f"={i('cloud_price')}*IF({i('price')}>0,{R('gpu_price', y)}/"
              f"{i('price')},{R('age_factor', y)})", FMT_PRICE)
        if self.token_by_year:
            _fill(S, "token_price", ops, lambda y: f"={D.xref('token_by_year', y)}" if y - 1 < len(self.token_by_year)
                  else f"={i('token_price')}*(1-{i('token_decline')})^({y}-1)", FMT_PRICE)
        else:
            _fill(S, "token_price", ops, lambda y: f"={i('token_price')}*(1-{i('token_decline')})^({y}-1)", FMT_PRICE)
        _fill(S, "fx", ops, lambda y: f"=(1-{i('devaluation')})^{y}", FMT_FACTOR)
        _fill(S, "revenue_fx", ops, lambda y: f"=1-{i('lc_revenue')}+{i('lc_revenue')}*{R('fx', y)}", FMT_FACTOR)
        _fill(S, "workload_hours_sold", ops, lambda y: f"={R('volume', y)}*{D.xref('workload_hours', y)}", FMT_COUNT)
        _fill(S, "cloud_hours_sold", ops, lambda y: f"={R('volume', y)}*{D.xref('cloud_hours', y)}", FMT_COUNT)
        _fill(S, "gpu_hours_sold", ops, lambda y: f"={R('volume', y)}*({D.xref('workload_hours', y)}+"
              f"{D.xref('cloud_hours', y)})", FMT_COUNT)
        _fill(S, "tokens_sold", ops, lambda y: f"={R('volume', y)}*{D.xref('mtokens', y)}", FMT_COUNT)
        _fill(S, "revenue_workloads", ops, lambda y: f"={R('workload_hours_sold', y)}*{R('gpu_price', y)}*"
              f"{R('revenue_fx', y)}", FMT_USD)
        _fill(S, "revenue_cloud", ops, lambda y: f"={R('cloud_hours_sold', y)}*{R('cloud_price', y)}*"
              f"{R('revenue_fx', y)}", FMT_USD)
        _fill(S, "revenue_tokens", ops, lambda y: f"={R('tokens_sold', y)}*{R('token_price', y)}*"
              f"{R('revenue_fx', y)}", FMT_USD)
        _fill(S, "revenue", ops, lambda y: f"={R('revenue_workloads', y)}+{R('revenue_cloud', y)}+"
              f"{R('revenue_tokens', y)}", FMT_USD)

        # opex: the total is the COD-price sum times the factor, as the C++ (the lines below it are its parts)
        _fill(S, "opex_factor", ops, lambda y: f"=(1+{i('escalation')})^({y}-1)*(1-{i('lc_opex')}+{i('lc_opex')}*"
              f"{R('fx', y)})", FMT_FACTOR)
        _fill(S, "opex_energy", ops, lambda y: f"={D.xref('energy', y)}*{R('opex_factor', y)}", FMT_USD)
        _fill(S, "opex_water", ops, lambda y: f"={D.xref('water', y)}*{R('opex_factor', y)}", FMT_USD)
        _fill(S, "opex_staff", ops, lambda y: f"={i('opex_staff')}*{R('opex_factor', y)}", FMT_USD)
        _fill(S, "opex_maintenance", ops, lambda y: f"={i('opex_maintenance')}*{R('opex_factor', y)}", FMT_USD)
        _fill(S, "opex_insurance", ops, lambda y: f"={i('opex_insurance')}*{R('opex_factor', y)}", FMT_USD)
        _fill(S, "opex", ops, lambda y: f"=({D.xref('energy', y)}+{D.xref('water', y)}+{i('opex_staff')}+"
              f"{i('opex_maintenance')}+{i('opex_insurance')})*{R('opex_factor', y)}", FMT_USD)
        _fill(S, "ebitda", ops, lambda y: f"={R('revenue', y)}-{R('opex', y)}", FMT_USD)

        # capex and construction
        first_con = cons[0]
        last_con = cons[-1]
        if self.months > 0:
            n0, n1 = self.cons_first_row, self.cons_first_row + self.months - 1

            def con_sum(col, y):
                return f"SUMIF(Construction!$B${n0}:$B${n1},{y},Construction!${col}${n0}:${col}${n1})"

            _fill(S, "capex", cons, lambda y: f"={con_sum('D', y)}", FMT_USD)
            _fill(S, "idc_row", cons, lambda y: f"={i('debt_share')}*{con_sum('E', y)}", FMT_USD)
            _fill(S, "financing_fees", cons, lambda y: f"={i('debt_share')}*{con_sum('I', y)}+" +
                  (f"{i('upfront_fee')}*{i('senior_debt')}" if y == first_con else "0"), FMT_USD)
        else:
            _fill(S, "capex", cons, lambda y: f"={i('capex_total')}", FMT_USD)
            _fill(S, "idc_row", cons, lambda y: "=0", FMT_USD)
            _fill(S, "financing_fees", cons, lambda y: f"=0+{i('upfront_fee')}*{i('senior_debt')}", FMT_USD)
        _fill(S, "senior_drawdown", cons, lambda y: f"={i('debt_share')}*{R('capex', y)}", FMT_USD)
        _fill(S, "equity_drawdown", cons, lambda y: f"={R('capex', y)}-{R('senior_drawdown', y)}", FMT_USD)
        _fill(S, "capex", ops, lambda y: f"=IF(AND(MOD({y},{i('life_it')})=0,{y}<{i('horizon')}),{i('capex_it')},0)",
              FMT_USD)
        zero = lambda y: "=0"  # noqa: E731 - the lines a funding choice leaves empty
        f = self.funding
        _fill(S, "refresh_drawdown", ops, (lambda y: f"={i('r_share')}*{R('capex', y)}") if f == "debt" else zero,
              FMT_USD)
        if f == "cash_flow":
            _fill(S, "maintenance_capex", ops, lambda y: f"={R('capex', y)}", FMT_USD)
        elif f == "debt":
            _fill(S, "maintenance_capex", ops, lambda y: f"={R('capex', y)}-{R('refresh_drawdown', y)}", FMT_USD)
        else:
            _fill(S, "maintenance_capex", ops, zero, FMT_USD)
        if f == "reserve":
            _fill(S, "mra_contribution", ops, lambda y: f"=IF({i('life_it')}*(INT(({y}-1)/{i('life_it')})+1)<"
                  f"{i('horizon')},{i('capex_it')}/{i('life_it')},0)", FMT_USD)
            _fill(S, "mra_release", ops, lambda y: f"={R('capex', y)}", FMT_USD)
        else:
            _fill(S, "mra_contribution", ops, zero, FMT_USD)
            _fill(S, "mra_release", ops, zero, FMT_USD)
        _fill(S, "mra_balance", ops, lambda y: f"={prev('mra_balance', y) if y > 1 else '0'}+"
              f"({R('mra_contribution', y)}-{R('mra_release', y)})", FMT_USD)
        _fill(S, "equity_injection", ops, (lambda y: f"={R('capex', y)}") if f == "equity" else zero, FMT_USD)
        _fill(S, "depreciation", ops, lambda y: f"=IF({y}<={Lb},{i('capex_building')}/{Lb},0)+{i('capex_it')}/"
              f"{i('life_it')}", FMT_USD)

        # senior debt
        def active(open_ref, y, tenor):
            return f"OR({open_ref}<=0,{y}>{tenor})"

        _fill(S, "s_open", ops, lambda y: f"={i('senior_debt')}" if y == 1 else f"={R('s_close', y - 1)}", FMT_USD)
        _fill(S, "s_interest", ops, lambda y: f"=IF({active(R('s_open', y), y, i('tenor'))},0,{R('s_open', y)}*"
              f"{i('rate')})", FMT_USD)
        _fill(S, "s_fee", ops, lambda y: f"=IF({active(R('s_open', y), y, i('tenor'))},0,{R('s_open', y)}*"
              f"{i('fee_rate')})", FMT_USD)
        if self.sculpted:
            _fill(S, "s_principal", ops, lambda y: f"=IF({active(R('s_open', y), y, i('tenor'))},0,IF({y}="
                  f"{i('tenor')},{R('s_open', y)},{D.xref('senior_principal', y)}))", FMT_USD)
        else:
            _fill(S, "s_principal", ops, lambda y: self.principal_formula(
                R('s_open', y), y, i('tenor'), i('grace'), i('rate'), i('repayment'), i('senior_debt'),
                R('s_interest', y)), FMT_USD)
        _fill(S, "s_close", ops, lambda y: f"={R('s_open', y)}-{R('s_principal', y)}", FMT_USD)

        # refresh tranches (no grace; drawn at the end of the refresh year)
        tranches = self.refresh_years if f == "debt" else []
        for b in tranches:
            ty = [y for y in ops if y > b]
            k = f"t{b}_"
            # the tranche's own year y - b against its tenor
            _fill(S, k + "open", ty, lambda y, b=b, k=k: f"={R('refresh_drawdown', b)}" if y == b + 1
                  else f"={R(k + 'close', y - 1)}", FMT_USD)
            _fill(S, k + "interest", ty, lambda y, b=b, k=k: f"=IF({active(R(k + 'open', y), y - b, i('r_tenor'))},0,"
                  f"{R(k + 'open', y)}*{i('r_rate')})", FMT_USD)
            _fill(S, k + "fee", ty, lambda y, b=b, k=k: f"=IF({active(R(k + 'open', y), y - b, i('r_tenor'))},0,"
                  f"{R(k + 'open', y)}*{i('r_fee')})", FMT_USD)
            _fill(S, k + "principal", ty, lambda y, b=b, k=k: self.principal_formula(
                R(k + 'open', y), y - b, i('r_tenor'), "0", i('r_rate'), i('r_repayment'), R('refresh_drawdown', b),
                R(k + 'interest', y)), FMT_USD)
            _fill(S, k + "close", ty, lambda y, k=k: f"={R(k + 'open', y)}-{R(k + 'principal', y)}", FMT_USD)
            _fill(S, k + "close", [b], lambda y: f"={R('refresh_drawdown', b)}", FMT_USD)

        def tranche_sum(part, y):
            terms = [R(f"t{b}_{part}", y) for b in tranches if (y > b or (part == "close" and y == b))]
            return "=" + ("+".join(terms) if terms else "0")

        _fill(S, "r_interest", ops, lambda y: tranche_sum("interest", y), FMT_USD)
        _fill(S, "r_fee", ops, lambda y: tranche_sum("fee", y), FMT_USD)
        _fill(S, "r_principal", ops, lambda y: tranche_sum("principal", y), FMT_USD)
        _fill(S, "r_close", ops, lambda y: tranche_sum("close", y), FMT_USD)

        # debt service, in the C++'s order of terms
        _fill(S, "interest", ops, lambda y: f"={R('s_interest', y)}+{R('r_interest', y)}", FMT_USD)
        _fill(S, "principal", ops, lambda y: f"={R('s_principal', y)}+{R('r_principal', y)}", FMT_USD)
        _fill(S, "guarantee_fee", ops, lambda y: f"={R('s_fee', y)}+{R('r_fee', y)}", FMT_USD)
        _fill(S, "debt_service", ops, lambda y: f"={R('s_interest', y)}+{R('s_principal', y)}+{R('s_fee', y)}+"
              f"{R('r_interest', y)}+{R('r_principal', y)}+{R('r_fee', y)}", FMT_USD)
        _fill(S, "refresh_debt_service", ops, lambda y: f"={R('r_interest', y)}+{R('r_principal', y)}+"
              f"{R('r_fee', y)}", FMT_USD)
        _fill(S, "debt_outstanding", cons, lambda y: f"={i('senior_debt')}" if y == last_con else
              f"={prev('debt_outstanding', y)}+({R('senior_drawdown', y)}+{R('idc_row', y)})", FMT_USD)
        _fill(S, "debt_outstanding", ops, lambda y: f"={R('s_close', y)}+{R('r_close', y)}", FMT_USD)

        # tax with losses carried forward
        def tax_rows(prefix, taxable_formula):
            t, bf, used, tax, cf = (prefix + "taxable" if prefix else "taxable", f"loss_{prefix}bf",
                                    f"loss_{prefix}used", "tax_u" if prefix else "tax", f"loss_{prefix}cf")
            _fill(S, t, ops, taxable_formula, FMT_USD)
            _fill(S, bf, ops, lambda y: "=0" if y == 1 else f"={R(cf, y - 1)}", FMT_USD)
            _fill(S, used, ops, lambda y: f"=IF({R(t, y)}<0,0,MIN({R(bf, y)},{R(t, y)}))", FMT_USD)
            _fill(S, tax, ops, lambda y: f"=IF({R(t, y)}<0,0,{i('tax_rate')}*({R(t, y)}-{R(used, y)}))", FMT_USD)
            _fill(S, cf, ops, lambda y: f"=IF({R(t, y)}<0,{R(bf, y)}-{R(t, y)},{R(bf, y)}-{R(used, y)})", FMT_USD)

        tax_rows("", lambda y: f"={R('ebitda', y)}-{R('depreciation', y)}-{R('interest', y)}-"
                 f"{R('guarantee_fee', y)}")
        S.rows["u_taxable"] = S.rows["taxable_u"]  # tax_rows names the unlevered taxable row u_taxable
        tax_rows("u_", lambda y: f"={R('ebitda', y)}-{R('depreciation', y)}")

        # CFADS and DSCR
        _fill(S, "cfads", ops, lambda y: f"={R('ebitda', y)}-{R('tax', y)}-{R('maintenance_capex', y)}-"
              f"{R('mra_contribution', y)}", FMT_USD)
        _fill(S, "dscr", ops, lambda y: f"=IF({R('debt_service', y)}>0,{R('cfads', y)}/{R('debt_service', y)},\"\")",
              FMT_RATIO)

        # DSRA
        _fill(S, "dsra_target", ops, lambda y: f"={i('dsra_share')}*" + (R('debt_service', y + 1) if y < H else "0"),
              FMT_USD)
        _fill(S, "dsra_available", ops, lambda y: f"={R('cfads', y)}-{R('debt_service', y)}", FMT_USD)
        _fill(S, "dsra_draw", ops, lambda y: f"=IF({R('dsra_available', y)}<0,MIN({prev('dsra_balance', y)},"
              f"-{R('dsra_available', y)}),0)", FMT_USD)
        _fill(S, "dsra_after_draw", ops, lambda y: f"={prev('dsra_balance', y)}-{R('dsra_draw', y)}", FMT_USD)
        _fill(S, "dsra_flow", ops, lambda y: f"=IF({R('dsra_after_draw', y)}>{R('dsra_target', y)},-"
              f"{R('dsra_draw', y)}-({R('dsra_after_draw', y)}-{R('dsra_target', y)}),IF({R('dsra_available', y)}>0,"
              f"-{R('dsra_draw', y)}+MIN({R('dsra_target', y)}-{R('dsra_after_draw', y)},{R('dsra_available', y)}),"
              f"-{R('dsra_draw', y)}))", FMT_USD)
        _fill(S, "dsra_balance", ops, lambda y: f"=IF({R('dsra_after_draw', y)}>{R('dsra_target', y)},"
              f"{R('dsra_target', y)},IF({R('dsra_available', y)}>0,{R('dsra_after_draw', y)}+MIN("
              f"{R('dsra_target', y)}-{R('dsra_after_draw', y)},{R('dsra_available', y)}),{R('dsra_after_draw', y)}))",
              FMT_USD)
        ds1 = R('debt_service', 1) if 1 in ops else "0"
        _fill(S, "dsra_flow", cons, lambda y: f"=IF({i('dsra_funding')}=\"close\",{i('dsra_share')}*{ds1},0)"
              if y == last_con else "=0", FMT_USD)
        _fill(S, "dsra_balance", cons, lambda y: f"={R('dsra_flow', y)}" if y == last_con else "=0", FMT_USD)

        # cash flows
        _fill(S, "terminal", ops, lambda y: f"={i('terminal')}" if y == H else "=0", FMT_USD)
        _fill(S, "equity_cf", cons, lambda y: f"=-{R('equity_drawdown', y)}-{R('financing_fees', y)}-"
              f"{R('dsra_flow', y)}", FMT_USD)
        _fill(S, "equity_cf", ops, lambda y: f"={R('cfads', y)}-{R('debt_service', y)}-{R('dsra_flow', y)}-"
              f"{R('equity_injection', y)}+{R('terminal', y)}+" + (R('mra_balance', y) if y == H else "0"), FMT_USD)
        _fill(S, "project_cf", cons, lambda y: f"=-{R('capex', y)}", FMT_USD)
        _fill(S, "project_cf", ops, lambda y: f"={R('ebitda', y)}-{R('capex', y)}-{R('tax_u', y)}+"
              f"{R('terminal', y)}", FMT_USD)

        ws.cell(row=S.rows["dscr"], column=1).fill = FILL_INPUT
        ws.column_dimensions["A"].width = 48
        ws.column_dimensions["B"].width = 11
        ws.column_dimensions["C"].width = 4
        for y in allyears:
            ws.column_dimensions[S.letter(y)].width = 16
        ws.freeze_panes = "D4"

    @staticmethod
    def principal_formula(open_ref, y, tenor, grace, rate, repayment, original, interest):
        """economics_debt.cpp debt_schedule's principal of year y (y counted from the loan's first year)."""
        left = f"({tenor}-{y}+1)"
        annuity = (f"IF({rate}=0,{open_ref}/{left},{open_ref}*{rate}/(1-(1+{rate})^(-{left})))-{interest}")
        return (f"=IF(OR({open_ref}<=0,{y}>{tenor}),0,IF({y}<={grace},0,IF({y}={tenor},{open_ref},"
                f"IF({repayment}=\"straight\",{original}/({tenor}-{grace}),{annuity}))))")

    # -- checks and summary ---------------------------------------------------------------------------------------

    def build_checks(self):
        m, S = self.m, self.S
        ws = self.wb.create_sheet("Checks")
        ws["A1"] = ("Checks: the recomputed rows against the results file (static values of /economics/cash_flows "
                    "and its attributes). With the inputs unchanged every difference is rounding (|rel| < 1e-9); "
                    "after a change it is the change's effect.")
        ws["A1"].font = FONT_BOLD
        years = m.years
        first = 4
        col = {y: get_column_letter(first + years.index(y)) for y in years}
        ws.cell(row=3, column=1, value="row").font = FONT_BOLD
        ws.cell(row=3, column=2, value="").font = FONT_BOLD
        ws.cell(row=3, column=3, value="unit").font = FONT_BOLD
        for y in years:
            ws.cell(row=3, column=first + years.index(y), value=y).font = FONT_BOLD
        r = 4
        self.check_rows = {}
        for key, column in self.file_column.items():
            fmt = FMT_RATIO if column == "dscr" else (FMT_COUNT if column == "gpu_hours_sold" else FMT_USD)
            values = m.col(column)
            ws.cell(row=r, column=1, value=column)
            ws.cell(row=r, column=2, value="results file")
            ws.cell(row=r + 1, column=2, value="workbook")
            ws.cell(row=r + 2, column=2, value="relative difference")
            for y in years:
                v = float(values[years.index(y)])
                c = ws.cell(row=r, column=first + years.index(y), value=None if math.isnan(v) else v)
                c.number_format, c.font = fmt, FONT_SCHEDULE
                wref = f"CashFlow!{S.ref(key, y)}"
                c2 = ws.cell(row=r + 1, column=first + years.index(y), value=f"=IF(ISBLANK({wref}),\"\",{wref})")
                c2.number_format = fmt
                L = col[y]
                c3 = ws.cell(row=r + 2, column=first + years.index(y),
                             value=f"=IF(OR(ISTEXT({L}{r + 1}),ISBLANK({L}{r})),\"\",({L}{r + 1}-{L}{r})/"
                                   f"MAX(1,ABS({L}{r})))")
                c3.number_format = '0.0E+00'
            self.check_rows[column] = r
            r += 4
        ws.column_dimensions["A"].width = 28
        ws.column_dimensions["B"].width = 20
        for y in years:
            ws.column_dimensions[col[y]].width = 16
        ws.freeze_panes = "D4"

    def build_summary(self):
        m, S, I = self.m, self.S, self.I
        ws = self.wb.create_sheet("Summary", 0)
        ops, years = self.op_years, m.years
        a = m.attrs
        ws["A1"] = f"Cash-flow model: {m.root.get('scenario_name', '')}"
        ws["A1"].font = FONT_TITLE
        ws["A2"] = (f"replication {m.replication} ({a.get('selection', '')}); live formulas on the Inputs sheet. "
                    "Column C: the value in the results file.")
        heads = ["metric", "workbook (live)", "results file", "unit", "definition"]
        for c, h in enumerate(heads, start=1):
            ws.cell(row=4, column=c, value=h).font = FONT_BOLD
        T = f"MIN({I.ref('tenor')},{I.ref('horizon')})"
        cf = lambda key: f"CashFlow!{S.range(key, ops)}"  # noqa: E731
        cfall = lambda key: f"CashFlow!{S.range(key, years)}"  # noqa: E731
        yr = cf("year")
        pv_senior = (f"SUMPRODUCT(({cf('cfads')}-{cf('refresh_debt_service')})/(1+{I.ref('rate')})^{yr}*"
                     f"({yr}<={{T}}))")
        steps = f"(CashFlow!{S.range('year', years)}-{years[0]})"
        rows = [
            ("min DSCR", f"=MIN({cf('dscr')})", a.get("min_dscr"), "x", "minimum over the debt's life of CFADS / "
             "debt service", FMT_RATIO),
            ("average DSCR", f"=AVERAGE({cf('dscr')})", a.get("avg_dscr"), "x", "mean over the debt's life", FMT_RATIO),
            ("LLCR", "=" + pv_senior.replace("{T}", T) + f"/{I.ref('senior_debt')}", a.get("llcr"), "x",
             "PV at COD (senior rate) of CFADS less the refresh tranches' service over the senior tenor / senior "
             "debt at COD", FMT_RATIO),
            ("PLCR", "=" + pv_senior.replace("{T}", I.ref('horizon')) + f"/{I.ref('senior_debt')}", a.get("plcr"), "x",
             "the same PV over the whole horizon / senior debt", FMT_RATIO),
            ("project NPV", f"=SUMPRODUCT({cfall('project_cf')}/(1+{I.ref('discount_rate')})^{steps})",
             a.get("project_npv_usd"), "USD", "at the project discount rate, at financial close", FMT_USD),
            ("equity NPV", f"=SUMPRODUCT({cfall('equity_cf')}/(1+{I.ref('equity_discount_rate')})^{steps})",
             a.get("equity_npv_usd"), "USD", "at the equity discount rate, at financial close", FMT_USD),
            ("project IRR", f"=IRR({cfall('project_cf')},0.08)", a.get("project_irr"), "1/year",
             "spreadsheet IRR (aidcsim takes the lowest root; they differ only when the flows have several)", FMT_PCT),
            ("equity IRR", f"=IRR({cfall('equity_cf')},0.12)", a.get("equity_irr"), "1/year",
             "spreadsheet IRR (equity flows change sign more than once when a refresh needs cash: several roots "
             "may exist)", FMT_PCT),
            ("senior debt at COD", f"={I.ref('senior_debt')}", a.get("senior_debt_usd"), "USD",
             "capitalised interest during construction included", FMT_USD),
            ("gearing", f"={I.ref('gearing')}", a.get("gearing"), "1", "senior debt / (capex + IDC)", FMT_PCT),
            ("interest during construction", f"={I.ref('idc')}", a.get("idc_usd"), "USD", "", FMT_USD),
            ("capex, initial", f"={I.ref('capex_total')}", self.python_capex_total(), "USD", "", FMT_USD),
            ("opex per year at COD prices", f"=CashFlow!{S.ref('opex', ops[0])}/CashFlow!{S.ref('opex_factor', ops[0])}"
             if ops else "=0", sum(a.get(k, 0.0) for k in ("opex_energy_usd_per_year", "opex_water_usd_per_year",
                                                            "opex_staff_usd_per_year", "opex_maintenance_usd_per_year",
                                                            "opex_insurance_usd_per_year")),
             "USD/year", "energy, water, staff, maintenance, insurance", FMT_USD),
        ]
        self.summary_rows = {}
        for k, (label, formula, file_value, unit, note, fmt) in enumerate(rows, start=5):
            ws.cell(row=k, column=1, value=label)
            c = ws.cell(row=k, column=2, value=formula)
            c.number_format, c.font = fmt, FONT_BOLD
            fv = None if file_value is None or (isinstance(file_value, float) and math.isnan(file_value)) \
                else float(file_value)
            c = ws.cell(row=k, column=3, value=fv)
            c.number_format, c.font = fmt, FONT_SCHEDULE
            ws.cell(row=k, column=4, value=unit)
            ws.cell(row=k, column=5, value=note)
            self.summary_rows[label] = k
        ws.column_dimensions["A"].width = 30
        ws.column_dimensions["B"].width = 20
        ws.column_dimensions["C"].width = 20
        ws.column_dimensions["D"].width = 9
        ws.column_dimensions["E"].width = 100

    def build_about(self):
        m = self.m
        ws = self.wb.create_sheet("About")
        a, root = m.attrs, m.root
        lines = [
            ("aidcsim cash-flow workbook", None),
            ("", None),
            ("source file", os.path.abspath(m.path)),
            ("scenario", root.get("scenario_name", "")),
            ("aidcsim version", root.get("software_version", "")),
            ("git sha", root.get("git_sha", "")),
            ("seed", root.get("seed", "")),
            ("replications", root.get("replications", "")),
            ("created (UTC)", root.get("created_utc", "")),
            ("replication modelled", f"{m.replication}: {a.get('selection', '')}"),
            ("debt sizing", a.get("debt_sizing", "")),
            ("refresh funding", a.get("refresh_funding", "")),
            ("CFADS", a.get("cfads", "")),
            ("", None),
            ("What is live", "Every cell in the year columns of CashFlow, the Construction sheet, the Derived "
             "section of Inputs and the Summary's workbook column are formulas. Change a blue input on Inputs (a "
             "price, the sold fraction, the tariff, an opex item, a capex item, the tax rate, the interest rate, "
             "the tenor, the grace, the debt share, ...) and revenue, opex, EBITDA, tax, CFADS, the debt schedule, "
             "debt service, DSCR, the DSRA, the cash flows, NPVs, IRRs and cover ratios recompute as "
             "core/model/economics*.cpp would for this replication."),
            ("Inputs from the simulation", "Brown cells (kind \"simulation\"): the GPU-hours the workloads held, "
             "the healthy GPU-hours they left idle, the tokens served, the grid energy and the water of the "
             "simulated year of this replication. The Drivers sheet repeats them each operating year (overwrite a "
             "year to change it). Changing them is not re-simulating: the fleet, power and cooling models are not "
             "in the workbook."),
            ("Schedules", "Brown cells of kind \"schedule\": the monthly draw shares of the construction profile, "
             "and with sculpted sizing the debt share and the senior principal of each year (sized by aidcsim on "
             "the sizing case; the sheet recomputes interest on them but does not re-sculpt)."),
            ("Structural", "Horizon, construction months, IT life and refresh funding set the sheet's layout (which "
             "columns are construction years, which years refresh the IT, which tranche rows exist): change them in "
             "the scenario and re-run aidcsim."),
            ("Sampled inputs", "Inputs of kind \"input (sampled)\" hold the values /uncertainty drew for this "
             "replication, not the scenario's base values (the note gives both)."),
            ("Checks", "The Checks sheet sets every recomputed row against the results file's column; with the "
             "inputs unchanged the differences are rounding."),
            ("Colours", "blue on yellow: input; brown on beige: simulation result or schedule; black: formula."),
        ]
        for note in self.notes:
            lines.append(("Note", note))
        for r, (k, v) in enumerate(lines, start=1):
            ws.cell(row=r, column=1, value=k).font = FONT_TITLE if r == 1 else FONT_BOLD
            if v is not None:
                c = ws.cell(row=r, column=2, value=v)
                c.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions["A"].width = 28
        ws.column_dimensions["B"].width = 120

    def build(self):
        self.build_construction_first_row()
        self.build_inputs()
        self.build_construction()
        self.build_drivers()
        self.build_cashflow()
        self.build_checks()
        self.build_summary()
        self.build_about()
        order = ["Summary", "Inputs", "Drivers", "CashFlow", "Construction", "Checks", "About"]
        self.wb._sheets.sort(key=lambda s: order.index(s.title) if s.title in order else 99)
        self.wb.active = 0
        return self.wb

    def build_construction_first_row(self):
        self.cons_first_row = 5


def build_workbook(results_path):
    """The openpyxl Workbook of a results file (BadInput when the file has no cash-flow table)."""
    with open_results(results_path) as f:
        model = Model(f, results_path)
    return Builder(model).build()


def write_workbook(results_path, xlsx_path):
    """Write the annual cash-flow model of a results file as an .xlsx workbook of live formulas (atomically)."""
    if os.path.exists(xlsx_path) and os.path.realpath(xlsx_path) == os.path.realpath(results_path):
        raise BadInput(f"{xlsx_path}: is the results file; expected a new file for the workbook")
    wb = build_workbook(results_path)
    with atomic_file.replaced_atomically(xlsx_path, suffix=".xlsx") as tmp:
        wb.save(tmp)

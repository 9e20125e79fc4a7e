"""The cash-flow workbook recomputes in a real spreadsheet engine and its rows equal the results file; the CSV
exports parse back to the HDF5 tables.

Env (tests/CMakeLists.txt): AIDCSIM_REPORT_FIXTURES (default.h5), AIDCSIM_TEST_OUT (scratch), PYTHONPATH=visualize.
LibreOffice (Debian's libreoffice-calc-nogui) recomputes the workbook: openpyxl writes formulas without cached
values, so every number read back was computed by LibreOffice. A missing LibreOffice fails the test.
"""
import csv
import math
import os
import shutil
import subprocess
import tempfile
import unittest

import h5py
import numpy as np
import openpyxl

from aidcsim_report import csv_export, workbook
from aidcsim_report.errors import BadInput

FIXTURES = os.environ.get("AIDCSIM_REPORT_FIXTURES", "/tmp/r")
RESULTS = os.path.join(FIXTURES, "default.h5")
PRICE_FACTOR = 1.1
NEW_TAX_RATE = 0.30
REL = 1e-9


def scratch():
    base = os.environ.get("AIDCSIM_TEST_OUT") or tempfile.gettempdir()
    os.makedirs(base, exist_ok=True)
    return tempfile.mkdtemp(prefix="test_workbook-", dir=base)


def soffice():
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        raise AssertionError("LibreOffice is not installed: install Debian's libreoffice-calc-nogui "
                             "(apt-get install --no-install-recommends libreoffice-calc-nogui; bash tools/deps.sh)")
    return exe


def recompute(paths, out_dir, profile_dir):
    """Open each workbook in headless LibreOffice and save it again: the saved copies hold computed values."""
    os.makedirs(out_dir, exist_ok=True)
    cmd = [soffice(), "--headless", "--norestore", "--nolockcheck", f"-env:UserInstallation=file://{profile_dir}",
           "--convert-to", "xlsx", "--outdir", out_dir] + list(paths)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120, text=True)
    out = [os.path.join(out_dir, os.path.basename(x)) for x in paths]
    missing = [x for x in out if not os.path.exists(x)]
    if p.returncode != 0 or missing:
        raise AssertionError(f"LibreOffice did not convert {missing}: rc {p.returncode}\n{p.stdout}")
    return out


def rows_by_label(ws):
    """First row of each label in column A."""
    rows = {}
    for r in range(1, ws.max_row + 1):
        v = ws.cell(row=r, column=1).value
        if isinstance(v, str) and v not in rows:
            rows[v] = r
    return rows


def year_row(ws, rows, label, years, first_col=4):
    return [ws.cell(row=rows[label], column=first_col + k).value for k in range(len(years))]


def rel_diff(a, b):
    return abs(a - b) / max(1.0, abs(b))


def expected_after_change(cf, price_factor, tax_rate):
    """DSCR and CFADS computed here, independently of the workbook, from the file's columns: the GPU-hour prices
    scaled by price_factor and a new tax rate; debt service, opex, depreciation and interest are unchanged (the
    debt is sized by share), tax keeps its losses carried forward."""
    cfads, dscr, revenue = {}, {}, {}
    loss = 0.0
    for row in cf:
        t = int(row["year"])
        if t < 1:
            continue
        rev = (row["revenue_workloads_usd"] + row["revenue_cloud_usd"]) * price_factor + row["revenue_tokens_usd"]
        ebitda = rev - row["opex_usd"]
        taxable = ebitda - row["depreciation_usd"] - row["interest_usd"] - row["guarantee_fee_usd"]
        if taxable < 0.0:
            loss += -taxable
            tax = 0.0
        else:
            used = min(loss, taxable)
            loss -= used
            tax = tax_rate * (taxable - used)
        c = ebitda - tax - row["maintenance_capex_usd"] - row["mra_contribution_usd"]
        revenue[t], cfads[t] = rev, c
        dscr[t] = c / row["debt_service_usd"] if row["debt_service_usd"] > 0 else float("nan")
    return revenue, cfads, dscr


class WorkbookTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.path.exists(RESULTS):
            raise AssertionError(f"{RESULTS}: missing fixture (run tests/report/make_fixtures.sh)")
        cls.dir = scratch()
        cls.base = os.path.join(cls.dir, "model.xlsx")
        workbook.write_workbook(RESULTS, cls.base)
        # the same workbook with the GPU-hour price up 10 % and another tax rate, changed as an analyst would
        cls.changed = os.path.join(cls.dir, "changed.xlsx")
        wb = openpyxl.load_workbook(cls.base)
        ws = wb["Inputs"]
        rows = rows_by_label(ws)
        cls.price_is_linked = isinstance(ws.cell(row=rows["GPU-hour price (GPU cloud)"], column=2).value, str)
        for label in ("GPU-hour price (workloads)",) + (() if cls.price_is_linked else ("GPU-hour price (GPU cloud)",)):
            c = ws.cell(row=rows[label], column=2)
            c.value = c.value * PRICE_FACTOR
        ws.cell(row=rows["corporate tax rate"], column=2).value = NEW_TAX_RATE
        cls.sizing = ws.cell(row=rows["senior debt sizing"], column=2).value
        wb.save(cls.changed)
        cls.base_out, cls.changed_out = recompute([cls.base, cls.changed], os.path.join(cls.dir, "out"),
                                                  os.path.join(cls.dir, "lo-profile"))
        with h5py.File(RESULTS, "r") as f:
            cls.cf = f["economics/cash_flows"][()]
            cls.attrs = dict(f["economics/cash_flows"].attrs)
        cls.years = [int(y) for y in cls.cf["year"]]
        cls.values = openpyxl.load_workbook(cls.base_out, data_only=True)
        cls.changed_values = openpyxl.load_workbook(cls.changed_out, data_only=True)

    def cash_flow_row(self, book, label):
        ws = book["CashFlow"]
        return year_row(ws, rows_by_label(ws), label, self.years)

    def assert_row_equals(self, values, column, label):
        ref = self.cf[column]
        for y, v, r in zip(self.years, values, ref):
            if math.isnan(r):
                self.assertIn(v, (None, ""), f"{label} year {y}: expected no value (the file has NaN), got {v!r}")
                continue
            if v is None and r == 0.0 and y < 1:
                continue  # an operating line left empty in a construction year
            self.assertIsInstance(v, (int, float), f"{label} year {y}: not computed ({v!r})")
            self.assertLess(rel_diff(v, r), REL, f"{label} year {y}: workbook {v!r}, file {r!r}")

    def test_formulas_are_live(self):
        # as written, the rows are formulas with no cached value: what LibreOffice reads back it computed
        wb = openpyxl.load_workbook(self.base)
        ws = wb["CashFlow"]
        rows = rows_by_label(ws)
        for label in ("revenue", "opex", "EBITDA", "tax", "CFADS", "interest", "debt service", "DSCR"):
            cells = [ws.cell(row=rows[label], column=4 + self.years.index(t)).value for t in self.years if t >= 1]
            self.assertTrue(cells and all(isinstance(c, str) and c.startswith("=") for c in cells),
                            f"CashFlow {label}: expected formulas, got {cells[:3]}")
        cached = openpyxl.load_workbook(self.base, data_only=True)["CashFlow"]
        self.assertIsNone(cached.cell(row=rows["DSCR"], column=4 + self.years.index(1)).value)
        self.assertEqual(year_row(self.values["CashFlow"], rows, "year", self.years), self.years)

    def test_recomputed_rows_equal_the_results_file(self):
        for label, column in (("DSCR", "dscr"), ("CFADS", "cfads_usd"), ("debt service", "debt_service_usd"),
                              ("revenue", "revenue_usd"), ("opex", "opex_usd"), ("EBITDA", "ebitda_usd"),
                              ("tax", "tax_usd"), ("equity cash flow", "equity_cash_flow_usd"),
                              ("project cash flow (unlevered, after tax)", "project_cash_flow_usd")):
            self.assert_row_equals(self.cash_flow_row(self.values, label), column, label)
        # the summary's cover ratios and NPVs, and every Checks row (all 33 compared columns)
        ws = self.values["Summary"]
        rows = rows_by_label(ws)
        for label, attr in (("min DSCR", "min_dscr"), ("average DSCR", "avg_dscr"), ("LLCR", "llcr"),
                            ("project NPV", "project_npv_usd"), ("equity NPV", "equity_npv_usd"),
                            ("senior debt at COD", "senior_debt_usd")):
            v = ws.cell(row=rows[label], column=2).value
            self.assertLess(rel_diff(v, float(self.attrs[attr])), REL, f"Summary {label}: {v} vs {self.attrs[attr]}")
        v = ws.cell(row=rows["project IRR"], column=2).value
        self.assertLess(abs(v - float(self.attrs["project_irr"])), 1e-9, "project IRR")
        checks = self.values["Checks"]
        crow = rows_by_label(checks)
        self.assertGreaterEqual(len(crow), 30)
        for column, r in crow.items():
            if column not in self.cf.dtype.names:
                continue
            diffs = year_row(checks, {"d": r + 2}, "d", self.years)
            worst = max((abs(d) for d in diffs if isinstance(d, (int, float))), default=0.0)
            self.assertLess(worst, REL, f"Checks {column}: relative difference {worst}")

    def test_an_input_change_moves_dscr_as_the_model_would(self):
        if self.sizing != "share":
            self.skipTest("the fixture's debt is sculpted: a price change would re-size it in aidcsim")
        revenue, cfads, dscr = expected_after_change(self.cf, PRICE_FACTOR, NEW_TAX_RATE)
        got_rev = dict(zip(self.years, self.cash_flow_row(self.changed_values, "revenue")))
        got_cfads = dict(zip(self.years, self.cash_flow_row(self.changed_values, "CFADS")))
        got_dscr = dict(zip(self.years, self.cash_flow_row(self.changed_values, "DSCR")))
        moved = 0
        for t, d in dscr.items():
            self.assertLess(rel_diff(got_rev[t], revenue[t]), REL, f"revenue year {t}")
            self.assertLess(rel_diff(got_cfads[t], cfads[t]), REL, f"CFADS year {t}")
            if math.isnan(d):
                self.assertIn(got_dscr[t], (None, ""))
                continue
            self.assertLess(rel_diff(got_dscr[t], d), REL, f"DSCR year {t}: {got_dscr[t]} vs {d}")
            base = float(self.cf["dscr"][self.years.index(t)])
            moved += abs(got_dscr[t] - base) > 1e-6
        self.assertGreater(moved, 0, "no DSCR moved: did LibreOffice recompute?")

    def test_about_sheet_names_the_source(self):
        ws = self.values["About"]
        text = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
        with h5py.File(RESULTS, "r") as f:
            sha = f.attrs["git_sha"]
            sha = sha.decode() if isinstance(sha, bytes) else str(sha)
            seed = str(f.attrs["seed"])
        for needle in (os.path.abspath(RESULTS), sha, seed, "What is live"):
            self.assertIn(needle, text)

    def test_csv_tables_parse_back(self):
        out = os.path.join(self.dir, "csv")
        os.makedirs(out)
        paths = csv_export.write_csvs(RESULTS, out)
        tables = (("kpis", "kpis.csv"), ("claims", "claims.csv"), ("economics/cash_flows", "cash_flows.csv"))
        with h5py.File(RESULTS, "r") as f:
            present = [(hdf, name) for hdf, name in tables if hdf in f]
            self.assertIn("economics/cash_flows", [hdf for hdf, _ in present])
            self.assertEqual(sorted(os.path.basename(p) for p in paths), sorted(name for _, name in present))
            for hdf, name in present:
                table = f[hdf][()]
                units = [u.decode() if isinstance(u, bytes) else str(u) for u in f[hdf].attrs.get("units", [])]
                with open(os.path.join(out, name), encoding="utf-8", newline="") as fh:
                    raw = fh.read()
                self.assertIn("\r\n", raw, f"{name}: RFC 4180 wants CRLF line ends")
                self.assertFalse(raw.startswith("\ufeff"), f"{name}: no byte-order mark")
                rows = list(csv.reader(raw.splitlines()))
                header, body = rows[0], rows[1:]
                self.assertEqual([h.split(" [")[0] for h in header], list(table.dtype.names), name)
                if name == "cash_flows.csv":
                    self.assertIn("dscr [1]", header)
                    self.assertIn("cfads_usd [USD]", header)
                    self.assertEqual(len(units), len(header))
                self.assertEqual(len(body), len(table), name)
                for got, want in zip(body, table):
                    for field, column in zip(got, table.dtype.names):
                        v = want[column]
                        if isinstance(v, bytes):
                            self.assertEqual(field, v.decode("utf-8"), f"{name} {column}")
                        elif isinstance(v, (float, np.floating)) and math.isnan(v):
                            self.assertEqual(field, "", f"{name} {column}: NaN is an empty field")
                        else:
                            self.assertEqual(float(field), float(v), f"{name} {column}: {field} vs {v!r}")

    def test_bad_inputs(self):
        not_h5 = os.path.join(self.dir, "not.h5")
        with open(not_h5, "w") as fh:
            fh.write("not hdf5")
        with self.assertRaises(BadInput):
            workbook.write_workbook(not_h5, os.path.join(self.dir, "x.xlsx"))
        no_econ = os.path.join(self.dir, "no_economics.h5")
        with h5py.File(no_econ, "w") as f:
            f.attrs["schema"] = "aidcsim"
            f.attrs["schema_version"] = 1
        with self.assertRaises(BadInput) as cm:
            workbook.write_workbook(no_econ, os.path.join(self.dir, "x.xlsx"))
        self.assertIn("/economics/cash_flows", str(cm.exception))
        self.assertFalse(os.path.exists(os.path.join(self.dir, "x.xlsx")))
        self.assertEqual(csv_export.write_csvs(no_econ, self.dir), [])


if __name__ == "__main__":
    unittest.main()

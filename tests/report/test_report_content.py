"""The reviewer's HTML report: its content from a results file (and a sweep file), the sections left out when the
file lacks their groups, bad input, no external reference, and its size.

Run by ctest as /usr/bin/python3 tests/report/test_report_content.py with AIDCSIM_REPORT_FIXTURES (default.h5,
sweep.h5), AIDCSIM_TEST_OUT (scratch), AIDCSIM_BIN and PYTHONPATH=<repo>/visualize.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "visualize"))

import h5py  # noqa: E402
import numpy as np  # noqa: E402

from aidcsim_report import formatting as fmt  # noqa: E402
from aidcsim_report import html_report, results  # noqa: E402
from aidcsim_report.errors import BadInput  # noqa: E402

FIXTURES = os.environ.get("AIDCSIM_REPORT_FIXTURES", "")
DEFAULT_H5 = os.path.join(FIXTURES, "default.h5")
SWEEP_H5 = os.path.join(FIXTURES, "sweep.h5")
MAX_REPORT_BYTES = 3_000_000  # the default run's report (the bound for 1,000 replications is 10 MB)

_cache = {}


def scratch():
    base = os.environ.get("AIDCSIM_TEST_OUT") or tempfile.gettempdir()
    os.makedirs(base, exist_ok=True)
    return tempfile.mkdtemp(prefix="report-content-", dir=base)


def default_report():
    """The default run's report with the sweep, rendered once for all tests."""
    if "html" not in _cache:
        run = results.load(DEFAULT_H5)
        sweep = results.load_sweep(SWEEP_H5)
        _cache["run"] = run
        _cache["html"] = html_report.render(run, sweep=sweep, paper="a4")
    return _cache["run"], _cache["html"]


def section_ids(html):
    return re.findall(r'<section id="([^"]+)" class="report-section"', html)


def visible_text(html):
    """The document's text without tags, SVG and style (what a reader sees)."""
    t = re.sub(r"<style>.*?</style>", " ", html, flags=re.S)
    t = re.sub(r"<svg.*?</svg>", " ", t, flags=re.S)
    t = re.sub(r"<[^>]+>", " ", t)
    import html as h
    return re.sub(r"\s+", " ", h.unescape(t))


class FixturesPresent(unittest.TestCase):
    def test_fixtures_exist(self):
        self.assertTrue(os.path.isfile(DEFAULT_H5), f"missing fixture {DEFAULT_H5}: set AIDCSIM_REPORT_FIXTURES "
                                                    "(tests/report/make_fixtures.sh makes it)")
        self.assertTrue(os.path.isfile(SWEEP_H5), f"missing fixture {SWEEP_H5}")


class Formatting(unittest.TestCase):
    def test_usd(self):
        self.assertEqual(fmt.usd(3.397e9), "3.40 B USD")
        self.assertEqual(fmt.usd(229_692_413.4), "229.7 M USD")
        self.assertEqual(fmt.usd(-435_519_825.6), "-435.5 M USD")
        self.assertEqual(fmt.usd(45_300), "45,300 USD")
        self.assertEqual(fmt.usd(float("nan")), fmt.MISSING)

    def test_percent_and_ratio(self):
        self.assertEqual(fmt.percent(0.0935), "9.3 %")
        self.assertEqual(fmt.percent(0.9995494), "99.95 %")  # near 100 %: enough decimals to differ from it
        self.assertEqual(fmt.kpi_value("pue_annual", "1", 1.3886), "1.39")  # PUE stays a ratio
        self.assertEqual(fmt.kpi_value("project_irr", "1/year", 0.0936), "9.4 %")
        self.assertEqual(fmt.kpi_value("accelerator_availability", "1", 0.5), "50.0 %")
        self.assertEqual(fmt.kpi_value("min_dscr", "1", 0.5059), "0.51")

    def test_quantities(self):
        self.assertEqual(fmt.kpi_value("facility_energy_mwh", "MWh", 847730.3), "847,730 MWh")
        self.assertEqual(fmt.kpi_value("x.capacity_tokens_per_s", "tokens/s", 11125322.7),
                         "11.1 million tokens/s")
        self.assertEqual(fmt.quantity(264.57, "d"), "264.6 days")
        self.assertEqual(fmt.claim_value(99.9549, "%", 100.0, target=99.99), "99.95 %")
        self.assertEqual(fmt.thousands(1234567), "1,234,567")


class DefaultReport(unittest.TestCase):
    def test_sections_in_reading_order(self):
        _, html = default_report()
        ids = section_ids(html)
        expected = ["summary", "site", "fleet", "workloads", "economics", "sweep", "export-control", "assumptions",
                    "provenance"]
        self.assertEqual([i for i in ids if i in expected], expected)
        for sid in ids:
            block = html.split(f'<section id="{sid}"', 1)[1].split("</section>", 1)[0]
            self.assertIn("<h2>", block, f"section {sid} has no <h2>")

    def test_every_claim_with_verdict_probability_interval_and_limiting_factor(self):
        run, html = default_report()
        self.assertIn('<table id="claims-table">', html)
        table = html.split('<table id="claims-table">', 1)[1].split("</table>", 1)[0]
        text = visible_text(table)
        self.assertGreater(len(run.claims), 0)
        for c in run.claims:
            self.assertIn(html_escape(c["claim"]), table, f"claim {c['claim']!r} not verbatim in the claims table")
            self.assertIn(c["verdict"], text)
        # In words, for each claim: how often it held, its interval and its limiting factor.
        words = visible_text(html)
        for c in run.claims:
            self.assertIn(f"holds in {int(c['replications_met'])} of {int(c['replications'])} replications", words)
            if c["limiting_factor"] != "none":
                self.assertIn(f"Limiting factor: {c['limiting_factor']}", words)
        self.assertIn("90 % interval", words)

    def test_numbers_formatted_for_people(self):
        run, html = default_report()
        words = visible_text(html)
        npv = run.kpis["npv_usd"]
        self.assertIn(fmt.usd(npv["p50"]), words)
        self.assertRegex(fmt.usd(npv["p50"]), r"^-?\d{1,3}(,\d{3})*\.\d [MB] USD$")
        self.assertIn(fmt.percent(run.kpis["project_irr"]["p50"]), words)
        self.assertRegex(words, r"Annual PUE \(facility energy / IT energy\) \d\.\d\d ")
        self.assertRegex(words, r"\d{1,3},\d{3} MWh")  # thousands separators
        self.assertIn("USD per GPU-hour", words)  # units in words
        # No raw floats with many digits where a reader looks (outside the scenario's JSON).
        body = words.split("The scenario as run")[0]
        m = re.search(r"\d\.\d{7,}", body)
        self.assertIsNone(m, m and body[max(0, m.start() - 80):m.end() + 20])

    def test_charts_are_inline_svg_with_captions(self):
        _, html = default_report()
        figures = re.findall(r'<figure class="chart" data-chart="([^"]+)">(.*?)</figure>', html, flags=re.S)
        ids = [f[0] for f in figures]
        for needed in ("climate-monthly", "pue-heatmap", "load-duration", "outages", "availability", "failures",
                       "tokens", "slo", "training-progress", "capex", "cash-flows", "dscr", "cumulative",
                       "tornado-npv_usd"):
            self.assertIn(needed, ids)
        self.assertEqual(len(ids), len(set(ids)))
        for chart_id, body in figures:
            self.assertEqual(body.count("<svg"), 1, chart_id)
            self.assertIn("<figcaption>", body, chart_id)
        # Element ids are unique across the document (charts share one page).
        all_ids = re.findall(r'\bid="([^"]+)"', html)
        self.assertEqual(len(all_ids), len(set(all_ids)))

    def test_economics_tables_and_covenant(self):
        run, html = default_report()
        self.assertIn('<table id="cash-flow-table"', html)
        rows = html.split('<table id="cash-flow-table"', 1)[1].split("</table>", 1)[0].count("<tr")
        self.assertEqual(rows, len(run.cash_flows["year"]) + 2)  # header, years, total
        words = visible_text(html)
        self.assertIn("covenant", words)
        for name in ("Project NPV", "Project IRR", "Loan life cover ratio (LLCR)"):
            self.assertIn(name, words)

    def test_sweep_tornado_cases_break_even(self):
        _, html = default_report()
        sweep = results.load_sweep(SWEEP_H5)
        for table in ("cases-table", "break-even-table"):
            self.assertIn(f'<table id="{table}">', html)
        cases = html.split('<table id="cases-table">', 1)[1].split("</table>", 1)[0]
        for p in sweep.points:
            if p["kind"] == "case":
                self.assertIn(html_escape(p["label"]), cases)

    def test_export_control_not_legal_advice(self):
        _, html = default_report()
        block = html.split('<section id="export-control"', 1)[1].split("</section>", 1)[0]
        self.assertIn("Not legal advice", block)
        self.assertIn("3A090", block)

    def test_site_design_conditions_with_their_basis(self):
        run, html = default_report()
        block = visible_text(html.split('<section id="site"', 1)[1].split("</section>", 1)[0])
        self.assertIn("Design conditions", block)
        db = run.scenario["site"]["design_dry_bulb_c"]
        self.assertIn(f"{db:.1f} \u00b0C", block)
        self.assertIn(run.scenario["site"]["_design_basis"][:40], block)

    def test_assumptions_register_flagged_first_with_sources(self):
        _, html = default_report()
        block = html.split('<section id="assumptions"', 1)[1].split("</section>", 1)[0]
        flagged = block.index('id="assumptions-flagged"')
        sourced = block.index('id="assumptions-sourced"')
        self.assertLess(flagged, sourced)
        first = block[flagged:sourced]
        self.assertIn("ASSUMPTION", first)
        self.assertIn("building_life_years", first)  # "assumption": true in economics_defaults
        self.assertIn("chilled_water_supply_c", first)  # verified "no"
        self.assertIn("h100-sxm", block[sourced:])  # verified "yes": with the cited sources

    def test_provenance(self):
        run, html = default_report()
        block = visible_text(html.split('<section id="provenance"', 1)[1].split("</section>", 1)[0])
        for key in ("software_version", "git_sha", "backend", "device"):
            self.assertIn(str(run.attrs[key]), block)
        self.assertIn(str(run.attrs["seed"]), block)
        self.assertIn('"name": "' + run.scenario["name"] + '"', block)

    def test_no_external_reference(self):
        _, html = default_report()
        for pattern, what in ((r"(?i)https?:", "an http(s) URL"),
                              (r"(?i)\b(src|href)\s*=\s*[\"'](?!#|data:)", "a src/href other than #id or data:"),
                              (r"(?i)@import", "a CSS @import"),
                              (r"(?i)url\((?!#)", "a CSS url() other than url(#id)"),
                              (r"(?i)<link\b", "a <link> element"),
                              (r"(?i)<script\b", "a script"),
                              (r"(?i)@font-face", "a web font")):
            m = re.search(pattern, html)
            self.assertIsNone(m, f"the report has {what}: ...{html[max(0, m.start() - 60):m.end() + 60] if m else ''}...")
        self.assertIn("@page { size: A4", html)
        letter = html_report.render(default_report()[0], paper="letter")
        self.assertIn("@page { size: letter", letter)

    def test_size_bound(self):
        _, html = default_report()
        self.assertLess(len(html.encode("utf-8")), MAX_REPORT_BYTES)

    def test_pure_function_of_the_file(self):
        run, html = default_report()
        again = html_report.render(results.load(DEFAULT_H5), sweep=results.load_sweep(SWEEP_H5), paper="a4")
        self.assertEqual(html, again)


def html_escape(text):
    import html as h
    return h.escape(text, quote=False)


class MissingGroups(unittest.TestCase):
    def test_no_fleet_no_economics(self):
        folder = scratch()
        path = os.path.join(folder, "partial.h5")
        shutil.copyfile(DEFAULT_H5, path)
        with h5py.File(path, "a") as f:
            for group in ("economics", "fleet", "claims", "package", "perf"):
                if group in f:
                    del f[group]
            for name in ("accelerators_up", "accelerators_down", "clock_fraction", "training_progress",
                         "inference_served_tokens_per_s", "inference_demand_tokens_per_s"):
                if f"timeseries/{name}" in f:
                    del f[f"timeseries/{name}"]
        html = html_report.render(results.load(path))
        ids = section_ids(html)
        for absent in ("economics", "fleet", "sweep"):
            self.assertNotIn(absent, ids)
        for present in ("summary", "site", "export-control", "assumptions", "provenance"):
            self.assertIn(present, ids)
        self.assertNotIn('id="claims-table"', html)
        self.assertNotIn('data-chart="cash-flows"', html)
        shutil.rmtree(folder, ignore_errors=True)

    def test_warnings_table_first(self):
        folder = scratch()
        path = os.path.join(folder, "warned.h5")
        shutil.copyfile(DEFAULT_H5, path)
        row = np.array([(b"scenario.json", b"/site/grid/capacity_mw", b"110", b"the grid is below the design power")],
                       dtype=[("file", "S16"), ("json_path", "S32"), ("value", "S8"), ("message", "S64")])
        with h5py.File(path, "a") as f:
            ds = f.create_dataset("warnings", data=row)
            ds.attrs["units"] = np.array(["", "", "", ""], dtype=h5py.string_dtype())
        html = html_report.render(results.load(path))
        self.assertEqual(section_ids(html)[0], "warnings")
        self.assertIn("the grid is below the design power", html)
        shutil.rmtree(folder, ignore_errors=True)


class BadInputs(unittest.TestCase):
    def setUp(self):
        self.folder = scratch()

    def tearDown(self):
        shutil.rmtree(self.folder, ignore_errors=True)

    def _other_hdf5(self):
        path = os.path.join(self.folder, "other.h5")
        with h5py.File(path, "w") as f:
            f["x"] = np.arange(3)
            f.attrs["schema"] = "something-else"
        return path

    def _text_file(self):
        path = os.path.join(self.folder, "notes.txt")
        with open(path, "w") as f:
            f.write("not a results file\n")
        return path

    def test_not_an_aidcsim_file(self):
        path = self._other_hdf5()
        with self.assertRaises(BadInput) as e:
            results.load(path)
        self.assertIn(path, str(e.exception))
        self.assertIn("schema", str(e.exception))

    def test_text_file(self):
        path = self._text_file()
        with self.assertRaises(BadInput) as e:
            results.load(path)
        self.assertIn(path, str(e.exception))
        self.assertIn("HDF5", str(e.exception))

    def test_missing_dataset_names_the_path(self):
        path = os.path.join(self.folder, "nokpis.h5")
        shutil.copyfile(DEFAULT_H5, path)
        with h5py.File(path, "a") as f:
            del f["kpis"]
        with self.assertRaises(BadInput) as e:
            results.load(path)
        self.assertIn("/kpis", str(e.exception))

    def test_results_file_is_not_a_sweep(self):
        with self.assertRaises(BadInput) as e:
            results.load_sweep(DEFAULT_H5)
        self.assertIn("/sweep", str(e.exception))

    def test_cli_exit_2(self):
        main = os.path.join(HERE, "..", "..", "visualize", "aidcsim_report", "__main__.py")
        if not os.path.isfile(main):
            self.fail("visualize/aidcsim_report/__main__.py is missing (the lead's CLI)")
        env = dict(os.environ, PYTHONPATH=os.path.join(HERE, "..", "..", "visualize"))
        for path in (self._other_hdf5(), self._text_file()):
            out = os.path.join(self.folder, "r.html")
            p = subprocess.run([sys.executable, "-m", "aidcsim_report", path, "-o", out], env=env,
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertIn(path, p.stderr)
            self.assertFalse(os.path.exists(out))


class ThroughTheBinary(unittest.TestCase):
    """`aidcsim report` as a user runs it: the binary finds the package and Debian's python3 by itself."""

    def setUp(self):
        self.binary = os.environ.get("AIDCSIM_BIN", "")
        if not os.path.isfile(self.binary):
            self.fail("AIDCSIM_BIN does not name the aidcsim binary")
        self.folder = scratch()
        # No PYTHONPATH: the binary sets it to the source tree's visualize/.
        self.env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "AIDCSIM_VISUALIZE_DIR")}

    def run_report(self, *args):
        return subprocess.run([self.binary, "report", *args], env=self.env, capture_output=True, text=True,
                              timeout=120, cwd=self.folder)

    def test_report_workbook_and_csv(self):
        out = os.path.join(self.folder, "report.html")
        xlsx = os.path.join(self.folder, "model.xlsx")
        csv_dir = os.path.join(self.folder, "tables")
        p = self.run_report(DEFAULT_H5, "--sweep", SWEEP_H5, "-o", out, "--xlsx", xlsx, "--csv", csv_dir)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("report: " + out, p.stdout)
        for path in (out, xlsx, os.path.join(csv_dir, "kpis.csv"), os.path.join(csv_dir, "claims.csv"),
                     os.path.join(csv_dir, "cash_flows.csv")):
            self.assertTrue(os.path.isfile(path), path)
            # Shared like any other output (not the private mode of a temporary file).
            self.assertTrue(os.stat(path).st_mode & 0o044, oct(os.stat(path).st_mode))
        self.assertEqual([f for f in os.listdir(self.folder) if ".tmp-" in f], [])
        with open(out, encoding="utf-8") as f:
            self.assertIn('id="claims-table"', f.read())

    def test_bad_input_exit_2(self):
        text = os.path.join(self.folder, "notes.txt")
        with open(text, "w") as f:
            f.write("not a results file\n")
        out = os.path.join(self.folder, "r.html")
        p = self.run_report(text, "-o", out)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn(text, p.stderr)
        self.assertFalse(os.path.exists(out))
        # An output naming the input is refused before anything is written, and the input is left as it was.
        size = os.path.getsize(DEFAULT_H5)
        p = self.run_report(DEFAULT_H5, "-o", DEFAULT_H5)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("names an input", p.stderr)
        self.assertEqual(os.path.getsize(DEFAULT_H5), size)
        # A workbook asked of a run without economics is refused before the report is written.
        bare = os.path.join(self.folder, "no-economics.h5")
        shutil.copyfile(DEFAULT_H5, bare)
        with h5py.File(bare, "a") as f:
            del f["economics"]
        p = self.run_report(bare, "-o", out, "--xlsx", os.path.join(self.folder, "m.xlsx"))
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("/economics/cash_flows", p.stderr)
        self.assertFalse(os.path.exists(out))
        p = self.run_report(DEFAULT_H5, "--paper", "a3", "-o", out)
        self.assertEqual(p.returncode, 2, p.stderr)
        p = self.run_report(DEFAULT_H5, "-o", os.path.join(self.folder, "missing", "r.html"))
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("does not exist", p.stderr)

    def test_help_lists_the_options(self):
        p = self.run_report("--help")
        self.assertEqual(p.returncode, 0, p.stderr)
        for option in ("--sweep", "--pdf", "--paper", "--xlsx", "--csv"):
            self.assertIn(option, p.stdout)


if __name__ == "__main__":
    unittest.main()

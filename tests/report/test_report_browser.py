"""The report in a real browser (Debian's headless Chromium) and printed to PDF.

For the default scenario's report (printed on A4) and for the report with a sweep (printed on Letter), made by
`$AIDCSIM_BIN report ... --pdf` as a user would: the HTML loads with no console error and no network request, every
chart section renders (an inline <svg> with a non-zero box and drawn elements), every section has a heading, a
full-page screenshot (saved in $AIDCSIM_TEST_OUT) is not blank; the PDF has the paper's page size, at least a page
per section that starts a new page, no blank page, each such section at the top of a page, and its text (pdftotext)
holds every claim of /claims and the claims table's heading. A negative control proves the harness can fail: a page
with a web image and a console.error is reported as 1 request and 1 console error.

Run: /usr/bin/python3 tests/report/test_report_browser.py with AIDCSIM_BIN, AIDCSIM_REPORT_FIXTURES (default.h5,
sweep.h5), AIDCSIM_TEST_OUT and PYTHONPATH=<repo>/visualize. A missing tool fails, naming its Debian package.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

FIXTURES = os.environ.get("AIDCSIM_REPORT_FIXTURES", "")
TEST_OUT = os.environ.get("AIDCSIM_TEST_OUT") or os.path.join(tempfile.gettempdir(), "aidcsim-report-browser")
AIDCSIM_BIN = os.environ.get("AIDCSIM_BIN", "")
PYTHON = "/usr/bin/python3"            # Debian's, with h5py/matplotlib/jinja2 (the PATH one may lack them)
PAPER_SIZE_PT = {"a4": (595.3, 841.9), "letter": (612.0, 792.0)}
PAGE_SIZE_TOLERANCE_PT = 3.0           # Chromium rounds A4 to whole CSS pixels (594.96 x 841.92 pt)
SCREENSHOT_SCALE = 0.5                 # a full report is ~40,000 CSS px tall; half scale keeps the PNG small
MIN_NON_WHITE_SHARE = 0.03             # text, tables and charts cover far more; a blank capture covers 0
MIN_DISTINCT_COLOURS = 32              # charts and verdict badges bring many colours; a blank capture has 1

# Everything the test needs to know of a loaded report, gathered in one round trip.
DOM_FACTS_JS = r"""(() => {
  const box = el => { const r = el.getBoundingClientRect(); return [r.width, r.height]; };
  const figures = [...document.querySelectorAll('figure.chart')].map(f => {
    const svg = f.querySelector('svg'), canvas = f.querySelector('canvas'), drawing = svg || canvas;
    const [width, height] = drawing ? box(drawing) : [0, 0];
    return {id: f.getAttribute('data-chart') || '', svg: !!svg, canvas: !!canvas, width, height,
            children: svg ? svg.childElementCount : 0,
            drawn: svg ? svg.querySelectorAll('path, line, rect, circle, polygon, polyline, text, use, image').length
                       : (canvas ? canvas.width * canvas.height : 0),
            caption: (f.querySelector('figcaption') || {textContent: ''}).textContent.trim()};
  });
  const sections = [...document.querySelectorAll('section.report-section')].map(s => {
    const h2 = s.querySelector('h2');
    return {id: s.id, h2: h2 ? h2.textContent.trim() : null, height: box(s)[1]};
  });
  const claims = document.getElementById('claims-table');
  return {figures, sections, title: document.title,
          claims_table_text: claims ? claims.innerText : null,
          figures_outside_sections: [...document.querySelectorAll('figure.chart')]
              .filter(f => !f.closest('section.report-section')).length};
})()"""

SECTION_BREAKS_JS = r"""[...document.querySelectorAll('section.report-section')].map(s => {
  const style = getComputedStyle(s);
  return {id: s.id, starts_page: style.breakBefore === 'page' || style.pageBreakBefore === 'always'};
})"""


def required_tool(name, package):
    path = shutil.which(name)
    if path is None:
        raise AssertionError(f"{name} not found: install Debian's {package} package (bash tools/deps.sh)")
    return path


def report_command():
    """`$AIDCSIM_BIN report` when the binary has it, else the Python package's own CLI (same arguments)."""
    if AIDCSIM_BIN and os.access(AIDCSIM_BIN, os.X_OK):
        probe = subprocess.run([AIDCSIM_BIN, "report", "--help"], capture_output=True, timeout=60)
        if probe.returncode == 0:
            return [AIDCSIM_BIN, "report"]
    return [PYTHON, "-m", "aidcsim_report"]


def claim_texts(results_path):
    import h5py
    with h5py.File(results_path, "r") as f:
        return [c.decode("utf-8") if isinstance(c, bytes) else str(c) for c in f["claims"]["claim"]]


def squeeze(text):
    """Whitespace collapsed: a table cell wraps a claim over lines in the PDF."""
    return re.sub(r"\s+", " ", text).strip()


def pdf_pages_text(pdf_path, raw):
    """The text of each page (pdftotext ends every page with a form feed); -raw keeps content-stream order, so a
    wrapped table cell's lines stay together."""
    args = [shutil.which("pdftotext")] + (["-raw"] if raw else []) + [pdf_path, "-"]
    out = subprocess.run(args, capture_output=True, text=True, timeout=60, check=True).stdout
    pages = out.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def pdf_info(pdf_path):
    out = subprocess.run([shutil.which("pdfinfo"), pdf_path], capture_output=True, text=True, timeout=60,
                         check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", out, re.MULTILINE).group(1))
    width_pt, height_pt = map(float, re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", out, re.MULTILINE).groups())
    return pages, width_pt, height_pt


def pixel_stats(png_path):
    """(share of pixels that are not near-white, distinct colours) of a PNG; PIL comes with python3-matplotlib."""
    import numpy
    from PIL import Image
    with Image.open(png_path) as image:
        rgb = numpy.asarray(image.convert("RGB"))
    non_white = (rgb.min(axis=2) < 235).mean()
    packed = (rgb[..., 0].astype(numpy.uint32) << 16) | (rgb[..., 1].astype(numpy.uint32) << 8) | rgb[..., 2]
    return float(non_white), int(numpy.unique(packed[::4, ::4]).size), rgb.shape


def make_report(name, paper, sweep):
    """Runs the report command as a user would, HTML and PDF; returns (html_path, pdf_path, seconds, its stdout)."""
    html_path = os.path.join(TEST_OUT, f"{name}.html")
    pdf_path = os.path.join(TEST_OUT, f"{name}-{paper}.pdf")
    for path in (html_path, pdf_path):
        if os.path.exists(path):
            os.unlink(path)
    args = report_command() + [os.path.join(FIXTURES, "default.h5"), "-o", html_path, "--pdf", pdf_path,
                               "--paper", paper]
    if sweep:
        args += ["--sweep", os.path.join(FIXTURES, "sweep.h5")]
    env = dict(os.environ, MPLBACKEND="Agg")
    started = time.monotonic()
    done = subprocess.run(args, capture_output=True, text=True, timeout=180, env=env)
    if done.returncode != 0:
        raise AssertionError(f"{' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return html_path, pdf_path, time.monotonic() - started, done.stdout


def inspect_in_browser(html_path, name):
    """One Chromium for one report: what it logged and fetched, its DOM facts, its print-time section breaks and a
    full-page screenshot (written to TEST_OUT)."""
    from aidcsim_report import chromium
    with chromium.Browser() as browser:
        page = browser.open_file(html_path)
        facts = page.evaluate(DOM_FACTS_JS)
        png_path = os.path.join(TEST_OUT, f"{name}-screenshot.png")
        with open(png_path, "wb") as f:
            f.write(page.screenshot_png(scale=SCREENSHOT_SCALE))
        page.send("Emulation.setEmulatedMedia", {"media": "print"})
        facts["print_breaks"] = page.evaluate(SECTION_BREAKS_JS)
        page.send("Emulation.setEmulatedMedia", {"media": ""})
        facts["console_errors"] = page.console_errors()
        facts["network_requests"] = page.network_requests()
        facts["screenshot"] = png_path
    return facts


class ReportInBrowser:
    """Mixed into one TestCase per report; setUpClass makes the report and inspects it once."""
    NAME = ""
    PAPER = "a4"
    SWEEP = False
    facts = None

    @classmethod
    def setUpClass(cls):
        required_tool("chromium", "chromium")
        required_tool("pdfinfo", "poppler-utils")
        required_tool("pdftotext", "poppler-utils")
        for stem in ("default.h5", "sweep.h5"):
            if not os.path.isfile(os.path.join(FIXTURES, stem)):
                raise AssertionError(f"AIDCSIM_REPORT_FIXTURES={FIXTURES!r}: no {stem} (tests/report/"
                                     "make_fixtures.sh makes it)")
        os.makedirs(TEST_OUT, exist_ok=True)
        cls.html_path, cls.pdf_path, cls.report_s, cls.report_stdout = make_report(cls.NAME, cls.PAPER, cls.SWEEP)
        started = time.monotonic()
        cls.facts = inspect_in_browser(cls.html_path, cls.NAME)
        cls.browser_s = time.monotonic() - started
        cls.claims = claim_texts(os.path.join(FIXTURES, "default.h5"))
        print(f"\n{cls.NAME}: report+pdf {cls.report_s:.1f} s, browser checks {cls.browser_s:.1f} s",
              file=sys.stderr)

    def test_the_report_loads_with_no_console_error(self):
        self.assertEqual(self.facts["console_errors"], [], json.dumps(self.facts["console_errors"], indent=1))

    def test_the_report_makes_no_network_request(self):
        self.assertEqual(self.facts["network_requests"], [])

    def test_every_chart_renders_as_a_non_empty_drawing(self):
        figures = self.facts["figures"]
        self.assertGreaterEqual(len(figures), 5, "a full report has many charts")
        for figure in figures:
            with self.subTest(chart=figure["id"]):
                self.assertTrue(figure["id"], "every chart names itself (data-chart)")
                self.assertTrue(figure["svg"] or figure["canvas"], "a chart holds an <svg> (or <canvas>)")
                self.assertGreater(figure["width"], 50)
                self.assertGreater(figure["height"], 50)
                self.assertGreater(figure["children"], 0)
                self.assertGreater(figure["drawn"], 3, "the drawing has marks in it, not an empty frame")
                self.assertTrue(figure["caption"], "every chart has a caption")
        self.assertEqual(self.facts["figures_outside_sections"], 0, "every chart is in a report section")

    def test_every_section_has_a_heading(self):
        sections = self.facts["sections"]
        self.assertGreaterEqual(len(sections), 5)
        for section in sections:
            with self.subTest(section=section["id"]):
                self.assertTrue(section["id"])
                self.assertTrue(section["h2"], "every section has an <h2>")
                self.assertGreater(section["height"], 0, "the section is laid out (not hidden)")
        self.assertEqual(len({s["id"] for s in sections}), len(sections), "section ids are unique")

    def test_the_claims_table_holds_every_claim(self):
        self.assertIsNotNone(self.facts["claims_table_text"], "the report has <table id=claims-table>")
        table_text = squeeze(self.facts["claims_table_text"])
        for claim in self.claims:
            self.assertIn(squeeze(claim), table_text)

    def test_the_screenshot_is_not_blank(self):
        non_white, colours, shape = pixel_stats(self.facts["screenshot"])
        self.assertGreater(shape[0], 1000, "the screenshot covers the whole page, beyond the window")
        self.assertGreater(non_white, MIN_NON_WHITE_SHARE, f"{self.facts['screenshot']}: mostly white")
        self.assertGreater(colours, MIN_DISTINCT_COLOURS, f"{self.facts['screenshot']}: too few colours")

    def test_the_pdf_has_the_papers_page_size(self):
        pages, width_pt, height_pt = pdf_info(self.pdf_path)
        want_width_pt, want_height_pt = PAPER_SIZE_PT[self.PAPER]
        self.assertAlmostEqual(width_pt, want_width_pt, delta=PAGE_SIZE_TOLERANCE_PT)
        self.assertAlmostEqual(height_pt, want_height_pt, delta=PAGE_SIZE_TOLERANCE_PT)
        self.assertIn(f"{pages} pages", self.report_stdout, "the command reports the page count pdfinfo reads")

    def test_the_pdf_breaks_pages_at_sections_and_has_no_blank_page(self):
        pages = pdf_pages_text(self.pdf_path, raw=False)
        starting = [b["id"] for b in self.facts["print_breaks"] if b["starts_page"]]
        self.assertGreaterEqual(len(starting), 3, "the print CSS starts sections on new pages")
        self.assertGreaterEqual(len(pages), len(starting) + 1)
        for number, text in enumerate(pages, 1):
            self.assertTrue(text.strip(), f"page {number} of {self.pdf_path} is blank")
        headings = {s["id"]: s["h2"] for s in self.facts["sections"]}
        first_lines = {squeeze(next((l for l in p.splitlines() if l.strip()), "")) for p in pages}
        for section_id in starting:
            with self.subTest(section=section_id):
                self.assertIn(squeeze(headings[section_id]), first_lines, "the section starts at a page's top")

    def test_the_pdf_text_holds_the_claims_table(self):
        text = squeeze(" ".join(pdf_pages_text(self.pdf_path, raw=True)))
        self.assertRegex(text.lower(), r"verdict")
        for claim in self.claims:
            self.assertIn(squeeze(claim), text)


class DefaultReportOnA4(ReportInBrowser, unittest.TestCase):
    NAME = "default"
    PAPER = "a4"


class SweepReportOnLetter(ReportInBrowser, unittest.TestCase):
    NAME = "sweep"
    PAPER = "letter"
    SWEEP = True

    def test_the_sweep_adds_charts_to_the_default_report(self):
        if DefaultReportOnA4.facts is None:
            self.skipTest("the default report's class did not run")
        default_ids = {f["id"] for f in DefaultReportOnA4.facts["figures"]}
        sweep_ids = {f["id"] for f in self.facts["figures"]}
        self.assertTrue(default_ids < sweep_ids, f"sweep charts {sorted(sweep_ids - default_ids)}")


class TheHarnessCanFail(unittest.TestCase):
    """A negative control: if these checks could not see a request or an error, the tests above would prove
    nothing."""

    def test_a_web_image_and_a_console_error_are_reported(self):
        required_tool("chromium", "chromium")
        from aidcsim_report import chromium
        os.makedirs(TEST_OUT, exist_ok=True)
        path = os.path.join(TEST_OUT, "negative-control.html")
        with open(path, "w", encoding="utf-8") as f:
            f.write('<!doctype html><html><head><meta charset="utf-8"><title>control</title></head><body>'
                    '<img src="http://example.invalid/x.png" alt="">'
                    '<section class="report-section" id="empty"><figure class="chart" data-chart="empty">'
                    '<svg width="300" height="200"></svg><figcaption>an empty drawing</figcaption></figure>'
                    '</section><script>console.error("the control logs an error");</script></body></html>')
        with chromium.Browser() as browser:
            page = browser.open_file(path)
            requests = page.network_requests()
            errors = page.console_errors()
            facts = page.evaluate(DOM_FACTS_JS)
        self.assertEqual(requests, ["http://example.invalid/x.png"])
        self.assertEqual(len(errors), 1, errors)
        self.assertIn("the control logs an error", errors[0]["text"])
        self.assertEqual(facts["title"], "control")
        self.assertEqual([(f["id"], f["children"], f["drawn"]) for f in facts["figures"]], [("empty", 0, 0)])
        self.assertEqual(facts["sections"][0]["h2"], None, "a section without a heading is seen as such")
        self.assertIsNone(facts["claims_table_text"])

    def test_a_blank_screenshot_fails_the_pixel_check(self):
        import numpy
        from PIL import Image
        os.makedirs(TEST_OUT, exist_ok=True)
        path = os.path.join(TEST_OUT, "blank-control.png")
        Image.fromarray(numpy.full((2000, 640, 3), 255, numpy.uint8)).save(path)
        non_white, colours, _ = pixel_stats(path)
        self.assertLessEqual(non_white, MIN_NON_WHITE_SHARE)
        self.assertLessEqual(colours, MIN_DISTINCT_COLOURS)

    def test_a_missing_chromium_names_its_debian_package(self):
        from aidcsim_report import chromium, errors
        with self.assertRaisesRegex(errors.MissingTool, "Debian's chromium"):
            chromium.find_chromium("/nonexistent/chromium")

    def test_a_missing_html_file_is_bad_input_and_leaves_no_pdf(self):
        from aidcsim_report import errors, pdf
        pdf_path = os.path.join(TEST_OUT, "never.pdf")
        with self.assertRaises(errors.BadInput):
            pdf.print_to_pdf(os.path.join(TEST_OUT, "no-such-report.html"), pdf_path, "a4")
        with self.assertRaises(errors.BadInput):
            pdf.print_to_pdf(os.path.join(TEST_OUT, "no-such-report.html"), pdf_path, "a3")
        self.assertFalse(os.path.exists(pdf_path))

    def test_the_page_count_parsed_from_the_pdf_agrees_with_pdfinfo(self):
        from aidcsim_report import pdf
        pdf_path = os.path.join(TEST_OUT, "default-a4.pdf")
        if not os.path.isfile(pdf_path):
            self.skipTest("the default report's PDF was not made")
        with open(pdf_path, "rb") as f:
            self.assertEqual(pdf.count_pages_in_pdf(f.read()), pdf_info(pdf_path)[0])


if __name__ == "__main__":
    unittest.main(verbosity=2)

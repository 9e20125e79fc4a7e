"""The report printed to PDF by headless Chromium (`aidcsim report ... --pdf report.pdf --paper a4|letter`).

The HTML carries its own print CSS (@page size and margins, page breaks); Chromium prints it as the reader's browser
would, so the PDF and the HTML cannot disagree. The PDF is written to a temporary file in its folder and renamed,
so a failed print never leaves a complete-looking PDF.
"""
import os
import re
import shutil
import subprocess

from . import atomic_file, chromium
from .errors import BadInput

PRINT_TIMEOUT_S = 120.0   # a long report with many charts prints in seconds; two minutes means Chromium hung


def print_to_pdf(html_path, pdf_path, paper="a4", timeout_s=PRINT_TIMEOUT_S):
    """Prints html_path to pdf_path on `paper` (a4 or letter) and returns the PDF's page count.

    MissingTool when Chromium is not installed; BadInput when the HTML file is missing or the paper unknown;
    chromium.ChromiumError when the browser fails or times out.
    """
    if paper not in chromium.PAPER_SIZES_IN:
        raise BadInput(f"--paper {paper}: expected one of {', '.join(sorted(chromium.PAPER_SIZES_IN))}")
    if not os.path.isfile(html_path):
        raise BadInput(f"{html_path}: no such file; expected the HTML report to print")
    if os.path.abspath(html_path) == os.path.abspath(pdf_path):
        raise BadInput(f"--pdf {pdf_path}: is the HTML report itself; expected a new file")
    with chromium.Browser(timeout_s=timeout_s) as browser:
        page = browser.open_file(html_path)
        pdf_bytes = page.print_to_pdf(paper)
    atomic_file.write_bytes(pdf_path, pdf_bytes)
    return page_count(pdf_path, pdf_bytes)


def page_count(pdf_path, pdf_bytes=None):
    """Pages in a PDF: pdfinfo's count (poppler-utils) when installed, else counted in the file itself."""
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo:
        info = subprocess.run([pdfinfo, pdf_path], capture_output=True, text=True, timeout=60)
        match = re.search(r"^Pages:\s+(\d+)", info.stdout, re.MULTILINE)
        if info.returncode == 0 and match:
            return int(match.group(1))
    if pdf_bytes is None:
        with open(pdf_path, "rb") as f:
            pdf_bytes = f.read()
    return count_pages_in_pdf(pdf_bytes)


def count_pages_in_pdf(pdf_bytes):
    """Page objects in an uncompressed-xref PDF such as Chromium (Skia) writes: `/Type /Page` not `/Pages`."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf_bytes))

"""The report command: `aidcsim report RESULTS.h5 [--sweep SWEEP.h5] -o report.html [--pdf report.pdf]
[--paper a4|letter] [--xlsx model.xlsx] [--csv DIR]` (the `aidcsim` binary runs this module).

Exit codes as the rest of aidcsim: 0 success, 2 bad input (the message names the file, the HDF5 path or option and
what was expected), 1 a missing tool or an internal error. Every output is written to a temporary file in its
folder and renamed, so a failed run never leaves a complete-looking report; no output may be one of the inputs.
"""
import argparse
import os
import sys

from . import atomic_file
from .errors import BadInput, MissingTool

EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 1


def parse_arguments(argv):
    p = argparse.ArgumentParser(prog="aidcsim report",
                                description="the reviewer's report of an aidcsim results file: one offline HTML "
                                            "file, and on request its PDF, the cash-flow workbook and CSV tables")
    p.add_argument("results", help="results file written by `aidcsim run` (HDF5)")
    p.add_argument("--sweep", help="sweep file written by `aidcsim sweep` (HDF5): adds tornado, cases, break-evens")
    p.add_argument("-o", "--output", default="report.html", help="the HTML report (default: report.html)")
    p.add_argument("--pdf", help="also print the report to this PDF file (headless Chromium)")
    p.add_argument("--paper", choices=["a4", "letter"], default="a4", help="page size of the PDF and of printing")
    p.add_argument("--xlsx", help="also write the annual cash-flow model as a workbook of live formulas")
    p.add_argument("--csv", metavar="DIR", help="also write the KPI, claims and cash-flow tables as CSV files here")
    return p.parse_args(argv)


def check_outputs(args):
    """No output may be an input, and each output's folder must exist and be writable (checked before any work)."""
    inputs = {os.path.realpath(p) for p in (args.results, args.sweep) if p}
    for option, path in (("-o", args.output), ("--pdf", args.pdf), ("--xlsx", args.xlsx)):
        if path is None:
            continue
        if os.path.realpath(path) in inputs:
            raise BadInput(f"{option} {path}: names an input file; expected a new file for the report's output")
        if os.path.isdir(path):
            raise BadInput(f"{option} {path}: is a folder; expected a file path")
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            raise BadInput(f"{option} {path}: folder {folder} does not exist")
        if not os.access(folder, os.W_OK):
            raise BadInput(f"{option} {path}: folder {folder} is not writable")
    if args.csv is not None:
        if os.path.exists(args.csv) and not os.path.isdir(args.csv):
            raise BadInput(f"--csv {args.csv}: exists and is not a folder; expected a folder for the CSV files")
        parent = os.path.dirname(os.path.abspath(args.csv))
        if not os.path.isdir(parent) or not os.access(parent, os.W_OK):
            raise BadInput(f"--csv {args.csv}: folder {parent} does not exist or is not writable")


def main(argv=None):
    args = parse_arguments(sys.argv[1:] if argv is None else argv)
    try:
        check_outputs(args)
        # Imported here so that a missing package is told as such (MissingTool), not as a traceback.
        try:
            from . import html_report, results
        except ImportError as e:
            raise MissingTool(f"{e}; install Debian's python3-h5py python3-numpy python3-matplotlib python3-jinja2 "
                              "(bash tools/deps.sh)") from e
        run = results.load(args.results)
        sweep = results.load_sweep(args.sweep) if args.sweep else None
        if args.xlsx and not run.has_economics():
            raise BadInput(f"--xlsx {args.xlsx}: {args.results} has no /economics/cash_flows (its scenario has no "
                           "\"economics\" section); expected a run with economics for the cash-flow workbook")
        html = html_report.render(run, sweep=sweep, paper=args.paper)
        atomic_file.write_text(args.output, html)
        print(f"report: {args.output} ({os.path.getsize(args.output) / 1e6:.1f} MB)")
        if args.pdf:
            from . import pdf
            pages = pdf.print_to_pdf(args.output, args.pdf, args.paper)
            print(f"pdf: {args.pdf} ({pages} pages, {args.paper})")
        if args.xlsx:
            try:
                from . import workbook
            except ImportError as e:
                raise MissingTool(f"{e}; install Debian's python3-openpyxl (bash tools/deps.sh)") from e
            workbook.write_workbook(args.results, args.xlsx)
            print(f"workbook: {args.xlsx}")
        if args.csv:
            from . import csv_export
            os.makedirs(args.csv, exist_ok=True)
            for path in csv_export.write_csvs(args.results, args.csv):
                print(f"csv: {path}")
        return 0
    except BadInput as e:
        print(f"aidcsim report: bad input: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except MissingTool as e:
        print(f"aidcsim report: missing tool: {e}", file=sys.stderr)
        return EXIT_INTERNAL
    except RuntimeError as e:  # chromium.ChromiumError: the browser crashed or timed out while printing
        print(f"aidcsim report: internal error: {e}", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())

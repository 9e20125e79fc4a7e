"""The tables a lender's analyst imports, as CSV (``aidcsim report --csv DIR``): kpis.csv, claims.csv and
cash_flows.csv, from /kpis, /claims and /economics/cash_flows of a results file.

RFC 4180: UTF-8 without a byte-order mark, comma-separated, CRLF line ends, fields quoted when they hold a comma,
quote or line break. One header row; a column with a unit names it in brackets ("npv_usd [USD]", "dscr [1]") so
that a spreadsheet import keeps names and units in one row. Numbers are written in full precision (Python's
shortest round-trip repr); NaN (undefined) is an empty field. A table the file lacks is not written.
"""
import csv
import math
import os

from . import atomic_file
from .errors import BadInput
from .workbook import open_results

TABLES = (("kpis", "kpis.csv"), ("claims", "claims.csv"), ("economics/cash_flows", "cash_flows.csv"))

# Units that say "look elsewhere" rather than name a unit are not put in a header.
NOT_A_UNIT = {"", "see units column"}


def _text(x):
    return x.decode("utf-8") if isinstance(x, bytes) else str(x)


def header_names(dataset):
    """Column names, each with its unit in brackets when the table's `units` attribute gives one."""
    names = list(dataset.dtype.names)
    units = [_text(u) for u in dataset.attrs.get("units", [])]
    if len(units) != len(names):
        units = [""] * len(names)
    return [n if u in NOT_A_UNIT else f"{n} [{u}]" for n, u in zip(names, units)]


def cell(value):
    """One field: text as is, integers without a point, floats in full precision, NaN empty."""
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, str):
        return value
    try:
        import numpy as np
        if isinstance(value, np.integer):
            return str(int(value))
        if isinstance(value, np.floating):
            value = float(value)
    except ImportError:  # pragma: no cover
        pass
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value)


def write_table(dataset, path):
    with atomic_file.replaced_atomically(path) as tmp:
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\r\n")
            w.writerow(header_names(dataset))
            for row in dataset[()]:
                w.writerow([cell(v) for v in row])


def write_csvs(results_path, out_dir):
    """Write kpis.csv, claims.csv and cash_flows.csv (those the file has) into out_dir; returns their paths."""
    if not os.path.isdir(out_dir):
        raise BadInput(f"{out_dir}: not a folder; expected the folder for the CSV files")
    written = []
    with open_results(results_path) as f:
        for hdf_path, name in TABLES:
            if hdf_path not in f:
                continue
            ds = f[hdf_path]
            if ds.dtype.names is None:
                raise BadInput(f"{results_path}: /{hdf_path} is not a table; expected a compound dataset")
            path = os.path.join(out_dir, name)
            write_table(ds, path)
            written.append(path)
    return written

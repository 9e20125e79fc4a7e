"""aidcsim's reviewer report: a pure function of a results file (and of a sweep file when given).

Reads only what the HDF5 file holds (h5py), draws its charts with matplotlib as inline SVG, fills a jinja2
template, and writes one self-contained HTML file; --pdf prints it with headless Chromium; --xlsx and --csv export
the cash-flow model and the tables a lender's analyst works with. Entry point: `aidcsim report` (or
`python3 -m aidcsim_report` with visualize/ on PYTHONPATH).
"""

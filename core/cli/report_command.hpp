#pragma once
// `aidcsim report RESULTS.h5 [--sweep SWEEP.h5] -o report.html [--pdf report.pdf] [--paper a4|letter]
// [--xlsx model.xlsx] [--csv DIR]`: the reviewer's report, made by the Python package in visualize/ (h5py,
// matplotlib, jinja2, openpyxl; Chromium for the PDF). This process only finds that package and Debian's python3
// and replaces itself with `python3 -m aidcsim_report ARGS...`, whose exit code (0, 2 bad input, 1 missing tool or
// internal error) becomes aidcsim's.

namespace aidc {

// args: what follows "report" on the command line. Returns only when the report cannot be started (exit code 1).
int run_report_command(int argc, char** argv);

}  // namespace aidc

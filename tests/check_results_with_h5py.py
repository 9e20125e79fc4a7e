"""Opens an aidcsim results file with h5py alone (no aidcsim code) and checks what the README promises readers.

Usage: check_results_with_h5py.py RESULTS.h5 REPLICATIONS STEPS SERIES_NAME...
Prints each problem found and exits 1 if there is any, 3 if h5py is missing; run by
tests/test_h5py_reads_results.cpp.
"""
import json
import sys

try:
    import h5py
    import numpy as np
except ImportError as e:
    print(f"{sys.executable} cannot import h5py and numpy ({e})")
    sys.exit(3)

path, replications, steps, series = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
problems = []


def expect(ok, what):
    if not ok:
        problems.append(what)


with h5py.File(path, "r") as f:
    for name in ("schema", "schema_version", "software_version", "git_sha", "created_utc", "seed", "replications",
                 "backend", "device"):
        expect(name in f.attrs, f"root attribute {name} is missing")
    expect(f.attrs.get("schema") == "aidcsim", f"root attribute schema is {f.attrs.get('schema')!r}")
    expect(f.attrs.get("replications") == replications,
           f"root attribute replications is {f.attrs.get('replications')!r}")

    time_s = f["timeseries/time_s"]
    expect(time_s.shape == (steps,), f"time_s has shape {time_s.shape}, expected ({steps},)")
    expect(time_s.attrs.get("units") == "s", f"time_s units is {time_s.attrs.get('units')!r}")
    stored = set(f["timeseries"].keys()) - {"time_s"}
    expect(stored == set(series), f"series stored {sorted(stored)} differ from expected {sorted(series)}")
    for name in series:
        ds = f["timeseries"].get(name)
        if ds is None:
            problems.append(f"series {name} is missing")
            continue
        expect(ds.shape == (replications, steps), f"{name} has shape {ds.shape}, expected ({replications}, {steps})")
        expect(ds.dtype == np.float64, f"{name} has dtype {ds.dtype}")
        expect(isinstance(ds.attrs.get("units"), str), f"{name} has no string units attribute")
        expect(isinstance(ds.attrs.get("long_name"), str), f"{name} has no string long_name attribute")
        expect(ds.compression == "gzip" and ds.shuffle, f"{name} is not gzip + shuffle")

    events = f["events"][...]
    expect(isinstance(events, np.ndarray) and events.dtype.names is not None, "/events is not a structured array")
    expect(events.dtype.names == ("replication", "time_s", "kind", "component", "id", "duration_s", "value"),
           f"/events fields are {events.dtype.names}")
    kinds = h5py.check_enum_dtype(f["events"].dtype["kind"])
    expect(kinds is not None, "/events kind is not an HDF5 enum")
    if kinds is not None:
        expect("outage_start" in kinds and "outage_end" in kinds, f"/events kind enum names are {sorted(kinds)}")
    expect(len(events) > 0, "/events is empty")
    expect(set(np.unique(events["replication"])) <= set(range(replications)), "/events replication out of range")

    kpis = f["kpis"][...]
    expect(kpis.dtype.names == ("name", "units", "long_name", "mean", "p10", "p50", "p90", "replications_defined"),
           f"/kpis fields are {kpis.dtype.names}")
    expect(all(0 <= int(n) <= replications for n in kpis["replications_defined"]),
           "/kpis replications_defined outside 0..replications")
    kpi_names = {n.decode() for n in kpis["name"]}
    for name in ("it_energy_mwh", "facility_energy_mwh", "pue_annual", "wue_l_per_kwh", "water_m3", "carbon_t",
                 "energy_cost_usd", "backup_hours", "unserved_energy_mwh"):
        expect(name in kpi_names, f"/kpis has no row {name}")

    scenario = json.loads(f["inputs/scenario"].asstr()[()])
    expect(scenario.get("replications") == replications, "/inputs/scenario does not hold the scenario that ran")
    json.loads(f["inputs/catalog"].asstr()[()])

for p in problems:
    print(p)
print(f"{path}: {len(problems)} problem(s)")
sys.exit(1 if problems else 0)

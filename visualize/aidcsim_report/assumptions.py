"""The assumptions register: every catalog entry and default the run used (/inputs/catalog), with its source, and
the scenario's resolved values that carry a source (/inputs/scenario).

An entry is flagged when the catalog marks it as an assumption ("assumption": true), when its source says
ASSUMPTION, or when its verification is anything but "yes" (verified "no"/"partial", a list of verified items, or
an "unverified" list). Flagged entries come first, so a reviewer sees what rests on judgement before what rests on
a cited figure.
"""
import json

from . import formatting as fmt

SOURCE_KEYS = ("source", "sources")
# Keys that describe an entry rather than give its value.
META_KEYS = {"source", "sources", "assumption", "verified", "unverified", "note", "units", "renamed_from", "range",
             "source_rows"}
MAX_VALUE_CHARS = 160


def _source_text(entry):
    parts = [str(entry[k]) for k in SOURCE_KEYS if entry.get(k)]
    return " | ".join(parts)


def _verification(entry):
    """'yes', 'no', 'partial', 'not stated', or a description of a partly verified list."""
    v = entry.get("verified")
    unverified = entry.get("unverified")
    if isinstance(v, list):
        text = f"verified for {fmt.words_list(v)}" if v else "not verified"
        if unverified:
            text += f"; unverified for {fmt.words_list(unverified)}"
        return text
    if unverified:
        return f"unverified for {fmt.words_list(unverified)}" if isinstance(unverified, list) else "unverified"
    if v is None:
        return "not stated"
    return str(v)


def flag_reasons(entry):
    """Why an entry is flagged (empty when it is not)."""
    reasons = []
    if entry.get("assumption") is True:
        reasons.append("marked as an assumption")
    if "assumption" in _source_text(entry).lower() and "marked as an assumption" not in reasons:
        reasons.append("source says ASSUMPTION")
    v = entry.get("verified")
    if (v is not None and v != "yes") or entry.get("unverified"):
        reasons.append("not verified" if v in ("no", []) else "partly verified")
    return reasons


def _compact(v):
    """A value in few characters: floats to 4 significant digits, lists and objects summarized."""
    if isinstance(v, bool) or v is None:
        return json.dumps(v)
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, list):
        if len(v) > 6 or any(isinstance(x, (dict, list)) for x in v):
            return f"{len(v)} entries"
        return "[" + ", ".join(_compact(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {_compact(x)}" for k, x in v.items()) + "}"
    return str(v)


def _value_text(entry):
    if "value" in entry:
        value = entry["value"]
        text = _compact(value)
        units = entry.get("units")
        if units and units != "1" and not isinstance(value, (dict, list)):
            text = f"{text} {units}"
        if entry.get("range"):
            text += f" (range {entry['range'][0]}\u2013{entry['range'][-1]})"
    else:
        fields = {k: v for k, v in entry.items() if k not in META_KEYS and not k.startswith("_")
                  and not isinstance(v, dict)}
        text = ", ".join(f"{k} {_compact(v)}" for k, v in fields.items())
    if len(text) > MAX_VALUE_CHARS:
        text = text[:MAX_VALUE_CHARS - 1].rstrip() + "\u2026"
    return text


def catalog_entries(catalog):
    """One row per catalog entry: category, name, value, source, verification, flag reasons."""
    rows = []
    for category, entries in (catalog or {}).items():
        if not isinstance(entries, dict):
            continue
        for name, entry in entries.items():
            if not isinstance(entry, dict):
                continue
            rows.append(dict(where=f"catalog {category}", name=name, value=_value_text(entry),
                             source=_source_text(entry) or "no source given", note=str(entry.get("note", "")),
                             verification=_verification(entry), reasons=flag_reasons(entry)))
    return rows


def _walk(node, pointer):
    if isinstance(node, dict):
        yield pointer, node
        for k, v in node.items():
            yield from _walk(v, f"{pointer}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk(v, f"{pointer}/{i}")


def scenario_entries(scenario):
    """The scenario's objects that carry a source (uncertain inputs, failure rates, the fabric...) and its
    `*_source` keys (where a resolved value came from)."""
    rows = []
    for pointer, node in _walk(scenario or {}, ""):
        src = node.get("source")
        if isinstance(src, str) and src and src != "synthetic" and not pointer.endswith("/weather"):
            label = node.get("path") or node.get("label") or pointer
            rows.append(dict(where="scenario", name=f"{pointer or '/'}" + (f" ({label})" if label != pointer else ""),
                             value=_value_text(node), source=src, note=str(node.get("note", "")),
                             verification=_verification(node), reasons=flag_reasons(node)))
        for k, v in node.items():
            if k.endswith("_source") and isinstance(v, str):
                key = k[:-len("_source")]
                # parts_lead_time_source describes parts_lead_time_days: the value key may carry a units suffix.
                value_key = next((x for x in node if x != k and (x == key or x.startswith(key + "_"))), None)
                if value_key:
                    key = value_key
                value = node.get(key)
                entry = {"source": v, "value": value} if value is not None else {"source": v}
                reasons = flag_reasons(entry)
                if "unverified" in v.lower() and "not verified" not in reasons:
                    reasons.append("not verified")
                rows.append(dict(where="scenario", name=f"{pointer}/{key}", value=_value_text(entry), source=v,
                                 note="", verification="see source", reasons=reasons))
    return rows


def register(catalog, scenario):
    """Flagged entries first (assumptions and unverified values), then the rest, each group in file order."""
    rows = catalog_entries(catalog) + scenario_entries(scenario)
    flagged = [r for r in rows if r["reasons"]]
    rest = [r for r in rows if not r["reasons"]]
    return flagged, rest

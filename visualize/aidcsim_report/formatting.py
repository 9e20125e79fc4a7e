"""Numbers as people read them: USD in M/B, shares and rates as %, thousands separators, units in words.

Every number the report shows goes through here, so the conventions are in one place: "3.40 B USD",
"229.7 M USD", "9.4 %", "1.39" (PUE and cover ratios stay ratios), "847,730 MWh", "11.1 million tokens/s".
A NaN or missing value is shown as an em dash with no number.
"""
import math

MISSING = "\u2014"  # em dash

# Unit strings of the results file and the words a reader expects.
UNIT_WORDS = {
    "d": "days",
    "h": "hours",
    "s": "s",
    "year": "years",
    "m3": "m\u00b3",
    "m3/year": "m\u00b3 a year",
    "m3/yr": "m\u00b3 a year",
    "t": "t CO\u2082",
    "L": "litres",
    "L/kWh": "L/kWh",
    "GPU h": "GPU-hours",
    "USD/GPU-h": "USD per GPU-hour",
    "USD/Mtoken": "USD per million tokens",
    "USD/year": "USD a year",
    "tokens/s": "tokens/s",
    "1/MWh": "per MWh",
    "1/L": "per litre",
    "degC": "\u00b0C",
    "MW": "MW",
    "MWh": "MWh",
    "kg/h": "kg/h",
    "L/h": "L/h",
    "TOPS x bit": "TPP",
    "TPP/mm2": "TPP/mm\u00b2",
}

# KPIs in units "1" that are shares (shown as %) rather than ratios or counts.
SHARE_WORDS = ("availability", "attainment", "ettr", "progress", "share", "gearing", "fraction", "utilization",
               "goodput")
# KPIs in units "1" that are ratios shown with two decimals.
RATIO_WORDS = ("pue", "dscr", "llcr", "plcr", "multiplier", "cop")


def is_missing(x):
    if x is None:
        return True
    try:
        return math.isnan(float(x))
    except (TypeError, ValueError):
        return True


def thousands(x, decimals=0):
    """12345.6 -> '12,346'; decimals as given."""
    if is_missing(x):
        return MISSING
    return f"{float(x):,.{decimals}f}"


def _decimals_for(x, significant=3):
    """Decimals that show about `significant` significant figures (none for large numbers)."""
    x = abs(float(x))
    if x == 0:
        return 0
    digits = int(math.floor(math.log10(x))) + 1
    return max(0, significant - digits)


def number(x, significant=3):
    """A plain number with thousands separators and about three significant figures (no fewer whole digits)."""
    if is_missing(x):
        return MISSING
    return thousands(x, _decimals_for(x, significant))


def usd(x, decimals=None):
    """USD in words a lender uses: '3.40 B USD', '229.7 M USD', '45,300 USD', '1.75 USD'."""
    if is_missing(x):
        return MISSING
    x = float(x)
    a = abs(x)
    if a >= 1e9:
        return f"{x / 1e9:,.{2 if decimals is None else decimals}f} B USD"
    if a >= 1e6:
        return f"{x / 1e6:,.{1 if decimals is None else decimals}f} M USD"
    if a >= 1e3:
        return f"{x:,.0f} USD"
    return f"{x:,.{2 if decimals is None else decimals}f} USD"


def usd_millions(x, decimals=1):
    """For tables whose header says 'M USD': the number only."""
    if is_missing(x):
        return MISSING
    return f"{float(x) / 1e6:,.{decimals}f}"


def percent(share, decimals=None):
    """A share or rate (0.0935) as '9.4 %'; near 0 or 100 % more decimals so 99.95 % is not shown as 100.0 %."""
    if is_missing(share):
        return MISSING
    p = float(share) * 100.0
    if decimals is None:
        decimals = percent_decimals(p)
    return f"{p:,.{decimals}f} %"


def percent_decimals(p):
    """One decimal, more when the value sits within 1 point of 100 % (availability 99.955 %)."""
    gap = 100.0 - abs(p)
    if 0 < gap < 1:
        return min(4, max(1, int(math.ceil(-math.log10(gap) - 1e-9))))
    return 1


def decimals_of(x):
    """Decimals a number was written with (99.99 -> 2, 1.3 -> 1, 50000.0 -> 0)."""
    text = repr(float(x))
    if "e" in text or "." not in text:
        return 0
    frac = text.split(".")[1].rstrip("0")
    return len(frac)


def range_text(low, high):
    """'7.3 million tokens/s' and '14.5 million tokens/s' -> '7.3 – 14.5 million tokens/s' (units said once)."""
    if low == MISSING or high == MISSING:
        return f"{low} \u2013 {high}"
    a, b = low.split(" ", 1) if " " in low else (low, ""), high.split(" ", 1) if " " in high else (high, "")
    if a[1] and a[1] == b[1]:
        return f"{a[0]} \u2013 {b[0]} {b[1]}"
    return f"{low} \u2013 {high}"


def percent_points(p, decimals=None):
    """A value already in percent (a claim in '%' units: 99.99) as '99.99 %'."""
    if is_missing(p):
        return MISSING
    return percent(float(p) / 100.0, decimals)


def ratio(x, decimals=2):
    """PUE, DSCR, LLCR: '1.39', '0.51x' is not used; plain two decimals."""
    if is_missing(x):
        return MISSING
    return f"{float(x):,.{decimals}f}"


def big(x, unit=""):
    """Large counts in words: 228.6 trillion, 11.1 million; below a million with thousands separators."""
    if is_missing(x):
        return MISSING
    x = float(x)
    a = abs(x)
    suffix = f" {unit}" if unit else ""
    for scale, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if a >= scale:
            return f"{x / scale:,.1f} {word}{suffix}"
    return f"{number(x)}{suffix}"


def power_w(x):
    """Power from W: '125.6 MW', '40.8 kW'."""
    if is_missing(x):
        return MISSING
    x = float(x)
    if abs(x) >= 1e6:
        return f"{x / 1e6:,.1f} MW"
    if abs(x) >= 1e3:
        return f"{x / 1e3:,.1f} kW"
    return f"{x:,.0f} W"


def hours(h):
    """Durations from hours: '3.4 hours', '45 minutes', '264.6 days'."""
    if is_missing(h):
        return MISSING
    h = float(h)
    if h == 0:
        return "0 hours"
    if abs(h) < 1:
        return f"{h * 60:,.0f} minutes"
    if abs(h) >= 24 * 3:
        return f"{h / 24:,.1f} days"
    return f"{h:,.1f} hours"


def count(x):
    """A count or a mean count: integers with separators; small means with two decimals (0.56 outages)."""
    if is_missing(x):
        return MISSING
    x = float(x)
    if abs(x - round(x)) < 1e-9 or abs(x) >= 100:
        return thousands(x, 0)
    return thousands(x, 2 if abs(x) < 10 else 1)


def unit_words(units):
    return UNIT_WORDS.get(units, units)


def kpi_kind(name, units):
    """How to show a KPI: usd, percent, ratio, count, big, or quantity."""
    n = name.lower()
    if units == "USD":
        return "usd"
    if units in ("1/year",):
        return "percent"
    if units == "1":
        if any(w in n for w in RATIO_WORDS):
            return "ratio"
        if any(w in n for w in SHARE_WORDS):
            return "percent"
        if "tokens" in n:
            return "big"
        return "count"
    if units in ("tokens/s", "1/MWh", "1/L"):
        return "big"
    return "quantity"


def quantity(x, units):
    """A value with its units in words: '847,730 MWh', '264.6 days', '1.75 USD per GPU-hour'."""
    if is_missing(x):
        return MISSING
    if units == "USD":
        return usd(x)
    if units in ("USD/GPU-h", "USD/Mtoken"):
        return f"{float(x):,.2f} {unit_words(units)}"
    if units == "USD/year":
        return f"{usd(x)} a year"
    if units == "USD/h":
        return f"{usd(x)} an hour"
    if units == "W":
        return power_w(x)
    if units == "d":
        return f"{float(x):,.1f} days"
    if units == "h":
        return hours(x)
    if units == "%":
        return percent_points(x)
    if units in ("1/year",):
        return percent(x)
    if units in ("tokens/s", "1/MWh", "1/L"):
        return big(x, unit_words(units))
    return f"{number(x)} {unit_words(units)}".strip()


def kpi_value(name, units, x):
    """One KPI statistic formatted by what the KPI is."""
    kind = kpi_kind(name, units)
    if kind == "usd":
        return usd(x)
    if kind == "percent":
        return percent(x)
    if kind == "ratio":
        return ratio(x)
    if kind == "count":
        return count(x)
    if kind == "big":
        return big(x, "" if units == "1" else unit_words(units))
    return quantity(x, units)


def claim_value(x, units, scale=1.0, target=None):
    """A claim's value (the KPI times scale, in the claim's units); at least as many decimals as the target was
    written with, so 99.955 % is not shown as 100.0 % against a 99.99 % claim."""
    if is_missing(x):
        return MISSING
    if units == "%":
        d = percent_decimals(float(x))
        if target is not None and not is_missing(target):
            d = max(d, decimals_of(target))
        return percent_points(x, d)
    if units == "1/year":
        d = None
        if target is not None and not is_missing(target):
            d = max(1, decimals_of(float(target) * 100))
        return percent(x, d)
    if units == "1":
        return ratio(x)
    if units in ("m3/year", "m3/yr"):
        return f"{thousands(x)} m\u00b3 a year"
    return quantity(x, units)


def comparison_words(op):
    return {"<=": "at most", ">=": "at least", "<": "below", ">": "above", "==": "equal to"}.get(op, op)


def interval(low, high, fmt=percent):
    if is_missing(low) or is_missing(high):
        return MISSING
    return f"{fmt(low)} \u2013 {fmt(high)}"


def words_list(items):
    """['a', 'b', 'c'] -> 'a, b and c'."""
    items = [str(i) for i in items if str(i)]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def label(name):
    """snake_case or JSON pointer to words: 'usd_per_gpu_hour' -> 'usd per gpu hour'."""
    return str(name).strip("/").replace("_", " ").replace("/", " \u203a ")

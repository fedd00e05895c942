"""Land supply and idle land (docs/domain.md §4): classes per parcel and indicators by zone.

Idle land follows 闲置土地处置办法 (国土资源部令第53号, 2012), with its thresholds read from
``landuse/rules/idle_rules.toml``:

- **idle_1y** — supplied, not started, and the evaluation date is on or after the first
  anniversary of the agreed start date (Art. 2; idle-land fee of 20 % of the land price,
  Art. 14 (1));
- **idle_2y** — likewise at the second anniversary (taken back without compensation,
  Art. 14 (2));
- **suspended_idle** / **suspended_idle_2y** — started, but developed share < 1/3 of the due
  area *or* invested share < 25 %, and suspended since ``suspended_since`` for ≥ 1 year
  (Art. 2) / ≥ 2 years (the two-year takeback applied by analogy: reported apart);
- **government_delay** — a parcel meeting one of the rules above whose delay the ledger
  attributes to the government (Art. 8): still idle land (it counts in the idle area), but
  disposed of by negotiation: no fee, no takeback;
- **not_idle**, **not_supplied** (no supply date, or supplied after the evaluation date).

"Full year" uses the anniversary rule of 民法典 Art. 201-203: a period in years ends on the
same month and day, or on the month's last day when that day does not exist, so a clock that
starts on 2020-02-29 completes one year on 2021-02-28. ``idle_years`` = completed years +
the elapsed share of the running anniversary year (so ``idle_years >= 1`` exactly when one full
year has passed); 0 before the clock starts; NaN when no clock runs.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd

from landuse.errors import SchemaError
from landuse.indicators._common import make_indicator

__all__ = [
    "IDLE_CLASSES",
    "classify_idle",
    "idle_disposal",
    "idle_land_area",
    "idle_land_ratio",
    "idle_parcels",
    "idle_rules",
    "land_supply_rate",
    "land_supply_rate_by_batch",
    "stock_land_supply_share",
    "unsupplied_by_age",
    "unsupplied_land_area",
]

#: The supply statistics' window (docs/domain.md §4: e.g. the last 5 years): the approvals
#: (供地率) and supplies (存量建设用地供应占比) of the last this many calendar years.
SUPPLY_WINDOW_YEARS: Final = 5
#: Classes that are idle land (counted in idle_land_area).
IDLE_CLASSES = ("idle_1y", "idle_2y", "suspended_idle", "suspended_idle_2y", "government_delay")
_NEEDED = ["parcel_id", "supplied_date", "supplied_area_ha", "agreed_start_date",
           "actual_start_date", "developed_share", "invested_share", "suspended_since",
           "government_delay"]
_FEE = "征缴土地闲置费（出让或划拨价款的20%）(idle-land fee: 20 % of the land price)"
_TAKE = "无偿收回国有建设用地使用权 (taken back without compensation)"
_CONSEQUENCE = {
    "idle_1y": _FEE,
    "idle_2y": _TAKE,
    "suspended_idle": _FEE,
    "suspended_idle_2y": "满两年：可按第十四条无偿收回（类推适用，需当地确认）"
                         "(≥ 2 years: may be taken back, Art. 14 by analogy; confirm locally)",
    "government_delay": "政府原因：依第八条、第十二条协商处置，不征缴闲置费、不无偿收回 "
                        "(government-caused: negotiated disposal, no fee, no takeback)",
}


@lru_cache(maxsize=1)
def _rules_text() -> str:
    return resources.files("landuse.rules").joinpath("idle_rules.toml").read_text("utf-8")


def idle_rules() -> dict[str, Any]:
    """Return the idle-land thresholds of ``landuse/rules/idle_rules.toml`` (a fresh dict)."""
    return tomllib.loads(_rules_text())


def _anniversary(start: np.ndarray, years: np.ndarray) -> np.ndarray:
    """``start`` + ``years`` calendar years (datetime64[D]); Feb 29 -> Feb 28 (month end)."""
    y = start.astype("datetime64[Y]").astype(np.int64) + 1970 + years
    m = start.astype("datetime64[M]").astype(np.int64) % 12
    d = (start - start.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    month = ((y - 1970) * 12 + m).astype("datetime64[M]")
    dim = ((month + 1).astype("datetime64[D]") - month.astype("datetime64[D]")).astype(np.int64)
    return month.astype("datetime64[D]") + (np.minimum(d, dim) - 1)


def _years_since(start: pd.Series, end: pd.Timestamp) -> np.ndarray:
    """Anniversary-rule years from ``start`` to ``end`` (≥ 0; NaN where start is NaT)."""
    s = start.to_numpy("datetime64[D]")
    ok = ~np.isnat(s)
    out = np.full(s.shape, np.nan)
    if not ok.any():
        return out
    s = s[ok]
    e = np.datetime64(end.date(), "D")
    k = e.astype("datetime64[Y]").astype(np.int64) - s.astype("datetime64[Y]").astype(np.int64)
    k = np.where(_anniversary(s, k) <= e, k, k - 1)
    a, b = _anniversary(s, k), _anniversary(s, k + 1)
    frac = (np.asarray(e - a, dtype="timedelta64[D]").astype(np.int64)
            / np.asarray(b - a, dtype="timedelta64[D]").astype(np.int64))
    out[ok] = np.where(s > e, 0.0, k + frac)
    return out


def _check_ledger(ledger: pd.DataFrame, evaluation_date: Any) -> pd.Timestamp:
    missing = [c for c in _NEEDED if c not in ledger.columns]
    if missing:
        raise SchemaError(f"the land-supply ledger lacks {missing}; read it with "
                          "landuse.io.ledger.read_land_supply (docs/contract.md §2.1)")
    try:
        e = pd.Timestamp(evaluation_date)
    except (ValueError, TypeError):
        e = pd.NaT
    if pd.isna(e):
        raise SchemaError(f"evaluation_date {evaluation_date!r} is not a date; write YYYY-MM-DD")
    return e.normalize()


def _fmt(s: pd.Series) -> np.ndarray:
    return s.dt.strftime("%Y-%m-%d").fillna("").to_numpy(dtype=object)


def classify_idle(ledger: pd.DataFrame, *, evaluation_date: Any) -> pd.DataFrame:
    """Classify every ledger parcel by 国土资源部令第53号 at an evaluation date.

    Parameters
    ----------
    ledger : pandas.DataFrame
        A ledger as returned by :func:`landuse.io.ledger.read_land_supply`.
    evaluation_date : date-like
        The day of the evaluation (its end: a full year is reached *on* the anniversary).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``ledger``: ``parcel_id``, ``batch_id``, ``zone``, ``supplied_area_ha``,
        ``idle_class`` (see the module doc), ``is_idle`` (bool), ``idle_rule``
        (``not_started``, ``suspended`` or ''), ``idle_since`` (the clock start: agreed start
        or suspension date), ``idle_years`` (float, anniversary rule), ``government_delay``,
        ``consequence`` and ``reason`` (Chinese with English beside, with the dates).

    Raises
    ------
    SchemaError
        Missing columns, an unparseable date, a supplied parcel without an agreed start date,
        or a suspended parcel with neither developed nor invested share.
    """
    e = _check_ledger(ledger, evaluation_date)
    r = idle_rules()
    dev_below = r["developed_share_below"][0] / r["developed_share_below"][1]
    supplied = (ledger["supplied_date"].notna() & (ledger["supplied_date"] <= e)).to_numpy()
    started = (ledger["actual_start_date"].notna() & (ledger["actual_start_date"] <= e)).to_numpy()
    agreed = ledger["agreed_start_date"]
    bad = supplied & agreed.isna().to_numpy()
    if bad.any():
        raise SchemaError(f"supplied parcel(s) {ledger['parcel_id'][bad].tolist()[:10]} have no "
                          "agreed_start_date (约定动工日期); add it from the contract")
    dev = ledger["developed_share"].to_numpy(float)
    inv = ledger["invested_share"].to_numpy(float)
    susp = ledger["suspended_since"]
    suspended = started & (susp.notna() & (susp <= e)).to_numpy()
    unknown = suspended & np.isnan(dev) & np.isnan(inv)
    if unknown.any():
        raise SchemaError(f"suspended parcel(s) {ledger['parcel_id'][unknown].tolist()[:10]} have "
                          "neither developed_share nor invested_share; give at least one")
    under = (dev < dev_below) | (inv < r["invested_share_below"])
    y_ns = _years_since(agreed, e)
    y_su = _years_since(susp, e)
    ns = supplied & ~started
    su = supplied & suspended & under
    idle_years = np.where(ns, y_ns, np.where(su, y_su, np.nan))
    cls = np.full(len(ledger), "not_idle", dtype=object)
    cls[~supplied] = "not_supplied"
    cls[ns & (y_ns >= r["not_started_years"])] = "idle_1y"
    cls[ns & (y_ns >= r["takeback_years"])] = "idle_2y"
    cls[su & (y_su >= r["suspended_years"])] = "suspended_idle"
    cls[su & (y_su >= r["suspended_takeback_years"])] = "suspended_idle_2y"
    idle = np.isin(cls, IDLE_CLASSES)
    gov = ledger["government_delay"].fillna(False).to_numpy(bool)
    base_cls = cls.copy()
    cls[idle & gov] = "government_delay"
    rule = np.where(idle & ns, "not_started", np.where(idle & su, "suspended", ""))
    since = pd.Series(np.where(ns, agreed.to_numpy("datetime64[ns]"),
                               np.where(su, susp.to_numpy("datetime64[ns]"),
                                        np.datetime64("NaT", "ns"))), index=ledger.index)
    out = pd.DataFrame({
        "parcel_id": ledger["parcel_id"].astype(str),
        "batch_id": ledger["batch_id"].astype(str) if "batch_id" in ledger else "",
        "zone": ledger["zone"].astype(str) if "zone" in ledger else "",
        "supplied_area_ha": ledger["supplied_area_ha"].astype(float),
        "idle_class": pd.Series(cls, index=ledger.index, dtype=str),
        "is_idle": idle,
        "idle_rule": pd.Series(rule, index=ledger.index, dtype=str),
        "idle_since": since,
        "idle_years": idle_years,
        "government_delay": gov,
    }, index=ledger.index)
    out["consequence"] = pd.Series([_CONSEQUENCE.get(c, "") for c in cls], index=ledger.index,
                                   dtype=str)
    out["reason"] = _reasons(ledger, base_cls, idle & gov, started, suspended, under, e)
    out.attrs["evaluation_date"] = e.date().isoformat()
    out.attrs["rules"] = r["id"]
    return out


def _reasons(ledger: pd.DataFrame, cls: np.ndarray, gov: np.ndarray, started: np.ndarray,
             suspended: np.ndarray, under: np.ndarray, e: pd.Timestamp) -> pd.Series:
    """Return the reason of each class in words (Chinese, English beside), with the dates."""
    ag, ac = _fmt(ledger["agreed_start_date"]), _fmt(ledger["actual_start_date"])
    sp = _fmt(ledger["suspended_since"])
    ev = e.date().isoformat()
    early = (ledger["agreed_start_date"] > e).to_numpy()
    out = []
    for k, c in enumerate(cls):
        if c == "not_supplied":
            t = f"批而未供：截至{ev}尚未供地 (approved, not supplied by {ev})"
        elif c in ("idle_1y", "idle_2y"):
            y = 1 if c == "idle_1y" else 2
            t = (f"超过合同约定动工开发日期满{'一两'[y - 1]}年未动工 (not started ≥ {y} "
                 f"year(s) after the agreed start date {ag[k]})")
        elif c in ("suspended_idle", "suspended_idle_2y"):
            y = 1 if c == "suspended_idle" else 2
            t = (f"已动工但开发面积不足三分之一或投资不足25%，中止开发建设满{'一两'[y - 1]}年 "
                 f"(started, developed < 1/3 or invested < 25 %, suspended ≥ {y} year(s) since "
                 f"{sp[k]})")
        elif not started[k] and early[k]:
            t = f"未到约定动工日期 (agreed start date {ag[k]} not reached)"
        elif not started[k]:
            t = (f"未动工，距约定动工日期不满一年 (not started; less than 1 year after the "
                 f"agreed start date {ag[k]})")
        elif suspended[k] and under[k]:
            t = f"中止开发不满一年 (suspended since {sp[k]}, less than 1 year)"
        elif suspended[k]:
            t = (f"已动工，开发面积或投资达到标准 (started {ac[k]}; developed ≥ 1/3 and "
                 "invested ≥ 25 %)")
        else:
            t = f"已动工开发 (development started {ac[k]})"
        if gov[k]:
            t += "；政府原因造成 (delay caused by the government)"
        out.append(t)
    return pd.Series(out, index=ledger.index, dtype=str)


def _county_of(zones: pd.Series, county: str | None) -> str:
    if county is not None:
        return county
    codes = sorted({z[:6] for z in zones if z})
    if len(codes) != 1:
        raise SchemaError(f"the ledger's zone codes span counties {codes or '(none)'}; pass "
                          "county='370321' (the county's 6-digit code)")
    return codes[0]


def _by_zone(frame: pd.DataFrame, columns: list[str], county: str | None) -> pd.DataFrame:
    """Sum columns for the county (every row) and for each 9-digit township."""
    zones = frame["zone"].astype(str) if "zone" in frame else pd.Series("", index=frame.index)
    code = _county_of(zones, county)
    other = zones[(zones != "") & ~zones.str.startswith(code)]
    if len(other):
        raise SchemaError(f"ledger zone(s) {sorted(set(other))[:5]} are outside county {code}; "
                          "remove those rows or correct the codes")
    town = frame[zones.str.len() >= 9].assign(zone=zones.str[:9])
    rows = pd.concat([frame[columns].sum().to_frame(code).T,
                      town.groupby("zone")[columns].sum().sort_index()])
    rows.index.name = "zone"
    return rows


def _ratio(num: pd.Series, den: pd.Series, name: str, what: str, attrs: dict) -> pd.Series:
    with np.errstate(divide="ignore", invalid="ignore"):
        val = np.where(den.to_numpy() > 0, num.to_numpy() / den.to_numpy() * 100.0, np.nan)
    s = pd.Series(val, index=num.index, name=name)
    s.attrs = dict(attrs, unit="%", not_computable={z: f"no {what} in this zone (denominator 0)"
                                                    for z in s.index[np.isnan(val)]},
                   components={z: {"numerator_ha": float(num[z]), "denominator_ha": float(den[z])}
                               for z in s.index})
    return s


def idle_land_area(ledger: pd.DataFrame, *, evaluation_date: Any,
                   county: str | None = None) -> pd.Series:
    """闲置土地面积: supplied area (ha) of the parcels in :data:`IDLE_CLASSES`, by zone.

    Returns
    -------
    pandas.Series
        Named ``idle_land_area``, ha, indexed by zone: the county (6 digits; every ledger
        row) then each township (9 digits). ``county`` defaults to the one county the
        zone codes share.
    """
    c = classify_idle(ledger, evaluation_date=evaluation_date)
    c["idle_ha"] = np.where(c["is_idle"], c["supplied_area_ha"], 0.0)
    s = _by_zone(c, ["idle_ha"], county)["idle_ha"].rename("idle_land_area")
    s.attrs = {"unit": "ha", "evaluation_date": c.attrs["evaluation_date"], "not_computable": {},
               "rules": c.attrs["rules"]}
    return s


def idle_land_ratio(ledger: pd.DataFrame, *, evaluation_date: Any,
                    county: str | None = None) -> pd.Series:
    """闲置土地率 (%) = idle area / area supplied by the evaluation date × 100, by zone.

    Zones with no supplied area hold NaN, and ``attrs["not_computable"]`` maps them to the
    reason; ``attrs["components"]`` holds numerator and denominator (ha) per zone.
    """
    c = classify_idle(ledger, evaluation_date=evaluation_date)
    sup = c["idle_class"] != "not_supplied"
    c["idle_ha"] = np.where(c["is_idle"], c["supplied_area_ha"], 0.0)
    c["supplied_ha"] = np.where(sup, c["supplied_area_ha"], 0.0)
    t = _by_zone(c, ["idle_ha", "supplied_ha"], county)
    return _ratio(t["idle_ha"], t["supplied_ha"], "idle_land_ratio", "supplied land",
                  {"evaluation_date": c.attrs["evaluation_date"], "rules": c.attrs["rules"]})


def _window(ledger: pd.DataFrame, column: str, e: pd.Timestamp, years: int) -> np.ndarray:
    """Rows whose ``column`` date falls in the calendar years e.year-years+1 .. e (inclusive)."""
    if years < 1:
        raise ValueError(f"years must be ≥ 1, got {years}")
    d = ledger[column]
    return (d.notna() & (d <= e) & (d.dt.year > e.year - years)).to_numpy()


def land_supply_rate(ledger: pd.DataFrame, *, evaluation_date: Any,
                     years: int = SUPPLY_WINDOW_YEARS, county: str | None = None) -> pd.Series:
    """供地率 (%) = area supplied / area approved × 100, over the approvals of the last N years.

    The approvals counted are those dated in the calendar years ``E.year - years + 1`` to
    the evaluation date E; their supplied area counts when supplied on or before E.

    Returns
    -------
    pandas.Series
        Named ``land_supply_rate``, %, county then townships; NaN with a reason in
        ``attrs["not_computable"]`` where nothing was approved. The plan's target is ≥ 80 %.
    """
    e = _check_ledger(ledger, evaluation_date)
    inw = _window(ledger, "approved_date", e, years)
    sup = inw & (ledger["supplied_date"].notna() & (ledger["supplied_date"] <= e)).to_numpy()
    f = pd.DataFrame({"zone": ledger.get("zone", ""),
                      "approved": np.where(inw, ledger["approved_area_ha"], 0.0),
                      "supplied": np.where(sup, ledger["supplied_area_ha"], 0.0)})
    t = _by_zone(f, ["approved", "supplied"], county)
    return _ratio(t["supplied"], t["approved"], "land_supply_rate",
                  f"approval in {e.year - years + 1}-{e.year}",
                  {"evaluation_date": e.date().isoformat(), "years": years})


def land_supply_rate_by_batch(ledger: pd.DataFrame, *, evaluation_date: Any) -> pd.DataFrame:
    """供地率 per approval batch: approved, supplied, 批而未供 (ha) and the rate (%).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``batch_id``: ``approved_date`` (the batch's earliest), ``approved_ha``,
        ``supplied_ha`` (supplied by the evaluation date), ``unsupplied_ha`` (批而未供 =
        approved - supplied, not below 0) and ``land_supply_rate`` (%, NaN when nothing
        approved). Batches approved after the evaluation date are left out.
    """
    e = _check_ledger(ledger, evaluation_date)
    ok = (ledger["approved_date"].notna() & (ledger["approved_date"] <= e)).to_numpy()
    sup = (ledger["supplied_date"].notna() & (ledger["supplied_date"] <= e)).to_numpy()
    f = pd.DataFrame({"batch_id": ledger["batch_id"].astype(str),
                      "approved_date": ledger["approved_date"],
                      "approved_ha": ledger["approved_area_ha"].astype(float),
                      "supplied_ha": np.where(sup, ledger["supplied_area_ha"], 0.0)})[ok]
    g = f.groupby("batch_id").agg(approved_date=("approved_date", "min"),
                                  approved_ha=("approved_ha", "sum"),
                                  supplied_ha=("supplied_ha", "sum"))
    g["unsupplied_ha"] = (g["approved_ha"] - g["supplied_ha"]).clip(lower=0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        g["land_supply_rate"] = np.where(g["approved_ha"] > 0,
                                         g["supplied_ha"] / g["approved_ha"] * 100.0, np.nan)
    return g


def idle_disposal(ledger: pd.DataFrame, *, evaluation_date: Any,
                  county: str | None = None) -> pd.DataFrame:
    """闲置土地处置 per year: idle land identified, disposed of by method, still pending.

    - **identified** in the year its idle clock completed the rule's years (the first
      anniversary of ``idle_since`` for the idle classes of :func:`classify_idle`);
    - **disposed** in the year of ``disposal_date`` (on or before the evaluation date E), by
      ``disposal_method`` (the ledger's optional disposal columns), with the idle-land fee;
    - **pending** at E: idle at E and not disposed of by E (reported under E's year).

    Returns
    -------
    pandas.DataFrame
        ``zone`` (county, then townships), ``year``, ``item`` (``identified``,
        ``disposed``, ``pending``), ``method`` ('' except for disposals), ``area_ha``
        (supplied area), ``parcels``, ``fee_10k_yuan`` (disposals only); sorted.
    """
    e = _check_ledger(ledger, evaluation_date)
    r = idle_rules()
    c = classify_idle(ledger, evaluation_date=e)
    years = np.where(c["idle_rule"] == "suspended", r["suspended_years"],
                     r["not_started_years"])
    idle = c["is_idle"].to_numpy()
    since = c["idle_since"].to_numpy("datetime64[D]")
    found = np.full(len(c), np.datetime64("NaT"), dtype="datetime64[D]")
    if idle.any():
        found[idle] = _anniversary(since[idle], years[idle])
    method = (ledger["disposal_method"].astype(str) if "disposal_method" in ledger
              else pd.Series("", index=ledger.index))
    when = (ledger["disposal_date"] if "disposal_date" in ledger
            else pd.Series(pd.NaT, index=ledger.index, dtype="datetime64[ns]"))
    fee = (ledger["idle_fee_10k_yuan"].astype(float) if "idle_fee_10k_yuan" in ledger
           else pd.Series(np.nan, index=ledger.index))
    disposed = ((method != "") & when.notna() & (when <= e)).to_numpy()
    area = c["supplied_area_ha"].fillna(0.0).to_numpy()
    parts = [
        pd.DataFrame({"zone": c["zone"], "year": pd.Series(found).dt.year.to_numpy(),
                      "item": "identified", "method": "", "area_ha": area,
                      "fee_10k_yuan": np.nan})[idle],
        pd.DataFrame({"zone": c["zone"], "year": when.dt.year.to_numpy(), "item": "disposed",
                      "method": method.to_numpy(), "area_ha": area,
                      "fee_10k_yuan": fee.to_numpy()})[disposed],
        pd.DataFrame({"zone": c["zone"], "year": e.year, "item": "pending", "method": "",
                      "area_ha": area, "fee_10k_yuan": np.nan})[idle & ~disposed],
    ]
    rows = pd.concat(parts, ignore_index=True)
    rows["parcels"] = 1
    code = _county_of(c["zone"].astype(str), county)
    town = rows[rows["zone"].astype(str).str.len() >= 9].assign(
        zone=lambda d: d["zone"].astype(str).str[:9])
    keys = ["zone", "year", "item", "method"]
    out = pd.concat([rows.assign(zone=code), town], ignore_index=True)
    out = out.groupby(keys, sort=False, dropna=False).agg(
        area_ha=("area_ha", "sum"), parcels=("parcels", "sum"),
        fee_10k_yuan=("fee_10k_yuan", lambda s: s.sum(min_count=1))).reset_index()
    order = {"identified": 0, "disposed": 1, "pending": 2}
    out = out.assign(_s=out["zone"].str.len(), _i=out["item"].map(order)).sort_values(
        ["_s", "zone", "year", "_i", "method"], kind="stable").drop(columns=["_s", "_i"])
    out["year"] = out["year"].astype(int)
    out.attrs = {"evaluation_date": e.date().isoformat(), "rules": r["id"]}
    return out.reset_index(drop=True)


#: batch-age classes of 批而未供 land (completed years since the batch's approval)
UNSUPPLIED_AGE_CLASSES = ("0-1", "1-2", "2-3", "3-4", "4-5", ">5")


def unsupplied_by_age(ledger: pd.DataFrame, *, evaluation_date: Any,
                      county: str | None = None) -> pd.DataFrame:
    """批而未供 land by the age of its approval batch, county and townships.

    Each ledger row's unsupplied area (approved − supplied by the evaluation date E, not
    below 0; rows approved after E left out) is classed by the completed years (anniversary
    rule, see the module docstring) from its batch's approval (the earliest
    ``approved_date`` of the ``batch_id``) to E: ``0-1`` … ``4-5``, ``>5`` (5 full years or
    more). The batch table is :func:`land_supply_rate_by_batch`.

    Returns
    -------
    pandas.DataFrame
        ``zone``, ``age_class`` (:data:`UNSUPPLIED_AGE_CLASSES`), ``unsupplied_ha``: every
        zone × class, zeros included, county first.
    """
    e = _check_ledger(ledger, evaluation_date)
    ok = (ledger["approved_date"].notna() & (ledger["approved_date"] <= e)).to_numpy()
    sup = (ledger["supplied_date"].notna() & (ledger["supplied_date"] <= e)).to_numpy()
    left = (ledger["approved_area_ha"].astype(float)
            - np.where(sup, ledger["supplied_area_ha"].fillna(0.0), 0.0)).clip(lower=0.0)
    batch_date = ledger.groupby(ledger["batch_id"].astype(str))["approved_date"].transform("min")
    age = _years_since(batch_date, e)
    cls = np.minimum(np.floor(np.nan_to_num(age, nan=0.0)), 5).astype(int)
    f = pd.DataFrame({"zone": ledger.get("zone", "")})
    for k, name in enumerate(UNSUPPLIED_AGE_CLASSES):
        f[name] = np.where(ok & (cls == k), left, 0.0)
    t = _by_zone(f, list(UNSUPPLIED_AGE_CLASSES), county)
    out = t.reset_index().melt(id_vars="zone", var_name="age_class", value_name="unsupplied_ha")
    out["_k"] = out["age_class"].map({n: k for k, n in enumerate(UNSUPPLIED_AGE_CLASSES)})
    out["_s"] = out["zone"].astype(str).str.len()
    out = out.sort_values(["_s", "zone", "_k"], kind="stable").drop(columns=["_k", "_s"])
    out.attrs = {"evaluation_date": e.date().isoformat()}
    return out.reset_index(drop=True)


def unsupplied_land_area(by_age: pd.DataFrame) -> pd.Series:
    """批而未供土地面积 (ha) by zone from :func:`unsupplied_by_age` (age classes as components)."""
    wide = by_age.pivot(index="zone", columns="age_class", values="unsupplied_ha")
    wide = wide.reindex(pd.unique(by_age["zone"]))[list(UNSUPPLIED_AGE_CLASSES)]
    wide.columns = [f"age_{c}_ha" for c in wide.columns]
    return make_indicator(wide.sum(axis=1), indicator_id="unsupplied_land_area",
                          components=wide)


def stock_land_supply_share(ledger: pd.DataFrame, *, evaluation_date: Any,
                            years: int = SUPPLY_WINDOW_YEARS, county: str | None = None
                            ) -> pd.Series:
    """存量建设用地供应占比 (%) = 存量 supplied area / all supplied area × 100, by zone.

    Supplies dated in the calendar years ``E.year - years + 1`` to E count (default: the
    last 5 years, as for the supply rate). NaN with a reason where nothing was supplied.
    """
    e = _check_ledger(ledger, evaluation_date)
    inw = _window(ledger, "supplied_date", e, years)
    stock = inw & (ledger["land_source"].astype(str) == "存量").to_numpy()
    f = pd.DataFrame({"zone": ledger.get("zone", ""),
                      "stock": np.where(stock, ledger["supplied_area_ha"], 0.0),
                      "supplied": np.where(inw, ledger["supplied_area_ha"], 0.0)})
    t = _by_zone(f, ["stock", "supplied"], county)
    return _ratio(t["stock"], t["supplied"], "stock_land_supply_share",
                  f"supply in {e.year - years + 1}-{e.year}",
                  {"evaluation_date": e.date().isoformat(), "years": years})


def idle_parcels(ledger: pd.DataFrame, parcels: gpd.GeoDataFrame, *,
                 evaluation_date: Any) -> gpd.GeoDataFrame:
    """Every ledger parcel with its idle class and reason, with its geometry where known.

    Parameters
    ----------
    ledger : pandas.DataFrame
        The ledger (:func:`landuse.io.ledger.read_land_supply`).
    parcels : geopandas.GeoDataFrame
        ``parcel_id`` (or ``parcel_no``) and geometry (:func:`landuse.io.ledger.read_parcels`).

    Returns
    -------
    geopandas.GeoDataFrame
        The columns of :func:`classify_idle` plus geometry (None for parcels without one),
        in the CRS of ``parcels``: the content of ``idle_parcels.gpkg`` / ``.csv``.
    """
    c = classify_idle(ledger, evaluation_date=evaluation_date)
    key = "parcel_id" if "parcel_id" in parcels else "parcel_no"
    if key not in parcels:
        raise SchemaError(f"parcels need a parcel_id column; found {list(parcels.columns)}")
    geo = pd.Series(parcels.geometry.to_numpy(), index=parcels[key].astype(str).to_numpy())
    geo = geo[~geo.index.duplicated()]
    out = gpd.GeoDataFrame(c, geometry=c["parcel_id"].map(geo).to_numpy(), crs=parcels.crs)
    out.attrs = dict(c.attrs)
    return out

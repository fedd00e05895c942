"""节约集约利用评价 (TD/T 1018): sub-indices and the composite index (docs/evaluation.md).

The evaluation reads indicator **rows** (contract §3.1, as computed by the run or by
:func:`landuse.indicators.rows.indicator_rows`): each measure of the rule file
(``landuse/rules/tdt1018.toml``, replaceable) names an indicator id, a direction and an
ideal value in that id's unit. For a zone:

* measure score ``S = 100 × min(x / t, 1)`` (direction ``higher``) or ``100 × min(t / x, 1)``
  (``lower``), x the indicator value, t the ideal; x missing or not positive: not computable;
* sub-index ``I = Σ w·S / Σ w`` over its measures: not computable when a measure is (the
  reason names it), except an ``optional`` measure, whose weight is then dropped;
* composite ``E = Σ W·I`` over the sub-indices (weights add up to 1): not computable when a
  sub-index is.

Nothing missing is ever scored as zero. Two measures have no indicator elsewhere and are
computed here: :func:`fixed_asset_investment_per_construction_land` and
:func:`new_urban_rural_land_per_population_growth`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from landuse.errors import SchemaError
from landuse.indicators._common import make_indicator, registry, safe_ratio, socio_series
from landuse.indicators.flowsums import FlowSums, as_sums
from landuse.rules import RuleSet, read_rule_file
from landuse.units import ha_to_mu

__all__ = ["INDEX_IDS", "evaluation_indicators", "evaluation_table",
           "fixed_asset_investment_per_construction_land", "load_evaluation_rules",
           "new_urban_rural_land_per_population_growth"]

#: sub-index key -> indicator id (plus the composite)
INDEX_IDS = {"composite": "tdt1018_index", "intensity": "tdt1018_intensity_index",
             "growth": "tdt1018_growth_index", "elasticity": "tdt1018_elasticity_index",
             "management": "tdt1018_management_index"}
TABLE_COLUMNS = ["zone", "part", "name_zh", "index", "indicator", "value", "ideal",
                 "direction", "weight", "score", "status", "reason"]


def load_evaluation_rules(path: str | Path | dict[str, Any] | None = None) -> dict[str, Any]:
    """Load and check a TD/T 1018 rule file (default: ``landuse/rules/tdt1018.toml``)."""
    data, where = read_rule_file(path, "tdt1018.toml")
    problems = []
    indices = data.get("indices", {})
    measures = data.get("measures", {})
    unknown = set(indices) - set(INDEX_IDS)
    if unknown or not indices:
        problems.append(f"[indices] must be among {sorted(set(INDEX_IDS) - {'composite'})}, "
                        f"got {sorted(indices)}")
    if abs(sum(float(v.get("weight", 0)) for v in indices.values()) - 1.0) > 1e-9:
        problems.append("the [indices] weights must add up to 1")
    known = set(registry().index)
    for name, m in measures.items():
        where_m = f"measures.{name}"
        if m.get("index") not in indices:
            problems.append(f"{where_m}.index {m.get('index')!r} is not one of {sorted(indices)}")
        if m.get("indicator") not in known:
            problems.append(f"{where_m}.indicator {m.get('indicator')!r} is not a registered id")
        if m.get("direction") not in ("higher", "lower"):
            problems.append(f"{where_m}.direction must be 'higher' or 'lower'")
        if not float(m.get("ideal", 0)) > 0 or not float(m.get("weight", 0)) > 0:
            problems.append(f"{where_m}: ideal and weight must be > 0")
    for key in indices:
        if not any(m.get("index") == key for m in measures.values()):
            problems.append(f"the index {key!r} has no measure")
    if problems:
        raise SchemaError(f"TD/T 1018 rules {where}: " + "; ".join(problems))
    return data


def _lookup(rows: pd.DataFrame) -> dict[tuple[str, str], tuple[float | None, str]]:
    out = {}
    for iid, zone, value, reason in zip(rows["id"], rows["zone"], rows["value"],
                                        rows["reason"], strict=True):
        v = None if value is None or pd.isna(value) else float(value)
        out[(str(iid), str(zone))] = (v, "" if reason is None or pd.isna(reason) else str(reason))
    return out


def evaluation_table(rows: pd.DataFrame, *, zones: Iterable[str] | None = None,
                     rules: str | Path | dict[str, Any] | None = None) -> pd.DataFrame:
    """Score every measure, sub-index and the composite for each zone.

    Parameters
    ----------
    rows : DataFrame
        Indicator rows (contract §3.1: ``id``, ``zone``, ``value``, ``reason``).
    zones : iterable of str, optional
        Zones to evaluate (default: the county rows' zones; TD/T 1018 evaluates counties).
    rules : path or dict, optional
        See :func:`load_evaluation_rules`.

    Returns
    -------
    DataFrame
        :data:`TABLE_COLUMNS`, per zone: one row per measure (``part`` = the measure name,
        ``score`` 0–100), per sub-index (``part`` = its key) and ``composite``; ``status``
        ``computed`` or ``not_computable`` (with ``reason``). ``attrs['rules']``.
    """
    rs = load_evaluation_rules(rules)
    look = _lookup(rows)
    if zones is None:
        zones = sorted({str(z) for z, s in zip(rows["zone"], rows["scope"], strict=True)
                        if s == "county"})
    out: list[dict[str, Any]] = []
    for zone in zones:
        index_vals: dict[str, tuple[float | None, str]] = {}
        for key, ispec in rs["indices"].items():
            num = den = 0.0
            missing, dropped = [], []
            for name, m in rs["measures"].items():
                if m["index"] != key:
                    continue
                x, why = look.get((m["indicator"], zone), (None, f"no {m['indicator']} row for "
                                                           f"zone {zone}"))
                ideal, w = float(m["ideal"]), float(m["weight"])
                if x is not None and x <= 0:
                    x, why = None, (f"{m['indicator']} = {x:g} is not positive (TD/T 1018's "
                                    "special cases are not scored; verify by hand)")
                score = None
                if x is not None:
                    score = 100.0 * min(x / ideal if m["direction"] == "higher" else ideal / x,
                                        1.0)
                    num, den = num + w * score, den + w
                elif m.get("optional", False):
                    dropped.append(name)
                else:
                    missing.append(f"{m['name_zh']} ({name}): {why}")
                out.append({"zone": zone, "part": name, "name_zh": m["name_zh"], "index": key,
                            "indicator": m["indicator"], "value": x, "ideal": ideal,
                            "direction": m["direction"], "weight": w, "score": score,
                            "status": "computed" if score is not None else "not_computable",
                            "reason": "" if score is not None else why})
            if missing or den == 0:
                reason = "; ".join(missing) or "no measure is computable"
                index_vals[key] = (None, reason)
            else:
                note = (f"optional measure(s) {dropped} not given: weights rescaled"
                        if dropped else "")
                index_vals[key] = (num / den, note)
            val, why = index_vals[key]
            out.append({"zone": zone, "part": key, "name_zh": ispec["name_zh"], "index": key,
                        "indicator": INDEX_IDS[key], "value": val, "ideal": None,
                        "direction": "", "weight": float(ispec["weight"]), "score": val,
                        "status": "computed" if val is not None else "not_computable",
                        "reason": why})
        bad = [f"{k}: {r}" for k, (v, r) in index_vals.items() if v is None]
        comp = None if bad else sum(float(rs["indices"][k]["weight"]) * float(v or 0.0)
                                    for k, (v, _) in index_vals.items())
        out.append({"zone": zone, "part": "composite", "name_zh": "节约集约利用总指数",
                    "index": "composite", "indicator": INDEX_IDS["composite"], "value": comp,
                    "ideal": None, "direction": "", "weight": 1.0, "score": comp,
                    "status": "computed" if comp is not None else "not_computable",
                    "reason": "; ".join(bad)})
    table = pd.DataFrame(out, columns=TABLE_COLUMNS)
    table.attrs["rules"] = f"{rs.get('id', 'custom')}@{rs.get('version', 1)}"
    return table


def evaluation_indicators(table: pd.DataFrame) -> dict[str, pd.Series]:
    """Return the composite and sub-index Series (ids :data:`INDEX_IDS`, unit 分)."""
    out = {}
    for key, iid in INDEX_IDS.items():
        sub = table[table["part"] == key].set_index("zone")
        if sub.empty:
            continue
        measures = table[(table["index"] == key) & (table["part"] != key)] if key != \
            "composite" else table[table["part"].isin(list(INDEX_IDS)[1:])]
        comps = {z: {f"{p}_score": s for p, s in zip(g["part"], g["score"], strict=True)}
                 for z, g in measures.groupby("zone")}
        comps_frame = pd.DataFrame.from_dict(comps, orient="index").reindex(sub.index)
        comps_frame["rules"] = table.attrs.get("rules", "")
        reasons = {str(z): str(r) for z, r in sub["reason"].items()
                   if sub.loc[z, "status"] == "not_computable"}
        out[iid] = make_indicator(sub["value"].astype(float), indicator_id=iid,
                                  components=comps_frame, reasons=reasons)
    return out


def fixed_asset_investment_per_construction_land(
        construction_land_ha: pd.Series, socio: pd.DataFrame | None, *, year: int) -> pd.Series:
    """建设用地地均固定资产投资, 万元/亩 = fixed-asset investment / construction land (亩).

    ``construction_land_ha`` is ``construction_land_area`` by zone; the investment is the
    socio-economic table's ``fixed_asset_investment_10k_yuan`` (固定资产投资) of ``year``.
    Not computable (with the reason) where either is missing.
    """
    zones = pd.Index(construction_land_ha.index.astype(str), name="zone", dtype=object)
    land_mu = pd.Series(ha_to_mu(construction_land_ha.to_numpy(float)), index=zones)
    inv, missing = socio_series(socio, "fixed_asset_investment_10k_yuan", year=year,
                                zones=zones, label="fixed-asset investment 固定资产投资")
    value, reasons = safe_ratio(inv, land_mu, reason="zone {zone} has no construction land")
    reasons.update(missing)
    return make_indicator(value, indicator_id="fixed_asset_investment_per_construction_land",
                          components=pd.DataFrame({"investment_10k_yuan": inv,
                                                   "construction_land_mu": land_mu}),
                          reasons=reasons)


def new_urban_rural_land_per_population_growth(
        flows: pd.DataFrame | FlowSums, socio: pd.DataFrame | None, *, year: int,
        previous_year: int, rules: str | Path | RuleSet | None = None) -> pd.Series:
    """单位人口增长消耗新增城乡建设用地量, m²/person (TD/T 1018).

    New urban-rural construction land (flows into the aggregate
    ``urban_rural_construction_land`` from land outside it, official areas of the current
    vintage, m²) / (resident population of ``year`` − of ``previous_year``). Not computable
    where the population did not grow (the reason says so) or is not given.
    """
    fs = as_sums(flows, rules)
    rs = fs.rules
    m2 = fs.sum_m2(fs.member("to", "urban_rural_construction_land")
                   & ~fs.member("from", "urban_rural_construction_land"))
    p1, r1 = socio_series(socio, "population_total", year=year, zones=m2.index,
                          label="resident population 常住人口")
    p0, r0 = socio_series(socio, "population_total", year=previous_year, zones=m2.index,
                          label="previous-year resident population 上年常住人口")
    value, reasons = safe_ratio(m2, p1 - p0, reason="the population of zone {zone} did not "
                                "grow (change {denominator})")
    reasons.update(r0)
    reasons.update(r1)
    value[[z for z in reasons if z in value.index]] = np.nan
    return make_indicator(value, indicator_id="new_urban_rural_land_per_population_growth",
                          components=pd.DataFrame({"new_urban_rural_land_m2": m2,
                                                   "population": p1, "population_previous": p0}),
                          reasons=reasons, rules=rs)

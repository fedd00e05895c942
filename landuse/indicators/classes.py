"""Land-use status tables (土地利用现状表): class areas by zone, 三大类 roll-up, wetland view.

All figures follow the official area rule of the 三调 (docs/domain.md §2): the area of a class
is Σ TBDLMJ over the patches of that class plus Σ KCMJ over the patches whose deducted
class KCDLBM is that class (so 田坎 1203 receives the deductions). The table of second-level
classes of a zone therefore sums to Σ TBMJ of the zone.

First-level layout (docs/domain.md §2.1, §7): the 三调 公报 reports 湿地 as a first-level class
(code ``00``) of seven second-level classes, 0303 红树林地, 0304 森林沼泽, 0306 灌丛沼泽,
0402 沼泽草地, 1105 沿海滩涂, 1106 内陆滩涂, 1108 沼泽地, which 林地, 草地 and 水域 then
exclude; 0603 盐田 stays under 06 工矿. ``class_areas`` gives that layout in ``level1_code`` /
``level1_name`` (``level1`` keeps the code's own GB/T 21010 first level). The 三大类 roll-up
does not change.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from landuse import units
from landuse.indicators._common import (
    By,
    Prepared,
    make_indicator,
    prepare,
    zone_index,
    zone_sums,
)
from landuse.rules import RuleSet, code_table

__all__ = [
    "UNCLASSIFIED",
    "class_areas",
    "sandalei_areas",
    "wetland_area",
    "wetland_areas",
]

UNCLASSIFIED = "未分类 (unclassified)"
SANDALEI_AGGREGATES = (
    ("农用地", "agricultural_land"),
    ("建设用地", "construction_land"),
    ("未利用地", "unused_land"),
)


def _with_units(df: pd.DataFrame) -> pd.DataFrame:
    df["area_ha"] = units.convert_area(df["area_m2"], "m2", "ha")
    df["area_mu"] = units.convert_area(df["area_m2"], "m2", "mu")
    return df


def _long_by_zone(rows: pd.DataFrame, keys: list[str], levels: tuple[str, ...]) -> pd.DataFrame:
    parts = []
    for level in levels:
        g = rows.groupby([level, *keys], sort=True, dropna=False)["area_m2"].sum().reset_index()
        parts.append(g.rename(columns={level: "zone"}))
    out = pd.concat(parts, ignore_index=True)
    order = {z: i for i, z in enumerate(zone_index(rows, levels))}
    out["_o"] = out["zone"].map(order)
    return out.sort_values(["_o", *keys], kind="stable").drop(columns="_o").reset_index(drop=True)


def class_areas(
    lu: pd.DataFrame,
    *,
    by: By = "township",
    rules: str | Path | RuleSet | None = None,
) -> pd.DataFrame:
    """Area of every land class found, by zone (the 土地利用现状表), official rule.

    Formula: area(class c, zone z) = Σ TBDLMJ[DLBM = c] + Σ KCMJ[KCDLBM = c] over the
    patches of zone z (TDT 1055-2019 三调 technical rules; docs/domain.md §2). Codes are
    reported as found after normalisation (``0201K`` keeps its K); ``level2`` /
    ``level1`` give the second- and first-level codes. Codes not in the 三调 table (and a
    deduction without KCDLBM, code ``""``) are rows of their own with ``sandalei`` =
    ``"未分类 (unclassified)"``; nothing is dropped, so each zone's rows sum to Σ TBMJ.

    Parameters
    ----------
    lu : DataFrame
        Normalised land-use frame (:func:`landuse.io.vector.read_landuse`): ``DLBM``,
        ``TBDLMJ``, ``KCDLBM``, ``KCMJ``, ``CZCSXM`` and ``ZLDWDM`` (or ``county`` /
        ``township`` / ``village``). No geometry or CRS is needed: areas are attributes.
    by : {"county", "township", "village"}
        Lowest zone level reported; the county rows always come first.
    rules : str, Path or RuleSet, optional
        Accepted for a uniform signature; class areas do not depend on the aggregates
        (the 三大类 and wetland flags come from the packaged code table).

    Returns
    -------
    DataFrame
        Long table, one row per (zone, code): ``zone``, ``code``, ``level2``,
        ``level1`` (GB/T 21010 first level of the code), ``level1_code`` /
        ``level1_name`` (三调 公报 layout: ``00`` 湿地 for the seven wetland classes),
        ``name_zh``, ``sandalei``, ``wetland`` (bool), ``area_m2``, ``area_ha``,
        ``area_mu``. ``attrs["rules"]`` records the rule set label and
        ``attrs["area"] = "official"``.
    """
    p = prepare(lu, by=by, rules=rules, what="class_areas")
    ruleset, levels, rows = p.rules, p.levels, p.rows
    out = _long_by_zone(rows, ["code"], levels)
    table = code_table()
    known = out["code"].isin(table.index)
    for col in ("level2", "level1", "name_zh", "sandalei"):
        out[col] = out["code"].map(table[col]).where(known, "")
    out["level1_code"] = out["code"].map(table["bulletin_level1"]).where(known, "")
    out["level1_name"] = out["code"].map(table["bulletin_level1_name_zh"]).where(known, "")
    out.loc[~known, "sandalei"] = UNCLASSIFIED
    out["wetland"] = out["code"].map(table["wetland"]).where(known, False).astype(bool)
    out = _with_units(out)[["zone", "code", "level2", "level1", "level1_code", "level1_name",
                            "name_zh", "sandalei", "wetland", "area_m2", "area_ha",
                            "area_mu"]]
    out.attrs = {"rules": ruleset.label, "area": "official"}
    return out


def sandalei_areas(
    lu: pd.DataFrame,
    *,
    by: By = "township",
    rules: str | Path | RuleSet | None = None,
) -> pd.DataFrame:
    """三大类 roll-up (农用地 / 建设用地 / 未利用地) by zone, official rule.

    Formula: area(group g, zone z) = Σ class-row area of the rule set's aggregate for g
    (``agricultural_land``, ``construction_land``, ``unused_land``; default rules: by the
    三大类 column of the 三调 code table). Class rows not in any of the three (unknown
    codes) form a fourth group ``"未分类 (unclassified)"`` so that each zone sums to
    Σ TBMJ. A custom rule set whose groups overlap would break that sum: the three
    aggregates are applied in the order above and a row is counted in the first match.

    Returns
    -------
    DataFrame
        ``zone``, ``sandalei``, ``area_m2``, ``area_ha``, ``area_mu`` (zeros included, so
        every zone has the three groups; the unclassified group only when non-zero).
    """
    p = prepare(lu, by=by, rules=rules, what="sandalei_areas")
    ruleset, levels, rows = p.rules, p.levels, p.rows
    group = np.full(len(rows), UNCLASSIFIED, dtype=object)
    assigned = np.zeros(len(rows), dtype=bool)
    for name, agg in SANDALEI_AGGREGATES:
        m = ruleset.mask(agg, rows["code"], rows["czcsxm"]) & ~assigned
        group[m] = name
        assigned |= m
    rows = rows.assign(sandalei=pd.array(group, dtype=object))
    out = _long_by_zone(rows, ["sandalei"], levels)
    zones = zone_index(rows, levels)
    groups = [g for g, _ in SANDALEI_AGGREGATES]
    if (~assigned).any():
        groups.append(UNCLASSIFIED)
    full = pd.MultiIndex.from_product([zones, groups], names=["zone", "sandalei"])
    out = out.set_index(["zone", "sandalei"])["area_m2"].reindex(full, fill_value=0.0)
    out = _with_units(out.reset_index())
    out.attrs = {"rules": ruleset.label, "area": "official"}
    return out


def wetland_areas(lu: pd.DataFrame, *, by: By = "township") -> pd.DataFrame:
    """Wetland (湿地) view: area of each wetland class by zone, official rule.

    Wetland = the first-level class 湿地 (00) of the 三调 公报: 0303 0304 0306 0402 1105
    1106 1108 (docs/domain.md §2.1; 0603 盐田 stays under 工矿). In the first-level layout
    (``class_areas``' ``level1_code``) these classes are excluded from 林地, 草地 and 水域, so
    the first-level table still sums to the total area.

    Returns
    -------
    DataFrame
        ``zone``, ``code``, ``name_zh``, ``area_m2``, ``area_ha``, ``area_mu``: one row per
        wetland class found plus a row with code ``"湿地"`` holding the zone's wetland total.
    """
    p = prepare(lu, by=by, what="wetland_areas")
    levels, rows = p.levels, p.rows
    table = code_table()
    wet = set(table.index[table["wetland"]])
    zones = zone_index(rows, levels)
    sub = rows[rows["code"].isin(wet)]
    detail = _long_by_zone(sub, ["code"], levels) if len(sub) else pd.DataFrame(
        columns=["zone", "code", "area_m2"])
    total = pd.DataFrame({"zone": zones, "code": "湿地",
                          "area_m2": detail.groupby("zone")["area_m2"].sum()
                          .reindex(zones, fill_value=0.0).to_numpy(float)})
    out = pd.concat([detail, total], ignore_index=True)
    order = {z: i for i, z in enumerate(zones)}
    out["_o"] = out["zone"].map(order)
    out["_t"] = out["code"] == "湿地"
    out = out.sort_values(["_o", "_t", "code"], kind="stable").drop(columns=["_o", "_t"])
    out["name_zh"] = out["code"].map(table["name_zh"]).fillna("湿地合计")
    out = _with_units(out.reset_index(drop=True))[["zone", "code", "name_zh", "area_m2",
                                                   "area_ha", "area_mu"]]
    out.attrs = {"area": "official"}
    return out


def _wetland(p: Prepared) -> pd.Series:
    table = code_table()
    wet = p.rows["code"].isin(set(table.index[table["wetland"]])).to_numpy()
    m2 = zone_sums(p.rows, np.where(wet, p.rows["area_m2"].to_numpy(float), 0.0),
                   levels=p.levels, zones=p.zones)
    return make_indicator(units.convert_area(m2, "m2", "ha"), indicator_id="wetland_area",
                          components=pd.DataFrame({"area_m2": m2}), rules=p.rules)


def wetland_area(lu: pd.DataFrame, *, by: By = "township") -> pd.Series:
    """湿地面积 wetland area, ha: Σ official area of the wetland classes.

    Formula: Σ class-row area (TBDLMJ under DLBM, KCMJ under KCDLBM) of the seven 湿地
    classes of the 三调 公报 (0303 0304 0306 0402 1105 1106 1108) / 10 000: the
    first-level class 00 (docs/domain.md §2.1). They lie in 农用地 or 未利用地 of the 三大类.

    Returns
    -------
    Series
        ha indexed by ``zone``.
    """
    return _wetland(prepare(lu, by=by, what="wetland_area"))

"""The 三调 summary tables (统计汇总表) from the normalised land-use frame (docs/tables.md).

Every area follows the official rule (docs/domain.md §2): a class's area is Σ TBDLMJ of its
patches plus Σ KCMJ of the patches whose KCDLBM is that class; the total is Σ TBMJ. Figures
are in 公顷 rounded to 0.01 by controlled rounding (:mod:`landuse.tables._rounding`) so that
every total adds up, and in 亩 as the rounded 公顷 × 15. A table whose optional field is
missing (absent, or empty on every patch) is skipped with a ``warning`` finding, never
filled with zeros.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

from landuse.findings import Finding
from landuse.rules import code_table, farmland_codes
from landuse.tables._zones import UNIT_M2, Zones, round_by_zone, zones_of
from landuse.units import ha_to_mu

__all__ = ["OWNERSHIP", "SETTLEMENT", "SLOPE_GRADES", "TABLE_NAMES", "SurveyTables",
           "attribute_codes", "level1_layout", "survey_tables"]

#: QSXZ (权属性质) → ownership (docs/domain.md §2): 10, 20 国有 (state); 30–34, 40 集体 (collective)
OWNERSHIP = {"10": "国有", "20": "国有", "30": "集体", "31": "集体", "32": "集体",
             "33": "集体", "34": "集体", "40": "集体"}
NOT_GIVEN = "未填"
TOTAL = "合计"
#: 城镇村属性码 in the order of the 城镇村及工矿用地 table
SETTLEMENT = {"201": "城市", "201A": "城市独立工业用地", "202": "建制镇",
              "202A": "建制镇独立工业用地", "203": "村庄", "203A": "村庄独立工业用地",
              "204": "盐田及采矿用地", "205": "特殊用地"}
#: GDPDJB (耕地坡度级别) → slope range
SLOPE_GRADES = {"1": "≤2°", "2": "2°–6°", "3": "6°–15°", "4": "15°–25°", "5": ">25°"}
FARMLAND_TYPES = {"TT": "梯田", "PD": "坡地"}
TABLE_NAMES = ("level1", "level2", "settlement", "farmland_slope", "farmland_attributes",
               "adjustable", "flying", "control_area")
#: Σ TBMJ may differ from the control area by the rounding of each TBMJ to 0.01 m²
TBMJ_ROUNDING_M2 = 0.005
_EMPTY = "it is absent or empty on every patch"


@dataclass
class SurveyTables:
    """The survey tables of one county: name → tidy frame (the CSV), and the findings."""

    county: str
    county_name: str
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)


@cache
def level1_layout() -> pd.DataFrame:
    """Return the 公报 first-level layout: level1_code, level1_name, level2_codes (list).

    From the ``bulletin_level1`` columns of ``landuse/rules/sandiao_codes.csv`` (湿地 = 00).
    """
    t = code_table().drop_duplicates("level2")
    groups = t.groupby("bulletin_level1", sort=True)
    return pd.DataFrame({
        "level1_code": list(groups.groups),
        "level1_name": [g["bulletin_level1_name_zh"].iloc[0] for _, g in groups],
        "level2_codes": [list(g["level2"]) for _, g in groups]})


@cache
def attribute_codes() -> pd.DataFrame:
    """ZZSXDM (种植属性) and TBXHDM (图斑细化) codes: attribute, code, name_zh, non_grain."""
    with resources.files("landuse.tables").joinpath("attribute_codes.csv").open(
            encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype={"attribute": str, "code": str, "name_zh": str,
                                      "non_grain": int})


def _present(lu: pd.DataFrame, name: str) -> bool:
    return name in lu.columns and bool((lu[name].astype(str) != "").any())


def _areas(units: pd.Series) -> pd.DataFrame:
    ha = units.to_numpy() / 100.0
    return pd.DataFrame({"area_ha": np.round(ha, 2), "area_mu": np.round(ha_to_mu(ha), 2)},
                        index=units.index)


def _finish(long: pd.DataFrame, split: Callable[[pd.Series], pd.DataFrame],
            cols: Sequence[str]) -> pd.DataFrame:
    out = pd.concat([long[["zone", "zone_name", "level"]], split(long["item"]),
                     _areas(long["units"])], axis=1)
    return out[["zone", "zone_name", "level", *cols, "area_ha", "area_mu"]]


def _with_totals(long: pd.DataFrame, group: Callable[[pd.Series], pd.Series],
                 label: Callable[[str], str]) -> pd.DataFrame:
    """Append subtotal items (sums of the rounded parts, so they add up exactly)."""
    key = group(long["item"])
    sub = long.assign(item=key.map(label)).groupby(
        ["zone", "zone_name", "level", "item"], sort=False, as_index=False)["units"].sum()
    both = pd.concat([long, sub], ignore_index=True)
    both["_z"] = pd.Categorical(both["zone"], categories=list(dict.fromkeys(long["zone"])))
    return both.sort_values(["_z"], kind="stable").drop(columns="_z").reset_index(drop=True)


def _skip(st: SurveyTables, table: str, fields: str, why: str, *,
          layer: str = "landuse") -> None:
    st.findings.append(Finding(
        "survey_table_skipped",
        f"统计表未生成 table not produced: survey_tables/{table}.csv needs {fields}; "
        f"{why}. Add the field to the layer (or map it with [layers.{layer}] fields)",
        1, "warning", "XZQ" if layer == "townships" else "DLTB"))


def _level2_units(lu: pd.DataFrame, z: Zones, *, by_owner: bool) -> pd.DataFrame:
    """Official class areas by level-2 code (and ownership), rounded: the base of level 1/2."""
    table = code_table()
    l2 = table["level2"]
    order = [c for c in dict.fromkeys(l2.to_numpy())]
    n = len(lu)
    rows = np.concatenate([np.arange(n), np.arange(n)])
    codes = np.concatenate([l2.reindex(lu["DLBM"]).fillna("").to_numpy(),
                            l2.reindex(lu["KCDLBM"]).fillna("").to_numpy()])
    m2 = np.concatenate([lu["TBDLMJ"].to_numpy(), lu["KCMJ"].to_numpy()])
    keep = (codes != "") & (m2 != 0)
    rows, codes, m2 = rows[keep], codes[keep], m2[keep]
    if by_owner:
        own = lu["QSXZ"].astype(str).str.strip().map(OWNERSHIP).fillna(NOT_GIVEN).to_numpy()
        owners = ["国有", "集体", NOT_GIVEN]
        items = np.char.add(np.char.add(codes.astype(str), "|"), own[rows].astype(str))
        order = [f"{c}|{o}" for c in order for o in owners]
    else:
        items = codes.astype(str)
    return round_by_zone(z, rows, items, m2, order)


def _level1(long2: pd.DataFrame) -> pd.DataFrame:
    lay = level1_layout()
    to1 = {c: r.level1_code for r in lay.itertuples() for c in r.level2_codes}
    names = dict(zip(lay["level1_code"], lay["level1_name"], strict=True))
    code = long2["item"].str.split("|").str[0].map(to1)
    g = long2.assign(item=code).groupby(["zone", "zone_name", "level", "item"], sort=False,
                                        as_index=False)["units"].sum()
    g["item"] = pd.Categorical(g["item"], categories=list(lay["level1_code"]))
    g = g.sort_values(["item"], kind="stable")
    g["_z"] = pd.Categorical(g["zone"], categories=list(dict.fromkeys(long2["zone"])))
    g = g.sort_values(["_z"], kind="stable").drop(columns="_z")
    g["item"] = g["item"].astype(str)
    g = _with_totals(g, lambda s: pd.Series(TOTAL, index=s.index), lambda k: k)
    return _finish(g, lambda s: pd.DataFrame({"level1_code": s, "level1_name": s.map(
        lambda c: names.get(c, TOTAL))}), ["level1_code", "level1_name"])


def _level2(long2: pd.DataFrame) -> pd.DataFrame:
    names = code_table()["name_zh"].to_dict()
    long2 = long2.copy()
    parts = long2["item"].str.split("|")
    long2["item"] = parts.str[0] + "|" + parts.str[1]
    given = long2.groupby("item")["units"].transform("sum")
    nz = ~long2["item"].str.endswith("|" + NOT_GIVEN) | (given > 0)
    g = _with_totals(long2[nz], lambda s: s.str.split("|").str[0], lambda k: f"{k}|{TOTAL}")
    g["_code"] = g["item"].str.split("|").str[0]
    g["_code"] = pd.Categorical(g["_code"], categories=list(dict.fromkeys(long2["item"].str.split(
        "|").str[0])))
    g["_z"] = pd.Categorical(g["zone"], categories=list(dict.fromkeys(long2["zone"])))
    g = g.sort_values(["_z", "_code"], kind="stable").drop(columns=["_z", "_code"])
    tot = g.groupby(["zone", "zone_name", "level", g["item"].str.split("|").str[1]], sort=False,
                    as_index=False)["units"].sum()
    tot["item"] = TOTAL + "|" + tot["item"]
    g = pd.concat([tot, g], ignore_index=True)
    g["_z"] = pd.Categorical(g["zone"], categories=list(dict.fromkeys(long2["zone"])))
    g = g.sort_values(["_z"], kind="stable").drop(columns="_z").reset_index(drop=True)

    def split(s: pd.Series) -> pd.DataFrame:
        code, own = s.str.split("|").str[0], s.str.split("|").str[1]
        return pd.DataFrame({"code": code, "name": code.map(lambda c: names.get(c, TOTAL)),
                             "ownership": own})
    return _finish(g, split, ["code", "name", "ownership"])


def _simple(z: Zones, rows: np.ndarray, items: np.ndarray, m2: np.ndarray,
            order: Sequence[str], cols: tuple[str, str], names: dict[str, str],
            total: str = TOTAL) -> pd.DataFrame:
    long = round_by_zone(z, rows, items, m2, order)
    long = _with_totals(long, lambda s: pd.Series(total, index=s.index), lambda k: k)
    return _finish(long, lambda s: pd.DataFrame({cols[0]: s, cols[1]: s.map(
        lambda k: names.get(k, k))}), list(cols))


def _settlement(lu: pd.DataFrame, z: Zones) -> pd.DataFrame:
    cz = lu["CZCSXM"].astype(str).to_numpy()
    rows = np.flatnonzero(np.isin(cz, list(SETTLEMENT)))
    return _simple(z, rows, cz[rows], lu["TBMJ"].to_numpy()[rows], list(SETTLEMENT),
                   ("czcsxm", "name"), {**SETTLEMENT, "小计": "小计"}, total="小计")


def _farmland_slope(lu: pd.DataFrame, z: Zones, st: SurveyTables) -> pd.DataFrame:
    farm = np.flatnonzero(lu["DLBM"].isin(farmland_codes()).to_numpy())
    grade = lu["GDPDJB"].astype(str).to_numpy()[farm]
    has_type = _present(lu, "GDLX")
    kind = lu["GDLX"].astype(str).to_numpy()[farm] if has_type else np.full(len(farm), "")
    grade = np.where(grade == "", NOT_GIVEN, grade)
    if (grade == NOT_GIVEN).any():
        st.findings.append(Finding(
            "gdpdjb_missing", f"DLTB: {int((grade == NOT_GIVEN).sum())} farmland patches (耕地) "
            f"have no GDPDJB (耕地坡度级别); their area is listed under slope grade {NOT_GIVEN}",
            int((grade == NOT_GIVEN).sum()), "warning", "DLTB"))
    if not has_type:
        st.findings.append(Finding(
            "gdlx_missing", "DLTB has no GDLX (耕地类型): farmland_slope lists each slope grade's "
            "total only, without the 梯田 / 坡地 split", 1, "warning", "DLTB"))
    kind = np.where(kind == "", "", kind)
    items = np.char.add(np.char.add(grade.astype(str), "|"), kind.astype(str))
    grades = [*SLOPE_GRADES, NOT_GIVEN]
    order = [f"{g}|{t}" for g in grades for t in ("TT", "PD", "")]
    long = round_by_zone(z, farm, items, lu["TBDLMJ"].to_numpy()[farm], order)
    per_grade = long.assign(item=long["item"].str.split("|").str[0] + "|" + TOTAL)
    per_type = long.assign(item=TOTAL + "|" + long["item"].str.split("|").str[1])
    keys = ["zone", "zone_name", "level", "item"]
    parts = [long[long["item"].str.split("|").str[1] != ""]] if has_type else []
    allrows = pd.concat([*parts,
                         per_grade.groupby(keys, sort=False, as_index=False)["units"].sum(),
                         per_type[per_type["item"] != f"{TOTAL}|"].groupby(
                             keys, sort=False, as_index=False)["units"].sum() if has_type
                         else per_type.iloc[:0],
                         long.assign(item=f"{TOTAL}|{TOTAL}").groupby(
                             keys, sort=False, as_index=False)["units"].sum()],
                        ignore_index=True)
    g, t = allrows["item"].str.split("|").str[0], allrows["item"].str.split("|").str[1]
    keep = (g != NOT_GIVEN) | (allrows.groupby(g)["units"].transform("sum") > 0)
    keep &= ~((g == "1") & t.isin(["TT", "PD"]))
    allrows = allrows[keep].assign(
        _z=pd.Categorical(allrows["zone"][keep], list(dict.fromkeys(long["zone"]))),
        _g=pd.Categorical(g[keep], [*grades, TOTAL]),
        _t=pd.Categorical(t[keep], ["TT", "PD", TOTAL]))
    allrows = allrows.sort_values(["_z", "_g", "_t"], kind="stable").drop(
        columns=["_z", "_g", "_t"]).reset_index(drop=True)
    return _finish(allrows, lambda s: pd.DataFrame({
        "slope_grade": s.str.split("|").str[0],
        "farmland_type": s.str.split("|").str[1].map({**FARMLAND_TYPES, TOTAL: TOTAL})}),
        ["slope_grade", "farmland_type"])


def _attributes(lu: pd.DataFrame, z: Zones, st: SurveyTables) -> pd.DataFrame | None:
    codes = attribute_codes()
    out = []
    farm = lu["DLBM"].isin(farmland_codes()).to_numpy()
    for attr, label in (("ZZSXDM", "种植属性"), ("TBXHDM", "图斑细化")):
        if not _present(lu, attr):
            _skip(st, "farmland_attributes", f"{attr} on DLTB",
                  f"{attr} is absent or empty on every patch, so the {label} part is left out")
            continue
        val = lu[attr].astype(str).to_numpy()
        sel = (val != "") & (farm if attr == "ZZSXDM" else True)
        rows = np.flatnonzero(sel)
        known = codes[codes["attribute"] == attr]
        names = {r.code: r.name_zh + (" (非粮化)" if r.non_grain else "")
                 for r in known.itertuples()}
        found = sorted(set(val[rows]))
        unknown = [c for c in found if c not in names]
        if unknown:
            st.findings.append(Finding(
                f"{attr.lower()}_unknown", f"DLTB: {attr} codes not in the code list "
                f"(landuse/tables/attribute_codes.csv): {unknown[:5]}; listed without a name",
                int(np.isin(val, unknown).sum()), "warning", "DLTB"))
        order = [c for c in known["code"] if c in found] + unknown
        t = _simple(z, rows, val[rows], lu["TBDLMJ"].to_numpy()[rows], order, ("code", "name"),
                    {**names, TOTAL: TOTAL})
        t.insert(3, "attribute", attr)
        out.append(t)
    return pd.concat(out, ignore_index=True) if out else None


def _adjustable(lu: pd.DataFrame, z: Zones) -> pd.DataFrame:
    table = code_table()
    k_codes = [c for c in table.index if c.endswith("K")]
    dl = lu["DLBM"].astype(str).to_numpy()
    rows = np.flatnonzero(np.isin(dl, k_codes))
    order = [c for c in k_codes if c in set(dl[rows])]
    return _simple(z, rows, dl[rows], lu["TBDLMJ"].to_numpy()[rows], order, ("code", "name"),
                   {**table["name_zh"].to_dict(), TOTAL: TOTAL})


def _flying(lu: pd.DataFrame, z: Zones) -> pd.DataFrame:
    rows = np.flatnonzero((lu["FRDBS"].astype(str) == "1").to_numpy())
    owner = lu["QSDWDM"].astype(str).str.slice(0, 12).to_numpy()[rows]
    order = sorted(set(owner))
    t = _simple(z, rows, owner, lu["TBMJ"].to_numpy()[rows], order, ("owner_unit", "_n"), {})
    t = t.drop(columns="_n")
    frame = pd.DataFrame({"t": z.township[rows], "v": z.village[rows], "o": owner})
    counts: dict[tuple[str, str], int] = {}
    levels = [frame.assign(t=z.county)["t"], frame["t"]] + ([frame["v"]] if z.villages else [])
    for zone_of in levels:
        for (zone, o), n in frame.groupby([zone_of, frame["o"]]).size().items():
            counts[(zone, o)] = int(n)
        for zone, n in frame.groupby(zone_of).size().items():
            counts[(zone, TOTAL)] = int(n)
    t.insert(4, "patches", [counts.get((a, b), 0) for a, b in zip(t["zone"], t["owner_unit"],
                                                                   strict=True)])
    t["patches"] = t["patches"].astype("int64")
    return t


def _control_area(lu: pd.DataFrame, z: Zones, towns: pd.DataFrame) -> pd.DataFrame:
    tb = pd.DataFrame({"zone": z.township, "m2": lu["TBMJ"].to_numpy()})
    g = tb.groupby("zone")["m2"].agg(["sum", "size"])
    kz = towns.groupby(towns["zone"].astype(str))["control_area_m2"].sum(min_count=1)
    zones = sorted(set(g.index) | set(kz.index))
    rows = []
    for code in zones:
        rows.append((code, z.name(code), "township", float(g["sum"].get(code, 0.0)),
                     float(kz.get(code, np.nan)), int(g["size"].get(code, 0))))
    rows.insert(0, (z.county, z.county_name, "county", float(g["sum"].sum()),
                    float(kz.sum(min_count=1)) if kz.notna().all() else np.nan,
                    int(g["size"].sum())))
    t = pd.DataFrame(rows, columns=["zone", "zone_name", "level", "tbmj_m2", "kzmj_m2",
                                    "patches"])
    t["difference_m2"] = np.round(t["tbmj_m2"] - t["kzmj_m2"], 2)
    t["tolerance_m2"] = np.ceil(np.round(np.maximum(TBMJ_ROUNDING_M2 * t["patches"], 0.01)
                                         * 100, 6)) / 100
    t["within_tolerance"] = t["difference_m2"].abs() <= t["tolerance_m2"]
    t["tbmj_m2"] = np.round(t["tbmj_m2"], 2)
    t["kzmj_m2"] = np.round(t["kzmj_m2"], 2)
    t["tbmj_ha"] = np.round(t["tbmj_m2"] / UNIT_M2 / 100, 2)
    t["kzmj_ha"] = np.round(t["kzmj_m2"] / UNIT_M2 / 100, 2)
    return t[["zone", "zone_name", "level", "patches", "tbmj_m2", "kzmj_m2", "difference_m2",
              "tolerance_m2", "within_tolerance", "tbmj_ha", "kzmj_ha"]]


def survey_tables(lu: pd.DataFrame, townships: pd.DataFrame | None = None, *,
                  county: str, county_name: str = "", villages: bool = False) -> SurveyTables:
    """Compute the 三调 summary tables of one county (docs/tables.md).

    Parameters
    ----------
    lu : DataFrame
        The normalised land-use frame (:func:`landuse.io.read_landuse`; geometry unused),
        with its ``township`` column as assigned by the run's township policy.
    townships : DataFrame, optional
        The XZQ frame (:func:`landuse.io.read_townships`): township names, and the control
        areas (``control_area_m2``) for ``control_area``.
    county, county_name : str
        County code and name (the first row of every table).
    villages : bool, default False
        Also list every village (``village`` column, ZLDWDM[:12]).

    Returns
    -------
    SurveyTables
        ``tables``: ``level1``, ``level2``, ``settlement``, ``farmland_slope``,
        ``farmland_attributes``, ``adjustable``, ``flying``, ``control_area`` (those whose
        fields are present); ``findings``: skipped tables and control-area differences.
    """
    z = zones_of(lu, townships, county=county, county_name=county_name, villages=villages)
    st = SurveyTables(county, county_name)
    by_owner = _present(lu, "QSXZ")
    long2 = _level2_units(lu, z, by_owner=by_owner)
    st.tables["level1"] = _level1(long2)
    if by_owner:
        st.tables["level2"] = _level2(long2)
    else:
        _skip(st, "level2", "QSXZ (权属性质) on DLTB", _EMPTY)
    if _present(lu, "CZCSXM"):
        st.tables["settlement"] = _settlement(lu, z)
    else:
        _skip(st, "settlement", "CZCSXM (城镇村属性码) on DLTB", _EMPTY)
    if _present(lu, "GDPDJB"):
        st.tables["farmland_slope"] = _farmland_slope(lu, z, st)
    else:
        _skip(st, "farmland_slope", "GDPDJB (耕地坡度级别) on DLTB", _EMPTY)
    attrs = _attributes(lu, z, st)
    if attrs is not None:
        st.tables["farmland_attributes"] = attrs
    st.tables["adjustable"] = _adjustable(lu, z)
    if _present(lu, "FRDBS"):
        st.tables["flying"] = _flying(lu, z)
    else:
        _skip(st, "flying", "FRDBS (飞入地标识) on DLTB", _EMPTY)
    if townships is not None and "control_area_m2" in townships.columns and \
            townships["control_area_m2"].notna().any():
        ca = _control_area(lu, z, townships)
        st.tables["control_area"] = ca
        bad = ca[~ca["within_tolerance"]]
        if len(bad):
            st.findings.append(Finding(
                "control_area_difference",
                "控制面积不符 control area mismatch: Σ TBMJ differs from the XZQ control area "
                "(KZMJ) beyond the rounding tolerance in "
                + "; ".join(f"{r.zone} {r.zone_name}: {r.difference_m2:+.2f} m² "
                            f"(tolerance {r.tolerance_m2:.2f} m²)" for r in bad.itertuples()),
                len(bad), "warning", "XZQ", bad["zone"].astype(str).tolist()[:5]))
    else:
        _skip(st, "control_area", "KZMJ (控制面积) on the XZQ layer",
              "no township layer with KZMJ was given", layer="townships")
    return st

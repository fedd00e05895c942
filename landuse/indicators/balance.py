"""Farmland balance: 耕地进出平衡, 占补平衡 and 耕地质量等别 (issue 19; docs/indicators.md).

All survey-side figures come from the change flows of two vintages
(:func:`landuse.indicators.change.transition_flows`, official areas of the current vintage)
and use the rule-set aggregates ``farmland`` (耕地 0101–0103) and ``construction_land``; the
outflow and inflow are :func:`~landuse.indicators.change.farmland_change`'s lost and gained
land (the same masks, summed faster; tested to agree):

* **outflow** (耕地流出) = flows from farmland to any other class; **inflow** (耕地流入) = flows
  into farmland from any other class (including land with no previous class); changes inside
  farmland (0102 -> 0101) are neither. ``farmland_net_change`` = inflow − outflow.
* **to construction** (建设占用耕地) = the outflow whose current class is construction land;
  this is what 占补平衡 must make good.
* **进出平衡** (``farmland_in_out_balance``) = inflow from non-construction land − outflow to
  non-construction land (forest, garden, grass, water ...): the 2023 rule that farmland turned
  to other agricultural land be made good by other land turned into farmland within the year
  ("不减少": met when ≥ 0).

占补平衡 compares the farmland taken by construction with the 补充耕地 projects of the
report year (``[tables.farmland_supplement]``, verified in that year) in quantity, in 水田
and in quality (area-weighted 耕地质量等别; 1 is best, so the supplement must not have a
higher mean 等别 than the land taken). The balance is a county duty; township rows are
for reference.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from landuse import units
from landuse.indicators._common import By, levels_for, make_indicator, zone_columns
from landuse.indicators.flowsums import FlowSums, as_sums, code_pairs
from landuse.rules import RuleSet, is_grade, load_rules

__all__ = ["BALANCE_COLUMNS", "farmland_area_by_grade", "farmland_balance",
           "farmland_flow_indicators", "farmland_quality_grade", "supplement_balance",
           "supplement_indicators"]

Rules = str | Path | RuleSet | None
BALANCE_COLUMNS = ["zone", "direction", "from_code", "to_code", "area_ha", "area_mu"]
_PADDY = "0101"


def _levels(flows: pd.DataFrame) -> list[str]:
    return [lv for lv in flows.attrs.get("levels", ["county", "township", "village"])
            if lv in flows.columns]


def farmland_balance(flows: pd.DataFrame | FlowSums, *, rules: Rules = None) -> pd.DataFrame:
    """Every farmland outflow and inflow by zone and class pair (``farmland_balance.csv``).

    Parameters
    ----------
    flows : DataFrame or FlowSums
        :func:`landuse.indicators.change.transition_flows` of the two vintages (or those
        flows factorised once, ``landuse.indicators.flowsums.FlowSums``, to share the
        work between the functions of this module).
    rules : str, Path or RuleSet, optional
        Aggregate rules (``farmland``); default ``sandiao-default@1``.

    Returns
    -------
    DataFrame
        ``zone, direction (out|in), from_code, to_code, area_ha, area_mu``: county rows first,
        then townships (the zone levels of the flows), each by direction (out first) and
        codes. Per zone, Σ area_ha of ``out`` = ``farmland_outflow_area`` and of ``in`` =
        ``farmland_inflow_area``.
    """
    fs = as_sums(flows, rules)
    flows = fs.flows
    f, t = fs.member("from", "farmland"), fs.member("to", "farmland")
    fpos, fcodes = fs.codes("from")
    tpos, tcodes = fs.codes("to")
    parts = []
    for direction, mask in (("out", f & ~t), ("in", t & ~f)):
        rows = np.flatnonzero(mask)
        for zpos, zcodes in fs.zone_levels():
            g = (pd.DataFrame({"z": zpos[rows], "f": fpos[rows], "t": tpos[rows],
                               "area_m2": fs.area_m2[rows]})
                 .groupby(["z", "f", "t"], sort=False)["area_m2"].sum().reset_index())
            parts.append(pd.DataFrame({
                "zone": zcodes[g["z"].to_numpy()], "direction": direction,
                "from_code": fcodes[g["f"].to_numpy()], "to_code": tcodes[g["t"].to_numpy()],
                "area_m2": g["area_m2"].to_numpy()}))
    out = pd.concat(parts, ignore_index=True)
    out["_d"] = (out["direction"] == "in").astype(int)
    out["_s"] = out["zone"].str.len()
    out = out.sort_values(["_s", "zone", "_d", "from_code", "to_code"], kind="stable")
    out["area_ha"] = units.m2_to_ha(out["area_m2"].to_numpy(np.float64))
    out["area_mu"] = units.m2_to_mu(out["area_m2"].to_numpy(np.float64))
    out = out[BALANCE_COLUMNS].reset_index(drop=True)
    for col in ("zone", "direction", "from_code", "to_code"):
        out[col] = pd.array(out[col].to_numpy(dtype=object), dtype=object)
    return out


def farmland_flow_indicators(flows: pd.DataFrame | FlowSums, *, rules: Rules = None
                             ) -> dict[str, pd.Series]:
    """Return the farmland flow indicators by zone (ha), keyed by indicator id.

    ``farmland_outflow_area``, ``farmland_inflow_area``, ``farmland_net_change`` (inflow −
    outflow, from :func:`~landuse.indicators.change.farmland_change`),
    ``farmland_to_construction_area`` and ``farmland_in_out_balance`` (see the module
    docstring), each a Series indexed by zone with components in ``attrs``.
    """
    fs = as_sums(flows, rules)
    rs, flows = fs.rules, fs.flows
    f, t = fs.member("from", "farmland"), fs.member("to", "farmland")
    to_c, from_c = fs.member("to", "construction_land"), fs.member("from", "construction_land")
    lost, gained = units.m2_to_ha(fs.sum_m2(f & ~t)), units.m2_to_ha(fs.sum_m2(t & ~f))
    to_constr = units.m2_to_ha(fs.sum_m2(f & ~t & to_c))
    out_other = units.m2_to_ha(fs.sum_m2(f & ~t & ~to_c))
    in_other = units.m2_to_ha(fs.sum_m2(t & ~f & ~from_c))
    in_constr = gained - in_other
    comps = pd.DataFrame({"outflow_ha": lost, "inflow_ha": gained,
                          "outflow_to_construction_ha": to_constr,
                          "outflow_to_other_ha": out_other,
                          "inflow_from_construction_ha": in_constr,
                          "inflow_from_other_ha": in_other})
    balance = in_other - out_other
    status = pd.Series(np.where(balance >= -1e-9, "met", "not_met"), index=balance.index)
    values = {"farmland_outflow_area": lost, "farmland_inflow_area": gained,
              "farmland_net_change": gained - lost,
              "farmland_to_construction_area": to_constr,
              "farmland_in_out_balance": balance}
    out = {}
    for iid, v in values.items():
        c = comps.assign(rule_not_decrease=status) if iid == "farmland_in_out_balance" else comps
        out[iid] = make_indicator(v, indicator_id=iid, components=c, rules=rs)
    return out


def _zone_frame(zone: pd.Series, levels: tuple[str, ...]) -> pd.DataFrame:
    """County and township keys of a table's ``zone`` column (county = every row)."""
    z = zone.astype(str)
    keys = {"county": z.str[:6]}
    if "township" in levels:
        keys["township"] = z.where(z.str.len() >= 9, "").str[:9]
    if "village" in levels:
        keys["village"] = z.where(z.str.len() >= 12, "").str[:12]
    return pd.DataFrame(keys, index=zone.index)


def _group_sum(frame: pd.DataFrame, values: pd.Series, levels: tuple[str, ...],
               county: str) -> pd.Series:
    keys = _zone_frame(frame["zone"].where(frame["zone"] != "", county), levels)
    parts = [values.groupby(keys[lv]).sum() for lv in levels]
    out = pd.concat(parts) if parts else pd.Series(dtype=float)
    out = out[out.index != ""]
    out.index = pd.Index(out.index.astype(str), name="zone", dtype=object)
    return out.astype(float)


def _grade_values(values: pd.Series) -> np.ndarray:
    """GDDB as float64, NaN where it is not a 耕地质量等别 (:func:`landuse.rules.is_grade`).

    The reader has done this already; a frame from elsewhere gets the same grades.
    """
    v = pd.to_numeric(values, errors="coerce").to_numpy(np.float64)
    return np.where(is_grade(v), v, np.nan)


def _status(diff: pd.Series, ok: pd.Series) -> np.ndarray:
    return np.where(~ok, "not_computable", np.where(diff >= -1e-9, "met", "not_met"))


def supplement_balance(flows: pd.DataFrame | FlowSums, supplement: pd.DataFrame | None, *,
                       year: int,
                       previous: pd.DataFrame | None = None, county: str,
                       rules: Rules = None) -> pd.DataFrame:
    """占补平衡 of the report year: farmland taken by construction vs farmland supplemented.

    Parameters
    ----------
    flows : DataFrame or FlowSums
        Change flows from the previous vintage to the report year's (see
        :func:`farmland_balance`).
    supplement : DataFrame or None
        :func:`landuse.io.bureau.read_farmland_supplement`; the projects whose
        ``verified_date`` falls in ``year`` (or, without a date, whose ``year`` is ``year``)
        count. ``None``: the supplement side is not computable.
    year : int
        Report year.
    previous : DataFrame, optional
        The previous vintage; with a ``GDDB`` (耕地质量等别) column the taken land's mean
        等别 is known (joined on ``BSM_previous``).
    county : str
        County code (rows without a zone count for the county only).
    rules : optional
        Aggregate rules.

    Returns
    -------
    DataFrame
        Indexed by zone (county first): ``taken_ha``, ``taken_paddy_ha``, ``taken_grade``,
        ``supplemented_ha``, ``supplemented_paddy_ha``, ``supplemented_grade``,
        ``quantity_balance_ha`` (supplemented − taken), ``paddy_balance_ha``,
        ``grade_difference`` (taken grade − supplemented grade; ≥ 0: not worse),
        ``quantity_status``, ``paddy_status``, ``quality_status`` (``met`` / ``not_met`` /
        ``not_computable``) and ``reason`` (why a part is not computable, or rests on part
        of the land only, e.g. a grade known for part of it; else '').
    """
    fs = as_sums(flows, rules)
    flows = fs.flows
    levels = tuple(_levels(flows))
    f, t = fs.member("from", "farmland"), fs.member("to", "farmland")
    taken_mask = f & ~t & fs.member("to", "construction_land")
    taken = units.m2_to_ha(fs.sum_m2(taken_mask))
    taken_paddy = units.m2_to_ha(fs.sum_m2(taken_mask & fs.code_is("from", _PADDY)))
    zones = taken.index
    reasons: dict[str, list[str]] = {str(z): [] for z in zones}
    out = pd.DataFrame({"taken_ha": taken, "taken_paddy_ha": taken_paddy}, index=zones)
    grade_ok = previous is not None and "GDDB" in previous.columns and "BSM" in previous
    if grade_ok:
        assert previous is not None
        g = pd.Series(_grade_values(previous["GDDB"]), index=previous.index)
        gmap = pd.Series(g.to_numpy(), index=previous["BSM"].astype(str)).groupby(level=0).first()
        grade = flows["BSM_previous"].astype(str).map(gmap).to_numpy(np.float64)
        graded = taken_mask & np.isfinite(grade)
        num = fs.sum_m2(graded, fs.area_m2 * np.nan_to_num(grade))
        den = fs.sum_m2(graded)
        out["taken_grade"] = (num / den.where(den > 0)).reindex(zones)
        # a mean over part of the land taken says so where it is reported
        ungraded = units.m2_to_ha(fs.sum_m2(taken_mask & ~np.isfinite(grade))).reindex(zones)
        for z in zones[(ungraded.fillna(0.0) > 0).to_numpy()]:
            reasons[str(z)].append(
                f"{ungraded[z]:.4f} ha of the {taken[z]:.4f} ha of farmland taken have no "
                "GDDB (耕地质量等别) in the previous vintage; taken_grade is the mean of the rest")
    else:
        out["taken_grade"] = np.nan
        for z in zones:
            reasons[str(z)].append("the previous vintage has no GDDB (耕地质量等别) field, so the "
                                   "quality of the farmland taken is unknown")
    if supplement is None:
        for col in ("supplemented_ha", "supplemented_paddy_ha", "supplemented_grade"):
            out[col] = np.nan
        for z in zones:
            reasons[str(z)].append("no 补充耕地 ledger ([tables.farmland_supplement]) was given")
    else:
        vy = supplement["verified_date"].dt.year
        sel = supplement[vy.fillna(supplement["year"]).astype(int) == int(year)]
        s_area = _group_sum(sel, sel["area_ha"], levels, county)
        s_paddy = _group_sum(sel, sel["paddy_area_ha"].fillna(0.0), levels, county)
        has_g = sel["grade"].notna()
        gw = _group_sum(sel[has_g], sel.loc[has_g, "area_ha"] * sel.loc[has_g, "grade"],
                        levels, county)
        ga = _group_sum(sel[has_g], sel.loc[has_g, "area_ha"], levels, county)
        out["supplemented_ha"] = s_area.reindex(zones).fillna(0.0)
        out["supplemented_paddy_ha"] = s_paddy.reindex(zones).fillna(0.0)
        out["supplemented_grade"] = (gw / ga.where(ga > 0)).reindex(zones)
        no_grade = ((out["supplemented_ha"] > 0) & out["supplemented_grade"].isna())
        for z in zones[no_grade.to_numpy()]:
            reasons[str(z)].append("the 补充耕地 projects of the year give no 等别 (grade)")
        part = (out["supplemented_ha"] - ga.reindex(zones).fillna(0.0)).clip(lower=0.0)
        for z in zones[((part > 1e-12) & out["supplemented_grade"].notna()).to_numpy()]:
            reasons[str(z)].append(
                f"{part[z]:.4f} ha of the {out.loc[z, 'supplemented_ha']:.4f} ha supplemented "
                "come from projects without 等别 (grade); supplemented_grade is the mean of the "
                "rest")
        if sel["paddy_area_ha"].isna().all() and len(sel):
            for z in zones:
                reasons[str(z)].append("the 补充耕地 ledger has no 其中水田 (paddy) column")
            out["supplemented_paddy_ha"] = np.nan
    out["quantity_balance_ha"] = out["supplemented_ha"] - out["taken_ha"]
    out["paddy_balance_ha"] = out["supplemented_paddy_ha"] - out["taken_paddy_ha"]
    # nothing taken: quality cannot get worse; otherwise both grades are needed
    nothing = out["taken_ha"] <= 0
    out["grade_difference"] = out["taken_grade"] - out["supplemented_grade"]
    out.loc[nothing, "grade_difference"] = out.loc[nothing, "grade_difference"].fillna(0.0)
    out["quantity_status"] = _status(out["quantity_balance_ha"],
                                     out["quantity_balance_ha"].notna())
    out["paddy_status"] = _status(out["paddy_balance_ha"], out["paddy_balance_ha"].notna())
    out["quality_status"] = _status(out["grade_difference"], out["grade_difference"].notna())
    out["reason"] = ["; ".join(reasons[str(z)]) for z in zones]
    out.attrs["year"] = int(year)
    return out


def supplement_indicators(balance: pd.DataFrame, *, rules: Rules = None
                          ) -> dict[str, pd.Series]:
    """``farmland_supplement_area`` and ``farmland_supplement_balance`` (ha) by zone."""
    rs = load_rules(rules)
    reason = {str(z): r for z, r in balance["reason"].items() if r}
    comps = balance.drop(columns=["reason"])
    return {iid: make_indicator(balance[col], indicator_id=iid, components=comps,
                                reasons=reason, rules=rs)
            for iid, col in (("farmland_supplement_area", "supplemented_ha"),
                             ("farmland_supplement_balance", "quantity_balance_ha"))}


def _farmland_patches(lu: pd.DataFrame, by: By, rules: Rules
                      ) -> tuple[pd.DataFrame, np.ndarray, tuple[str, ...]]:
    rs = load_rules(rules)
    levels = levels_for(by)
    zones = zone_columns(lu, levels, what="farmland quality")
    # mask the distinct (code, CZCSXM) pairs only, then broadcast (10⁵ patches, 10² pairs)
    idx, pairs = code_pairs(lu["DLBM"], lu["CZCSXM"] if "CZCSXM" in lu else None)
    norm = pairs.apply(lambda col: col.str.strip().str.upper()).astype(object)
    farm = rs.mask("farmland", norm["code"], norm["czcsxm"])[idx]
    return zones, farm, levels


def farmland_quality_grade(lu: pd.DataFrame, *, by: By = "township",
                           rules: Rules = None) -> pd.Series:
    """耕地质量等别 (area-weighted mean), by zone: Σ(TBDLMJ × GDDB) / Σ TBDLMJ over farmland.

    Needs a ``GDDB`` column (耕地质量等别, 1–15, 1 best) on the land-use frame; without it,
    or for a zone without graded farmland, the value is not computable with the reason.
    Unit ``等`` (the grade scale). Components ``graded_farmland_ha`` (the area the mean rests
    on) and ``farmland_ha`` (all farmland): where they differ, part of the farmland has no
    grade.
    """
    zones, farm, levels = _farmland_patches(lu, by, rules)
    idx = pd.Index(sorted({z for lv in levels for z in zones[lv]}, key=lambda z: (len(z), z)),
                   name="zone", dtype=object)
    if "GDDB" not in lu.columns:
        return make_indicator(pd.Series(np.nan, index=idx), indicator_id="farmland_quality_grade",
                              reasons={z: "the land-use layer has no GDDB (耕地质量等别) field; "
                                          "add it to DLTB or map it with fields = { GDDB = "
                                          "'...' }" for z in idx}, rules=load_rules(rules))
    grade = _grade_values(lu["GDDB"])
    area = pd.to_numeric(lu["TBDLMJ"], errors="coerce").to_numpy(np.float64)
    ok = farm & np.isfinite(grade)
    w = np.where(ok, area, 0.0)
    parts_n = [pd.Series(w * np.nan_to_num(grade)).groupby(zones[lv].to_numpy()).sum()
               for lv in levels]
    parts_d = [pd.Series(w).groupby(zones[lv].to_numpy()).sum() for lv in levels]
    all_w = np.where(farm, area, 0.0)
    parts_f = [pd.Series(all_w).groupby(zones[lv].to_numpy()).sum() for lv in levels]
    n, d = pd.concat(parts_n).reindex(idx), pd.concat(parts_d).reindex(idx)
    value = n / d.where(d > 0)
    reasons = {str(z): f"zone {z} has no farmland with a GDDB grade" for z in
               idx[value.isna().to_numpy()]}
    # the mean rests on the graded farmland: both areas stand beside it in the row
    comps = pd.DataFrame({"graded_farmland_ha": units.m2_to_ha(d),
                          "farmland_ha": units.m2_to_ha(pd.concat(parts_f).reindex(idx))},
                         index=idx)
    return make_indicator(value, indicator_id="farmland_quality_grade", components=comps,
                          reasons=reasons, rules=load_rules(rules))


def farmland_area_by_grade(lu: pd.DataFrame, *, by: By = "township",
                           rules: Rules = None) -> pd.DataFrame:
    """Farmland area by 耕地质量等别 and zone: ``zone, grade, area_ha, area_mu``.

    Farmland (TBDLMJ of the ``farmland`` aggregate) without a grade is under ``grade`` NaN.
    Without a ``GDDB`` column the frame is empty (``attrs['reason']`` says why).
    """
    cols = ["zone", "grade", "area_ha", "area_mu"]
    if "GDDB" not in lu.columns:
        out = pd.DataFrame(columns=cols)
        out.attrs["reason"] = "the land-use layer has no GDDB (耕地质量等别) field"
        return out
    zones, farm, levels = _farmland_patches(lu, by, rules)
    grade = _grade_values(lu["GDDB"])
    area = pd.to_numeric(lu["TBDLMJ"], errors="coerce").to_numpy(np.float64)
    parts = []
    for lv in levels:
        g = pd.DataFrame({"zone": zones[lv].to_numpy()[farm], "grade": grade[farm],
                          "area_m2": area[farm]}).groupby(["zone", "grade"], dropna=False,
                                                          sort=True)["area_m2"].sum()
        parts.append(g.reset_index())
    out = pd.concat(parts, ignore_index=True)
    out["area_ha"] = units.m2_to_ha(out["area_m2"])
    out["area_mu"] = units.m2_to_mu(out.pop("area_m2"))
    return out[cols]

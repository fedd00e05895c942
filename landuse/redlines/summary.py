"""Per-right summaries of the mining conflicts, and the indicator of rights in protected areas."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from landuse.errors import CRSError, SchemaError
from landuse.redlines._common import align_to, polygonal, require_columns, snap
from landuse.redlines.output import CHECK_ORDER, STATUS_ORDER
from landuse.units import m2_to_ha

__all__ = ["mining_rights_in_protected_areas", "right_summary", "status_summary"]

SUMMARY_COLUMNS = (
    "licence_no", "right_type", "holder", "stage", "right_area_m2", "relation",
    "features_inside", "protected_area_m2", "protected_share", "prohibited_area_m2",
    "prohibited_share", "min_distance_m", "priority", "disposition", "withdrawal_order",
    "reasons",
)
#: strongest first: a right with a withdraw row and a review row is to withdraw
_DISPOSITION_RANK = {"withdraw": 0, "refuse": 1, "review": 2, "expired": 3, "none": 4}
_CONFLICT_FIELDS = ("licence_no", "stage", "against_id", "relation", "overlap_m2",
                    "right_area_m2", "prohibited", "priority", "disposition", "distance_m",
                    "reason")


def _union_area(geoms: Sequence[object], grid_size: float) -> float:
    parts = [polygonal(g) for g in geoms]
    parts = [p for p in parts if not p.is_empty]
    if not parts:
        return 0.0
    return float(shapely.union_all(parts, grid_size=grid_size or None).area)


def right_summary(
    conflicts: gpd.GeoDataFrame, *, rights: gpd.GeoDataFrame | None = None
) -> pd.DataFrame:
    """One row per mining right: protected area counted once, disposition, withdrawal order.

    Parameters
    ----------
    conflicts : GeoDataFrame
        The output of :func:`landuse.redlines.mining.mining_conflicts`.
    rights : GeoDataFrame, optional
        The rights layer: rights without any row in ``conflicts`` are listed too
        (``relation = "none"``), their area measured in the conflicts' CRS.

    Returns
    -------
    DataFrame
        Columns ``licence_no, right_type, holder, stage, right_area_m2, relation`` (strongest:
        inside > touching > near > none), ``features_inside`` (distinct protected features
        with an ``inside`` relation), ``protected_area_m2`` = area of the union of every
        overlap of the right (overlapping protected features counted once),
        ``protected_share = protected_area_m2 / right_area_m2``, the same two for the
        prohibiting features only (``prohibited_*``), ``min_distance_m``, ``priority`` (the
        rule table's, lowest over the conflicts), ``disposition``, ``withdrawal_order``
        (1, 2, ... over the rights to withdraw: by priority, then prohibited share
        descending, then licence number; <NA> otherwise) and ``reasons``. Sorted by
        licence number. Areas are planar m² in the working CRS.
    """
    require_columns(conflicts, _CONFLICT_FIELDS, "mining conflicts",
                    "Pass the output of landuse.redlines.mining_conflicts.")
    grid = float(conflicts.attrs.get("grid_size", 0.0))
    # plain arrays: pandas would deep-copy the findings in attrs on every group operation
    lic = conflicts["licence_no"].astype(str).to_numpy()
    rel = conflicts["relation"].astype(str).to_numpy()
    disp = conflicts["disposition"].astype(str).to_numpy()
    geoms = np.asarray(conflicts.geometry.array, dtype=object)
    against = conflicts["against_id"].astype(str).to_numpy()
    reason = conflicts["reason"].astype(str).to_numpy()
    text = {c: (conflicts[c].astype(str).to_numpy() if c in conflicts else
                np.full(len(lic), "", dtype=object)) for c in ("right_type", "holder", "stage")}
    area_all = conflicts["right_area_m2"].to_numpy(dtype=float)
    dist = conflicts["distance_m"].to_numpy(dtype=float)
    prio = conflicts["priority"].to_numpy(dtype=float)
    rank = {"inside": 0, "touching": 1, "near": 2}
    rows = []
    order = np.argsort(lic, kind="stable")
    bounds = (np.flatnonzero(np.r_[True, lic[order][1:] != lic[order][:-1], True])
              if len(lic) else np.array([0]))
    for a, b in itertools.pairwise(bounds):
        idx = order[a:b]
        hit = idx[disp[idx] != "none"]
        area = float(area_all[idx[0]])
        prot = _union_area(geoms[idx[rel[idx] != "near"]], grid)
        proh = _union_area(geoms[hit], grid)
        rows.append({
            "licence_no": lic[idx[0]], "right_type": text["right_type"][idx[0]],
            "holder": text["holder"][idx[0]], "stage": text["stage"][idx[0]],
            "right_area_m2": area, "relation": min(rel[idx], key=rank.__getitem__),
            "features_inside": len(set(against[idx[rel[idx] == "inside"]])),
            "protected_area_m2": prot, "protected_share": prot / area if area else 0.0,
            "prohibited_area_m2": proh, "prohibited_share": proh / area if area else 0.0,
            "min_distance_m": float(dist[idx].min()),
            "priority": float(prio[hit].min()) if len(hit) else np.nan,
            "disposition": (min(disp[hit], key=_DISPOSITION_RANK.__getitem__) if len(hit)
                            else "none"),
            "reasons": "; ".join(f"{against[k]}: {reason[k]}" for k in hit),
        })
    if rights is not None:
        rows += _unmatched_rights(conflicts, rights, {r["licence_no"] for r in rows}, grid)
    out = pd.DataFrame(rows, columns=[c for c in SUMMARY_COLUMNS if c != "withdrawal_order"])
    out = out.sort_values("licence_no", kind="stable").reset_index(drop=True)
    order = pd.Series(pd.NA, index=out.index, dtype="Int64")
    wd = out[out["disposition"] == "withdraw"].sort_values(
        ["priority", "prohibited_share", "licence_no"], ascending=[True, False, True])
    order[wd.index] = np.arange(1, len(wd) + 1)
    out["withdrawal_order"] = order
    return out[list(SUMMARY_COLUMNS)]


def _unmatched_rights(
    conflicts: gpd.GeoDataFrame, rights: gpd.GeoDataFrame, seen: set[str], grid: float
) -> list[dict[str, object]]:
    require_columns(rights, ("licence_no", "stage"), "mining rights (矿业权)",
                    "Pass the rights layer given to mining_conflicts.")
    if conflicts.crs is None:
        raise CRSError("the conflicts frame has no CRS; pass the output of mining_conflicts.")
    aligned, _ = align_to(rights, CRS.from_user_input(conflicts.crs), "mining rights (矿业权)")
    lic = aligned["licence_no"].astype(str)
    rest = aligned[~lic.isin(seen)]
    areas = shapely.area(snap(rest.geometry.array, grid))
    return [{
        "licence_no": str(r["licence_no"]), "right_type": str(r.get("right_type", "")),
        "holder": str(r.get("holder", "")), "stage": str(r["stage"]), "right_area_m2": float(a),
        "relation": "none", "features_inside": 0, "protected_area_m2": 0.0,
        "protected_share": 0.0, "prohibited_area_m2": 0.0, "prohibited_share": 0.0,
        "min_distance_m": np.nan, "priority": np.nan, "disposition": "none", "reasons": "",
    } for r, a in zip(rest.to_dict("records"), areas, strict=True)]


def mining_rights_in_protected_areas(
    conflicts: gpd.GeoDataFrame,
    *,
    townships: pd.DataFrame | None = None,
    county: str | None = None,
    stages: Sequence[str] = ("existing",),
) -> pd.Series:
    """Count mining rights in protected areas: indicator ``mining_rights_in_protected_areas``.

    The number of distinct rights of the given ``stages`` with an ``inside`` relation
    (overlap >= ``sliver_m2``) to a protected feature (or the ecological redline, category
    生态保护红线) whose category/zone prohibits mining (the rule table), except expired rights
    (disposition ``expired``: ``valid_to`` before the evaluation date). Rights whose
    disposition is ``review`` (a 142号 exception) are counted: they lie in a prohibiting
    area and await review. Township rows count a right where one of its conflict rows lies (a
    right across two townships counts in both; the county row counts it once).

    Parameters
    ----------
    conflicts : GeoDataFrame
        The output of :func:`landuse.redlines.mining.mining_conflicts` (with ``township``
        filled when township rows are wanted).
    townships : DataFrame, optional
        ``zone`` column (9-digit codes): every township gets a row, 0 where none.
    county : str, optional
        The 6-digit county code; default the first 6 digits of the township codes.
    stages : sequence of str
        Which stages count; default only ``existing`` rights (applications are not yet
        rights: see the ``refuse`` rows for them).

    Returns
    -------
    Series
        Named ``mining_rights_in_protected_areas``, index ``zone`` (county first, then
        townships in code order), int64 values.
    """
    require_columns(conflicts, ("licence_no", "relation", "prohibited", "stage", "township"),
                    "mining conflicts", "Pass the output of landuse.redlines.mining_conflicts.")
    zones = sorted(set(townships["zone"].astype(str))) if townships is not None else []
    if county is None:
        codes = zones or sorted({t for t in conflicts["township"].astype(str) if t})
        prefixes = sorted({c[:6] for c in codes})
        if len(prefixes) != 1:
            raise SchemaError(
                "mining_rights_in_protected_areas needs the county code: found township "
                f"prefixes {prefixes}. Pass county='370321' (6 digits)."
            )
        county = prefixes[0]
    expired = (conflicts["disposition"] == "expired" if "disposition" in conflicts
               else pd.Series(False, index=conflicts.index))
    hit = conflicts[(conflicts["relation"] == "inside") & conflicts["prohibited"].astype(bool)
                    & conflicts["stage"].isin(list(stages)) & ~expired]
    by_town = hit.groupby("township")["licence_no"].nunique()
    zones = sorted(set(zones) | {t for t in by_town.index if t})
    values = [hit["licence_no"].nunique()] + [int(by_town.get(z, 0)) for z in zones]
    return pd.Series(values, index=pd.Index([county, *zones], name="zone"), dtype="int64",
                     name="mining_rights_in_protected_areas")


def status_summary(redlines: pd.DataFrame) -> pd.DataFrame:
    """Split the redline findings by status: rows and area by check, relation and status.

    Parameters
    ----------
    redlines : DataFrame
        ``redlines.csv`` rows (:func:`landuse.redlines.output.redline_table`): ``check``,
        ``relation``, ``status``, ``overlap_m2``.

    Returns
    -------
    DataFrame
        ``check``, ``relation``, ``status``, ``rows``, ``overlap_m2``, ``overlap_ha``; sorted
        by check, relation, then status in the order violation, review, allowed. Empty
        (with these columns) when there are no findings.
    """
    cols = ["check", "relation", "status", "rows", "overlap_m2", "overlap_ha"]
    if redlines.empty:
        return pd.DataFrame({c: pd.Series(dtype=float if c.startswith("overlap") else object)
                             for c in cols})
    require_columns(redlines, ("check", "relation", "status", "overlap_m2"), "redline findings",
                    "Pass the rows of redlines.csv (landuse.redlines.redline_table).")
    area = pd.to_numeric(redlines["overlap_m2"], errors="coerce").fillna(0.0)
    out = (redlines.assign(overlap_m2=area)
           .groupby(["check", "relation", "status"], sort=False)
           .agg(rows=("check", "size"), overlap_m2=("overlap_m2", "sum")).reset_index())
    out["overlap_ha"] = m2_to_ha(out["overlap_m2"])
    rank_c = {c: i for i, c in enumerate(CHECK_ORDER)}
    rank_s = {c: i for i, c in enumerate(STATUS_ORDER)}
    out = out.assign(_c=out["check"].map(rank_c).fillna(99),
                     _s=out["status"].map(rank_s).fillna(99))
    out = out.sort_values(["_c", "relation", "_s"], kind="stable")
    return pd.DataFrame(out[cols].reset_index(drop=True))

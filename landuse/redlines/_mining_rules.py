"""The legal judgement of mining conflicts (private part of :mod:`landuse.redlines.mining`).

- :func:`with_redline`: protected areas and the ecological redline as one layer (the
  redline's features get ``category = "生态保护红线"``).
- :func:`judge_conflicts`: disposition, status, rule, basis and reason of every conflict row:
  ``expired`` (``valid_to`` before the evaluation date), else the first matching row of
  ``mining_exceptions_142.csv`` (``review``), else ``withdraw`` / ``refuse``.

docs/domain.md §7 states the rules and their sources.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from landuse.errors import SchemaError
from landuse.redlines._common import align_to, require_columns
from landuse.redlines.tables import match_mining_exception

__all__ = ["DISPOSITION_STATUS", "ECO_REDLINE", "PROTECTED_FIELDS", "disposition_of",
           "expired_rights", "judge_conflicts", "reason_of", "with_redline"]

PROTECTED_FIELDS = ("id", "name", "category", "zone")
ECO_REDLINE = "生态保护红线"
#: disposition -> legal status of the row (docs/domain.md §7); one definition for every output
DISPOSITION_STATUS = {"withdraw": "violation", "refuse": "violation", "review": "review",
                      "expired": "review", "none": "allowed"}


def disposition_of(stage: str, conflict: bool) -> str:
    if not conflict:
        return "none"
    return "withdraw" if stage == "existing" else "refuse"


def reason_of(row: Mapping[str, Any], sliver_m2: float) -> str:
    """Words for one (right, protected feature) row, Chinese then English."""
    rel = row["relation"]
    if rel == "near":
        d = row["distance_m"]
        return (f"不重叠，距最近保护地 {d:.3f} 米 / no overlap; {d:.3f} m from the nearest "
                "protected area")
    if rel == "touching":
        return (f"仅边界接触（重叠 {row['overlap_m2']:.3f} 平方米 < {sliver_m2:g}），不计为冲突 / "
                f"edge or point contact only (overlap {row['overlap_m2']:.3f} m² < sliver_m2 "
                f"{sliver_m2:g}): not a conflict")
    rule = f"{row['reason_zh']} / {row['reason_en']}"
    if not row["prohibited"]:
        return f"不在禁止采矿名录：{rule}"
    if row["stage"] == "existing":
        return f"已有矿业权应有序退出（退出顺序 {row['priority']:g}）：{rule}"
    return f"申请不予批准 / application refused: {rule}"


def with_redline(
    protected: gpd.GeoDataFrame | None, redline: gpd.GeoDataFrame | None, crs: CRS
) -> tuple[gpd.GeoDataFrame, list[Any]]:
    """Protected areas and the ecological redline as one layer (category 生态保护红线)."""
    parts, findings = [], []
    if protected is not None:
        fix = ("Read the layer with landuse.io.vector.read_protected_areas or map the fields "
               "(docs/contract.md §2.1).")
        require_columns(protected, PROTECTED_FIELDS, "protected areas (自然保护地)", fix)
        aligned, f = align_to(protected, crs, "protected areas (自然保护地)")
        cols = [*PROTECTED_FIELDS, *(["subtype"] if "subtype" in aligned else [])]
        parts.append(aligned[[*cols, "geometry"]])
        findings += f
    if redline is not None:
        require_columns(redline, ("line_id",), "ecological redline (生态保护红线)",
                        "Read the layer with landuse.io.vector.read_control_line.")
        aligned, f = align_to(redline, crs, "ecological redline (生态保护红线)")
        name = (aligned["HXMC"].fillna("").astype(str) if "HXMC" in aligned
                else pd.Series("", index=aligned.index))
        parts.append(gpd.GeoDataFrame({
            "id": aligned["line_id"].astype(str).to_numpy(), "name": name.to_numpy(),
            "category": ECO_REDLINE, "zone": "", "subtype": ""},
            geometry=aligned.geometry.array, crs=crs))
        findings += f
    if not parts:
        raise SchemaError("mining_conflicts needs protected areas or an ecological redline "
                          "layer (or both) to check the rights against.")
    frame = pd.concat(parts, ignore_index=True)
    frame["subtype"] = frame["subtype"].fillna("") if "subtype" in frame else ""
    out = gpd.GeoDataFrame(frame, geometry="geometry", crs=crs)
    if protected is not None and "source" in protected.attrs:
        out.attrs["source"] = protected.attrs["source"]
    return out, findings


def expired_rights(rights: pd.DataFrame, evaluation_date: Any) -> np.ndarray:
    """Flag the rights whose ``valid_to`` lies before the evaluation date (unknown: False)."""
    if evaluation_date is None or "valid_to" not in rights:
        return np.zeros(len(rights), dtype=bool)
    when = pd.Timestamp(evaluation_date)
    valid_to = pd.to_datetime(rights["valid_to"], errors="coerce")
    return (valid_to.notna() & (valid_to < when)).to_numpy()


def judge_conflicts(out: pd.DataFrame, expired: np.ndarray, exceptions: pd.DataFrame,
           sliver_m2: float, evaluation_date: Any) -> None:
    """Fill disposition, status, rule, basis and reason of every conflict row in place."""
    conflict = ((out["relation"] == "inside") & out["prohibited"]).to_numpy()
    disp, rule, basis, reason = [], [], [], []
    for k, r in enumerate(out.to_dict("records")):
        if not conflict[k]:
            disp.append("none")
            rule.append({"inside": r["rule"], "touching": "sliver_m2"}.get(r["relation"],
                                                                           "near_m"))
            basis.append(r["basis"] if r["relation"] == "inside" else "")
            reason.append(reason_of(r, sliver_m2))
            continue
        if expired[k]:
            disp.append("expired")
            rule.append("valid_to")
            basis.append("矿业权有效期届满 / the right's validity ended")
            reason.append(f"矿业权有效期已于 {str(r['valid_to'])[:10]} 届满（评价日 "
                          f"{str(evaluation_date)[:10]}），不计入保护区内矿业权数，应核实注销 / "
                          f"the right expired on {str(r['valid_to'])[:10]} before the "
                          "evaluation date: not counted; check its cancellation")
            continue
        exc = match_mining_exception(exceptions, category=r["category"], zone=r["zone_type"],
                                     stage=r["stage"], mineral=r["mineral"],
                                     right_type=r["right_type"])
        if exc is not None:
            disp.append(str(exc["disposition"]))
            rule.append(str(exc["rule"]))
            basis.append(str(exc["basis"]))
            reason.append(f"{exc['reason_zh']} / {exc['reason_en']}")
            continue
        disp.append(disposition_of(r["stage"], True))
        rule.append(r["rule"])
        basis.append(r["basis"])
        reason.append(reason_of(r, sliver_m2))
    out["disposition"] = disp
    out["status"] = [DISPOSITION_STATUS[d] for d in disp]
    out["rule"] = rule
    out["basis"] = basis
    out["reason"] = reason

"""The rows of ``redlines.csv`` and the layers of ``redlines.gpkg`` (docs/contract.md §3.2).

Writing the files is the report module's job; these functions only shape the frames.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from landuse.errors import CRSError, SchemaError

__all__ = ["CHECK_ORDER", "REDLINE_COLUMNS", "STATUS_ORDER", "is_violation", "redline_layers",
           "redline_table"]

CHECK_ORDER = ("mining_protected", "eco_redline_construction", "farmland_nonfarm",
               "outside_urban_boundary", "line_conflict")
REDLINE_COLUMNS = (
    "check", "feature_id", "against_id", "against_layer", "category", "zone_type", "relation",
    "overlap_m2", "share", "distance_m", "stage", "disposition", "status", "rule", "basis",
    "township", "class_code", "construction_type", "area_basis", "reason",
)
_TEXT = ("check", "feature_id", "against_id", "against_layer", "category", "zone_type",
         "relation", "stage", "disposition", "status", "rule", "basis", "township",
         "class_code", "construction_type", "area_basis", "reason")
_NUM = ("overlap_m2", "share", "distance_m")
STATUS_ORDER = ("violation", "review", "allowed")


def is_violation(redlines: pd.DataFrame) -> pd.Series:
    """Boolean mask of the redline rows that are violations: ``status == "violation"``.

    The one definition of a violation (docs/domain.md §7): the CLI exit code
    (``--fail-on-violation``), the violation count, the report and its map all use it.
    ``allowed`` and ``review`` rows are findings, never violations.
    """
    if redlines.empty or "status" not in redlines:
        return pd.Series(False, index=redlines.index)
    return redlines["status"] == "violation"
_REL_ORDER = {"inside": 0, "outside": 0, "touching": 1, "near": 2}


def _normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """Map one check's frame (mining or control line) to the contract columns."""
    df = pd.DataFrame(frame).copy()
    if "licence_no" in df.columns:  # mining_conflicts output
        df = df.assign(check="mining_protected", feature_id=df["licence_no"],
                       against_layer="protected_areas", class_code="",
                       construction_type="")
    else:
        if "check" not in df.columns:
            raise SchemaError(
                "redline_table: a frame has neither licence_no (mining_conflicts) nor check "
                f"(a control-line check); columns {list(df.columns)}"
            )
        df = df.assign(class_code=df["DLBM"] if "DLBM" in df else "",
                       category=df["category"] if "category" in df else "",
                       zone_type="", stage="", disposition="none",
                       distance_m=np.nan)
    missing = [c for c in REDLINE_COLUMNS if c not in df.columns]
    if missing:
        raise SchemaError(f"redline_table: a frame of check {df['check'].iloc[:1].tolist()} "
                          f"lacks {missing}; pass the outputs of the redline checks.")
    return df


def _sorted(frames: list[pd.DataFrame], extra: Sequence[str]) -> pd.DataFrame:
    cols = [*REDLINE_COLUMNS, *extra]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=float if c in _NUM else object) for c in cols})
    df = pd.concat([f[cols] for f in frames], ignore_index=True)
    for c in _TEXT:
        df[c] = df[c].fillna("").astype(str)
    for c in _NUM:
        df[c] = pd.to_numeric(df[c]).astype(float)
    unknown = sorted(set(df["check"]) - set(CHECK_ORDER))
    if unknown:
        raise SchemaError(f"redline_table: unknown check(s) {unknown}; known {CHECK_ORDER}")
    order = np.lexsort((
        df["against_id"].to_numpy(),
        df["relation"].map(_REL_ORDER).fillna(9).to_numpy(),
        df["feature_id"].to_numpy(),
        df["check"].map(CHECK_ORDER.index).to_numpy(),
    ))
    return df.iloc[order].reset_index(drop=True)


def redline_table(findings_list: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Rows of ``redlines.csv``: every finding of every check, fixed columns, sorted.

    Parameters
    ----------
    findings_list : sequence of DataFrame
        Outputs of :func:`~landuse.redlines.mining.mining_conflicts` and the control-line
        checks (any subset, any order).

    Returns
    -------
    DataFrame
        Columns :data:`REDLINE_COLUMNS` (docs/contract.md §3.2 plus ``against_layer``,
        ``class_code``, ``construction_type``, ``area_basis``, ``reason``); text columns are
        strings ('' where not applicable), ``overlap_m2``/``share``/``distance_m`` floats
        (NaN ``distance_m`` for control lines). Sorted by check (in :data:`CHECK_ORDER`),
        feature_id, relation (inside/outside, touching, near), against_id; index 0..n-1.
    """
    return _sorted([_normalise(f) for f in findings_list if len(f)], ())


def redline_layers(findings_list: Sequence[gpd.GeoDataFrame]) -> dict[str, gpd.GeoDataFrame]:
    """Build the two layers of ``redlines.gpkg``: ``mining_conflicts`` and ``zone_violations``.

    Each layer has the :func:`redline_table` columns plus ``geometry`` (the overlap; for
    mining ``near`` rows the shortest line to the protected feature; for edge/point
    contact a line or point), rows in the same order. All inputs must share one CRS.

    Returns
    -------
    dict
        ``{"mining_conflicts": GeoDataFrame, "zone_violations": GeoDataFrame}``.
    """
    crss = {CRS.from_user_input(f.crs).to_string() for f in findings_list
            if len(f) and f.crs is not None}
    if len(crss) > 1:
        raise CRSError(f"redline_layers: the findings are in different CRSs {sorted(crss)}; "
                       "run the checks with one working_crs.")
    crs = crss.pop() if crss else None
    out = {}
    for name, is_mining in (("mining_conflicts", True), ("zone_violations", False)):
        parts = [_normalise(f) for f in findings_list
                 if len(f) and ("licence_no" in f) == is_mining]
        table = _sorted(parts, ("geometry",))
        geometry = gpd.GeoSeries(list(table.pop("geometry")), crs=crs)
        out[name] = gpd.GeoDataFrame(table, geometry=geometry, crs=crs)
    return out

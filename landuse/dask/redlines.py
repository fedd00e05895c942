"""Control-line checks (三区三线) by partition: rows are per patch piece, so partition-local.

See :func:`redline_check_dask` and ``docs/distributed.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from landuse.dask.engine import (
    ROW,
    Frame,
    _client,
    _meta,
    _shared,
    compute_partitions,
    merge_findings,
    private_copy,
)
from landuse.findings import attach_findings, get_findings

if TYPE_CHECKING:
    import distributed

__all__ = ["redline_check_dask"]


def _check_part(part: gpd.GeoDataFrame, k: int, check: Callable[..., gpd.GeoDataFrame],
                line: gpd.GeoDataFrame, options: dict[str, Any]) -> gpd.GeoDataFrame | None:
    if len(part) == 0:
        return None
    return check(part.drop(columns=[ROW], errors="ignore"), private_copy(line), **options)


def redline_check_dask(
    check: Callable[..., gpd.GeoDataFrame],
    lu: Frame,
    line: gpd.GeoDataFrame,
    *,
    client: distributed.Client | None = None,
    npartitions: int | None = None,
    **options: Any,
) -> gpd.GeoDataFrame:
    """Run a control-line check of :mod:`landuse.redlines.control_lines` by partition.

    The checks (``eco_redline_construction``, ``farmland_nonfarm``,
    ``outside_urban_boundary``) give one row per (patch, control-line feature) piece and
    depend on that patch only, so the partitions' rows together are the single-machine
    rows; they are ordered as on one machine (township, feature_id, against_id). The
    control layer is broadcast once. Findings of the partitions are merged
    (:func:`merge_findings`: counts added).

    Parameters
    ----------
    check : callable
        One of the control-line check functions, ``check(lu, line, **options)``.
    lu : GeoDataFrame or dask_geopandas.GeoDataFrame
        Normalised DLTB (``read_landuse``).
    line : GeoDataFrame
        The control layer (``read_control_line``), whole.
    **options
        The check's keyword options (``sliver_m2``, ``rules``, ``include_touching`` ...);
        passed through unchanged to ``check``.

    Returns
    -------
    GeoDataFrame
        The check's columns (:data:`landuse.redlines.control_lines.CONTROL_COLUMNS`).
    """
    client = _client(client)
    empty = check(_meta(lu).drop(columns=[ROW], errors="ignore"), line, **options)
    parts = compute_partitions(_check_part, lu, check, _shared(line, client), options,
                               client=client, npartitions=npartitions)
    parts = [p for p in parts if p is not None]
    findings = merge_findings([f for p in parts for f in get_findings(p)])
    rows = [p for p in parts if len(p)]
    if rows:
        frame = pd.concat(rows, ignore_index=True)
        frame = frame.sort_values(["township", "feature_id", "against_id"], kind="stable")
        out = gpd.GeoDataFrame(frame.reset_index(drop=True), geometry="geometry", crs=empty.crs)
    else:
        out = empty.copy()
    out.attrs = {k: v for k, v in (parts[0] if parts else empty).attrs.items()
                 if k != "findings"}
    attach_findings(out, findings)
    return out



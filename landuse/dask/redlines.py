"""Redline checks by partition: rows are per patch piece or per right, so partition-local.

:func:`redline_check_dask` runs the control-line checks (三区三线) on partitions of the
land-use layer; :func:`mining_conflicts_dask` runs the mining-right check on partitions of
the rights. See ``docs/distributed.md``.
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
from landuse.redlines._common import align_to, resolve_working_crs
from landuse.redlines.mining import mining_conflicts, sort_conflicts, validate_rights

if TYPE_CHECKING:
    import distributed

__all__ = ["mining_conflicts_dask", "redline_check_dask"]


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
    return _concat_parts(parts, empty, lambda frame: frame.sort_values(
        ["township", "feature_id", "against_id"], kind="stable"))


def _concat_parts(parts: list[gpd.GeoDataFrame | None], empty: gpd.GeoDataFrame,
                  order: Callable[[pd.DataFrame], pd.DataFrame],
                  findings: list | None = None) -> gpd.GeoDataFrame:
    """Concatenate the partitions' rows, ordered by ``order``; attrs and merged findings.

    ``findings`` (e.g. of layers aligned once before the tasks) come before the partitions'.
    """
    kept = [p for p in parts if p is not None]
    merged = merge_findings([*(findings or []), *[f for p in kept for f in get_findings(p)]])
    rows = [p for p in kept if len(p)]
    if rows:
        frame = order(pd.concat(rows, ignore_index=True))
        out = gpd.GeoDataFrame(frame.reset_index(drop=True), geometry="geometry", crs=empty.crs)
    else:
        out = empty.copy()
    out.attrs = {k: v for k, v in (kept[0] if kept else empty).attrs.items()
                 if k != "findings"}
    attach_findings(out, merged)
    return out




def _mining_part(part: gpd.GeoDataFrame, k: int, protected: gpd.GeoDataFrame,
                 townships: gpd.GeoDataFrame | None, options: dict[str, Any]
                 ) -> gpd.GeoDataFrame | None:

    if len(part) == 0:
        return None
    return mining_conflicts(part.drop(columns=[ROW], errors="ignore"), private_copy(protected),
                            townships=private_copy(townships), **options)


def mining_conflicts_dask(
    rights: Frame,
    protected: gpd.GeoDataFrame,
    *,
    townships: gpd.GeoDataFrame | None = None,
    working_crs: Any | None = None,
    client: distributed.Client | None = None,
    npartitions: int | None = None,
    **options: Any,
) -> gpd.GeoDataFrame:
    """:func:`landuse.redlines.mining.mining_conflicts` by partition of the mining rights.

    A right's rows (inside / touching / near each protected feature, its township) depend
    on that right and the protected layer only, so the partitions' rows together are the
    single-machine rows, ordered as there (``licence_no``, relation, ``against_id``).
    The rights are validated whole first (a ``licence_no`` repeated in two partitions is
    refused as on one machine); the protected layer and the townships are aligned to the
    working CRS once, here, and broadcast, so their reprojection is reported once.

    Parameters
    ----------
    rights : GeoDataFrame or dask_geopandas.GeoDataFrame
        Mining rights (``read_mining_rights``).
    protected, townships : GeoDataFrame
        As for ``mining_conflicts`` (whole layers).
    working_crs : CRS-like, optional
        As for ``mining_conflicts``: default the rights' CRS.
    **options
        ``sliver_m2``, ``near_m``, ``grid_size``, ``rules``: passed through unchanged.

    Returns
    -------
    GeoDataFrame
        The columns and rows of ``mining_conflicts`` on the whole layer.
    """
    client = _client(client)
    whole_attrs = rights if isinstance(rights, gpd.GeoDataFrame) else rights.compute()
    validate_rights(whole_attrs)
    crs = resolve_working_crs(_meta(rights), "mining rights (矿业权)", working_crs)
    protected, found = align_to(protected, crs, "protected areas (自然保护地)")
    if townships is not None:
        townships, tf = align_to(townships, crs, "townships (乡镇)")
        found = [*found, *tf]
    options = {**options, "working_crs": crs}
    empty = mining_conflicts(_meta(rights).drop(columns=[ROW], errors="ignore"), protected,
                             townships=townships, **options)
    parts = compute_partitions(_mining_part, whole_attrs, _shared(protected, client),
                               _shared(townships, client), options, client=client,
                               npartitions=npartitions)
    return _concat_parts(parts, empty, sort_conflicts, found)

"""The same computations on dask-geopandas partitions over a dask.distributed cluster.

A partition is just another chunk: every function here runs the single-machine function
of ``landuse`` (:func:`landuse.overlay.tabulate` and :func:`~landuse.overlay.overlay_pieces`,
:func:`landuse.indicators._common.prepare`,
the control-line checks of :mod:`landuse.redlines.control_lines`) on each partition of
the land-use layer, with the zone layer sent to every worker once
(``client.scatter(..., broadcast=True)``), and reduces the partial results exactly:

- tabulation: Σ area per (A key, B key). With ``area="official"`` a patch's TBDLMJ is
  allocated in proportion to the planar share of each piece of *that patch*, so the
  allocation is local to each patch and partition sums are the single-machine sums
  (patches are never split between partitions);
- indicators: Σ m² per (zone, code, CZCSXM) and Σ TBMJ per zone first, ratios after the
  reduction (the indicator functions run once on the reduced sums);
- redline checks (:mod:`landuse.dask.redlines`): one row per (patch, control-line
  feature) piece, partition-local.

Results equal the single-machine path to floating-point summation order (relative
differences ~1e-15) and come in the same row order. See ``docs/distributed.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from landuse import units
from landuse.county import (
    Prepared,
    TownshipPolicy,
    assign_townships,
    levels_for,
    prepare,
    reported_zones,
)
from landuse.errors import SchemaError
from landuse.findings import Finding, get_findings
from landuse.indicators import classes
from landuse.indicators.classes import SANDALEI_AGGREGATES, UNCLASSIFIED
from landuse.overlay import CHUNK_SIZE, AreaKind, overlay_pieces, resolve_area, tabulate
from landuse.rules import RuleSet, load_rules
from landuse.units import M2_PER_HA

if TYPE_CHECKING:
    import dask_geopandas
    import distributed
    from dask.delayed import Delayed

__all__ = [
    "class_areas_dask",
    "compute_partitions",
    "merge_findings",
    "overlay_pieces_dask",
    "partition",
    "prepare_dask",
    "private_copy",
    "reduce_prepared",
    "tabulate_dask",
]

Frame = Any  # geopandas.GeoDataFrame or dask_geopandas.GeoDataFrame
ROW = "_landuse_row"  # original position of a feature, carried through the partitions



# ----------------------------------------------------------------------------- partitions


def partition(gdf: gpd.GeoDataFrame, *, npartitions: int) -> dask_geopandas.GeoDataFrame:
    """Split a GeoDataFrame into ``npartitions`` spatially compact partitions (Hilbert order).

    Features are ordered by the Hilbert distance of their bounding-box centre on the
    layer's extent (geopandas ``hilbert_distance``, level 16) and cut into contiguous runs
    of about equal length, so each partition covers a compact area and touches few zones.
    No feature is split. The original index is kept and the original position is carried
    in the column ``_landuse_row`` (used to restore the single-machine order of pieces).
    Missing or empty geometries go to the last partition.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Any layer with a CRS; not modified.
    npartitions : int
        Number of partitions (≥ 1; fewer when ``gdf`` has fewer rows).

    Returns
    -------
    dask_geopandas.GeoDataFrame
    """
    import dask
    import dask_geopandas

    if npartitions < 1:
        raise ValueError(f"npartitions must be >= 1, got {npartitions}")
    g = gdf.geometry
    ok = ~(g.isna() | g.is_empty).to_numpy()
    dist = np.full(len(gdf), np.iinfo(np.int64).max, dtype=np.int64)
    if ok.any():
        sub = g[ok]
        dist[ok] = sub.hilbert_distance(total_bounds=sub.total_bounds, level=16).to_numpy()
    order = np.argsort(dist, kind="stable")
    work = gdf.assign(**{ROW: np.arange(len(gdf), dtype=np.int64)}).iloc[order]
    n = max(1, min(npartitions, len(gdf)))
    with dask.config.set({"dataframe.convert-string": False}):  # keep the frame's dtypes
        return dask_geopandas.from_geopandas(work, npartitions=n, sort=False)


def _as_dask(frame: Frame, npartitions: int | None, client: Any) -> Any:
    """Return ``frame`` as a dask_geopandas frame (partitioned in Hilbert order if needed)."""
    if isinstance(frame, gpd.GeoDataFrame):
        n = npartitions or _default_partitions(client)
        return partition(frame, npartitions=n)
    if hasattr(frame, "to_delayed") and hasattr(frame, "_meta"):
        return frame
    raise TypeError(
        f"expected a geopandas or dask_geopandas GeoDataFrame, got {type(frame).__name__}"
    )


def _default_partitions(client: Any) -> int:
    workers = len(client.scheduler_info().get("workers", {})) if client is not None else 1
    return max(2, 4 * workers)


def _client(client: distributed.Client | None) -> distributed.Client | None:
    """Return the client given, else the current default client, else None (threads)."""
    if client is not None:
        return client
    try:
        from distributed import default_client

        return default_client()
    except (ImportError, ValueError):
        return None


def _shared(obj: Any, client: distributed.Client | None) -> Any:
    """Send ``obj`` to every worker once (a Future), or return it as is without a client."""
    if client is None or obj is None:
        return obj
    return client.scatter(obj, broadcast=True, hash=False)


def private_copy(gdf: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame | None:
    """Return a copy of a shared layer whose geometries belong to the calling task only.

    GEOS prepares geometries lazily (``STRtree.query`` with a predicate, ``prepare``) and
    that is not thread-safe: worker threads of one process share a broadcast layer, so
    each task works on its own copy (WKB round trip: coordinates are exact).
    """
    if gdf is None:
        return None
    out = gdf.copy()
    geoms = np.asarray(out.geometry.array, dtype=object)
    out[out.geometry.name] = gpd.GeoSeries(shapely.from_wkb(shapely.to_wkb(geoms)),
                                           index=out.index, crs=out.crs)
    return out


def compute_partitions(
    func: Callable[..., Any],
    frame: Frame,
    *args: Any,
    client: distributed.Client | None = None,
    npartitions: int | None = None,
    kwargs: Mapping[str, Any] | None = None,
) -> list[Any]:
    """Run ``func(partition, k, *args, **kwargs)`` on every partition; results in order.

    ``args`` are shared with every task: large objects (zone layers) should be
    :meth:`distributed.Client.scatter`-ed first (the public functions do it). One task
    per partition: the partition is loaded, ``func`` runs and only its (small) result
    is kept, so a worker holds about one partition per thread at a time.

    Parameters
    ----------
    func : callable
        Picklable function ``func(part, k, *args, **kwargs)``.
    frame : GeoDataFrame or dask_geopandas.GeoDataFrame
        Partitioned in Hilbert order when it is a GeoDataFrame.
    client : distributed.Client, optional
        Default: the current client, else dask's local threaded scheduler.
    npartitions : int, optional
        For a GeoDataFrame: number of partitions (default 4 per worker, at least 2).
    kwargs : mapping, optional
        Keyword arguments for ``func``.

    Returns
    -------
    list
        One result per partition, in partition order.
    """
    import dask

    client = _client(client)
    ddf = _as_dask(frame, npartitions, client)
    kw = dict(kwargs or {})
    tasks: list[Delayed] = [
        dask.delayed(func, pure=False)(part, k, *args, **kw)
        for k, part in enumerate(ddf.to_delayed())
    ]
    if client is None:
        return list(dask.compute(*tasks, scheduler="threads"))
    return list(client.gather(client.compute(tasks)))


def _meta(frame: Frame) -> gpd.GeoDataFrame:
    return frame.iloc[:0] if isinstance(frame, gpd.GeoDataFrame) else frame._meta


# ----------------------------------------------------------------------------- tabulate


def _tabulate_part(part: gpd.GeoDataFrame, k: int, b: gpd.GeoDataFrame,
                   options: dict[str, Any], pieces: bool) -> pd.DataFrame | None:

    if len(part) == 0:
        return None
    b = private_copy(b)
    if not pieces:
        return tabulate(part, b, **options)
    labels = part.index
    rows = part[ROW].to_numpy() if ROW in part.columns else np.arange(len(part))
    out = overlay_pieces(part.reset_index(drop=True), b, **options)
    pos = out["a_index"].to_numpy(dtype=np.int64)
    out["a_index"] = labels[pos]
    out["_part"] = k if ROW not in part.columns else 0
    out["_row"] = rows[pos]
    return out


def _by_partition(a: Frame, b: gpd.GeoDataFrame, options: dict[str, Any], *, pieces: bool,
                  client: distributed.Client | None, npartitions: int | None,
                  area_default: bool) -> pd.DataFrame:
    """Run the engine on the partitions of ``a``; reduce the tables or pieces exactly."""
    engine = overlay_pieces if pieces else tabulate
    empty = engine(_meta(a), b, **options)  # validates columns, CRS and options up front
    client = _client(client)
    ddf = _as_dask(a, npartitions, client)
    parts = compute_partitions(_tabulate_part, ddf, _shared(b, client), options, pieces,
                               client=client)
    parts = [p for p in parts if p is not None and len(p)]
    attrs = {**empty.attrs.get("overlay", {}), "area_default": area_default, "engine": "dask",
             "npartitions": ddf.npartitions}
    sums = tuple(options["sum_columns"])
    if pieces:
        out = _reduce_pieces(empty, parts, sums)
    else:
        out = _reduce_table(empty, parts, sums)
    out.attrs["overlay"] = attrs
    return out


def tabulate_dask(
    a: Frame,
    b: gpd.GeoDataFrame,
    *,
    by_a: str | Sequence[str] | None,
    by_b: str | Sequence[str] | None,
    client: distributed.Client | None = None,
    npartitions: int | None = None,
    area: AreaKind | None = None,
    area_column: str = "TBDLMJ",
    sum_columns: Sequence[str] = (),
    union: bool = False,
    chunk_size: int = CHUNK_SIZE,
    n_jobs: int | None = 1,
    keep_geometry: None = None,
) -> pd.DataFrame:
    """:func:`landuse.overlay.tabulate` on the partitions of ``a``, reduced exactly.

    ``b`` (the zones) is broadcast to every worker once; each partition of ``a`` is
    tabulated by the same engine; the partial tables are summed per (A key, B key) and
    sorted like the single-machine table. Formula, units and CRS requirements are those
    of :func:`~landuse.overlay.tabulate`: ``area_m2`` (m²) = Σ over the pieces, with
    ``area="official"`` TBDLMJ × planar area of the piece / planar area of its patch,
    which depends on the patch only, so partition sums are exact. The default ``area``
    (``None``) is official when ``a`` has ``area_column``, planar otherwise.

    Parameters
    ----------
    a : GeoDataFrame or dask_geopandas.GeoDataFrame
        The measured layer; a GeoDataFrame is partitioned in Hilbert order
        (:func:`partition`). A feature must not be split between partitions.
    b : GeoDataFrame
        The zones, whole (broadcast once).
    by_a, by_b, area, area_column, sum_columns, union, chunk_size
        As in :func:`landuse.overlay.tabulate`.
    client : distributed.Client, optional
        Default: the current client, else dask's local threaded scheduler.
    npartitions : int, optional
        Partitions of a GeoDataFrame ``a`` (default 4 per worker).
    n_jobs : int or None, default 1
        Threads per partition inside the engine; 1 because the workers' threads already
        run partitions in parallel.
    keep_geometry : None
        Removed (0.x): any value raises a ``TypeError`` naming
        :func:`overlay_pieces_dask`, which returns the pieces.

    Returns
    -------
    DataFrame
        The table of :func:`~landuse.overlay.tabulate` (same columns, dtypes, order;
        ``area_ha`` recomputed from the summed ``area_m2``); ``attrs["overlay"]`` adds
        ``engine="dask"`` and ``npartitions``.
    """
    if keep_geometry is not None:
        raise TypeError(
            "tabulate_dask(keep_geometry=...) was removed: tabulate_dask always returns the "
            "table; call landuse.dask.overlay_pieces_dask(a, b, by_a=..., by_b=..., ...) for "
            "the pieces (a GeoDataFrame)")
    options: dict[str, Any] = dict(
        by_a=by_a, by_b=by_b, area=resolve_area(_meta(a), area, area_column),
        area_column=area_column, sum_columns=tuple(sum_columns), union=union,
        chunk_size=chunk_size, n_jobs=n_jobs)
    return _by_partition(a, b, options, pieces=False, client=client, npartitions=npartitions,
                         area_default=area is None)


def overlay_pieces_dask(
    a: Frame,
    b: gpd.GeoDataFrame,
    *,
    by_a: str | Sequence[str] | None,
    by_b: str | Sequence[str] | None,
    client: distributed.Client | None = None,
    npartitions: int | None = None,
    area: AreaKind | None = None,
    area_column: str = "TBDLMJ",
    sum_columns: Sequence[str] = (),
    union: bool = False,
    chunk_size: int = CHUNK_SIZE,
    n_jobs: int | None = 1,
) -> gpd.GeoDataFrame:
    """:func:`landuse.overlay.overlay_pieces` on the partitions of ``a``.

    Parameters as in :func:`tabulate_dask`. Returns the pieces of
    :func:`~landuse.overlay.overlay_pieces` (same columns and dtypes), ordered by the keys
    then the position of the A-feature in ``a`` (for a dask input: in the concatenation of
    its partitions), so the order is the single-machine order.
    """
    options: dict[str, Any] = dict(
        by_a=by_a, by_b=by_b, area=resolve_area(_meta(a), area, area_column),
        area_column=area_column, sum_columns=tuple(sum_columns), union=union,
        chunk_size=chunk_size, n_jobs=n_jobs)
    out = _by_partition(a, b, options, pieces=True, client=client, npartitions=npartitions,
                        area_default=area is None)
    assert isinstance(out, gpd.GeoDataFrame)
    return out


def _reduce_table(empty: pd.DataFrame, parts: list[pd.DataFrame],
                  sum_columns: tuple[str, ...]) -> pd.DataFrame:
    values = ["area_m2", *sum_columns]
    if not parts:
        return empty.copy()
    frame = pd.concat(parts, ignore_index=True)
    keys = [c for c in empty.columns if c not in ("area_m2", "area_ha", *sum_columns)]
    if keys:
        summed = frame.groupby(keys, sort=False, dropna=False)[values].sum().reset_index()
    else:
        summed = frame[values].sum().to_frame().T
    summed["area_ha"] = summed["area_m2"] / M2_PER_HA
    out = summed[list(empty.columns)]
    for col in keys:
        out[col] = out[col].astype(empty[col].dtype)
    if keys:
        out = out.sort_values(keys, kind="stable", na_position="last")
    return pd.DataFrame(out).reset_index(drop=True)


def _reduce_pieces(empty: gpd.GeoDataFrame, parts: list[pd.DataFrame],
                   sum_columns: tuple[str, ...]) -> gpd.GeoDataFrame:
    if not parts:
        return empty.copy()
    frame = pd.concat(parts, ignore_index=True)
    keys = [c for c in empty.columns
            if c not in ("a_index", "area_m2", "area_ha", "geometry", *sum_columns)]
    frame = frame.sort_values([*keys, "_part", "_row"], kind="stable", na_position="last")
    frame = frame.drop(columns=["_part", "_row"]).reset_index(drop=True)
    return gpd.GeoDataFrame(frame[list(empty.columns)], geometry="geometry", crs=empty.crs)


# ----------------------------------------------------------------------------- indicators


def _prepare_part(part: pd.DataFrame, k: int, by: str, rules: RuleSet,
                  townships: gpd.GeoDataFrame | None, policy: TownshipPolicy
                  ) -> tuple[pd.DataFrame, pd.Series, list]:
    findings: list[Finding] = []
    if len(part):
        before = len(get_findings(part))
        part = assign_townships(part, private_copy(townships) if townships is not None
                                else None, policy=policy)
        findings = get_findings(part)[before:]
    p = prepare(part, by=by, rules=rules, what=f"land use (partition {k})")
    return p.rows, p.total_m2, findings


def prepare_dask(
    lu: Frame,
    *,
    by: str = "township",
    rules: str | Path | RuleSet | None = None,
    townships: gpd.GeoDataFrame | None = None,
    township: TownshipPolicy = "zldwdm",
    client: distributed.Client | None = None,
    npartitions: int | None = None,
) -> Prepared:
    """Build the reduced :class:`~landuse.indicators._common.Prepared` of a partitioned layer.

    Each partition gives its class rows summed per (zone, code, CZCSXM) (m², official
    rule: TBDLMJ under DLBM, KCMJ under KCDLBM) and Σ TBMJ per zone; the partial sums
    are added. Every area indicator is a function of these sums, so computing the
    indicators from the result (see :func:`landuse.dask.indicators_dask`) gives the
    single-machine values. Each patch's township follows the policy ``township``
    (:func:`landuse.county.assign_townships`, partition-local; ``townships`` is the XZQ layer,
    broadcast once), and every XZQ township is reported, as on one machine.

    Returns
    -------
    Prepared
        ``rows`` (levels, ``code``, ``czcsxm``, ``area_m2``), ``total_m2`` by zone, the
        zones (county first), levels and rule set. ``attrs`` of ``rows`` carry the
        readers' findings of the township assignment (``findings``).
    """
    ruleset = load_rules(rules)
    levels = levels_for(by)
    client = _client(client)
    parts = compute_partitions(_prepare_part, lu, by, ruleset, _shared(townships, client),
                               township, client=client, npartitions=npartitions)
    if not any(len(r) for r, _, _ in parts):
        raise SchemaError("prepare_dask: the land-use layer has no patches in any partition")
    extra = townships["zone"].astype(str).tolist() if townships is not None else []
    p = reduce_prepared([r for r, _, _ in parts], [t for _, t, _ in parts], levels=levels,
                        rules=ruleset, extra_zones=extra)
    p.rows.attrs["findings"] = merge_findings([f for _, _, fs in parts for f in fs])
    return p


def reduce_prepared(rows: Sequence[pd.DataFrame], totals: Sequence[pd.Series], *,
                    levels: tuple[str, ...], rules: RuleSet,
                    extra_zones: Sequence[str] = ()) -> Prepared:
    """Add the partitions' class-row sums and Σ TBMJ into one :class:`Prepared`.

    ``rows`` are the ``Prepared.rows`` of the partitions (m² per zone levels, ``code``,
    ``czcsxm``), ``totals`` their ``total_m2`` (m² per zone). The result is what
    :func:`landuse.indicators._common.prepare` gives for the whole layer: the same
    groups in the same (sorted) order, the zones county first (with ``extra_zones``
    added as :func:`landuse.county.reported_zones` does for one frame).
    """
    keys = [*levels, "code", "czcsxm"]
    frame = pd.concat([r for r in rows if len(r)], ignore_index=True)
    summed = frame.groupby(keys, sort=True)["area_m2"].sum().reset_index()
    for col in keys:
        summed[col] = summed[col].astype(object)
    zones = reported_zones(summed, levels, extra_zones)
    total = pd.concat([t for t in totals if len(t)]).groupby(level=0, sort=False).sum()
    total = total.reindex(zones, fill_value=0.0).astype(float)
    total.index = zones
    return Prepared(rows=summed, total_m2=total, zones=zones, levels=levels, rules=rules)


def merge_findings(findings: Sequence[Finding]) -> list[Finding]:
    """One finding per (code, severity, source): counts added, first examples kept.

    Partitions report the same problem separately; the merged message is the first
    partition's with the total count stated.
    """
    merged: dict[tuple[str, str, str], Finding] = {}
    for f in findings:
        key = (f.code, f.severity, f.source)
        if key not in merged:
            merged[key] = f
            continue
        m = merged[key]
        same = m.message == f.message
        merged[key] = Finding(
            code=m.code, severity=m.severity, source=m.source, count=m.count + f.count,
            examples=(m.examples + f.examples)[:5],
            message=m.message if same else
            f"{m.message.split(' [total over partitions')[0]} [total over partitions: "
            f"{m.count + f.count}]")
    return list(merged.values())


def _class_part(part: pd.DataFrame, k: int, func: Callable[..., pd.DataFrame],
                options: dict[str, Any]) -> pd.DataFrame | None:
    return func(part, **options) if len(part) else None


def class_areas_dask(
    lu: Frame,
    *,
    table: str = "class_areas",
    by: str = "township",
    rules: str | Path | RuleSet | None = None,
    client: distributed.Client | None = None,
    npartitions: int | None = None,
) -> pd.DataFrame:
    """:func:`landuse.indicators.classes.class_areas` (or ``sandalei_areas``) by partition.

    Each partition's long table (zone, class, ``area_m2``; official rule) is summed per
    (zone, class) and ``area_ha`` / ``area_mu`` are recomputed from the summed m²; rows
    are ordered like the single-machine table (county rows first, then townships, each by
    zone code, then by class). For ``sandalei_areas`` every zone gets every group found
    anywhere (zeros included), as on one machine.

    Parameters
    ----------
    table : {"class_areas", "sandalei_areas"}
        Which table of :mod:`landuse.indicators.classes`.

    Returns
    -------
    DataFrame
        The columns of the single-machine table.
    """
    funcs = {"class_areas": classes.class_areas, "sandalei_areas": classes.sandalei_areas}
    if table not in funcs:
        raise ValueError(f"table must be one of {sorted(funcs)}, got {table!r}")
    ruleset = load_rules(rules)
    parts = compute_partitions(_class_part, lu, funcs[table], {"by": by, "rules": ruleset},
                               client=client, npartitions=npartitions)
    parts = [p for p in parts if p is not None and len(p)]
    if not parts:
        raise SchemaError(f"{table}: the land-use layer has no patches in any partition")
    frame = pd.concat(parts, ignore_index=True)
    area_cols = ("area_m2", "area_ha", "area_mu")
    keys = [c for c in frame.columns if c not in area_cols]
    out = frame.groupby(keys, sort=False, dropna=False)["area_m2"].sum()
    if table == "sandalei_areas":
        full = pd.MultiIndex.from_product(
            [pd.unique(frame["zone"]), pd.unique(frame["sandalei"])], names=keys)
        out = out.reindex(full, fill_value=0.0)
    out = out.reset_index()
    out["area_ha"] = units.convert_area(out["area_m2"], "m2", "ha")
    out["area_mu"] = units.convert_area(out["area_m2"], "m2", "mu")
    group = "code" if table == "class_areas" else "sandalei"
    if table == "sandalei_areas":
        rank = {g: i for i, g in enumerate(_sandalei_order(frame["sandalei"]))}
        out["_g"] = out["sandalei"].map(rank)
        group = "_g"
    out["_len"] = out["zone"].astype(str).str.len()
    out = out.sort_values(["_len", "zone", group], kind="stable")
    out = out.drop(columns=[c for c in ("_len", "_g") if c in out.columns])
    out = out[list(parts[0].columns)].reset_index(drop=True)
    out.attrs = dict(parts[0].attrs)
    return out


def _sandalei_order(groups: pd.Series) -> list[str]:

    present = set(groups)
    return [g for g, _ in SANDALEI_AGGREGATES] + ([UNCLASSIFIED] if UNCLASSIFIED in present
                                                   else [])

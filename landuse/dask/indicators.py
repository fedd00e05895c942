"""Indicator rows of a county computed by partition (sums of m² first, ratios after).

:func:`indicators_dask` gives the rows of
:func:`landuse.indicators.rows.compute_indicators` for a land-use layer split into
partitions: each partition is reduced to its class rows summed per (zone, code, CZCSXM),
Σ TBMJ per zone and, for the control layers, the class rows of the parts of its patches
inside them (the overlay engine, official allocation per patch); these sums are added
over the partitions and every indicator function then runs once on the totals. Ratios
(development intensity, per-capita land, GDP per land, shares) are therefore ratios of
sums, never sums or averages of partition ratios.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from landuse.county import Prepared, TownshipPolicy, assign_townships, levels_for, prepare
from landuse.dask.engine import (
    _client,
    _shared,
    compute_partitions,
    merge_findings,
    prepare_dask,
    private_copy,
    reduce_prepared,
)
from landuse.errors import SchemaError
from landuse.findings import get_findings
from landuse.indicators.farmland import overlay_class_rows
from landuse.indicators.rows import assemble_rows, indicator_series, zone_names_of
from landuse.rules import RuleSet, load_rules

if TYPE_CHECKING:
    import distributed

__all__ = ["indicator_series", "indicators_dask"]


def _part(part: pd.DataFrame, k: int, by: str, rules: RuleSet,
          townships: gpd.GeoDataFrame | None, policy: TownshipPolicy,
          layers: dict[str, gpd.GeoDataFrame]) -> dict[str, Any] | None:
    if len(part) == 0:
        return None
    before = len(get_findings(part))
    part = assign_townships(part, private_copy(townships) if townships is not None else None,
                            policy=policy)
    findings = get_findings(part)[before:]
    p = prepare(part, by=by, rules=rules, what=f"land use (partition {k})")
    own = {name: private_copy(layer) for name, layer in layers.items()}
    inside = overlay_class_rows(p, part, own, what="farmland overlays") if layers else {}
    return {"rows": p.rows, "total": p.total_m2, "inside": inside, "findings": findings}


def _reduce(parts: list[dict[str, Any]], by: str, rules: RuleSet,
            extra_zones: Sequence[str]) -> tuple[Prepared, dict]:
    p = reduce_prepared([d["rows"] for d in parts], [d["total"] for d in parts],
                        levels=levels_for(by), rules=rules, extra_zones=extra_zones)
    names = {n for d in parts for n in d["inside"]}
    inside = {n: pd.concat([d["inside"][n] for d in parts if n in d["inside"]],
                           ignore_index=True) for n in sorted(names)}
    return p, inside


def indicators_dask(
    lu: Any,
    *,
    townships: gpd.GeoDataFrame | None = None,
    permanent_farmland: gpd.GeoDataFrame | None = None,
    high_standard_farmland: gpd.GeoDataFrame | None = None,
    socio: pd.DataFrame | None = None,
    year: int,
    base_year: int | None = None,
    base: Any | None = None,
    base_construction_land_ha: float | Mapping[str, float] | None = None,
    rules: str | Path | RuleSet | None = None,
    targets: Sequence[Any] | None = None,
    by: str = "township",
    zone_names: Mapping[str, str] | None = None,
    township: TownshipPolicy = "zldwdm",
    client: distributed.Client | None = None,
    npartitions: int | None = None,
) -> pd.DataFrame:
    """Compute the rows of :func:`landuse.indicators.rows.compute_indicators` by partition.

    Same parameters and result as ``compute_indicators`` (docs/contract.md §3.1 rows, county
    first, then townships, in registry order), plus ``client`` and ``npartitions``.
    ``lu`` (and ``base``) may be GeoDataFrames (partitioned in Hilbert order) or
    dask_geopandas frames; the townships and control layers are broadcast to every
    worker once. Official areas (m²) are summed over the partitions before any ratio.

    Returns
    -------
    DataFrame
        ``ROW_COLUMNS`` rows; ``attrs`` ``rules``, ``area`` (``official``), ``findings``
        (merged over partitions), ``engine`` (``dask``).
    """
    ruleset = load_rules(rules)
    client = _client(client)
    layers = {name: layer for name, layer in (("pf", permanent_farmland),
                                                ("hsf", high_standard_farmland))
              if layer is not None}
    parts = compute_partitions(_part, lu, by, ruleset, _shared(townships, client), township,
                               _shared(layers, client), client=client,
                               npartitions=npartitions)
    parts = [d for d in parts if d is not None]
    if not parts:
        raise SchemaError("indicators_dask: the land-use layer has no patches in any partition")
    extra = townships["zone"].astype(str).tolist() if townships is not None else []
    p, inside = _reduce(parts, by, ruleset, extra)
    b = prepare_dask(base, by=by, rules=ruleset, townships=townships, township=township,
                     client=client, npartitions=npartitions) if base is not None else None
    results = indicator_series(
        p, inside, socio=socio, year=year, base_year=base_year, base=b,
        base_construction_land_ha=base_construction_land_ha,
        permanent_farmland=permanent_farmland, high_standard_farmland=high_standard_farmland)
    out = assemble_rows(results, zone_names=zone_names_of(townships, zone_names),
                        targets=targets, year=year)
    out.attrs = {"rules": ruleset.label, "area": "official", "engine": "dask",
                 "findings": merge_findings([f for d in parts for f in d["findings"]])}
    return out

"""The result of an annual run (:class:`RunResult`) and the violation mask of its redlines."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from landuse.config import Config
from landuse.findings import Finding
from landuse.report.document import (
    indicators_document,
    validate_document,
    write_json,
)
from landuse.report.outputs import RunOutputs, write_outputs

__all__ = ["RunResult", "violations"]


@dataclass
class RunResult:
    """Everything one annual run computed (contract §4).

    Attributes
    ----------
    config : Config
        The validated configuration.
    indicators : DataFrame
        The rows of contract §3.1 (``id``, ``name_zh``, ``scope``, ``zone``, ``zone_name``,
        ``value``, ``unit``, ``components``, ``target``, ``status``, ``reason``).
    class_areas : DataFrame
        Area by land class and zone (official rule), with the 三大类 column.
    redlines : DataFrame
        One row per redline finding (contract §3.2), without geometry.
    redline_layers : dict of str to GeoDataFrame
        ``mining_conflicts`` and ``zone_violations`` with the overlap geometry.
    findings : list of Finding
        Data-quality findings of every reader and step.
    provenance : dict
        ``provenance`` of ``indicators.json`` (``created`` is set when the run ends).
    zones : GeoDataFrame or None
        Township polygons (``zone``, ``zone_name``) in the working CRS, for the maps.
    idle_parcels, transitions, landcover_areas : optional
        Present when a ledger, a previous vintage or a land-cover raster was configured.
    protected, rights : GeoDataFrame or None
        The protected areas and mining rights as read (for the redline map).
    duties, duty_layers : dict
        Issue 19's tables (output name -> DataFrame, written as ``<name>.csv``) and layers
        (name -> GeoDataFrame, written as ``<name>.gpkg``); see :mod:`landuse.run.duties`.
    """

    config: Config
    indicators: pd.DataFrame
    class_areas: pd.DataFrame
    redlines: pd.DataFrame
    redline_layers: dict[str, gpd.GeoDataFrame]
    findings: list[Finding]
    provenance: dict[str, Any]
    zones: gpd.GeoDataFrame | None = None
    idle_parcels: gpd.GeoDataFrame | None = None
    transitions: pd.DataFrame | None = None
    landcover_areas: pd.DataFrame | None = None
    protected: gpd.GeoDataFrame | None = None
    rights: gpd.GeoDataFrame | None = None
    duties: dict[str, pd.DataFrame] = field(default_factory=dict)
    duty_layers: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)

    @property
    def violation_count(self) -> int:
        """Redline violations: ``inside`` rows (overlap ≥ sliver) that break a rule.

        Control-line rows count when ``relation`` is ``inside`` (or ``outside`` the urban
        boundary, for construction not allowed there); mining rows only when their
        disposition is ``withdraw`` or ``refuse`` (the category or zone prohibits mining).
        """
        return int(violations(self.redlines).sum())

    def document(self) -> dict[str, Any]:
        """Return the ``indicators.json`` document (contract §3.1)."""
        cfg = self.config
        return indicators_document(self.indicators, region_code=cfg.region.code,
                                   region_name=cfg.region.name, year=cfg.region.year,
                                   provenance=self.provenance)

    def to_json(self, path: str | Path) -> Path:
        """Write ``indicators.json`` to ``path`` (validated against the shipped schema)."""
        doc = self.document()
        validate_document(doc)
        return write_json(doc, path)

    def output_data(self) -> RunOutputs:
        """Return the plain data the output writers take (``RunOutputs``)."""
        return RunOutputs(
            document=self.document(), class_areas=self.class_areas, redlines=self.redlines,
            redline_layers=self.redline_layers, findings=self.findings, zones=self.zones,
            idle_parcels=self.idle_parcels, transitions=self.transitions,
            landcover_areas=self.landcover_areas, protected=self.protected, rights=self.rights,
            duties=self.duties, duty_layers=self.duty_layers)

    def write(self, out_dir: str | Path) -> Path:
        """Write every output of contract §3 into ``out_dir`` atomically; returns it."""
        return write_outputs(self.output_data(), out_dir)


def violations(redlines: pd.DataFrame) -> pd.Series:
    """Boolean mask of the redline rows that are violations (see ``violation_count``)."""
    if redlines.empty:
        return pd.Series(False, index=redlines.index)
    inside = redlines["relation"].isin(["inside", "outside"])
    mining = redlines["check"] == "mining_protected"
    prohibited = redlines.get("disposition", pd.Series("", index=redlines.index)).isin(
        ["withdraw", "refuse"])
    return inside & (~mining | prohibited)

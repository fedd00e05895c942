"""The result of an annual run (:class:`RunResult`) and the violation mask of its redlines."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from landuse.config import Config
from landuse.findings import Finding
from landuse.redlines.output import is_violation
from landuse.report.document import (
    indicators_document,
    validate_document,
    write_json,
)
from landuse.report.outputs import RunOutputs, write_outputs
from landuse.tables import SurveyTables

__all__ = ["RunResult", "violations"]


@dataclass
class RunResult:
    """Everything one annual run computed (docs/contract.md §4).

    Attributes
    ----------
    config : Config
        The validated configuration.
    indicators : DataFrame
        The rows of docs/contract.md §3.1 (``id``, ``name_zh``, ``scope``, ``zone``, ``zone_name``,
        ``value``, ``unit``, ``components``, the target as flat columns ``target_op``,
        ``target_value`` (float64), ``target_year``, ``target_base_year`` (Int64),
        ``target_basis``, ``target_source``, then ``status``, ``reason``; docs/contract.md §4).
    class_areas : DataFrame
        Area by land class and zone (official rule), with the 三大类 column.
    redlines : DataFrame
        One row per redline finding (docs/contract.md §3.2), without geometry.
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
    survey : SurveyTables or None
        The 三调 summary tables (``survey_tables/``, the bulletin); docs/tables.md.
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
    #: how many of ``findings`` come from reading the inputs (what ``landuse check`` reports)
    input_findings: int = 0
    survey: SurveyTables | None = None
    duties: dict[str, pd.DataFrame] = field(default_factory=dict)
    duty_layers: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)

    def _summary(self) -> list[tuple[str, str]]:
        cfg = self.config
        ind = self.indicators
        n_county = int((ind["scope"] == "county").sum()) if len(ind) else 0
        n_na = int((ind["status"] == "not_computable").sum()) if len(ind) else 0
        n_not_met = int((ind["status"] == "not_met").sum()) if len(ind) else 0
        warn = sum(1 for f in self.findings if f.severity != "info")
        return [
            ("县 county", f"{cfg.region.name} {cfg.region.code}, {cfg.region.year}"),
            ("指标 indicators", f"{len(ind)} rows ({n_county} county), {n_not_met} not met, "
                                f"{n_na} not computable"),
            ("红线 redlines", f"{len(self.redlines)} findings, {self.violation_count} "
                            "violations"),
            ("数据质量 findings", f"{len(self.findings)} ({warn} warnings)"),
            ("乡镇 township policy", str(cfg.options.township)),
        ]

    def __repr__(self) -> str:
        """Return a short summary (the frames are attributes; print them on their own)."""
        lines = [f"  {k}: {v}" for k, v in self._summary()]
        return "RunResult(\n" + "\n".join(lines) + "\n)"

    def _repr_html_(self) -> str:
        """Return a summary table for Jupyter, with the county indicators."""
        import html

        rows = "".join(f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
                       f"<td style='text-align:left'>{html.escape(v)}</td></tr>"
                       for k, v in self._summary())
        ind = self.indicators
        county = ind[ind["scope"] == "county"] if len(ind) else ind
        table = "" if county.empty else county[["id", "name_zh", "value", "unit",
                                                 "status"]].to_html(index=False, na_rep="—")
        return f"<div><strong>RunResult</strong><table>{rows}</table>{table}</div>"

    @property
    def violation_count(self) -> int:
        """Redline violations: the rows whose ``status`` is ``violation`` (docs/domain.md §7).

        ``allowed`` and ``review`` rows are findings, not violations; the same definition
        drives ``--fail-on-violation``, the report and the map (:func:`violations`).
        """
        return int(violations(self.redlines).sum())

    def document(self) -> dict[str, Any]:
        """Return the ``indicators.json`` document (docs/contract.md §3.1)."""
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
            survey=self.survey, year=self.config.region.year,
            duties=self.duties, duty_layers=self.duty_layers)

    def write(self, out_dir: str | Path) -> Path:
        """Write every output of docs/contract.md §3 into ``out_dir`` atomically; returns it."""
        return write_outputs(self.output_data(), out_dir)


def violations(redlines: pd.DataFrame) -> pd.Series:
    """Boolean mask of the redline rows that are violations: ``status == "violation"``.

    The status comes from the rule tables (``landuse/rules/control_line_rules.csv``,
    ``mining_prohibited.csv``, ``mining_exceptions_142.csv``); the mask is
    :func:`landuse.redlines.output.is_violation`, the one definition used by the CLI exit
    code, the report and the map.
    """
    return is_violation(redlines)
